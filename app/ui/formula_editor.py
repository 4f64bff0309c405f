"""The formula editor: a one-line-ish JSONata field with highlighting, inline errors and completion.

Every change is compiled (``compile_formula`` is cached, so this is cheap): a
syntax error underlines the offending token and shows "position N: message"
under the field, but the text is still reported, because a half-typed formula
is a normal state and the Document lists it as a problem. Completion offers the
names in scope at the action (``app.core.scope``), asked for lazily through a
provider so the editor never holds a stale scope, and the functions of the
formula reference (``app.core.formula.reference``), each with its signature as
tooltip. F1 opens that reference at the function under the cursor, ready to
insert into this field (``app.ui.help.formula_reference``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRegularExpression, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QKeyEvent, QResizeEvent, QSyntaxHighlighter, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QCompleter, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from app.core.formula import FormulaSyntaxError, compile_formula, reference
from app.core.scope import Scope
from app.ui import theme
from app.ui.elided_text import ElidedLabel

ScopeProvider = Callable[[], Scope | None]

FUNCTIONS = tuple(sorted(f"${entry.name}" for entry in reference.FUNCTIONS))
"""JSONata built-ins offered after ``$``: the formula reference's, so completion and F1 never disagree."""

KEYWORDS = ("and", "or", "in", "true", "false", "null", "function")
MAX_LINES = 6
_TOKEN_BEFORE_CURSOR = re.compile(r"[\w$.]*$")

STRING_COLOUR = QColor("#0a7f4f")
NUMBER_COLOUR = QColor("#b35c00")
NAME_COLOUR = QColor("#1f4fb8")
FUNCTION_COLOUR = QColor("#8a3ab9")
KEYWORD_COLOUR = QColor("#b0306e")
OPERATOR_COLOUR = QColor("#5f6b7a")


def _format(colour: QColor, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    result = QTextCharFormat()
    result.setForeground(colour)
    if bold:
        result.setFontWeight(QFont.Weight.DemiBold)
    result.setFontItalic(italic)
    return result


class FormulaHighlighter(QSyntaxHighlighter):
    """Regex highlighting of JSONata; later rules win, so strings and comments override what is inside them."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        keywords = "|".join(KEYWORDS)
        self.rules: list[tuple[QRegularExpression, QTextCharFormat]] = [
            (QRegularExpression(r"[A-Za-z_]\w*|`[^`]*`"), _format(NAME_COLOUR)),
            (QRegularExpression(rf"\b(?:{keywords})\b"), _format(KEYWORD_COLOUR, bold=True)),
            (QRegularExpression(r"\$\$?\w*"), _format(FUNCTION_COLOUR)),
            (QRegularExpression(r"\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b"), _format(NUMBER_COLOUR)),
            (QRegularExpression(r"[-+*/%&=<>!?:~|^,;.\[\](){}]"), _format(OPERATOR_COLOUR)),
            (QRegularExpression(r'"(?:[^"\\]|\\.)*"?|\'(?:[^\'\\]|\\.)*\'?'), _format(STRING_COLOUR)),
            (QRegularExpression(r"/\*.*?(?:\*/|$)"), _format(theme.TEXT_MUTED, italic=True)),
        ]

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        for pattern, char_format in self.rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), char_format)


def formula_font(point_size: float) -> QFont:
    """The fixed-width font formulas are shown in, a touch smaller than the text around them."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if point_size > 0:
        font.setPointSizeF(point_size - 0.5)
    return font


def completion_context(text_before_cursor: str) -> tuple[tuple[str, ...], str] | None:
    """``("inputs",), "te"`` for ``... inputs.te|``; None where nothing should be offered (in a string, after a number)."""
    if reference.inside_string(text_before_cursor):
        return None
    token = _TOKEN_BEFORE_CURSOR.search(text_before_cursor).group()
    *path, partial = token.split(".")
    if any(not part or not re.fullmatch(r"[A-Za-z_]\w*", part) for part in path):
        return None
    if partial[:1].isdigit() or not re.fullmatch(r"\$?[A-Za-z_]?\w*", partial):
        return None
    return tuple(path), partial


def candidates(scope: Scope | None, path: tuple[str, ...], partial: str) -> list[str]:
    """Names to offer for ``path.partial``: functions after ``$``, else what the scope has there."""
    if not path and partial.startswith("$"):
        return list(FUNCTIONS)
    if scope is None:
        return []
    return scope.fields_of(path)


class CompletionModel(QStringListModel):
    """The names offered; a function's row has its signature and description as tooltip (from the reference)."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            entry = reference.function_entry(str(super().data(index, Qt.ItemDataRole.DisplayRole)))
            return f"{entry.signature}\n{entry.description}" if entry is not None else None
        return super().data(index, role)


class FormulaEdit(QPlainTextEdit):
    """The text field: grows from one line up to ``MAX_LINES``; Enter never inserts a line (Shift+Enter does)."""

    sourceEdited = Signal(str)
    """The user changed the text (not emitted by ``set_source``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scope_provider: ScopeProvider = lambda: None
        self._setting = False
        self.hold_errors = False
        """Set by ``FormulaEditor``: an error found while typing is underlined only when ``show_error`` is called."""
        self.error: FormulaSyntaxError | None = None
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setObjectName("formulaEdit")
        self.setFont(formula_font(self.font().pointSizeF()))
        self.setPlaceholderText("formula, e.g. inputs.name")
        self.document().setDocumentMargin(1)
        self.highlighter = FormulaHighlighter(self.document())
        self.completer = QCompleter(CompletionModel(self), self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.activated[str].connect(self._insert_completion)
        self.textChanged.connect(self._text_changed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._fit_height()

    # -- content ---------------------------------------------------------
    def set_scope_provider(self, provider: ScopeProvider) -> None:
        self._scope_provider = provider

    def source(self) -> str:
        return self.toPlainText()

    def set_source(self, source: str) -> None:
        """Show ``source`` without reporting it as an edit; the cursor stays where it was if the text is unchanged."""
        if source == self.toPlainText():
            self._check()  # a fresh editor has not judged its (empty) text yet
            return
        self._setting = True
        try:
            self.setPlainText(source)
            self.moveCursor(QTextCursor.MoveOperation.End)
        finally:
            self._setting = False

    def _text_changed(self) -> None:
        self._check()
        if not self._setting:
            self.sourceEdited.emit(self.toPlainText())

    def _check(self) -> None:
        source = self.toPlainText()
        try:
            compile_formula(source)
            self.error = None
        except FormulaSyntaxError as error:
            self.error = error
        if self.error is None or not self.hold_errors:
            self._underline()
        else:
            self.setExtraSelections([])  # half-typed: the editor shows it once typing pauses

    def show_error(self) -> None:
        """Underline the current error now (the editor calls this when typing pauses)."""
        self._underline()

    def _underline(self) -> None:
        """A red wavy line under the character before the error position (where the parser stopped)."""
        selections: list[QTextEdit.ExtraSelection] = []
        length = len(self.toPlainText())
        if self.error is not None and self.error.position is not None and length:
            end = min(max(self.error.position, 1), length)
            selection = QTextEdit.ExtraSelection()
            selection.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            selection.format.setUnderlineColor(theme.ERROR)
            selection.format.setBackground(QColor(208, 52, 58, 40))
            cursor = QTextCursor(self.document())
            cursor.setPosition(end - 1)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selections.append(selection)
        self.setExtraSelections(selections)

    # -- size ------------------------------------------------------------
    def _fit_height(self, *_: object) -> None:
        """As tall as the wrapped text, from one line up to ``MAX_LINES`` (then it scrolls)."""
        layout = self.document().documentLayout()
        content = 0.0
        block = self.document().firstBlock()
        while block.isValid():
            content += layout.blockBoundingRect(block).height()  # lays the block out at the current width
            block = block.next()
        line = self.fontMetrics().lineSpacing()
        content = min(max(content, line), line * MAX_LINES)
        margins = self.contentsMargins()
        height = int(content + 2 * self.document().documentMargin() + margins.top() + margins.bottom()) + 1
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)
        overflow = content >= line * MAX_LINES
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if overflow else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_height()

    # -- the formula reference (F1) ------------------------------------
    def event(self, event: QEvent) -> bool:
        """F1 here is this field's (the reference opens at the function under the cursor), not the window's shortcut."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_F1:
            event.accept()
            return True
        return super().event(event)

    def open_reference(self) -> None:
        """Show the formula reference at the function under the cursor (else filtered by a half-typed ``$name``), ready to insert here."""
        from app.ui.help.formula_reference import show_formula_reference  # built on first use

        text, position = self.toPlainText(), self.textCursor().position()
        name = reference.function_at(text, position)
        context = completion_context(text[:position])
        search = context[1][1:] if name is None and context is not None and not context[0] and context[1].startswith("$") else ""
        show_formula_reference(self, target=self, select=name, search=search)

    def insert_function(self, name: str) -> None:
        """Put ``$name(`` in at the cursor, in place of a ``$word`` the cursor touches; one edit, reported like typing."""
        cursor = self.textCursor()
        insertion = reference.function_insertion(self.toPlainText(), cursor.position(), name)
        self._replace(insertion.start, insertion.end, insertion.replacement, insertion.cursor)

    def insert_name(self, name: str) -> None:
        """Put a scope name in at the cursor, completing a dotted name typed before it when that is its start."""
        cursor = self.textCursor()
        context = completion_context(self.toPlainText()[: cursor.position()])
        typed = ".".join([*context[0], context[1]]) if context is not None else ""
        start = cursor.position() - len(typed) if typed and name.startswith(typed) else cursor.position()
        self._replace(start, cursor.position(), name, start + len(name))

    def _replace(self, start: int, end: int, text: str, position: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        cursor.setPosition(position)
        self.setTextCursor(cursor)

    # -- completion ------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_F1 and not event.modifiers():
            self.completer.popup().hide()
            self.open_reference()
            return
        popup = self.completer.popup()
        if popup.isVisible() and key in (Qt.Key.Key_Enter, Qt.Key.Key_Return, Qt.Key.Key_Tab, Qt.Key.Key_Escape):
            # usually the completer's filter on the popup takes these; this covers keys sent to the field itself
            index = popup.currentIndex()
            popup.hide()
            if key != Qt.Key.Key_Escape and index.isValid():
                self._insert_completion(index.data())
            return
        if key in (Qt.Key.Key_Enter, Qt.Key.Key_Return) and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            event.ignore()
            return
        if key == Qt.Key.Key_Space and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.update_completion(force=True)
            return
        super().keyPressEvent(event)
        if event.text() or key == Qt.Key.Key_Backspace:
            self.update_completion()

    def update_completion(self, force: bool = False) -> None:
        """Offer the names that may follow what is before the cursor; hide the popup when there are none."""
        cursor = self.textCursor()
        before = self.toPlainText()[: cursor.position()]
        context = completion_context(before)
        popup = self.completer.popup()
        if context is None or (not context[0] and not context[1] and not force):
            popup.hide()
            return
        path, partial = context
        names = candidates(self._scope_provider(), path, partial)
        model = self.completer.model()
        assert isinstance(model, QStringListModel)
        if model.stringList() != names:
            model.setStringList(names)
        self.completer.setCompletionPrefix(partial)
        count = self.completer.completionCount()
        if count == 0 or (count == 1 and self.completer.currentCompletion() == partial):
            popup.hide()
            return
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.setWidth(max(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 12, 140))
        self.completer.complete(rect)

    def offered(self) -> list[str]:
        """The names the completion popup currently lists (for tests and accessibility)."""
        model = self.completer.completionModel()
        return [model.index(row, 0).data() for row in range(model.rowCount())] if self.completer.popup().isVisible() else []

    def _insert_completion(self, name: str) -> None:
        cursor = self.textCursor()
        context = completion_context(self.toPlainText()[: cursor.position()])
        partial = context[1] if context else ""
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(partial))
        cursor.insertText(name + ("(" if name.startswith("$") else ""))
        self.setTextCursor(cursor)


class PauseTimer(Protocol):
    """What the editor needs of a single-shot timer (``QTimer``; tests give one they fire themselves)."""

    timeout: Any

    def start(self) -> None: ...

    def stop(self) -> None: ...


ERROR_DELAY_MS = 500
"""How long typing must pause before a half-typed formula's error shows."""


def pause_timer(parent: QObject) -> PauseTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ERROR_DELAY_MS)
    return timer


class FormulaEditor(QWidget):
    """A ``FormulaEdit`` with its error line ("position 7: Unexpected end of expression") under it.

    The error of a formula being typed waits until typing pauses (``ERROR_DELAY_MS``):
    ``inputs.`` is an error only for the moment before ``since``. A formula that
    parses clears the error at once; one set from outside (opening, undo) shows
    its error at once. ``make_timer`` is the timer factory (tests replace it).
    """

    sourceEdited = Signal(str)
    make_timer: Callable[[QObject], PauseTimer] = staticmethod(pause_timer)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = FormulaEdit(self)
        self.edit.hold_errors = True
        self.error_label = ElidedLabel("", self)
        """One line, always there under the formula (empty when it parses): an error never moves the fields below."""
        self.error_label.setObjectName("formulaError")
        self.error_label.setStyleSheet(f"color: {theme.ERROR.name()};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error_label)
        self.setFocusProxy(self.edit)
        self.pause = type(self).make_timer(self)
        self.pause.timeout.connect(self._show_error)
        self.edit.sourceEdited.connect(self._typed)
        self.edit.sourceEdited.connect(self.sourceEdited)
        self._show_error()

    def set_scope_provider(self, provider: ScopeProvider) -> None:
        self.edit.set_scope_provider(provider)

    def source(self) -> str:
        return self.edit.source()

    def set_source(self, source: str) -> None:
        self.edit.set_source(source)
        self.pause.stop()
        self._show_error()

    @property
    def error(self) -> FormulaSyntaxError | None:
        return self.edit.error

    def shown_error(self) -> str:
        """The error line as the user sees it now ("" while typing goes on)."""
        return self.error_label.text()

    def _typed(self, _source: str) -> None:
        if self.edit.error is None:
            self.pause.stop()
            self._show_error()
            return
        self.error_label.setText("")
        self.pause.start()

    def _show_error(self) -> None:
        error = self.edit.error
        if error is None:
            self.error_label.setText("")
            return
        self.edit.show_error()
        where = f"position {error.position}: " if error.position is not None else ""
        self.error_label.setText(where + error.message)
