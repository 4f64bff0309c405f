"""Undo commands on the project's recordings: add (Save as recording…), remove, rename.

Recordings are addressed by name, a slug unique in the project. Adding one
whose name is taken keeps both, the new one as ``name-2`` (``-3``…), the way
an imported endpoint is renamed: saving a run twice under the default name
must never fail or replace the first. Renaming onto a taken name is refused.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.core.project import SLUG, Project, Recording
from app.core.recordings import unique_recording_name
from app.editor.commands.base import NoChangeError, ProjectCommand

if TYPE_CHECKING:
    from app.editor.document import Document

__all__ = ["AddRecordingCommand", "RemoveRecordingCommand", "RenameRecordingCommand", "recording_index"]


def check_recording_name(name: str) -> None:
    if not re.match(SLUG, name):
        raise ValueError(f"recording name {name!r} must be lowercase letters, digits and dashes, starting with a letter or digit")


def recording_index(project: Project, name: str) -> int:
    for index, recording in enumerate(project.recordings):
        if recording.name == name:
            return index
    known = ", ".join(r.name for r in project.recordings) or "none"
    raise ValueError(f"no recording named {name!r} (recordings: {known})")


class AddRecordingCommand(ProjectCommand):
    """Keep a recording in the project (renamed ``-2``… when its name is taken); ``self.recording`` is what was added."""

    def __init__(self, document: Document, recording: Recording, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        check_recording_name(recording.name)
        name = unique_recording_name(self.before, recording.name)
        self.recording = recording if name == recording.name else recording.model_copy(update={"name": name})
        recordings = [*self.before.recordings, self.recording]
        self._finish(self.before.model_copy(update={"recordings": recordings}), f"Save recording {name}")


class RemoveRecordingCommand(ProjectCommand):
    """Delete a recording; undo puts it back at the same position."""

    def __init__(self, document: Document, name: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        self.index = recording_index(self.before, name)
        self.removed = self.before.recordings[self.index]
        recordings = [r for i, r in enumerate(self.before.recordings) if i != self.index]
        self._finish(self.before.model_copy(update={"recordings": recordings}), f"Delete recording {name}")


class RenameRecordingCommand(ProjectCommand):
    def __init__(self, document: Document, old: str, new: str, *, base: Project | None = None) -> None:
        super().__init__(document, base)
        index = recording_index(self.before, old)
        if new == old:
            raise NoChangeError("Rename recording: same name")
        check_recording_name(new)
        if any(r.name == new for r in self.before.recordings):
            raise ValueError(f"a recording named {new!r} already exists")
        recordings = list(self.before.recordings)
        recordings[index] = recordings[index].model_copy(update={"name": new})
        self.old_name, self.new_name = old, new
        self._finish(self.before.model_copy(update={"recordings": recordings}), f"Rename recording {old} to {new}")
