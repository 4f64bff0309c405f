"""The main window: sidebar, palette, workflow canvas, docks, menus; files, undo and window state.

The window is the controller between views and the Document: the canvas and
panels emit requests, the window turns them into undo commands, and views
redraw from Document signals (they never hold the project themselves).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from app.client.runner_process import RunnerProcess
from app.core.problems import Problem
from app.core.project import Endpoint
from app.core.project_file import dumps
from app.core.workflow_refs import PageWorkflow, describe, is_page_key, page_workflow_keys, parse_key, workflow_json_path
from app.editor.action_edits import ActionEdits, EditOutcome
from app.editor.action_paths import ActionPath
from app.editor.autosave import Autosave
from app.editor.commands.actions import RemoveActionCommand
from app.editor.commands.base import ProjectCommand, push_or_explain
from app.editor.document import Document
from app.editor.models.palette import PaletteModel
from app.editor.project_files import ProjectFiles
from app.ui.async_runtime import spawn
from app.ui.dock_layout import DefaultLayout, dock_body, fit_bottom_dock, full_height_side_docks
from app.ui.file_menu import FileMenuMixin
from app.ui.help.menu import add_help_menu
from app.ui.inspector import Inspector
from app.ui.palette_panel import PalettePanel
from app.ui.problems_panel import ProblemsPanel
from app.ui.project_sidebar import ProjectSidebar
from app.ui.run_panel import RunPanel
from app.ui.stream_tools import StreamToolsMixin
from app.ui.workflow_canvas import InterfaceWorkflow, WorkflowCanvas

if TYPE_CHECKING:  # built on first use: the window shows sooner (see "views built on first use")
    from app.ui.find_action import FindActionPopup
    from app.ui.inspector.widget_inspector import WidgetInspector
    from app.ui.page_designer import PageDesigner
    from app.ui.quick_add import QuickAddPopup
    from app.ui.stream_inspector import StreamInspector
    from app.ui.stream_tests_dialog import StreamTestsDialog

ORGANIZATION, APPLICATION = "Streamwright", "Streamwright"
ENDPOINT_INDEX = re.compile(r"^\$\.endpoints\[(\d+)\]")
PAGE_INDEX = re.compile(r"^\$\.pages\[(\d+)\]")


class MainWindow(QMainWindow, FileMenuMixin, StreamToolsMixin):
    def __init__(self, document: Document | None = None, settings: QSettings | None = None, recovery_dir: Path | None = None) -> None:
        super().__init__()
        self.document = document or Document(parent=self)
        self.autosave = Autosave(self.document, recovery_dir, parent=self)
        self.settings = settings or QSettings(ORGANIZATION, APPLICATION)
        self.files = ProjectFiles(self.document, self.settings)
        self.edits = ActionEdits(self.document)
        self.endpoint: str | None = None
        self._following_selection = False
        """Set while the window moves the canvas to the selection, so the canvas's own clearing is not a user's choice."""
        self.setObjectName("MainWindow")
        self.page: str | None = None
        """The page open in the designer (also while one of its workflows is on the canvas)."""
        self.canvas = WorkflowCanvas(self.document.registry)
        self.back_bar = QPushButton()
        self.back_bar.setObjectName("backToPage")
        self.back_bar.setStyleSheet(
            "QPushButton#backToPage { text-align: left; padding: 6px 12px; border: none; border-bottom: 1px solid #d5d8de;"
            " background: #f6f8fe; color: #3b6fe0; font-weight: 600; }"
        )
        self.back_bar.clicked.connect(lambda: self.show_page(self.page))
        canvas_box = QWidget()
        canvas_layout = QVBoxLayout(canvas_box)
        canvas_layout.setContentsMargins(0, 0, 0, 0)
        canvas_layout.setSpacing(0)
        canvas_layout.addWidget(self.back_bar)
        canvas_layout.addWidget(self.canvas, 1)
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.runner = self._new_runner()
        self._designer: PageDesigner | None = None
        self.center = QStackedWidget()
        self.center.addWidget(canvas_box)
        self.setCentralWidget(self.center)
        self.sidebar = ProjectSidebar(self.document)
        self.palette_panel = PalettePanel()
        self._interface_palette: PalettePanel | None = None
        self.palettes = QStackedWidget()
        self.palettes.addWidget(self.palette_panel)
        self.problems_panel = ProblemsPanel()
        self._quick_add: QuickAddPopup | None = None
        self._interface_quick_add: QuickAddPopup | None = None
        self._finder: FindActionPopup | None = None
        self.tests_dialog: StreamTestsDialog | None = None
        self._tests_task: object = None
        self.sidebar_dock = self._dock("Project", self.sidebar, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.palette_dock = self._dock("Actions", self.palettes, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.problems_dock = self._dock("Problems", self.problems_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.inspector = Inspector(self.document)
        self._widget_inspector: WidgetInspector | None = None
        self.inspectors = QStackedWidget()
        self.inspectors.addWidget(self.inspector)
        self.inspector_dock = self._dock("Inspector", self.inspectors, Qt.DockWidgetArea.RightDockWidgetArea)
        self.run_panel = RunPanel(self.document, self.runner)
        self.run_dock = self._dock("Run", self.run_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._stream_inspector: StreamInspector | None = None
        placeholder = QLabel("Every run from the Run panel or the page Preview shows here: its messages, action timeline, rates and health.")
        placeholder.setWordWrap(True)
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setStyleSheet("color: #6b7280; padding: 24px;")
        self.stream_dock = self._dock("Stream", placeholder, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.stream_dock.visibilityChanged.connect(lambda visible: self.stream_inspector if visible else None)
        full_height_side_docks(self)
        self._default_layout_pending = True
        """The default dock sizes are applied when the window is first shown (Qt sizes docks only then), unless a saved state was restored."""
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self._build_menus()
        self._connect()
        self.sidebar.endpointSelected.connect(lambda name: self.show_endpoint(name) if name is not None or self.page is None else None)
        self.sidebar.pages.pageSelected.connect(lambda name: self.show_page(name) if name is not None else None)
        self.sidebar.currentChanged.connect(self._sidebar_tab_changed)
        self.show_endpoint(self.sidebar.current)
        self.run_panel.set_endpoint(self.sidebar.current)
        self._update_title()
        self.resize(1280, 800)
        self.reset_layout()

    # -- construction --------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title}Dock")
        dock.setWidget(dock_body(widget) if area == Qt.DockWidgetArea.BottomDockWidgetArea else widget)
        self.addDockWidget(area, dock)
        return dock

    def reset_layout(self) -> None:
        """View → Reset layout: every dock back in its place, shown, docked, at the default sizes for the window's size."""
        areas = {
            self.sidebar_dock: Qt.DockWidgetArea.LeftDockWidgetArea,
            self.palette_dock: Qt.DockWidgetArea.LeftDockWidgetArea,
            self.inspector_dock: Qt.DockWidgetArea.RightDockWidgetArea,
            self.problems_dock: Qt.DockWidgetArea.BottomDockWidgetArea,
            self.run_dock: Qt.DockWidgetArea.BottomDockWidgetArea,
            self.stream_dock: Qt.DockWidgetArea.BottomDockWidgetArea,
        }
        for dock, area in areas.items():
            dock.setFloating(False)
            self.addDockWidget(area, dock)
            dock.show()
        self.splitDockWidget(self.sidebar_dock, self.palette_dock, Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.problems_dock, self.run_dock)
        self.tabifyDockWidget(self.run_dock, self.stream_dock)
        self.run_dock.raise_()
        self.reset_stream_part()
        self._apply_default_sizes()

    def _apply_default_sizes(self) -> None:
        sizes = DefaultLayout.for_window(self.size())
        self.resizeDocks([self.sidebar_dock, self.inspector_dock], [sizes.left, sizes.right], Qt.Orientation.Horizontal)
        self.resizeDocks([self.run_dock], [sizes.bottom], Qt.Orientation.Vertical)
        fit_bottom_dock(self, self.run_dock, self.canvas)
        column = self.sidebar_dock.height() + self.palette_dock.height()
        self.resizeDocks([self.sidebar_dock, self.palette_dock], [max(column - sizes.palette, 200), sizes.palette], Qt.Orientation.Vertical)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._default_layout_pending:
            self._default_layout_pending = False
            self._apply_default_sizes()  # Qt gives docks their real sizes only once the window is laid out

    def _action(self, menu: object, text: str, slot: object, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&New", self.new_project, QKeySequence.StandardKey.New)
        self._action(file, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file.addMenu("Open &Recent")
        self._action(file, "&Save", self.save, QKeySequence.StandardKey.Save)
        self._action(file, "Save &As…", self.save_as_dialog, QKeySequence.StandardKey.SaveAs)
        file.addSeparator()
        self._action(file, "&Export workflow…", self.export_workflow_dialog)
        self._action(file, "Copy workflow as JSON", self.copy_workflow_json)
        self._action(file, "&Import workflow…", self.import_workflow_dialog)
        self._action(file, "Paste workflow from clipboard", self.paste_workflow_json)
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = bar.addMenu("&Edit")
        undo = self.document.undo_stack().createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.document.undo_stack().createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit.addActions([undo, redo])
        edit.addSeparator()
        self._action(edit, "Cu&t", self.cut, QKeySequence.StandardKey.Cut)
        self._action(edit, "&Copy", self.copy, QKeySequence.StandardKey.Copy)
        self._action(edit, "&Paste", self.paste, QKeySequence.StandardKey.Paste)
        self._action(edit, "D&uplicate", self.duplicate, "Ctrl+D")
        self._action(edit, "&Delete", self.delete_selected, QKeySequence.StandardKey.Delete)
        # Edit → Delete takes Delete everywhere in the window (the canvas, the page designer); two actions on one key
        # would both stay silent, so the canvas's own delete action keeps Backspace only
        self.canvas.delete_action.setShortcuts([QKeySequence(Qt.Key.Key_Backspace)])
        edit.addSeparator()
        self._action(edit, "&Add action…", self.quick_add_after_selection, "Ctrl+K")
        self._action(edit, "&Find action", self.find_action, QKeySequence.StandardKey.Find)
        view = bar.addMenu("&View")
        run = bar.addMenu("&Run")
        self._action(run, "&Run endpoint", self.run_endpoint, "Ctrl+Return")
        self._action(run, "&Cancel run", lambda: self.run_panel.cancel(), "Esc")
        run.addSeparator()
        self._action(run, "Run stream &tests", self.run_stream_tests, "Ctrl+Shift+T")
        self._action(run, "Add stream test from recording…", self.add_stream_test_dialog)
        self._action(run, "Show recording in the Stream dock…", self.show_recording_dialog)
        self._action(run, "New recording (by hand or from an SSE capture)…", self.new_recording_dialog)
        for dock in (self.sidebar_dock, self.palette_dock, self.inspector_dock, self.problems_dock, self.run_dock, self.stream_dock):
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        self.reset_layout_action = self._action(view, "Reset &layout", self.reset_layout)
        self.view_menu = view
        add_help_menu(self, bar.addMenu("&Help"))
        self._refresh_recent()

    def _connect(self) -> None:
        document = self.document
        for signal in (document.workflowChanged, document.actionChanged, document.endpointChanged):
            signal.connect(self._redraw_edited)
        document.problemsChanged.connect(self._problems_changed)
        document.projectReset.connect(self._redraw)
        document.projectReset.connect(self._forget_streams)
        document.projectReset.connect(self._show_after_reset)
        document.dirtyChanged.connect(lambda _dirty: self._update_title())
        document.filePathChanged.connect(lambda _path: self._update_title())
        self.canvas.typeDropped.connect(self.insert_type)
        self.canvas.moveRequested.connect(self.move_action)
        self.canvas.deleteRequested.connect(lambda path: self._push(lambda: RemoveActionCommand(document, self.endpoint, path)))
        self.canvas.insertRequested.connect(self.open_quick_add)
        self.canvas.selectionChanged.connect(self._canvas_selected)
        document.selection.changed.connect(self._selection_changed)
        self.canvas.activated.connect(lambda _path: (self.inspector_dock.show(), self.inspector.setFocus()))
        self.palette_panel.typeChosen.connect(lambda type_id: self.insert_type(self.canvas._insertion_after_selection(), type_id))
        document.pageRenamed.connect(self._page_renamed)
        document.pagesChanged.connect(self._pages_changed)
        document.projectReset.connect(self._pages_changed)
        self.problems_panel.problemActivated.connect(self.reveal_problem)
        self.run_panel.failingAction.connect(self.reveal_action)
        self.run_panel.runFinished.connect(self._show_run_values)
        self.run_panel.runStarted.connect(self._inspect_run)

        self.sidebar.endpointSelected.connect(self.run_panel.set_endpoint)
        document.filePathChanged.connect(lambda _path: self._replace_runner())
        self._problems_changed()

    def _show_after_reset(self) -> None:
        """After New or Open the sidebar's tab and the centre show the same thing: a page on Interface, else an endpoint.

        Connected last (the designer, built later, is moved before it), so it decides after every view has reset."""
        pages = self.document.project.pages
        if self.sidebar.currentIndex() == 0 and pages:
            current = self.sidebar.pages.current
            self.show_page(current if current is not None and self.document.has_page(current) else pages[0].name)
            return
        if self.sidebar.currentIndex() != 1:
            self.sidebar.setCurrentIndex(1)
        self.show_endpoint(self.sidebar.current)

    def _forget_streams(self) -> None:
        """New, Open or a restore: the Stream dock's run belonged to the project that was open."""
        if self._stream_inspector is not None:
            self._stream_inspector.clear()

    # -- views built on first use -------------------------------------
    # The window shows with the canvas, the actions palette, the inspector and the docks it needs; what only a
    # page, a shortcut or a popup asks for is built the first time it is asked for (imports and widgets cost
    # start-up time). Each is a property, so callers never see the difference.
    @property
    def widget_inspector(self) -> WidgetInspector:
        """The inspector of a page's widgets, built when a page is first shown."""
        if self._widget_inspector is None:
            from app.ui.inspector.widget_inspector import WidgetInspector

            inspector = self._widget_inspector = WidgetInspector(self.document)
            self.inspectors.addWidget(inspector)
            inspector.openWorkflow.connect(self.show_workflow)
            inspector.widgetRenamed.connect(lambda _old, new: self.designer.select_widget(new))
            if self._designer is not None:
                inspector.live_values = self._designer.live_values
        return self._widget_inspector

    @property
    def interface_palette(self) -> PalettePanel:
        """The palette of interface actions, for a page's workflows on the canvas."""
        if self._interface_palette is None:
            palette = self._interface_palette = PalettePanel(model=PaletteModel(self.document.registry, where="interface"))
            self.palettes.addWidget(palette)
            palette.typeChosen.connect(lambda type_id: self.insert_type(self.canvas._insertion_after_selection(), type_id))
        return self._interface_palette

    @property
    def quick_add(self) -> QuickAddPopup:
        """Quick add for an endpoint's workflow (Insert, Ctrl+K, a "+")."""
        if self._quick_add is None:
            from app.ui.quick_add import QuickAddPopup

            self._quick_add = QuickAddPopup(self)
            self._quick_add.chosen.connect(self.insert_type)
        return self._quick_add

    @property
    def interface_quick_add(self) -> QuickAddPopup:
        """Quick add for a page's workflow: the interface actions."""
        if self._interface_quick_add is None:
            from app.ui.quick_add import QuickAddPopup

            self._interface_quick_add = QuickAddPopup(self, PalettePanel(model=PaletteModel(self.document.registry, where="interface")))
            self._interface_quick_add.chosen.connect(self.insert_type)
        return self._interface_quick_add

    @property
    def finder(self) -> FindActionPopup:
        """Edit → Find action (Ctrl+F): every action of the project."""
        if self._finder is None:
            from app.ui.find_action import FindActionPopup

            self._finder = FindActionPopup(self)
            self._finder.found.connect(self.reveal_found)
        return self._finder

    @property
    def designer(self) -> PageDesigner:
        """The page designer, built the first time a page is opened (its imports cost start-up time)."""
        if self._designer is None:
            from app.ui.page_designer import PageDesigner

            designer = self._designer = PageDesigner(self.document, lambda: self.runner)
            self.center.addWidget(designer)
            self.palettes.addWidget(designer.palette)
            self.widget_inspector.live_values = designer.live_values
            designer.widgetSelected.connect(lambda page, widget: self.widget_inspector.show_widget(page, widget))
            designer.openWorkflow.connect(self.show_workflow)
            designer.callStarted.connect(lambda _name, endpoint, state: self.run_panel.follow_preview(endpoint, state))
            designer.callStarted.connect(self._inspect_preview_call)
            designer.pageError.connect(self._page_error)
            designer.driver.frameApplied.connect(self._refresh_live_values)
            self.document.projectReset.disconnect(self._show_after_reset)
            self.document.projectReset.connect(self._show_after_reset)  # after the designer's own reset
        return self._designer

    # -- views ---------------------------------------------------------
    def _leave_selection_behind(self, key: str | None) -> None:
        """Showing another workflow deselects (unless the window is following the selection there)."""
        current = self.document.selection.current
        if not self._following_selection and current is not None and current.workflow != key:
            self.document.selection.select(None)

    def show_endpoint(self, name: str | None) -> None:
        self.endpoint = name if name is not None and self.document.has_endpoint(name) else None
        self._leave_selection_behind(self.endpoint)
        self._show_canvas("endpoint")
        self._redraw()

    def show_page(self, name: str | None) -> None:
        """Open a page in the designer (the Interface tab's selection)."""
        if name is None or not self.document.has_page(name):
            return
        self.page = name
        if self.endpoint is not None and is_page_key(self.endpoint):
            self.endpoint = self.sidebar.current  # the canvas is hidden; edit commands now mean the page's widgets
        if self.sidebar.currentIndex() != 0:
            self.sidebar.setCurrentIndex(0)
        if self.sidebar.pages.current != name:
            self.sidebar.pages.select_page(name)
        self.designer.set_page(name) if self.designer.page_name != name else None
        self.center.setCurrentWidget(self.designer)
        self.palettes.setCurrentWidget(self.designer.palette)
        self.palette_dock.setWindowTitle("Widgets")
        self.inspectors.setCurrentWidget(self.widget_inspector)
        self.widget_inspector.show_widget(name, self.designer.selected_widget())
        self.canvas.select(None)

    def show_workflow(self, key: str) -> None:
        """Show any workflow on the canvas: an endpoint's (by name) or a page's interface workflow (by key)."""
        if not is_page_key(key):
            self.sidebar.setCurrentIndex(1)
            self.sidebar.select_endpoint(key)
            self.show_endpoint(key)
            return
        if not self.document.has_workflow(key):
            self.statusBar().showMessage(f"No workflow {key}", 6000)
            return
        ref = parse_key(key)
        assert isinstance(ref, PageWorkflow)
        self.page = ref.page
        self.endpoint = key
        self._leave_selection_behind(key)
        self._show_canvas("interface")
        self.back_bar.setText(f"←  Back to page {self.document.project.page(ref.page).title or ref.page}   ·   {describe(self.document.project, key)}")
        self._redraw()

    def _show_canvas(self, kind: str) -> None:
        self.center.setCurrentIndex(0)
        self.back_bar.setVisible(kind == "interface")
        interface = kind == "interface"
        self.palettes.setCurrentWidget(self.interface_palette if interface else self.palette_panel)
        self.palette_dock.setWindowTitle("Actions")
        self.inspectors.setCurrentWidget(self.inspector)

    def _sidebar_tab_changed(self, index: int) -> None:
        if index == 0 and self.sidebar.pages.current is not None:
            self.show_page(self.sidebar.pages.current)
        elif index == 1 and (self._designing() or (self.endpoint and is_page_key(self.endpoint))):
            self.show_endpoint(self.sidebar.current)

    def _shown_workflow(self) -> Endpoint | InterfaceWorkflow | None:
        key = self.endpoint
        if key is None or not self.document.has_workflow(key):
            return None
        if not is_page_key(key):
            return self.document.endpoint(key)
        ref = parse_key(key)
        assert isinstance(ref, PageWorkflow)
        return InterfaceWorkflow(key, self.document.workflow(key), describe(self.document.project, key), f"Interface workflow · page {ref.page} · runs in the page")

    def _show_run_values(self, endpoint: str, _status: str) -> None:
        """Beside each formula field, the value it had the last time its action ran in this run."""
        values: dict[str, dict[str, str]] = {}
        for trace in self.run_panel.last_traces:
            if trace.get("kind") == "action_finished" and isinstance(trace.get("values"), dict):
                values[trace["action_id"]] = trace["values"]
        self.inspector.set_run_values(endpoint, values)

    def _page_renamed(self, old: str, new: str) -> None:
        """Follow a renamed page: the open page, and a workflow of it on the canvas (its key names the page)."""
        if self.page == old:
            self.page = new
        prefix = f"page:{old}:"
        if self.endpoint is not None and self.endpoint.startswith(prefix):
            self.endpoint = f"page:{new}:" + self.endpoint[len(prefix) :]
            if self.document.has_workflow(self.endpoint):
                self.show_workflow(self.endpoint)

    def _pages_changed(self) -> None:
        """The open page went away (deleted, or another project): back to the endpoint workflows."""
        if self.page is not None and self.document.has_page(self.page):
            return
        self.page = None
        showing_page = self._designing() or (self.endpoint is not None and is_page_key(self.endpoint))
        if showing_page:
            self.show_endpoint(self.sidebar.current)

    def _page_error(self, message: str, workflow: str, action_id: object) -> None:
        self.statusBar().showMessage(f"Preview: {message}", 8000)

    def _refresh_live_values(self) -> None:
        inspector = self._widget_inspector
        if inspector is not None and self.inspectors.currentWidget() is inspector:
            inspector.refresh_live_values()

    def _redraw(self, *_: object) -> None:
        """Draw the shown endpoint with its current problems (another endpoint, a new project)."""
        self._redraw_edited()
        self.canvas.set_problems(self.document.problems_for(self.endpoint) if self.endpoint else [])

    def _redraw_edited(self, *_: object) -> None:
        """Draw an edit at once; its problem markers follow when the Document has checked it."""
        if self.endpoint is not None and not self.document.has_workflow(self.endpoint):
            if is_page_key(self.endpoint) and self.page and self.document.has_page(self.page):
                self.show_page(self.page)  # the widget (and its workflow) went away: back to its page
                return
            self.endpoint = self.sidebar.current if self.sidebar.current and self.document.has_endpoint(self.sidebar.current) else None
        following, self._following_selection = self._following_selection, True
        try:
            self.canvas.set_endpoint(self._shown_workflow())
        finally:
            self._following_selection = following
        self._show_selection()

    # -- the selection -----------------------------------------------------
    def _canvas_selected(self, path: ActionPath | None) -> None:
        """A click or an arrow key on the canvas: that action becomes the Document's selection."""
        if not self._following_selection:
            self.document.select_path(self.endpoint, path)

    def _selection_changed(self) -> None:
        """The selection changed (a click, an edit, undo/redo): bring its workflow forward and show it."""
        current = self.document.selection.current
        if current is not None and current.workflow != self.endpoint and self.document.has_workflow(current.workflow):
            following, self._following_selection = self._following_selection, True
            try:
                self.show_workflow(current.workflow)  # undo of an edit in another workflow shows it there
            finally:
                self._following_selection = following
        self._show_selection()

    def _show_selection(self) -> None:
        """The canvas and the inspector show the Document's selected action (both, or neither)."""
        path = self.document.selected_path(self.endpoint)
        self.canvas.show_selection(path)
        showing = self.inspector.endpoint, self.inspector.action_id
        current = self.document.selection.current
        wanted = (current.workflow, current.action_id) if path is not None and current is not None else (None, None)
        if showing != wanted or (path is not None and self.inspector.path != path):
            self.inspector.show_action(self.endpoint if path is not None else None, path)

    def _problems_changed(self) -> None:
        problems = self.document.problems()
        self.problems_panel.show_problems(problems)
        errors = sum(1 for p in problems if p.severity == "error")
        self.problems_dock.setWindowTitle(f"Problems ({len(problems)})" if problems else "Problems")
        self.status_label.setText(f"{errors} error(s), {len(problems) - errors} warning(s)" if problems else "No problems")
        self.canvas.set_problems(self.document.problems_for(self.endpoint) if self.endpoint else [])

    def reveal_problem(self, problem: Problem) -> None:
        """Select the endpoint and the action a problem is about (or the page, widget or page workflow)."""
        match = ENDPOINT_INDEX.match(problem.path)
        if match is None:
            self._reveal_page_problem(problem)
            return
        index = int(match.group(1))
        if index >= len(self.document.project.endpoints):
            return
        name = self.document.project.endpoints[index].name
        self.show_workflow(name)
        if problem.action_id:
            path = self.document.path_of(name, problem.action_id)
            if path is not None:
                self.canvas.select(path)
                self.canvas.setFocus()

    def _reveal_page_problem(self, problem: Problem) -> None:
        match = PAGE_INDEX.match(problem.path)
        if match is None or int(match.group(1)) >= len(self.document.project.pages):
            return
        page = self.document.project.pages[int(match.group(1))]
        for key in page_workflow_keys(page):
            prefix = workflow_json_path(self.document.project, key)
            if problem.path == prefix or problem.path.startswith((prefix + "[", prefix + ".")):
                if problem.action_id:
                    self.reveal_found(key, problem.action_id)
                    return
        self.show_page(page.name)
        if problem.widget_id:
            self.designer.select_widget(problem.widget_id)

    def reveal_action(self, endpoint: str, action_id: str) -> None:
        """Select an action by id (the one a run failed in)."""
        if not self.document.has_endpoint(endpoint):
            return
        self.show_workflow(endpoint)  # from the page designer or a page workflow too
        path = self.document.path_of(endpoint, action_id)
        if path is not None:
            self.canvas.select(path)

    def run_endpoint(self) -> None:
        self.run_dock.show()
        self.run_dock.raise_()
        self.run_panel.run()

    # -- the runner ----------------------------------------------------
    def _new_runner(self) -> RunnerProcess:
        """A runner for the document's folder (SQLite paths are relative to it); an unsaved project runs from a scratch folder."""
        path = self.document.file_path()
        if path is None:
            if self._scratch is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="streamwright-unsaved-")
            path = Path(self._scratch.name) / "unsaved.streamwright.json"
            path.write_text(dumps(self.document.project.model_dump(mode="json", by_alias=True)), encoding="utf-8")
        return RunnerProcess(path)

    def _replace_runner(self) -> None:
        """The project moved to another folder: the next run starts a runner there."""
        if self.run_panel.is_running:
            return
        old, self.runner = self.runner, self._new_runner()
        self.run_panel.runner = self.runner
        self._stop_runner(old)

    @staticmethod
    def _stop_runner(runner: RunnerProcess) -> None:
        if runner.running:
            try:
                spawn(runner.stop())
            except RuntimeError:
                pass  # no loop (tests): the child also stops when this process ends (--exit-with-stdin)

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — Streamwright")
        self.setWindowModified(self.document.is_dirty())
        path = self.document.file_path()
        self.statusBar().showMessage(str(path) if path else "Not saved yet")

    # -- edits ---------------------------------------------------------
    def _push(self, make: Callable[[], ProjectCommand]) -> ProjectCommand | None:
        """Build and push a command; a refused edit is a status-bar message, never a crash."""
        command, refused = push_or_explain(self.document, make)
        if refused is not None:
            self.statusBar().showMessage(f"Not done: {refused}", 6000)
        return command

    def _show_outcome(self, outcome: EditOutcome) -> None:
        """Select what an edit added or moved; a refused edit is a status-bar message."""
        if outcome.refused is not None:
            self.statusBar().showMessage(outcome.refused, 6000)
        if outcome.select is not None:
            self.canvas.select(outcome.select)

    def insert_type(self, path: ActionPath, type_id: str) -> None:
        self._show_outcome(self.edits.insert(self.endpoint, path, type_id))

    def move_action(self, source: ActionPath, target: ActionPath) -> None:
        self._show_outcome(self.edits.move(self.endpoint, source, target))

    def open_quick_add(self, path: ActionPath) -> None:
        if self._designing():
            self.designer.open_add_widget()
            return
        if self.endpoint is None:
            self.statusBar().showMessage("Create or select an endpoint first", 6000)
            return
        popup = self.interface_quick_add if is_page_key(self.endpoint) else self.quick_add
        self.canvas.ensure_visible(self.canvas.selected)
        plus = self.canvas.plus_position(path)
        position = plus if plus is not None else self.canvas.mapToGlobal(self.canvas.rect().center())
        popup.open_at(path, position)

    def quick_add_after_selection(self) -> None:
        self.open_quick_add(self.canvas._insertion_after_selection())

    def find_action(self) -> None:
        """Search every action of the project (endpoints and pages); Enter opens it."""
        position = self.mapToGlobal(self.rect().center()) - self.finder.rect().center()
        self.finder.open_for(self.document.project, self.document.registry, position)

    def reveal_found(self, key: str, action_id: str) -> None:
        self.show_workflow(key)
        path = self.document.path_of(key, action_id) if self.document.has_workflow(key) else None
        if path is not None:
            self.canvas.select(path)
            self.canvas.setFocus()

    def _designing(self) -> bool:
        """The page designer is in front: edit commands go to its widgets."""
        return self._designer is not None and self.center.currentWidget() is self._designer

    def delete_selected(self) -> None:
        if self._designing():
            self.designer.delete_selected()
            return
        self._show_outcome(self.edits.remove(self.endpoint, self.canvas.selected))

    def duplicate(self) -> None:
        if self._designing():
            if self.designer.copy_selected():
                self.designer.paste()
            return
        self._show_outcome(self.edits.duplicate(self.endpoint, self.canvas.selected))

    def copy(self) -> None:
        if self._designing():
            self.designer.copy_selected()
            return
        mime = self.edits.copy(self.endpoint, self.canvas.selected)
        if mime is not None:
            QGuiApplication.clipboard().setMimeData(mime)

    def cut(self) -> None:
        self.copy()
        self.delete_selected()

    def paste(self) -> None:
        if self._designing():
            self.designer.paste()
            return
        self._show_outcome(self.edits.paste(self.endpoint, self.canvas._insertion_after_selection(), QGuiApplication.clipboard().mimeData()))

    def restore_window_state(self) -> None:
        geometry, state = self.settings.value("geometry"), self.settings.value("windowState")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and self.restoreState(state):
            self._default_layout_pending = False
        self.restore_stream_part(self.settings)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.confirm_discard():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        self.save_stream_part(self.settings)
        self.autosave.close()
        self.run_panel.cancel()
        if self._designer is not None:
            self._designer.shut_down()
        if self._tests_task is not None and not self._tests_task.done():
            self._tests_task.cancel()  # the child is killed, its temporary file removed
        self._stop_runner(self.runner)
        event.accept()
