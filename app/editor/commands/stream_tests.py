"""Undo commands on stream tests: make one from a recording, remove one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.project import Project
from app.core.stream_tests import add_stream_test, test_from_recording, unique_test_name
from app.editor.commands.base import ProjectCommand

if TYPE_CHECKING:
    from app.editor.document import Document


class AddStreamTestFromRecordingCommand(ProjectCommand):
    """Turn a recording into an expectation on its endpoint (statuses, shapes, final message; values with ``exact``)."""

    def __init__(self, document: Document, recording: str, *, exact: bool = False, base: Project | None = None) -> None:
        super().__init__(document, base)
        found = next((r for r in self.before.recordings if r.name == recording), None)
        if found is None:
            raise ValueError(f"no recording named {recording!r}")
        test = test_from_recording(found, unique_test_name(self.before, f"{found.name}-test"), exact)
        self.test = test
        self._finish(add_stream_test(self.before, test), f"Add stream test {test.name}")


class RemoveStreamTestCommand(ProjectCommand):
    def __init__(self, document: Document, name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        if not any(t.name == name for t in self.before.stream_tests):
            raise ValueError(f"no stream test named {name!r}")
        tests = [t for t in self.before.stream_tests if t.name != name]
        self._finish(self.before.model_copy(update={"stream_tests": tests}), f"Remove stream test {name}")
