"""Project files (``*.streamwright.json``): load with every problem reported, save atomically.

Files are JSON with ``$schema`` and ``formatVersion`` first, keys in model
order and a two-space indent so version-control diffs stay small. Loading
never half-loads: it returns a valid project or raises ``ProjectInvalidError``
listing every problem with its JSON path.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.core.migrations import UnsupportedFormatError, migrate
from app.core.problems import Problem, ProjectInvalidError
from app.core.project import Project
from app.core.registry import Registry, format_validation_error
from app.core.validate import validate_project

SUFFIX = ".streamwright.json"


def parse_json(text: str, source: str = "") -> Any:
    """``json.loads`` whose error names the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problem = Problem("$", f"line {error.lineno}, column {error.colno}: {error.msg}", code="json-syntax")
        raise ProjectInvalidError([problem], source) from None


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
        raise ProjectInvalidError(problems, source) from None
    errors = [problem for problem in validate_project(project, registry) if problem.severity == "error"]
    if errors:
        raise ProjectInvalidError(errors, source)
    return project


def parse_project(text: str, source: str = "", registry: Registry | None = None) -> Project:
    return project_from_document(parse_json(text, source), source, registry)


def load_project(path: str | Path, registry: Registry | None = None) -> Project:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProjectInvalidError([Problem("$", f"cannot read file: {error.strerror or error}")], str(path)) from None
    except UnicodeDecodeError as error:
        raise ProjectInvalidError([Problem("$", f"not UTF-8 text: {error.reason} at byte {error.start}")], str(path)) from None
    return parse_project(text, str(path), registry)


def to_document(project: Project) -> dict[str, Any]:
    return project.model_dump(mode="json", by_alias=True)


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def dump_project(project: Project) -> str:
    return dumps(to_document(project))


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
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_project(project: Project, path: str | Path) -> None:
    atomic_write_text(path, dump_project(project))
