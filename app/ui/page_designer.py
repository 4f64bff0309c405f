"""The page designer: a page's outline (drag and drop, keyboard) beside the page itself, live in Preview.

Design mode: the page shows its real widgets, not interactive; clicking one
selects it (here and in the outline) for the inspector. Widgets are dropped
from the palette, or dragged, on the outline or on the page itself, where an
insertion marker shows where they land. Every edit has a key: the
designer's QActions (``arrange_actions``: add, move up/down/out/in, delete)
act while the outline or the page has the focus and fill both context menus. Preview mode runs the
page for real: a click runs the widget's On click workflow in a
``PageSession``, its Call API endpoint goes through the runner process over
HTTP, and the bindings update from the stream on the preview's frame timer.
Cancel stops the page's workflows and the runs they started. Errors show in
the page's error strip; the editor keeps working.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, QItemSelectionModel, QMimeData, QModelIndex, QSignalBlocker, QStandardPaths, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.client.stream_state import StreamState
from app.core.formula import UNDEFINED
from app.core.json_input import read_json
from app.core.project import Widget
from app.core.widgets.registry import WidgetRegistry, default_widget_registry
from app.core.workflow_refs import find_widget
from app.editor.commands.base import push_or_explain
from app.editor.commands.pages import InsertWidgetCommand, InsertWidgetsCommand, RemoveWidgetCommand, Step, StepWidgetCommand
from app.editor.document import Document
from app.editor.models.page_outline import PageOutlineModel
from app.editor.models.roles import IsContainerRole, WidgetIdRole, WidgetTypeRole
from app.editor.models.widget_palette import WidgetPaletteModel
from app.editor.preview.live_bindings import PENDING, LiveBindings
from app.editor.preview.page_preview import PagePreview
from app.editor.preview.session import EndpointCaller, PageError, PageSession
from app.editor.widget_drops import drop_widgets
from app.ui.async_runtime import spawn
from app.ui.column_widget import column_widget
from app.ui.download_notice import DownloadNotice
from app.ui.elided_text import ElidedLabel, elide_with_tooltips
from app.ui.page_view import PageView
from app.ui.palette_panel import PalettePanel
from app.ui.preview_driver import PreviewDriver
from app.ui.quick_add import QuickAddPopup
from app.ui.replay_bar import ReplayBar

WIDGETS_MIME = "application/x-streamwright-widgets+json"
"""Clipboard: copied widgets as JSON (also offered as plain text)."""

_TOOLBAR_STYLE = """
QWidget#designerToolbar { background: #ffffff; border-bottom: 1px solid #d5d8de; }
QToolButton#modeButton { border: 1px solid #d5d8de; padding: 4px 14px; background: #ffffff; }
QToolButton#modeButton:checked { background: #3b6fe0; color: white; border-color: #3b6fe0; }
QLabel#previewStatus { color: #6b7280; padding-left: 8px; }
"""


def default_downloads_dir() -> Path:
    """Where Download buttons save files: the desktop's Downloads folder, as a browser would."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return Path(location or QDir.homePath()) / "Streamwright"


class PageDesigner(QWidget):
    widgetSelected = Signal(object, object)
    """(page name, widget id | None): show it in the inspector."""
    openWorkflow = Signal(str)
    callStarted = Signal(str, str, object)
    """(call name, endpoint, StreamState): the Run panel follows the preview's call."""
    pageError = Signal(str, str, object)
    """(message, workflow key, action id | None)."""

    def __init__(
        self,
        document: Document,
        caller: Callable[[], EndpointCaller],
        registry: WidgetRegistry | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Page designer")  # also the group of its keys in Help → Keyboard shortcuts
        self.document = document
        self.caller = caller
        self.registry = registry or default_widget_registry()
        self.page_name: str | None = None
        self.preview = PagePreview(document, caller, spawn, downloads_dir=default_downloads_dir())
        self.preview.open_external = lambda url: QDesktopServices.openUrl(QUrl(url))
        self.setStyleSheet(_TOOLBAR_STYLE)

        self.outline_model = PageOutlineModel(document, self.registry, self)
        self.outline = QTreeView(self)
        self.outline.setModel(self.outline_model)
        self.outline.setHeaderHidden(True)
        elide_with_tooltips(self.outline)
        self.outline.setAccessibleName("Page outline")
        self.outline.setDragEnabled(True)
        self.outline.setAcceptDrops(True)
        self.outline.setDropIndicatorShown(True)
        self.outline.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.outline.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.outline.selectionModel().selectionChanged.connect(lambda *_: self._outline_selected(self.selected_widget()))
        self.outline_model.modelReset.connect(self._after_outline_reset)
        self.outline_model.inserted.connect(lambda ids: self.select_widget(ids[0]))
        self.outline_model.refused.connect(self._show_message)
        add = QPushButton("+ Add widget", self)
        add.setToolTip("Add a widget after the selected one (Insert)")
        add.clicked.connect(self.open_add_widget)
        outline_box = QWidget(self)
        outline_layout = QVBoxLayout(outline_box)
        outline_layout.setContentsMargins(6, 6, 0, 6)
        outline_heading = QLabel("<b>Outline</b> — drag to reorder or nest")
        outline_heading.setWordWrap(True)  # wraps in a narrow outline rather than setting its width
        outline_layout.addWidget(outline_heading)
        outline_layout.addWidget(self.outline, 1)
        outline_layout.addWidget(add)

        self.page_view = PageView(self)
        self.page_view.widgetSelected.connect(self.select_widget)
        self.page_view.buttonClicked.connect(self._button_clicked)
        self.page_view.inputEdited.connect(self._input_edited)
        self.page_view.downloadRequested.connect(self._download_requested)
        self.page_view.dropRequested.connect(self._dropped_on_page)

        toolbar, rows = column_widget(self, "designerToolbar", (8, 6, 8, 6))
        bar = QHBoxLayout()
        second = QHBoxLayout()  # where the preview's stream comes from, and how it is going
        rows.addLayout(bar)
        rows.addLayout(second)
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: 600; font-size: 13pt;")
        bar.addWidget(self.title)
        self.status = ElidedLabel(parent=self)  # long text never widens the window: cut with "…", whole on hover
        self.status.setObjectName("previewStatus")
        bar.addWidget(self.status, 1)
        self.design_button = QToolButton(self, text="Design", checkable=True, checked=True)
        self.preview_button = QToolButton(self, text="▶ Preview", checkable=True)
        for button in (self.design_button, self.preview_button):
            button.setObjectName("modeButton")
            bar.addWidget(button)
        self.design_button.setToolTip("Arrange the page: click a widget to edit it")
        self.preview_button.setToolTip("Run the page for real: clicks run their workflows through the local runner (F6)")
        modes = QButtonGroup(self)
        modes.setExclusive(True)
        modes.addButton(self.design_button)
        modes.addButton(self.preview_button)
        self.preview_button.toggled.connect(self.set_preview)
        self.preview_action = QAction("Preview the page / back to design", self)
        self.preview_action.setShortcut(QKeySequence("F6"))
        self.preview_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # anywhere in the designer
        # through the exclusive mode buttons, as a click would: checking Design unchecks Preview
        self.preview_action.triggered.connect(lambda: (self.design_button if self.previewing else self.preview_button).setChecked(True))
        self.addAction(self.preview_action)
        self.clock = self.preview.clock
        self.replay_bar = ReplayBar(self.clock, document, self)
        self.replay_bar.setToolTip("Where Call API endpoint gets its stream: the live runner, or a recording replayed at any speed")
        self.replay_bar.sourceChanged.connect(self._source_changed)
        self.replay_bar.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)  # the status takes the rest
        second.addWidget(self.replay_bar)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the page's workflows and the endpoint runs they started")
        self.cancel_button.clicked.connect(self.cancel)
        bar.addWidget(self.cancel_button)
        second.addStretch(1)

        splitter = QSplitter(self)
        splitter.addWidget(outline_box)
        splitter.addWidget(self.page_view)
        # the page keeps most of the width, also when the window shrinks (it is whole at 1280 px): the outline gives
        # up a share too, its long rows cut with "…" and whole on hover
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([200, 440])  # the designer's width in a 1280×800 window: no share to hand out at the start
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.download_notice = DownloadNotice(self)
        layout.addWidget(toolbar)
        layout.addWidget(self.download_notice)
        layout.addWidget(splitter, 1)

        self.driver = PreviewDriver(self.page_view, widget_registry=self.registry, parent=self)
        self.palette = PalettePanel(model=WidgetPaletteModel(self.registry), type_role=WidgetTypeRole, placeholder="Search widgets…", icon_folder="widgets")
        self.palette.typeChosen.connect(self.add_widget)
        self.quick_add = QuickAddPopup(
            self, PalettePanel(model=WidgetPaletteModel(self.registry), type_role=WidgetTypeRole, placeholder="Search widgets…", icon_folder="widgets")
        )
        self.quick_add.chosen.connect(lambda _where, type_id: self.add_widget(type_id))
        # Delete (the key), Copy and Paste are the window's Edit menu actions, which act on the designer while it is in front
        self.add_widget_action = self._arrange_action("Add widget…", self.open_add_widget, "Insert")
        self.move_up_action = self._arrange_action("Move widget up (earlier)", lambda: self.step_selected("up"), "Alt+Up")
        self.move_down_action = self._arrange_action("Move widget down (later)", lambda: self.step_selected("down"), "Alt+Down")
        self.move_out_action = self._arrange_action("Move widget out of its container", lambda: self.step_selected("out"), "Alt+Left")
        self.move_in_action = self._arrange_action("Move widget into the container beside it", lambda: self.step_selected("in"), "Alt+Right")
        self.delete_widget_action = self._arrange_action("Delete widget", self.delete_selected)  # the key is Edit → Delete's
        for view in (self.outline, self.page_view):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            view.addActions(self.arrange_actions)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(250)
        self._status_timer.timeout.connect(self._update_status)
        self.driver.frameApplied.connect(lambda _count: self._update_status())
        self.preview.on_wake.append(self.driver.wake)
        self.preview.on_error.append(self._page_error)
        self.preview.on_call.append(lambda name, endpoint, state: self.callStarted.emit(name, endpoint, state))
        self.preview.on_notice.append(self._show_message)
        self.preview.on_download.append(self.download_notice.show_saved)
        document.pageChanged.connect(self._page_changed)
        document.pageRenamed.connect(self._page_renamed)
        document.pagesChanged.connect(lambda: self.set_page(self.page_name))
        document.projectChanged.connect(self.preview.project_changed)
        self.outline_model.modelAboutToBeReset.connect(self._remember_selection)
        self._kept_selection: str | None = None
        document.projectReset.connect(lambda: self.set_page(None))
        self.set_page(None)

    def _arrange_action(self, text: str, slot: Callable[[], object], shortcut: str | None = None) -> QAction:
        """A designer action: its shortcut works while the outline or the page has the focus (added to both below), never
        in the inspector's or the toolbar's fields, where Alt+Down opens a combo box."""
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.arrange_actions = [*getattr(self, "arrange_actions", []), action]
        return action

    # -- page ------------------------------------------------------------------
    def set_page(self, name: str | None) -> None:
        if name is not None and not self.document.has_page(name):
            name = None
        was_previewing = self.previewing
        self.page_name = name
        changed = self.preview.set_page(name)
        if changed:
            self.download_notice.hide()
            with QSignalBlocker(self.replay_bar):
                if not self.replay_bar.set_source(self.preview.replay_source):  # the page's own source
                    self.replay_bar.set_source(None)
                    self.preview.set_source(None)
        if changed and was_previewing:
            self.design_button.setChecked(True)  # the group is exclusive: Preview unchecks itself
            self._status_timer.stop()
        self.outline_model.set_page(name)
        self.title.setText(self.document.project.page(name).title or name if name else "No page")
        self._rebuild_view()
        self.widgetSelected.emit(name, None)

    def selected_widget(self) -> str | None:
        selected = self.outline.selectionModel().selectedIndexes()
        return selected[0].data(WidgetIdRole) if selected else None

    def select_widget(self, widget_id: str | None) -> None:
        index = self.outline_model.index_of(widget_id) if widget_id else None
        if index is not None and index.isValid():
            self.outline.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            self.outline.clearSelection()
            self._outline_selected(None)

    def _outline_selected(self, widget_id: str | None) -> None:
        self.page_view.select(widget_id if not self.previewing else None)
        self.widgetSelected.emit(self.page_name, widget_id)

    def _remember_selection(self) -> None:
        self._kept_selection = self.selected_widget()

    def _after_outline_reset(self) -> None:
        """Every edit rebuilds the outline: put the selection back, quietly (the inspector already shows it)."""
        self.outline.expandAll()
        kept, self._kept_selection = self._kept_selection, None
        index = self.outline_model.index_of(kept) if kept else None
        if index is not None and index.isValid():
            selection = self.outline.selectionModel()
            selection.blockSignals(True)
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            selection.blockSignals(False)
            self.outline.viewport().update()

    def _page_renamed(self, old: str, new: str) -> None:
        if self.page_name == old:
            self.page_name = new
        self.preview.page_renamed(old, new)

    @property
    def session(self) -> PageSession | None:
        return self.preview.session

    @property
    def previewing(self) -> bool:
        return self.preview.previewing

    @property
    def downloads_dir(self) -> Path:
        return self.preview.downloads_dir

    @downloads_dir.setter
    def downloads_dir(self, folder: Path) -> None:
        self.preview.downloads_dir = folder

    @property
    def open_external(self) -> Callable[[str], object]:
        return self.preview.open_external

    @open_external.setter
    def open_external(self, opener: Callable[[str], object]) -> None:
        self.preview.open_external = opener

    @property
    def replay_source(self) -> str | None:
        return self.preview.replay_source

    def _page_changed(self, name: str) -> None:
        if name != self.page_name:
            return
        selected = self.selected_widget()
        self.title.setText(self.document.project.page(name).title or name)
        self._rebuild_view()
        if selected:
            self.select_widget(selected)

    def _rebuild_view(self) -> None:
        """The page's widgets and bindings as the project says now; a running preview keeps its state."""
        page = self.document.project.page(self.page_name) if self.page_name else None
        session = self.preview.current_session()
        self.driver.set_page(page)
        self.page_view.set_design_mode(not self.previewing)
        self.driver.set_source(session if page is not None else None)
        if not self.previewing:
            self.page_view.select(self.selected_widget())

    @property
    def bindings(self) -> LiveBindings | None:
        return self.driver.bindings

    def _source_changed(self, name: str | None) -> None:
        """Live runner or a recording: the next call (click) uses it; nothing running is interrupted."""
        self.preview.set_source(name)
        self._update_status()

    def shut_down(self) -> None:
        """The window closes: stop the preview's workflows and calls; nothing reaches these views any more."""
        self.driver.stop()
        self._status_timer.stop()
        self.preview.shut_down()

    # -- preview -------------------------------------------------------------------
    def set_preview(self, on: bool) -> None:
        """Preview: a fresh session runs the page for real (its On page load first); Design: back to arranging."""
        if self.preview_button.isChecked() != on:
            self.preview_button.setChecked(on)
        if not self.preview.set_preview(on):
            return
        self._rebuild_view()
        if on:
            self.page_view.select(None)
            self._status_timer.start()
        else:
            self._status_timer.stop()
            self.page_view.select(self.selected_widget())
        self._update_status()

    def cancel(self) -> None:
        self.preview.cancel()

    def click(self, widget_id: str) -> None:
        """What a click on a button does in Preview (tests call it too)."""
        self.preview.click(widget_id)

    def _button_clicked(self, widget_id: str) -> None:
        self.preview.click(widget_id)

    def _input_edited(self, _widget_id: str, variable: str, text: str) -> None:
        self.preview.set_variable(variable, text)

    def _download_requested(self, _widget_id: str, url: str, action: str, file_name: str) -> None:
        self.preview.download(url, action, file_name)

    def _page_error(self, error: PageError) -> None:
        self.driver.wake()  # the page's error strip shows it on the next frame
        self.pageError.emit(error.message, error.workflow, error.action_id)

    def _update_status(self) -> None:
        self.status.setText(self.preview.status_text())
        running = self.preview.running
        self.cancel_button.setEnabled(self.previewing and running)
        if not self.previewing:
            return
        if not running and not self.driver.active:
            self._status_timer.setInterval(500)

    def _show_message(self, text: str) -> None:
        self.status.setText(text)

    # -- editing ---------------------------------------------------------------------
    def _insertion_point(self, into_container: bool = True) -> tuple[str | None, int]:
        """After the selected widget (inside it when it is a container and ``into_container``); else at the page's end."""
        selected = self.outline.selectionModel().selectedIndexes()
        index = selected[0] if selected else QModelIndex()
        if not index.isValid():
            return None, self.outline_model.rowCount()
        if into_container and index.data(IsContainerRole):
            return index.data(WidgetIdRole), self.outline_model.rowCount(index)
        parent = index.parent()
        return (parent.data(WidgetIdRole) if parent.isValid() else None), index.row() + 1

    def add_widget(self, type_id: str) -> None:
        if self.page_name is None:
            return
        parent, position = self._insertion_point()
        command, error = push_or_explain(
            self.document, lambda: InsertWidgetCommand(self.document, self.page_name or "", parent, position, type_id, registry=self.registry)
        )
        if error:
            self._show_message(error)
        elif isinstance(command, InsertWidgetCommand):
            self.select_widget(command.widget_id)

    def open_add_widget(self) -> None:
        if self.page_name is None:
            return
        rect = self.outline.visualRect(self.outline.currentIndex())
        anchor = self.outline.viewport().mapToGlobal(rect.bottomLeft() if rect.isValid() else self.outline.rect().topLeft())
        self.quick_add.open_at(None, anchor)

    def _dropped_on_page(self, mime: object, parent: str | None, index: int) -> None:
        """A drop on the page itself, where its marker was: one undo step; what it added or moved is selected."""
        if self.page_name is None or not isinstance(mime, QMimeData):
            return
        outcome = drop_widgets(self.document, self.page_name, mime, parent, index, self.registry)
        if outcome.refused:
            self._show_message(outcome.refused)
        elif outcome.ids:
            self.select_widget(outcome.ids[0])

    def step_selected(self, step: Step) -> None:
        """Move the selected widget one step (Alt+Up/Down/Left/Right); it stays selected; a refusal says why."""
        widget_id = self.selected_widget()
        if widget_id is None or self.page_name is None:
            self._show_message("Select a widget to move")
            return
        _, error = push_or_explain(self.document, lambda: StepWidgetCommand(self.document, self.page_name or "", widget_id, step, registry=self.registry))
        if error:
            self._show_message(error)
        self.select_widget(widget_id)

    def delete_selected(self) -> None:
        widget_id = self.selected_widget()
        if widget_id is None or self.page_name is None:
            return
        _, error = push_or_explain(self.document, lambda: RemoveWidgetCommand(self.document, self.page_name or "", widget_id))
        if error:
            self._show_message(error)

    def copy_selected(self) -> bool:
        widget = self._selected()
        if widget is None:
            return False
        text = json.dumps({"widgets": [widget.model_dump(mode="json", by_alias=True)]}, indent=2)
        mime = QMimeData()
        mime.setData(WIDGETS_MIME, text.encode("utf-8"))
        mime.setText(text)
        QGuiApplication.clipboard().setMimeData(mime)
        return True

    def paste(self) -> bool:
        """Paste widgets copied from a page (this project or another); fresh ids where taken."""
        mime = QGuiApplication.clipboard().mimeData()
        raw = bytes(mime.data(WIDGETS_MIME).data()) if mime is not None and mime.hasFormat(WIDGETS_MIME) else (mime.text() if mime else "")
        try:
            widgets = [Widget.model_validate(item) for item in read_json(raw)["widgets"]]
        except (ValueError, KeyError, TypeError):
            return False
        if self.page_name is None or not widgets:
            return False
        parent, position = self._insertion_point(into_container=False)  # a pasted copy lands beside what is selected
        command, error = push_or_explain(
            self.document, lambda: InsertWidgetsCommand(self.document, self.page_name or "", parent, position, widgets, registry=self.registry, verb="Paste")
        )
        if error:
            self._show_message(error)
        elif isinstance(command, InsertWidgetsCommand):
            self.select_widget(command.widgets[0].id)
        return command is not None

    def _selected(self) -> Widget | None:
        widget_id = self.selected_widget()
        if widget_id is None or self.page_name is None:
            return None
        return find_widget(self.document.project.page(self.page_name).widgets, widget_id)

    # -- for the inspector ----------------------------------------------------------------
    def live_values(self, widget_id: str) -> dict[str, Any]:
        """What each bound prop of a widget shows now (formulas only)."""
        bindings = self.bindings
        if bindings is None:
            return {}
        shown = {prop: bindings.value_of(owner, prop) for owner, prop in bindings.props() if owner == widget_id and bindings.source_of(owner, prop) is not None}
        return {prop: (UNDEFINED if value is PENDING else value) for prop, value in shown.items()}  # no value yet reads as undefined

    def stream_state(self, name: str = "stream") -> StreamState | None:
        return self.session.calls.get(name) if self.session is not None else None
