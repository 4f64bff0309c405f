"""SQL query (``sqlite.query``) on a real SQLite file in the project's folder."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from app.core.actions.sql_query import ACTION as SQL_ACTION
from app.core.events import ActionStarted, ErrorEvent, ResultEvent
from app.core.project import EndpointInput
from app.core.run_context import RunSettings
from app.core.validate import validate_project
from app.engine import Engine
from tests.conftest import action, endpoint, formula, project_of

DB = "data.sqlite"
ACTION_PATH = "$.endpoints[0].workflow[0]"
CREATE = action("create", "sqlite.query", database=DB, sql="CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)")


def sql(id: str, statement: str, **params):  # type: ignore[no-untyped-def]
    return action(id, "sqlite.query", database=DB, sql=statement, **params)


def rows_on_disk(settings: RunSettings, statement: str) -> list[tuple]:
    with sqlite3.connect(settings.project_dir / DB) as connection:
        return connection.execute(statement).fetchall()


async def test_create_insert_with_named_parameters_and_select_rows(run, settings):
    project = project_of(
        endpoint(
            [
                CREATE,
                sql(
                    "ins",
                    "INSERT INTO people (name, age) VALUES (:name, :age)",
                    parameters={"name": formula("inputs.name"), "age": formula("inputs.age")},
                ),
                sql("ins2", "INSERT INTO people (name, age) VALUES (:name, :age)", parameters={"name": "Bob", "age": None}),
                sql("sel", "SELECT name, age FROM people ORDER BY id", resultVariable="people"),
                action("r", "response.return", body={"insert": formula("results.ins"), "rows": formula("variables.people")}),
            ],
            [EndpointInput(name="name"), EndpointInput(name="age", type="integer")],
        )
    )
    result = await run(project, {"name": "Ada", "age": 36})
    body = result.result.body
    assert body["insert"] == {"rowsAffected": 1, "lastInsertId": 1}
    assert body["rows"] == [{"name": "Ada", "age": 36}, {"name": "Bob", "age": None}]
    assert rows_on_disk(settings, "SELECT id, name, age FROM people ORDER BY id") == [(1, "Ada", 36), (2, "Bob", None)]


async def test_select_rows_are_a_list_of_objects_keyed_by_column(run, settings):
    result = await run(
        [
            CREATE,
            sql("a", "INSERT INTO people (name, age) VALUES ('Ada', 36), ('Bob', 40), ('Cy', 7)"),
            sql("sel", "SELECT name AS who, age * 2 AS twice FROM people WHERE age > :min ORDER BY age", parameters={"min": 10}),
            action("r", "response.return", body=formula("results.sel")),
        ]
    )
    assert result.result.body == [{"who": "Ada", "twice": 72}, {"who": "Bob", "twice": 80}]


async def test_a_select_with_no_rows_gives_an_empty_list(run):
    result = await run([CREATE, sql("sel", "SELECT * FROM people"), action("r", "response.return", body={"n": formula("$count(results.sel)")})])
    assert result.result.body == {"n": 0}


async def test_an_injection_attempt_is_stored_literally_and_the_table_survives(run, settings):
    evil = "x'); DROP TABLE people; --"
    project = project_of(
        endpoint(
            [
                CREATE,
                sql("ins", "INSERT INTO people (name) VALUES (:name)", parameters={"name": formula("inputs.name")}),
                sql("sel", "SELECT count(*) AS n FROM people WHERE name = :name", parameters={"name": formula("inputs.name")}),
                action("r", "response.return", body=formula("results.sel[0].n")),
            ],
            [EndpointInput(name="name")],
        )
    )
    result = await run(project, {"name": evil})
    assert result.result.body == 1
    assert rows_on_disk(settings, "SELECT name FROM people") == [(evil,)]


async def test_non_select_statements_give_rows_affected_and_last_insert_id(run, settings):
    result = await run(
        [
            CREATE,
            sql("a", "INSERT INTO people (name, age) VALUES ('Ada', 36), ('Bob', 40)"),
            sql("b", "INSERT INTO people (name, age) VALUES (:n, 1)", parameters={"n": "Cy"}),
            sql("up", "UPDATE people SET age = age + 1 WHERE age > :min", parameters={"min": 30}),
            sql("del", "DELETE FROM people WHERE name = 'nobody'"),
            action(
                "r",
                "response.return",
                body={"a": formula("results.a"), "b": formula("results.b"), "up": formula("results.up.rowsAffected"), "del": formula("results.del.rowsAffected")},
            ),
        ]
    )
    body = result.result.body
    assert body["a"] == {"rowsAffected": 2, "lastInsertId": 2}
    assert body["b"] == {"rowsAffected": 1, "lastInsertId": 3}
    assert (body["up"], body["del"]) == (2, 0)
    assert rows_on_disk(settings, "SELECT age FROM people ORDER BY id") == [(37,), (41,), (1,)]


async def test_insert_returning_gives_rows_and_is_committed(run, settings):
    result = await run(
        [
            CREATE,
            sql("ins", "INSERT INTO people (name) VALUES (:a), (:b) RETURNING id, name", parameters={"a": "Ada", "b": "Bob"}),
            action("r", "response.return", body=formula("results.ins")),
        ]
    )
    assert result.result.body == [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bob"}]
    assert rows_on_disk(settings, "SELECT name FROM people ORDER BY id") == [("Ada",), ("Bob",)]


async def test_the_database_name_can_come_from_a_formula_and_a_subfolder(run, settings):
    (settings.project_dir / "db").mkdir()
    result = await run(
        [
            action("q", "sqlite.query", database=formula('"db/" & "inner.sqlite"'), sql="CREATE TABLE t (x)"),
            action("i", "sqlite.query", database="db/inner.sqlite", sql="INSERT INTO t VALUES (1)"),
        ]
    )
    assert isinstance(result.last, ResultEvent)
    with sqlite3.connect(settings.project_dir / "db" / "inner.sqlite") as connection:
        assert connection.execute("SELECT x FROM t").fetchall() == [(1,)]


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("SELEC * FROM people", "syntax error"),
        ("SELECT * FROM nope", "no such table: nope"),
        ("INSERT INTO people (name) VALUES (NULL)", "NOT NULL constraint failed"),
        ("SELECT 1; DROP TABLE people", "one statement"),
    ],
)
async def test_bad_sql_is_an_error_naming_the_database_and_sqlites_message(run, settings, statement: str, reason: str):
    result = await run([CREATE, sql("bad", statement)])
    error = result.error
    assert (error.action_id, error.action_type) == ("bad", "sqlite.query")
    assert DB in error.message and reason in error.message
    assert rows_on_disk(settings, "SELECT count(*) FROM people") == [(0,)], "the table is still there"


async def test_a_missing_parameter_is_an_error(run):
    result = await run([CREATE, sql("ins", "INSERT INTO people (name) VALUES (:name)", parameters={"nom": "Ada"})])
    assert result.error.action_id == "ins"
    assert DB in result.error.message and "name" in result.error.message


async def test_a_parameter_that_is_not_a_scalar_is_an_error(run):
    result = await run([CREATE, sql("ins", "INSERT INTO people (name) VALUES (:name)", parameters={"name": formula('{"a": 1}')})])
    assert result.error.action_id == "ins"
    assert DB in result.error.message


@pytest.mark.parametrize("database", ["../x.sqlite", "sub/../../x.sqlite", "..\\x.sqlite", "/tmp/x.sqlite", "", "a\x00.sqlite"])
async def test_a_database_outside_the_project_folder_is_refused(run, tmp_path: Path, database: str):
    tmp_existed = Path("/tmp/x.sqlite").exists()
    before = sorted(tmp_path.rglob("*"))
    result = await run([action("q", "sqlite.query", database=database, sql="CREATE TABLE t (x)")])
    assert result.error.action_id == "q"
    assert "database" in result.error.message and "project" in result.error.message
    assert sorted(tmp_path.rglob("*")) == before, "no file may be created anywhere"
    assert Path("/tmp/x.sqlite").exists() == tmp_existed


async def test_an_absolute_database_path_is_refused(run, tmp_path: Path):
    target = tmp_path / "abs.sqlite"
    result = await run([action("q", "sqlite.query", database=formula(f'"{target}"'), sql="CREATE TABLE t (x)")])
    assert result.error.action_id == "q" and "project" in result.error.message
    assert not target.exists()


async def test_a_symlink_leading_out_of_the_project_is_refused(run, settings, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (settings.project_dir / "link").symlink_to(outside, target_is_directory=True)
    result = await run([action("q", "sqlite.query", database="link/db.sqlite", sql="CREATE TABLE t (x)")])
    assert result.error.action_id == "q"
    assert list(outside.iterdir()) == []


LONG_INSERT = (
    "INSERT INTO counted (n) SELECT count(*) FROM ("
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT x FROM c)"
)


def _write_locked(path: Path) -> bool:
    """True while another connection holds the database's write lock (i.e. the long query runs)."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return True
    finally:
        probe.close()


def _write_lock_after_release(path: Path) -> int:
    """Takes the write lock, waiting up to 10 s for the interrupted query to let go of it."""
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        count = connection.execute("SELECT count(*) FROM counted").fetchone()[0]
        connection.execute("ROLLBACK")
        return int(count)
    finally:
        connection.close()


async def test_cancelling_the_run_interrupts_a_long_query(settings):
    path = settings.project_dir / DB
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE counted (n INTEGER)")
    project = project_of(endpoint([sql("long", LONG_INSERT), action("after", "file.create", fileName="never.txt", format="text", content="x")]))
    started = asyncio.Event()
    seen: list[str] = []

    async def consume() -> None:
        async for event in Engine(project).run("ep", {}, settings):
            seen.append(event.kind)
            if isinstance(event, ActionStarted) and event.action_id == "long":
                started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 10)
    # the query holds the write lock from its first step: wait for that condition, not for a time
    deadline = time.monotonic() + 10
    while not _write_locked(path):
        assert not task.done(), f"the query ended by itself: {seen}"
        assert time.monotonic() < deadline, "the query never started"
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    # the interrupted statement rolls back and lets go of the lock at once; without the
    # interrupt this waits 10 s and fails with "database is locked"
    rows = await asyncio.wait_for(asyncio.to_thread(_write_lock_after_release, path), 20)
    assert rows == 0, "the interrupted INSERT was rolled back"
    assert "result" not in seen and "error" not in seen
    assert not settings.output_root.exists(), "no action runs after the cancelled one"


async def test_a_query_that_finishes_is_not_disturbed_by_the_interrupt_machinery(run):
    result = await run(
        [
            action(
                "count",
                "sqlite.query",
                database=":memory:",
                sql="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) AS n FROM c",
            ),
            action("r", "response.return", body=formula("results.count[0].n")),
        ]
    )
    assert result.result.body == 200000


def test_sql_text_cannot_be_a_formula_so_values_cannot_change_the_statement():
    project = project_of(endpoint([action("q", "sqlite.query", database=DB, sql=formula('"SELECT " & inputs.x'))]))
    problems = validate_project(project)
    assert any(p.path.startswith(f"{ACTION_PATH}.params.sql") for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"sql": ""}, "params.sql"),
        ({"sql": 42}, "params.sql"),
        ({"database": 7}, "params.database"),
        ({"parameters": ["a", "b"]}, "params.parameters"),
        ({"parameters": {"a": formula("1 +")}}, "params.parameters.a"),
        ({"resultVariable": "9rows"}, "params.resultVariable"),
        ({"parameters": {"token": {"$env": "TOKEN"}}}, "params.parameters"),
        ({"query": "SELECT 1"}, "params.query"),
    ],
)
def test_bad_literal_params_are_problems_with_their_json_path(params: dict, path: str):
    project = project_of(endpoint([action("q", "sqlite.query", **{"database": DB, "sql": "SELECT 1", **params})]))
    problems = validate_project(project)
    assert problems
    assert any(p.path.startswith(f"{ACTION_PATH}.{path}") for p in problems), [str(p) for p in problems]
    assert all(p.action_id == "q" for p in problems)


def test_default_params_are_valid():
    project = project_of(endpoint([action("q", "sqlite.query", **SQL_ACTION.default_params())]))
    assert validate_project(project) == []


async def test_errors_leave_earlier_writes_committed(run, settings):
    result = await run([CREATE, sql("a", "INSERT INTO people (name) VALUES ('Ada')"), sql("bad", "INSERT INTO nope VALUES (1)")])
    assert isinstance(result.last, ErrorEvent)
    assert rows_on_disk(settings, "SELECT name FROM people") == [("Ada",)]


async def test_a_missing_database_file_is_named_instead_of_created_empty(run, settings):
    result = await run([action("q", "sqlite.query", database="sales.sqlite", sql="SELECT * FROM orders")])
    assert result.error.action_id == "q"
    assert "database file 'sales.sqlite' does not exist" in result.error.message
    assert not (settings.project_dir / "sales.sqlite").exists()


async def test_a_create_statement_creates_the_database_file(run, settings):
    result = await run([action("q", "sqlite.query", database="new.sqlite", sql="CREATE TABLE t (x)")])
    assert result.result.status_code == 200
    assert (settings.project_dir / "new.sqlite").is_file()
