"""The File menu without its dialogs: open, save, recent files, and workflow export and import.

The window asks the questions (which file, save the changes?) and shows the
answers; what happens to the project, the settings and the files is decided
here, where a test reaches it without any widget.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from app.core.exchange import endpoint_from_document, export_endpoint, import_endpoint
from app.core.problems import Problem
from app.core.project_file import dumps, parse_json
from app.core.workflow_refs import is_page_key
from app.editor.action_paths import walk_paths
from app.editor.commands.base import push_or_explain
from app.editor.commands.endpoints import AddEndpointCommand
from app.editor.document import Document
from app.resources import RESOURCES

MAX_RECENT = 8
NOT_EXPORTABLE = "Export works on API endpoint workflows: choose one in Data & API"


def is_bundled(path: Path) -> bool:
    """Whether ``path`` is one of the files shipped with the app (the examples): opened freely, saved only elsewhere."""
    try:
        return path.resolve().is_relative_to(RESOURCES)
    except OSError:
        return False


@dataclass(frozen=True)
class Imported:
    """An imported endpoint: its name in the project, and the name it had in the file when that was taken."""

    name: str
    renamed_from: str | None = None


class ProjectFiles:
    """Open and save the Document's project, remember recent files, export and import endpoint workflows."""

    def __init__(self, document: Document, settings: QSettings) -> None:
        self.document = document
        self.settings = settings

    # -- project files -----------------------------------------------------
    def open(self, path: str | Path) -> None:
        """Open a project; raises ProjectInvalidError (every problem, by JSON path) and leaves the open one untouched."""
        self.document.open(path)
        self.remember(Path(path))

    def errors(self) -> list[Problem]:
        """Errors a save would keep: a file with errors is refused when opened again."""
        return [p for p in self.document.problems() if p.severity == "error"]

    def needs_path(self) -> bool:
        """Save must ask where: the project was never saved, or it is a bundled example (never overwritten)."""
        path = self.document.file_path()
        return path is None or is_bundled(path)

    def save(self) -> None:
        path = self.document.file_path()
        if path is None:
            raise ValueError("the project has no file yet: save it under a name first")
        if is_bundled(path):
            raise ValueError(f"{path.name} is a bundled example and is never overwritten: save it under a name of your own")
        self.document.save()
        self.remember(path)

    def save_as(self, path: str | Path) -> None:
        """Save under ``path``; a bundled example takes the databases it reads along, so the copy runs where it is saved."""
        path = Path(path)
        if is_bundled(path):
            raise ValueError(f"{path.name} is a bundled example and is never overwritten: choose another file")
        source = self.document.file_path()
        self.document.save_as(path)
        if source is not None and is_bundled(source):
            for name in self._databases():
                shipped, copy = source.parent / name, path.parent / name
                if shipped.is_file() and not copy.exists() and is_bundled(shipped):
                    shutil.copyfile(shipped, copy)
        self.remember(Path(path))

    def _databases(self) -> set[str]:
        """The files in the project's folder its actions read (SQL queries' databases), as their declarations name them."""
        names: set[str] = set()
        for endpoint in self.document.project.endpoints:
            for _, action in walk_paths(endpoint.workflow):
                action_type = self.document.registry.find(action.type)
                if action_type is not None and action_type.project_files is not None:
                    names.update(action_type.project_files(action.params))
        return names

    # -- settings ----------------------------------------------------------
    def last_folder(self) -> Path:
        """Where file dialogs start: the project's folder (home for a bundled example), else home."""
        path = self.document.file_path()
        return path.parent if path and not is_bundled(path) else Path.home()

    def remember(self, path: Path) -> None:
        resolved = str(path.resolve())
        recent = [resolved] + [p for p in self.recent_files() if p != resolved]
        self.settings.setValue("recentFiles", json.dumps(recent[:MAX_RECENT]))
        self.settings.setValue("lastFile", resolved)

    def recent_files(self) -> list[str]:
        try:
            value = json.loads(str(self.settings.value("recentFiles", "[]")))
        except ValueError:
            return []
        return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []

    # -- workflow exchange -------------------------------------------------
    def export_refused(self, key: str | None) -> str | None:
        """Why the workflow ``key`` cannot be exported (a page's workflows travel with their page), or None."""
        if key is None:
            return "Choose an API endpoint to export"
        return NOT_EXPORTABLE if is_page_key(key) else None

    def export_text(self, endpoint: str) -> str:
        """The endpoint as the JSON the CLI's export writes."""
        return dumps(export_endpoint(self.document.project, endpoint))

    def export_to(self, endpoint: str, path: str | Path) -> None:
        Path(path).write_text(self.export_text(endpoint), encoding="utf-8")

    def import_text(self, text: str, source: str) -> Imported:
        """Add an exported endpoint, renamed on a clash as the CLI's import does.

        Raises ProjectInvalidError for bad JSON or a bad workflow (nothing changes),
        ValueError when the edit is refused.
        """
        endpoint = endpoint_from_document(parse_json(text, source), source, self.document.registry)
        _, renamed = import_endpoint(self.document.project, endpoint)
        command, refused = push_or_explain(self.document, lambda: AddEndpointCommand(self.document, renamed))
        if command is None:
            raise ValueError(refused or f"{renamed.name} was not added")
        return Imported(renamed.name, endpoint.name if renamed.name != endpoint.name else None)
