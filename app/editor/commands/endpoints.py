"""Undo commands on endpoints: add, remove, rename, duplicate, and their method/path/description.

Endpoint names are identities (the CLI, URLs and the editor address endpoints
by name), so a name clash is refused. A route clash (same method and path) is
allowed and reported by ``Document.problems()``: a path is typed character by
character and may pass through another endpoint's path on the way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from app.core.names import unique_slug
from app.core.project import SLUG, Endpoint, Project
from app.editor.commands.base import MergingCommand, ProjectCommand, endpoint_index, replace_endpoint

if TYPE_CHECKING:
    from app.editor.document import Document


def free_name(project: Project, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever is not taken."""
    return unique_slug(wanted, (e.name for e in project.endpoints), "endpoint")


def check_new_name(project: Project, name: str, ignore: str | None = None) -> None:
    if not re.match(SLUG, name):
        raise ValueError(f"endpoint name {name!r} must be lowercase letters, digits and dashes, starting with a letter or digit")
    if name != ignore and any(e.name == name for e in project.endpoints):
        raise ValueError(f"an endpoint named {name!r} already exists")


def validated(model: Any, **changes: Any) -> Any:
    """A shallow copy of a project model with ``changes`` validated like a loaded file's fields.

    Project models validate on assignment, so setting the fields on the copy
    checks them while everything unchanged (a whole workflow) stays shared.
    """
    copy = model.model_copy()
    try:
        for field, value in changes.items():
            setattr(copy, field, value)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from None
    return copy


def derived_path(name: str) -> str:
    """The path an endpoint's name gives: ``my-endpoint`` → ``/my-endpoint``."""
    return f"/{name}"


class AddEndpointCommand(ProjectCommand):
    """Add a new endpoint named ``name`` on ``POST /<name>`` (without a name: ``endpoint``, renamed on clash) or a given one (imported)."""

    def __init__(self, document: Document, endpoint: Endpoint | None = None, index: int | None = None, *, name: str | None = None, base: Project | None = None) -> None:
        super().__init__(document, base)
        if endpoint is None:
            name = name.strip() if name is not None else free_name(self.before, "endpoint")
            check_new_name(self.before, name)
            endpoint = Endpoint(name=name, method="POST", path=derived_path(name))
        check_new_name(self.before, endpoint.name)
        position = len(self.before.endpoints) if index is None else index
        if not 0 <= position <= len(self.before.endpoints):
            raise ValueError(f"cannot add an endpoint at position {position}")
        self.endpoint = endpoint
        self.index = position
        endpoints = list(self.before.endpoints)
        endpoints.insert(position, endpoint)
        self._finish(self.before.model_copy(update={"endpoints": endpoints}), f"Add endpoint {endpoint.name}")


class RemoveEndpointCommand(ProjectCommand):
    """Remove an endpoint with its workflow; undo puts it back at the same position."""

    def __init__(self, document: Document, name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.index = endpoint_index(self.before, name)
        self.removed = self.before.endpoints[self.index]
        endpoints = [e for i, e in enumerate(self.before.endpoints) if i != self.index]
        self._finish(self.before.model_copy(update={"endpoints": endpoints}), f"Remove endpoint {name}")


class DuplicateEndpointCommand(ProjectCommand):
    """Copy an endpoint right after it as ``<name>-copy`` on ``<path>-copy`` (suffixed on clash)."""

    def __init__(self, document: Document, name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        index = endpoint_index(self.before, name)
        original = self.before.endpoints[index]
        copy_name = free_name(self.before, f"{name}-copy")
        routes = {(e.method, e.path) for e in self.before.endpoints}
        path, number = f"{original.path.rstrip('/')}-copy", 2
        while (original.method, path) in routes:
            path, number = f"{original.path.rstrip('/')}-copy-{number}", number + 1
        self.copy = original.model_copy(update={"name": copy_name, "path": path}, deep=True)
        endpoints = list(self.before.endpoints)
        endpoints.insert(index + 1, self.copy)
        self._finish(self.before.model_copy(update={"endpoints": endpoints}), f"Duplicate endpoint {name}")


class RenameEndpointCommand(MergingCommand):
    """Rename an endpoint; a path still derived from the old name (``/<old name>``) follows the new one.

    A path the user has edited (anything else) stays as it is. So does a derived
    path when the new one is already another endpoint's route with the same method.
    """

    MERGE_ID = 1201

    def __init__(self, document: Document, name: str, new_name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        index = endpoint_index(self.before, name)
        check_new_name(self.before, new_name, ignore=name)
        self.old_name, self.new_name = name, new_name
        original = self.before.endpoints[index]
        update: dict[str, Any] = {"name": new_name}
        taken = {(e.method, e.path) for e in self.before.endpoints if e.name != name}
        if original.path == derived_path(name) and (original.method, derived_path(new_name)) not in taken:
            update["path"] = derived_path(new_name)
        endpoint = original.model_copy(update=update)
        self._finish(replace_endpoint(self.before, index, endpoint), f"Rename endpoint {name}")

    def merge_key(self) -> tuple[object, ...]:
        return ()

    def continues(self, other: MergingCommand) -> bool:
        return super().continues(other) and isinstance(other, RenameEndpointCommand) and other.old_name == self.new_name

    def _merged(self, other: MergingCommand) -> None:
        assert isinstance(other, RenameEndpointCommand)
        self.new_name = other.new_name


class _SetEndpointFieldCommand(MergingCommand):
    FIELD = ""
    LABEL = ""

    def __init__(self, document: Document, name: str, value: Any, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.name = name
        index = endpoint_index(self.before, name)
        endpoint = validated(self.before.endpoints[index], **{self.FIELD: value})
        self._finish(replace_endpoint(self.before, index, endpoint), f"Change {self.LABEL} of {name}")

    def merge_key(self) -> tuple[object, ...]:
        return (self.name,)


class SetEndpointMethodCommand(_SetEndpointFieldCommand):
    MERGE_ID = 1202
    FIELD = "method"
    LABEL = "method"

    def id(self) -> int:
        return -1  # a method is picked, not typed: every change is its own step


class SetEndpointPathCommand(_SetEndpointFieldCommand):
    MERGE_ID = 1203
    FIELD = "path"
    LABEL = "path"


class SetEndpointDescriptionCommand(_SetEndpointFieldCommand):
    MERGE_ID = 1204
    FIELD = "description"
    LABEL = "description"
