"""Crash recovery: while the document has unsaved changes, keep a copy on disk.

Each editor session writes ``<session>.recovery.json`` (the project JSON plus
the file it came from) into a per-user directory a few seconds after a
change, atomically. A clean save, or closing the session, removes it. A
session holds ``<session>.lock`` (a ``QLockFile``) while it runs, so
``find_recovery`` offers only the files of sessions that are gone (crashed),
never those of another editor window still open.

Recovered projects are read without the registry checks a normal Open does:
a half-typed formula must not make the only copy of an afternoon's work
unrecoverable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer

from app.core.json_input import read_json
from app.core.migrations import UnsupportedFormatError, migrate
from app.core.project import FORMAT_VERSION, Project
from app.core.project_file import atomic_write_text, dumps, to_document
from app.editor.document import Document

KIND = "streamwright.recovery"
SUFFIX = ".recovery.json"
DEFAULT_INTERVAL_MS = 5000


def default_recovery_dir() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)) / "recovery"


@dataclass(frozen=True)
class Recovery:
    """An unsaved project left behind by a session that ended without saving."""

    file: Path
    original_path: Path | None
    saved_at: datetime
    project: Project

    def discard(self) -> None:
        """Delete it (after restoring it, or when the user declines)."""
        self.file.unlink(missing_ok=True)
        _lock_file(self.file).unlink(missing_ok=True)


def _lock_file(recovery_file: Path) -> Path:
    return recovery_file.with_name(recovery_file.name.removesuffix(SUFFIX) + ".lock")


def _session_lock(path: Path) -> QLockFile:
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # stale only when its process is gone, however long a session runs
    return lock


def find_recovery(directory: str | Path | None = None) -> list[Recovery]:
    """Recoveries of sessions that are no longer running, newest first. Unreadable files are skipped."""
    directory = Path(directory) if directory is not None else default_recovery_dir()
    found: list[Recovery] = []
    for file in directory.glob(f"*{SUFFIX}"):
        lock = _session_lock(_lock_file(file))
        if not lock.tryLock(0):
            continue  # a live session owns it
        lock.unlock()
        recovery = read_recovery(file)
        if recovery is not None:
            found.append(recovery)
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def read_recovery(file: Path) -> Recovery | None:
    try:
        document = read_json(file.read_bytes())
        if not isinstance(document, dict) or document.get("kind") != KIND:
            return None
        project = Project.model_validate(migrate(document["project"]))
        original = document.get("originalPath")
        saved_at = datetime.fromisoformat(document["savedAt"])
    except (OSError, ValueError, KeyError, TypeError, ValidationError, UnsupportedFormatError):
        return None
    return Recovery(file, Path(original) if original else None, saved_at, project)


class Autosave(QObject):
    """Writes the document's recovery file while it is dirty; call ``close()`` when the window closes."""

    def __init__(self, document: Document, directory: str | Path | None = None, interval_ms: int = DEFAULT_INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.directory = Path(directory) if directory is not None else default_recovery_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        session = uuid.uuid4().hex
        self.recovery_file = self.directory / f"{session}{SUFFIX}"
        self._lock = _session_lock(self.directory / f"{session}.lock")
        self._lock.tryLock(0)
        self._written: Project | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.write_now)
        document.projectChanged.connect(self._schedule)
        document.dirtyChanged.connect(self._on_dirty_changed)
        document.filePathChanged.connect(self._schedule)
        if document.is_dirty():
            self._schedule()

    def interval_ms(self) -> int:
        return self._timer.interval()

    def set_interval_ms(self, interval_ms: int) -> None:
        self._timer.setInterval(interval_ms)

    def write_now(self) -> bool:
        """Write the recovery file if the document is dirty and changed since the last write."""
        self._timer.stop()
        document = self._document
        if not document.is_dirty():
            self.discard()
            return False
        if document.project is self._written:
            return False
        path = document.file_path()
        atomic_write_text(self.recovery_file, dumps(self._recovery_document(document.project, path)))
        self._written = document.project
        return True

    def discard(self) -> None:
        """Remove this session's recovery file (the work is saved or deliberately dropped)."""
        self._timer.stop()
        self._written = None
        self.recovery_file.unlink(missing_ok=True)

    def close(self) -> None:
        """End the session cleanly: no recovery file, no lock, no more writes."""
        self.discard()
        for signal, slot in (
            (self._document.projectChanged, self._schedule),
            (self._document.dirtyChanged, self._on_dirty_changed),
            (self._document.filePathChanged, self._schedule),
        ):
            signal.disconnect(slot)
        self._lock.unlock()

    def _schedule(self) -> None:
        if self._document.is_dirty() and not self._timer.isActive():
            self._timer.start()

    def _on_dirty_changed(self, dirty: bool) -> None:
        if dirty:
            self._schedule()
        else:
            self.discard()

    @staticmethod
    def _recovery_document(project: Project, original: Path | None) -> dict[str, Any]:
        return {
            "kind": KIND,
            "formatVersion": FORMAT_VERSION,
            "savedAt": datetime.now(UTC).isoformat(),
            "originalPath": str(original) if original else None,
            "project": to_document(project),
        }
