"""Property: any document given as a project file, import or paste loads, or is refused with ProjectInvalidError."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.core.exchange import endpoint_from_document
from app.core.problems import ProjectInvalidError
from app.core.project_file import dump_project, parse_json, parse_project
from tests.conftest import EXAMPLE
from tests.fuzz.strategies import JSON_VALUES, dumps_loose, json_texts

EXAMPLE_DOCUMENT = json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


EXAMPLE_PATHS = _paths(EXAMPLE_DOCUMENT)[1:]


@st.composite
def mutated_example(draw: st.DrawFn) -> dict[str, Any]:
    """The bundled example with a few of its values (a formula, a list, a name...) replaced by arbitrary JSON."""
    document = copy.deepcopy(EXAMPLE_DOCUMENT)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(EXAMPLE_PATHS))
        target = document
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = draw(JSON_VALUES | st.text(max_size=30).map(lambda s: {"$formula": s}))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    return document


def _load(data: str | bytes) -> None:
    try:
        project = parse_project(data, "fuzz.streamwright.json")
    except ProjectInvalidError as error:
        assert error.problems and all(p.path.startswith("$") for p in error.problems)
        return
    text = dump_project(project)
    json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(AssertionError(name)))  # writes only real JSON
    assert parse_project(text) == project


@given(json_texts(JSON_VALUES))
def test_arbitrary_documents_load_or_are_refused(data: str | bytes) -> None:
    _load(data)


@given(mutated_example())
def test_the_example_with_parts_replaced_loads_or_is_refused(document: dict[str, Any]) -> None:
    _load(dumps_loose(document))


@given(mutated_example())
def test_an_imported_or_pasted_endpoint_is_read_or_refused(document: dict[str, Any]) -> None:
    exported = {"kind": "streamwright.endpoint", "formatVersion": 1, "endpoint": document["endpoints"][0] if isinstance(document.get("endpoints"), list) and document["endpoints"] else document}
    try:
        endpoint_from_document(parse_json(dumps_loose(exported), "w.json"), "w.json")
    except ProjectInvalidError as error:
        assert error.problems
