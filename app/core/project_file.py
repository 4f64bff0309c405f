"""Project files (``*.streamwright.json``): load with every problem reported, save atomically.

Files are JSON with ``$schema`` and ``formatVersion`` first, keys in model
order and a two-space indent so version-control diffs stay small. Loading
never half-loads: it returns a valid project or raises ``ProjectInvalidError``
listing every problem with its JSON path.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from app.core.json_input import JsonInputError, read_json
from app.core.migrations import UnsupportedFormatError, migrate
from app.core.problems import Problem, ProjectInvalidError
from app.core.project import Endpoint, Page, Project, Recording, StreamTest
from app.core.registry import Registry, default_registry, format_validation_error
from app.core.validate import raw_action_problems, validate_project

SUFFIX = ".streamwright.json"


def parse_json(text: str | bytes, source: str = "") -> Any:
    """A user's JSON document (see ``json_input``); a refusal is a ProjectInvalidError naming line and column or JSON path."""
    try:
        return read_json(text)
    except JsonInputError as error:
        problem = Problem(error.path, f"line {error.line}, column {error.column}: {error.message}" if error.line else error.message, code=error.code)
        raise ProjectInvalidError([problem], source) from None


_PARTS: dict[str, type[BaseModel]] = {"endpoints": Endpoint, "pages": Page, "recordings": Recording, "streamTests": StreamTest}
"""The project's lists whose items are checked one by one when the whole does not validate."""
_PART_PATH = re.compile(r"^\$\.(endpoints|pages|recordings|streamTests)\[(\d+)\]")


def project_from_document(document: Any, source: str = "", registry: Registry | None = None) -> Project:
    if not isinstance(document, dict):
        raise ProjectInvalidError([Problem("$", "a project file must hold a JSON object")], source)
    try:
        document = migrate(document)
    except UnsupportedFormatError as error:
        raise ProjectInvalidError([Problem("$.formatVersion", str(error))], source) from None
    try:
        project = Project.model_validate(document)
    except ValidationError as error:
        problems = [Problem(path, message) for path, message in format_validation_error(error, "$")]
        problems += _problems_of_valid_parts(document, registry, {p.path for p in problems})
        raise ProjectInvalidError(problems, source) from None
    errors = [problem for problem in validate_project(project, registry) if problem.severity == "error"]
    if errors:
        raise ProjectInvalidError(errors, source)
    return project


def _problems_of_valid_parts(document: dict[str, Any], registry: Registry | None, reported: set[str]) -> list[Problem]:
    """The validation errors of the parts that do validate, so one bad field does not hide the rest.

    The items of each list (endpoints, pages, recordings, stream tests) that
    validate on their own form a smaller project, validated whole (formulas,
    params, references); its problems' paths are mapped back to the items'
    places in the file. Actions of an endpoint that does not validate are
    checked one by one. Only errors are kept, as for a project that loads.
    """
    kept: dict[str, list[int]] = {}
    pruned: dict[str, Any] = {key: value for key, value in document.items() if key not in _PARTS}
    extra: list[Problem] = []
    registry = registry or default_registry()
    for key, model in _PARTS.items():
        items = document.get(key)
        if not isinstance(items, list):
            continue
        kept[key], pruned[key] = [], []
        for index, item in enumerate(items):
            try:
                model.model_validate(item)
            except ValidationError:
                if key == "endpoints" and isinstance(item, dict):
                    extra += raw_action_problems(item.get("workflow"), registry, f"$.endpoints[{index}].workflow")
                continue
            kept[key].append(index)
            pruned[key].append(item)
    try:
        project = Project.model_validate(pruned)
    except ValidationError:
        return [p for p in extra if p.path not in reported]  # a top-level field is itself broken

    def original(path: str) -> str:
        return _PART_PATH.sub(lambda m: f"$.{m[1]}[{kept[m[1]][int(m[2])]}]", path, count=1)

    found = [replace(p, path=original(p.path)) for p in validate_project(project, registry) if p.severity == "error"]
    return [p for p in found + extra if p.path not in reported]


def parse_project(text: str | bytes, source: str = "", registry: Registry | None = None) -> Project:
    return project_from_document(parse_json(text, source), source, registry)


def load_project(path: str | Path, registry: Registry | None = None) -> Project:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProjectInvalidError([Problem("$", f"cannot read file: {error.strerror or error}")], str(path)) from None
    return parse_project(data, str(path), registry)


def to_document(project: Project) -> dict[str, Any]:
    return project.model_dump(mode="json", by_alias=True)


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def dump_project(project: Project) -> str:
    return dumps(to_document(project))


def _umask() -> int:
    """The process's umask (Python has no getter: set it and put it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write to a temporary file beside ``path``, fsync it, then rename it over ``path``.

    A crash at any point leaves either the old file or the new one, never a
    truncated mix (``os.replace`` is atomic on POSIX and Windows).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; the saved file gets the mode a plain write would give it:
        # the old file's mode when replacing one, else 0666 less the user's umask
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_project(project: Project, path: str | Path) -> None:
    atomic_write_text(path, dump_project(project))
