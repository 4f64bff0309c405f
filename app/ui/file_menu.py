"""The window's File menu: open, save, recent files, workflow export and import, and restoring unsaved work.

A mixin of ``MainWindow`` (it uses the window's Document, settings, sidebar
and status bar). What happens to the project and the files is decided by
``app.editor.project_files.ProjectFiles``; this part asks the questions
(which file, save the changes?) and shows the answers.

QFileDialog and QMessageBox are imported where they are used: PySide builds
a class with all its enums on first import, and the window shows without them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu

from app.core.problems import Problem, ProjectInvalidError
from app.editor.autosave import Autosave, find_recovery
from app.editor.document import Document
from app.editor.project_files import ProjectFiles, is_bundled

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from app.ui.project_sidebar import ProjectSidebar

FILE_FILTER = "Streamwright projects (*.streamwright.json);;JSON files (*.json);;All files (*)"


class FileMenuMixin:
    document: Document
    files: ProjectFiles
    autosave: Autosave
    sidebar: ProjectSidebar
    recent_menu: QMenu
    endpoint: str | None

    if TYPE_CHECKING:

        def statusBar(self) -> QStatusBar: ...  # noqa: N802 - QMainWindow's
        def reveal_problem(self, problem: Problem) -> None: ...
        def _forget_streams(self) -> None: ...
        def _show_after_reset(self) -> None: ...
        def _push(self, make: Callable[[], Any]) -> Any: ...

    def confirm_discard(self) -> bool:
        """Ask before losing unsaved work; True when it is fine to go on."""
        if not self.document.is_dirty():
            return True
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.document.display_name()}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_project(self) -> None:
        if self.confirm_discard():
            self.document.new()

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if not self.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(self._last_folder()), FILE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Open a project; a broken file shows its problems and leaves the open project untouched."""
        try:
            self.files.open(path)
        except ProjectInvalidError as error:
            self.show_load_errors(error)
            return False
        self._refresh_recent()
        return True

    def show_load_errors(self, error: ProjectInvalidError) -> None:
        from PySide6.QtWidgets import QMessageBox

        lines = "\n".join(f"• {p.path}: {p.message}" for p in error.problems[:20])
        more = f"\n… and {len(error.problems) - 20} more" if len(error.problems) > 20 else ""
        QMessageBox.warning(self, "Cannot open project", f"{error.source or 'The file'} has problems, so nothing was changed:\n\n{lines}{more}")

    def confirm_save_with_errors(self) -> bool:
        """A project with errors saves, but cannot be opened again until fixed: say so first."""
        from PySide6.QtWidgets import QMessageBox

        errors = self.files.errors()
        if not errors:
            return True
        answer = QMessageBox.question(
            self,
            "Save a project with errors?",
            f"The project has {len(errors)} error(s), for example:\n\n{errors[0].path}: {errors[0].message}\n\n"
            "A file with errors cannot be opened again until they are fixed (it is refused, and named by JSON path). Save anyway?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Save:
            self.reveal_problem(errors[0])
            return False
        return True

    def save(self) -> bool:
        from PySide6.QtWidgets import QMessageBox

        if not self.confirm_save_with_errors():
            return False
        if self.files.needs_path():
            return self.save_as_dialog(confirmed=True)
        try:
            self.files.save()
        except (ValueError, OSError) as error:
            QMessageBox.warning(self, "Not saved", f"The project was not saved: {error}")
            return False
        self._refresh_recent()
        return True

    def save_as_dialog(self, confirmed: bool = False) -> bool:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        if not confirmed and not self.confirm_save_with_errors():
            return False
        current = self.document.file_path()
        suggested = current.name if current is not None and is_bundled(current) else "untitled.streamwright.json"
        path, _ = QFileDialog.getSaveFileName(self, "Save project as", str(self._last_folder() / suggested), FILE_FILTER)
        if not path:
            return False
        try:
            self.files.save_as(path)
        except (ValueError, OSError) as error:
            QMessageBox.warning(self, "Not saved", f"The project was not saved: {error}")
            return False
        self._refresh_recent()
        return True

    def _exportable(self) -> bool:
        """Export and Copy as JSON work on API endpoints (a page's workflows travel with their page)."""
        refused = self.files.export_refused(self.endpoint)
        if refused is not None and self.endpoint is not None:
            self.statusBar().showMessage(refused, 6000)
        return refused is None

    def export_workflow_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if not self._exportable():
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export workflow", str(self._last_folder() / f"{self.endpoint}.json"), "JSON (*.json)")
        if path and self.endpoint is not None:
            self.files.export_to(self.endpoint, path)
            self.statusBar().showMessage(f"Exported {self.endpoint} to {path}", 6000)

    def copy_workflow_json(self) -> None:
        if self._exportable() and self.endpoint is not None:
            QGuiApplication.clipboard().setText(self.files.export_text(self.endpoint))
            self.statusBar().showMessage(f"Copied {self.endpoint} as JSON", 6000)

    def import_workflow_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Import workflow", str(self._last_folder()), "JSON (*.json);;All files (*)")
        if path:
            self.import_workflow_text(Path(path).read_text(encoding="utf-8"), path)

    def paste_workflow_json(self) -> None:
        self.import_workflow_text(QGuiApplication.clipboard().text(), "the clipboard")

    def import_workflow_text(self, text: str, source: str) -> bool:
        """Add an exported endpoint (renamed on clash, as the CLI's import); bad JSON changes nothing."""
        try:
            imported = self.files.import_text(text, source)
        except ProjectInvalidError as error:
            self.show_load_errors(error)
            return False
        except ValueError as error:
            self.statusBar().showMessage(f"Not done: {error}", 6000)
            return False
        self.sidebar.select_endpoint(imported.name)
        changed = f" (renamed from {imported.renamed_from})" if imported.renamed_from else ""
        self.statusBar().showMessage(f"Imported {imported.name}{changed}", 6000)
        return True

    # -- settings ------------------------------------------------------
    def _last_folder(self) -> Path:
        return self.files.last_folder()

    def recent_files(self) -> list[str]:
        return self.files.recent_files()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.confirm_discard() and self.open_file(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def offer_recovery(self) -> bool:
        """After a crash, offer the newest recovery file; True when its work was restored."""
        found = find_recovery(self.autosave.directory)
        if not found:
            return False
        from PySide6.QtWidgets import QMessageBox

        newest = found[0]
        name = newest.original_path.name if newest.original_path else "an unsaved project"
        answer = QMessageBox.question(
            self,
            "Restore unsaved work?",
            f"Streamwright did not close normally. Restore the unsaved changes to {name} from {newest.saved_at:%Y-%m-%d %H:%M}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            for recovery in found:
                recovery.discard()
            return False
        self.document.restore(newest.project, newest.original_path)
        newest.discard()
        return True
