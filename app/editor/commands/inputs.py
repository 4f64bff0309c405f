"""Undo commands on an endpoint's declared inputs (name, type, required, default, description).

Inputs are addressed by name: ``inputs.<name>`` is how formulas read them, so
two inputs with one name are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.core.project import EndpointInput, Project
from app.editor.commands.base import MergingCommand, ProjectCommand, endpoint_index, replace_endpoint
from app.editor.commands.endpoints import validated

if TYPE_CHECKING:
    from app.editor.document import Document


def _input_index(inputs: list[EndpointInput], name: str, endpoint: str) -> int:
    for index, spec in enumerate(inputs):
        if spec.name == name:
            return index
    known = ", ".join(spec.name for spec in inputs) or "none"
    raise ValueError(f"endpoint {endpoint} has no input {name!r} (inputs: {known})")


def _with_inputs(project: Project, endpoint: str, inputs: list[EndpointInput]) -> Project:
    index = endpoint_index(project, endpoint)
    return replace_endpoint(project, index, project.endpoints[index].model_copy(update={"inputs": inputs}))


class AddEndpointInputCommand(ProjectCommand):
    """Add an input: a new ``input``/``input_2``... string, or a given one."""

    def __init__(self, document: Document, endpoint: str, spec: EndpointInput | None = None, index: int | None = None, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        inputs = list(self.before.endpoints[endpoint_index(self.before, endpoint)].inputs)
        taken = {existing.name for existing in inputs}
        if spec is None:
            name, number = "input", 2
            while name in taken:
                name, number = f"input_{number}", number + 1
            spec = EndpointInput(name=name)
        if spec.name in taken:
            raise ValueError(f"endpoint {endpoint} already has an input named {spec.name!r}")
        position = len(inputs) if index is None else index
        if not 0 <= position <= len(inputs):
            raise ValueError(f"cannot add an input at position {position}")
        inputs.insert(position, spec)
        self.endpoint, self.spec, self.index = endpoint, spec, position
        self._finish(_with_inputs(self.before, endpoint, inputs), f"Add input {spec.name}")


class RemoveEndpointInputCommand(ProjectCommand):
    def __init__(self, document: Document, endpoint: str, name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        inputs = list(self.before.endpoints[endpoint_index(self.before, endpoint)].inputs)
        self.index = _input_index(inputs, name, endpoint)
        self.removed = inputs.pop(self.index)
        self.endpoint = endpoint
        self._finish(_with_inputs(self.before, endpoint, inputs), f"Remove input {name}")


class EditEndpointInputCommand(MergingCommand):
    """Change fields of one input: ``EditEndpointInputCommand(doc, "ep", "text", required=True)``.

    Consecutive edits of the same fields of the same input (typing a default)
    merge into one step, following the input through renames.
    """

    MERGE_ID = 1301

    def __init__(self, document: Document, endpoint: str, name: str, /, *, base: Project | None = None, **changes: Any) -> None:
        super().__init__(document, base)
        if not changes:
            raise ValueError("nothing to change: give the fields to set, e.g. required=True")
        inputs = list(self.before.endpoints[endpoint_index(self.before, endpoint)].inputs)
        self.index = _input_index(inputs, name, endpoint)
        edited = validated(inputs[self.index], **changes)
        if edited.name != name and any(spec.name == edited.name for spec in inputs):
            raise ValueError(f"endpoint {endpoint} already has an input named {edited.name!r}")
        inputs[self.index] = edited
        self.endpoint, self.fields = endpoint, frozenset(changes)
        self._finish(_with_inputs(self.before, endpoint, inputs), f"Edit input {name}")

    def merge_key(self) -> tuple[object, ...]:
        return (self.endpoint, self.index, self.fields)
