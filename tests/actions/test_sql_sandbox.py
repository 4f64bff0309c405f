"""SQL query: no statement opens, creates or copies a file other than its own database (SQLite's authorizer)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.project import EndpointInput
from app.core.run_context import RunSettings
from tests.conftest import action, endpoint, formula, project_of

DB = "data.sqlite"
CREATE = action("create", "sqlite.query", database=DB, sql="CREATE TABLE t (x)")


def files_under(*roots: Path) -> list[Path]:
    return sorted(path for root in roots for path in root.rglob("*"))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project: anything written here escaped the project's folder."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


ESCAPES = [
    "ATTACH DATABASE '{target}' AS other",
    "attach   '{target}' as other",
    "/* hidden */ ATTACH DATABASE 'file:{target}?mode=rwc' AS other",
    "VACUUM INTO '{target}'",
    "vacuum main into '{target}'",
    "VACUUM",
    "ATTACH ':memory:' AS scratch",
    "ATTACH '' AS scratch",
    "DETACH DATABASE main",
    "PRAGMA temp_store_directory = '{folder}'",
    "PRAGMA data_store_directory = '{folder}'",
    "PRAGMA temp_store = FILE",
    "PRAGMA writable_schema = ON",
    "PRAGMA main.schema_version = 99",
    "PRAGMA journal_mode = OFF",
    "PRAGMA mmap_size = 268435456",
    "PRAGMA trusted_schema = ON",
    "SELECT load_extension('{target}')",
    "SELECT LOAD_EXTENSION('{target}', 'entry')",
    "SELECT fts3_tokenizer('simple')",
]


@pytest.mark.parametrize("template", ESCAPES)
async def test_statements_that_reach_other_files_are_refused_naming_the_action_and_why(run, settings: RunSettings, outside: Path, template: str):
    target = outside / "copy.sqlite"
    before = files_under(outside)
    result = await run([CREATE, action("q", "sqlite.query", database=DB, sql=template.format(target=target, folder=outside))])
    assert (result.error.action_id, result.error.action_type) == ("q", "sqlite.query")
    assert "refused" in result.error.message and DB in result.error.message, result.error.message
    assert files_under(outside) == before, "nothing may be written outside the project's folder"


async def test_an_attach_whose_file_name_is_a_bound_parameter_is_refused(run, settings: RunSettings, outside: Path):
    target = outside / "chosen-by-client.sqlite"
    project = project_of(
        endpoint(
            [CREATE, action("q", "sqlite.query", database=DB, sql="ATTACH DATABASE :file AS other", parameters={"file": formula("inputs.file")})],
            [EndpointInput(name="file")],
        )
    )
    result = await run(project, {"file": str(target)})
    assert result.error.action_id == "q" and "ATTACH" in result.error.message and "project's folder" in result.error.message
    assert not target.exists()


async def test_a_trigger_cannot_do_what_a_statement_may_not(run, outside: Path):
    """Triggers and views are compiled under the same authorizer when they run."""
    target = outside / "ext.so"
    trigger = f"CREATE TRIGGER sneaky AFTER INSERT ON t BEGIN SELECT load_extension('{target}'); END"
    result = await run([CREATE, action("trg", "sqlite.query", database=DB, sql=trigger), action("ins", "sqlite.query", database=DB, sql="INSERT INTO t VALUES (1)")])
    assert result.error.action_id == "ins" and "load_extension() is refused" in result.error.message


async def test_the_error_says_why_for_attach(run, outside: Path):
    result = await run([CREATE, action("q", "sqlite.query", database=DB, sql=f"ATTACH '{outside / 'x.db'}' AS x")])
    assert "only its own database file" in result.error.message


@pytest.mark.parametrize(
    "statement",
    [
        "PRAGMA table_info(t)",
        "PRAGMA user_version = 3",
        "PRAGMA foreign_keys = ON",
        "PRAGMA journal_mode = WAL",
        "PRAGMA journal_mode",
        "PRAGMA integrity_check",
        "PRAGMA temp_store",
        "SELECT name FROM pragma_table_info('t')",
        "CREATE TEMP TABLE scratch (y)",
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000) SELECT count(*) AS n FROM c ORDER BY n",
    ],
)
async def test_statements_on_the_database_itself_still_work(run, settings: RunSettings, statement: str):
    result = await run([CREATE, action("q", "sqlite.query", database=DB, sql=statement)])
    assert result.result.status_code == 200
    leftovers = {p.name for p in settings.project_dir.iterdir()} - {DB, f"{DB}-wal", f"{DB}-shm"}
    assert leftovers == set()


async def test_memory_databases_are_sandboxed_too(run, outside: Path):
    target = outside / "from-memory.sqlite"
    result = await run([action("q", "sqlite.query", database=":memory:", sql=f"VACUUM INTO '{target}'")])
    assert result.error.action_id == "q" and "refused" in result.error.message
    assert not target.exists()


async def test_a_database_name_with_uri_characters_is_a_plain_file_name(run, settings: RunSettings):
    result = await run([action("q", "sqlite.query", database="odd?mode=memory#x.sqlite", sql="CREATE TABLE t (x)")])
    assert result.result.status_code == 200
    assert (settings.project_dir / "odd?mode=memory#x.sqlite").is_file()


async def test_a_statement_other_than_create_never_creates_the_file(run, settings: RunSettings):
    """The file is opened with mode=rw: even a race past the existence check cannot create it."""
    from app.core import sqlite_guard

    with pytest.raises(sqlite3.OperationalError):
        sqlite_guard.connect(settings.project_dir / "absent.sqlite", create=False)
    assert not (settings.project_dir / "absent.sqlite").exists()
