"""Create file (``file.create``): CSV, JSON and text under the run's own output folder."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from app.core.actions.create_file import ACTION as FILE_ACTION
from app.core.events import ResultEvent
from app.core.project import EndpointInput
from app.core.run_context import RunSettings
from app.core.validate import validate_project
from app.engine import Engine
from tests.conftest import RunResult, action, endpoint, formula, project_of

RUN_ID = "run1"
ACTION_PATH = "$.endpoints[0].workflow[0]"


async def run_fixed(settings: RunSettings, workflow, inputs=None, input_specs=None) -> RunResult:  # type: ignore[no-untyped-def]
    """Run with a known run id, so the test knows the output folder in advance."""
    project = project_of(endpoint(workflow, input_specs))
    return RunResult([e async for e in Engine(project).run("ep", inputs or {}, settings, run_id=RUN_ID)])


def create(file_name, file_format: str, content, **params):  # type: ignore[no-untyped-def]
    return [
        action("f", "file.create", fileName=file_name, format=file_format, content=content, **params),
        action("r", "response.return", body=formula("results.f")),
    ]


def path_of(url: str) -> Path:
    parsed = urlparse(url)
    assert parsed.scheme == "file"
    return Path(url2pathname(parsed.path))


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if not p.is_dir()}


async def test_csv_from_objects_has_the_union_of_keys_in_first_seen_order(settings):
    content = [
        {"name": "Ada", "age": formula("inputs.age")},
        {"name": "Bob", "city": "Paris"},
        {"city": "Oslo", "age": 7, "name": 'Cy "the" third, jr'},
    ]
    result = await run_fixed(settings, create("people.csv", "csv", content), {"age": 36}, [EndpointInput(name="age", type="integer")])
    info = result.result.body
    written = settings.output_root / RUN_ID / "people.csv"
    assert written.read_text(encoding="utf-8") == 'name,age,city\nAda,36,\nBob,,Paris\n"Cy ""the"" third, jr",7,Oslo\n'
    assert info["contentType"] == "text/csv"


async def test_a_formula_value_keeps_its_keys_place_in_the_header(settings):
    content = [{"name": formula("inputs.who"), "age": 36}]
    await run_fixed(settings, create("people.csv", "csv", content), {"who": "Ada"}, [EndpointInput(name="who")])
    assert (settings.output_root / RUN_ID / "people.csv").read_text() == "name,age\nAda,36\n"


async def test_csv_from_lists_is_written_row_by_row(settings):
    content = [["id", "label"], [1, formula('"one"')], [2, "two, too"]]
    await run_fixed(settings, create("rows.csv", "csv", content))
    assert (settings.output_root / RUN_ID / "rows.csv").read_text() == 'id,label\n1,one\n2,"two, too"\n'


async def test_csv_cells_are_written_as_json_values(settings):
    content = [{"flag": True, "off": False, "none": None, "tags": ["a", "b"], "meta": {"k": 1}, "ratio": 0.5}]
    await run_fixed(settings, create("cells.csv", "csv", content))
    text = (settings.output_root / RUN_ID / "cells.csv").read_text()
    assert text == 'flag,off,none,tags,meta,ratio\ntrue,false,,"[""a"", ""b""]","{""k"": 1}",0.5\n'


async def test_csv_content_from_a_formula(settings):
    content = formula('[{"n": 1}, {"n": 2}]')
    await run_fixed(settings, create("f.csv", "csv", content))
    assert (settings.output_root / RUN_ID / "f.csv").read_text() == "n\n1\n2\n"


async def test_json_file_holds_the_resolved_value(settings):
    content = {"title": formula('"Report " & inputs.n'), "items": [1, formula("inputs.n"), {"deep": "é"}], "none": None}
    result = await run_fixed(settings, create("report.json", "json", content), {"n": 3}, [EndpointInput(name="n", type="integer")])
    written = settings.output_root / RUN_ID / "report.json"
    assert json.loads(written.read_text(encoding="utf-8")) == {"title": "Report 3", "items": [1, 3, {"deep": "é"}], "none": None}
    assert result.result.body["contentType"] == "application/json"


async def test_text_file_holds_the_string(settings):
    result = await run_fixed(settings, create("note.txt", "text", formula('"héllo " & "wörld"')))
    written = settings.output_root / RUN_ID / "note.txt"
    assert written.read_text(encoding="utf-8") == "héllo wörld"
    assert result.result.body["contentType"] == "text/plain"


async def test_the_result_describes_the_file_and_points_at_it(settings):
    result = await run_fixed(
        settings,
        [
            action("f", "file.create", fileName=formula('"out-" & "1.txt"'), format="text", content="héllo", resultVariable="file"),
            action("r", "response.return", body={"fromResults": formula("results.f"), "fromVariable": formula("variables.file")}),
        ],
    )
    info = result.result.body["fromResults"]
    assert result.result.body["fromVariable"] == info
    assert set(info) == {"fileName", "size", "contentType", "downloadUrl"}
    assert info["fileName"] == "out-1.txt"
    assert info["size"] == len("héllo".encode()) == 6
    on_disk = path_of(info["downloadUrl"])
    assert on_disk == (settings.output_root / RUN_ID / "out-1.txt").resolve()
    assert on_disk.read_text(encoding="utf-8") == "héllo"


async def test_download_url_uses_the_configured_maker_with_run_id_and_relative_name(settings):
    settings.download_url = lambda run_id, name: f"http://127.0.0.1:8765/runs/{run_id}/files/{name}"
    result = await run_fixed(settings, create("sub/a.txt", "text", "x"))
    assert result.result.body["downloadUrl"] == f"http://127.0.0.1:8765/runs/{RUN_ID}/files/sub/a.txt"


async def test_a_name_in_a_subfolder_is_created_inside_the_run_folder(settings):
    result = await run_fixed(settings, create("sub/deeper/a.txt", "text", "inside"))
    written = settings.output_root / RUN_ID / "sub" / "deeper" / "a.txt"
    assert written.read_text() == "inside"
    assert path_of(result.result.body["downloadUrl"]) == written.resolve()
    assert files_under(settings.output_root) == {written}


async def test_each_run_writes_into_its_own_folder(settings):
    project = project_of(endpoint(create("a.txt", "text", "x")))
    engine = Engine(project)
    for run_id in ("first", "second"):
        events = [e async for e in engine.run("ep", {}, settings, run_id=run_id)]
        assert isinstance(events[-1], ResultEvent)
    assert files_under(settings.output_root) == {settings.output_root / "first" / "a.txt", settings.output_root / "second" / "a.txt"}


@pytest.mark.parametrize("name", ["../x.csv", "/etc/x", "a/../../x", "..\\x", "", "   ", "a\x00b.csv", ".", "sub/..", "../run2/x.csv"])
async def test_names_that_leave_the_output_folder_are_refused_and_nothing_is_written(settings, tmp_path: Path, name: str):
    before = files_under(tmp_path)
    result = await run_fixed(settings, create(name, "text", "pwned"))
    assert (result.error.action_id, result.error.action_type) == ("f", "file.create")
    assert "file name" in result.error.message
    assert files_under(tmp_path) == before
    assert not Path("/etc/x").exists()


async def test_a_refused_name_from_a_formula_is_refused_too(settings, tmp_path: Path):
    result = await run_fixed(settings, create(formula('"../" & "escape.txt"'), "text", "pwned"))
    assert "would leave" in result.error.message
    assert files_under(tmp_path) == set()


async def test_a_symlinked_folder_leading_out_is_refused(settings, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    run_dir = settings.output_root / RUN_ID
    run_dir.mkdir(parents=True)
    (run_dir / "link").symlink_to(outside, target_is_directory=True)
    result = await run_fixed(settings, create("link/x.txt", "text", "pwned"))
    assert result.error.action_id == "f" and "would leave" in result.error.message
    assert list(outside.iterdir()) == []


async def test_a_symlinked_file_leading_out_is_refused(settings, tmp_path: Path):
    target = tmp_path / "target.txt"
    run_dir = settings.output_root / RUN_ID
    run_dir.mkdir(parents=True)
    (run_dir / "evil.txt").symlink_to(target)  # dangling: the write would create it
    result = await run_fixed(settings, create("evil.txt", "text", "pwned"))
    assert result.error.action_id == "f"
    assert not target.exists()


@pytest.mark.parametrize("content", ["just text", [1, 2, 3], [{"a": 1}, [1, 2]], [["a"], "b"], 5])
async def test_content_that_is_not_rows_is_a_clear_csv_error(settings, content):
    result = await run_fixed(settings, create("bad.csv", "csv", content))
    assert result.error.action_id == "f"
    assert "CSV" in result.error.message and "list of objects" in result.error.message
    assert files_under(settings.output_root) == set()


async def test_a_file_name_formula_giving_nothing_is_an_error_naming_the_param(settings):
    result = await run_fixed(settings, create(formula("inputs.missing"), "text", "x"))
    assert "fileName" in result.error.message


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"format": "xlsx"}, "params.format"),
        ({"format": formula('"csv"')}, "params.format"),
        ({"fileName": 12}, "params.fileName"),
        ({"resultVariable": "bad-name"}, "params.resultVariable"),
        ({"content": {"x": formula("(")}}, "params.content.x"),
        ({"content": {"$env": "SECRET"}}, "params.content"),
        ({"filename": "a.csv"}, "params.filename"),
    ],
)
def test_bad_literal_params_are_problems_with_their_json_path(params: dict, path: str):
    project = project_of(endpoint([action("f", "file.create", **{"fileName": "a.csv", "format": "csv", "content": [], **params})]))
    problems = validate_project(project)
    assert problems
    assert any(p.path.startswith(f"{ACTION_PATH}.{path}") for p in problems), [str(p) for p in problems]
    assert all(p.action_id == "f" for p in problems)


def test_default_params_are_valid():
    project = project_of(endpoint([action("f", "file.create", **FILE_ACTION.default_params())]))
    assert validate_project(project) == []
