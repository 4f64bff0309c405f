"""SQL query on a SQLite file in the project's folder, with named parameters bound by SQLite.

Parameters are always bound (``:name`` in the SQL), never interpolated into
the text, so no formula value can change the statement. The query runs in a
worker thread; a cancelled run interrupts it (a progress handler checks a flag every
thousand SQLite steps, so a cancel that arrives before the query
starts stops it too). A database file that does not exist is only created by
a ``CREATE`` statement; any other statement names the missing file instead.
``sqlite_guard`` keeps every statement on that one file (no ATTACH, VACUUM INTO,
extensions or file-touching pragmas), enforced by SQLite's authorizer.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from app.core import sqlite_guard
from app.core.params import ActionParams, Expr, Param
from app.core.project import IDENTIFIER
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.sandbox import PathOutsideSandboxError
from app.core.values import Template

CANCEL_CHECK_STEPS = 1000
"""SQLite virtual machine steps between two checks whether the run was cancelled."""


class SqlQueryParams(ActionParams):
    database: Expr[str] = Param("data.sqlite", title="Database file", description="A SQLite file in the project's folder, or :memory:.")
    sql: str = Param("SELECT 1 AS one", title="SQL", description="Use :name for parameters.", editor="sql", min_length=1)
    parameters: dict[str, Template] = Param({}, title="Parameters")
    result_variable: str | None = Param(None, alias="resultVariable", title="Save rows as variable", pattern=IDENTIFIER)


def _execute(path: Path | str, sql: str, parameters: dict[str, Any], cancelled: threading.Event, create: bool) -> Any:
    connection, authorizer = sqlite_guard.connect(path, create=create)
    try:
        connection.set_progress_handler(cancelled.is_set, CANCEL_CHECK_STEPS)
        connection.row_factory = sqlite3.Row
        try:
            cursor = connection.execute(sql, parameters)
        except sqlite3.Error as error:
            refusal = sqlite_guard.refusal(authorizer, error)
            if refusal is None:
                raise
            raise refusal from error
        rows = [dict(row) for row in cursor.fetchall()] if cursor.description is not None else None
        connection.commit()  # also for INSERT ... RETURNING, which gives rows
        if rows is not None:
            return rows
        return {"rowsAffected": cursor.rowcount, "lastInsertId": cursor.lastrowid}
    finally:
        connection.close()


async def run(params: SqlQueryParams, ctx: RunContext) -> Any:
    if params.database == sqlite_guard.MEMORY:
        path: Path | str = sqlite_guard.MEMORY
    else:
        try:
            path = ctx.project_path(params.database)
        except PathOutsideSandboxError as error:
            raise ValueError(f"database {params.database!r} must be a file inside the project's folder: {error}") from None
    create = params.sql.lstrip().upper().startswith("CREATE")
    if isinstance(path, Path) and not path.exists() and not create:
        # sqlite3 would silently create an empty file, and a typo in the name would read as "no such table"
        raise ValueError(f"database file {params.database!r} does not exist in the project's folder (a CREATE statement creates it)")
    import asyncio  # here, not at the top: the editor's window shows before asyncio is imported

    cancelled = threading.Event()
    try:
        result = await asyncio.to_thread(_execute, path, params.sql, params.parameters, cancelled, create)
    except asyncio.CancelledError:
        cancelled.set()
        raise
    except sqlite_guard.SqlRefusedError as error:
        raise ValueError(f"SQL query on {params.database} refused: {error}") from None
    except sqlite3.Error as error:
        raise ValueError(f"SQLite error in {params.database}: {error}") from error
    if params.result_variable:
        ctx.variables[params.result_variable] = result
    return result


def project_files(params: dict[str, Any]) -> list[str]:
    """The database file, when it is named literally and lies in the project's folder."""
    database = params.get("database", "data.sqlite")
    return [database] if isinstance(database, str) and database != sqlite_guard.MEMORY and not Path(database).is_absolute() else []


def summary(params: dict[str, Any]) -> str:
    sql = " ".join(str(params.get("sql", "")).split())
    return sql if len(sql) <= 80 else sql[:79] + "…"


ACTION = ActionType(
    id="sqlite.query",
    title="SQL query",
    category="Data",
    icon="database",
    description="Run one SQL statement on a SQLite database; SELECT gives rows.",
    params=SqlQueryParams,
    run=run,
    summary=summary,
    project_files=project_files,
)
