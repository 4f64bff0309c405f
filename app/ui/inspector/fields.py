"""Literal field editors for the simple editor hints, all with the same small contract.

``set_value`` shows a stored value without emitting; ``edited`` fires only when
the user's edit gives a value different from the one shown. An editor whose
text does not parse (half-typed JSON) emits nothing and keeps its text, so a
refresh from the Document never clobbers what the user is typing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QPlainTextEdit, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from app.core.params import ParamSpec
from app.ui import theme
from app.ui.formula_editor import ScopeProvider
from app.ui.inspector.values import JsonTextError, bounds, choices, format_text, is_float, parse_text, same_value

INT_LIMIT = 2**31 - 1
"""QSpinBox holds a C int."""


class FieldEditor(QWidget):
    """Base of the literal editors: tracks the value shown so it emits only real changes."""

    edited = Signal(object)
    owns_label = False
    """True when the editor shows the param's title itself (a checkbox)."""

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._current: Any = None
        self._shown = False
        self._showing = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)

    @property
    def current(self) -> Any:
        """The value this editor shows (the last one set or emitted)."""
        return self._current

    def set_value(self, value: Any) -> None:
        if self._shown and same_value(value, self._current):
            return
        self._current, self._shown = value, True
        self._showing = True
        try:
            self._show(value)
        finally:
            self._showing = False

    def set_scope_provider(self, provider: ScopeProvider) -> None:
        """For editors with formula cells (key/value rows)."""

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def _emit(self, value: Any) -> None:
        if self._showing or same_value(value, self._current):
            return
        self._current = value
        self.edited.emit(value)


class TextField(FieldEditor):
    """One line of text; for an optional name (``str | None``) blank means none."""

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.line = QLineEdit(self)
        self.nullable = spec.default is None
        if self.nullable:
            self.line.setPlaceholderText("none")
        self._layout.addWidget(self.line)
        self.setFocusProxy(self.line)
        self.line.textEdited.connect(self._typed)

    def _show(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.line.text() != text:
            self.line.setText(text)

    def _typed(self, text: str) -> None:
        self._emit(None if self.nullable and not text else text)


class TextAreaField(FieldEditor):
    """Multi-line text; SQL in a fixed-width font."""

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None, *, monospace: bool = False) -> None:
        super().__init__(spec, parent)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        if monospace:
            self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 5 + 12)
        self._layout.addWidget(self.text)
        self.setFocusProxy(self.text)
        self.text.textChanged.connect(lambda: self._emit(self.text.toPlainText()))

    def _show(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.text.toPlainText() != text:
            self.text.setPlainText(text)


class NumberField(FieldEditor):
    """A spin box bounded by the type's ``ge``/``le``; a value it cannot show is left alone until edited."""

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        low, high = bounds(spec.value_type)
        self.spin: QSpinBox | QDoubleSpinBox
        if is_float(spec.value_type):
            self.spin = QDoubleSpinBox(self)
            self.spin.setDecimals(3)
            self.spin.setRange(-1e12 if low is None else low, 1e12 if high is None else high)
        else:
            self.spin = QSpinBox(self)
            self.spin.setRange(-INT_LIMIT if low is None else int(low), INT_LIMIT if high is None else int(min(high, INT_LIMIT)))
            self.spin.setGroupSeparatorShown(True)
        self.spin.setMaximumWidth(180)
        self._layout.addWidget(self.spin)
        self.setFocusProxy(self.spin)
        self.spin.valueChanged.connect(self._emit)

    def _show(self, value: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.spin.setValue(value)


class SwitchField(FieldEditor):
    owns_label = True

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.check = QCheckBox(spec.title, self)
        self._layout.addWidget(self.check)
        self.setFocusProxy(self.check)
        self.check.toggled.connect(self._emit)

    def _show(self, value: Any) -> None:
        self.check.setChecked(bool(value))


class ChoiceField(FieldEditor):
    """A combo of the ``Literal[...]`` choices."""

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.options = choices(spec.value_type)
        self.combo = QComboBox(self)
        for option in self.options:
            self.combo.addItem(str(option))
        self.combo.setMaximumWidth(220)
        self._layout.addWidget(self.combo)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(lambda index: self._emit(self.options[index]) if index >= 0 else None)

    def _show(self, value: Any) -> None:
        index = next((i for i, option in enumerate(self.options) if same_value(option, value)), -1)
        self.combo.setCurrentIndex(index)


NamesProvider = Callable[[str], list[str]]
"""``kind -> names``: the project's endpoints (``endpoint``) or the page's variables (``pagevariable``)."""


class NameChoiceField(FieldEditor):
    """A name picked from the project (an endpoint, a page variable); typing another name is allowed and linted."""

    def __init__(self, spec: ParamSpec, kind: str, names: NamesProvider, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.kind, self.names = kind, names
        self.combo = QComboBox(self)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.lineEdit().setPlaceholderText("choose…")
        # as wide as the row, never wider than the dock: the width comes from the row, not from the longest name
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._layout.addWidget(self.combo)
        self.setFocusProxy(self.combo)
        self.combo.textActivated.connect(self._emit)
        self.combo.lineEdit().textEdited.connect(self._emit)

    def refresh(self) -> None:
        """Offer the names as they are now (the list follows the project)."""
        current = self.combo.currentText()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(self.names(self.kind))
        self.combo.setEditText(current)
        self.combo.blockSignals(False)

    def _show(self, value: Any) -> None:
        self.refresh()
        text = "" if value is None else str(value)
        if self.combo.currentText() != text:
            self.combo.setEditText(text)


class JsonField(FieldEditor):
    """Any JSON value as text (plain text is a string); text that does not parse shows why and changes nothing."""

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText('JSON, e.g. {"ok": true}, or plain text')
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 4 + 12)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.ERROR.name()};")
        self.error.hide()
        self._layout.addWidget(self.text)
        self.setFocusProxy(self.text)
        self._layout.addWidget(self.error)
        self.text.textChanged.connect(self._typed)

    def _show(self, value: Any) -> None:
        self.error.hide()
        text = format_text(value, empty=None, indent=2)
        if self.text.toPlainText() != text:
            self.text.setPlainText(text)

    def _typed(self) -> None:
        try:
            value = parse_text(self.text.toPlainText(), empty=None)
        except JsonTextError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.error.hide()
        self._emit(value)
