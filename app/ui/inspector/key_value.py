"""Key/value params (Event Data, headers, query, SQL parameters): rows, or the raw JSON object.

Each row's value is a literal (typed as in ``values.parse_text``) or a formula
(the "fx" toggle). The raw view edits the whole object as JSON and round-trips
with the rows; JSON that does not parse, or is not an object, shows why and
changes nothing. Rows with a blank key are kept on screen but not stored yet.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QToolButton, QVBoxLayout, QWidget

from app.core.params import ParamSpec
from app.ui import theme
from app.ui.formula_editor import FormulaEditor, ScopeProvider
from app.ui.inspector.fields import FieldEditor
from app.ui.inspector.values import JsonTextError, format_text, formula, literal_as_source, parse_text, source_as_literal, source_of


class InvalidRowsError(ValueError):
    pass


def fx_button(parent: QWidget) -> QToolButton:
    """The literal/formula toggle used by every formula-capable value."""
    button = QToolButton(parent)
    button.setObjectName("fxToggle")
    button.setText("fx")
    button.setCheckable(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setToolTip("Compute this value with a formula")
    button.setAccessibleName("Formula")
    return button


class KeyValueRow(QWidget):
    """One ``key: value`` pair; the value is a literal line or a formula editor."""

    changed = Signal()
    removeRequested = Signal(object)

    def __init__(self, key: str, value: Any, scope_provider: ScopeProvider, *, secret_hint: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key_edit = QLineEdit(key, self)
        self.key_edit.setPlaceholderText("key")
        self.key_edit.setFixedWidth(88)
        self.literal = QLineEdit(self)
        self.literal.setPlaceholderText('value, or {"$env": "NAME"}' if secret_hint else "value")
        self.formula = FormulaEditor(self)
        self.formula.set_scope_provider(scope_provider)
        self.fx = fx_button(self)
        self.remove = QToolButton(self)
        self.remove.setObjectName("removeRow")
        self.remove.setText("×")
        self.remove.setToolTip("Remove this field")
        self.remove.setAccessibleName("Remove field")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.key_edit, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.literal, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.formula, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.fx, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.remove, 0, Qt.AlignmentFlag.AlignTop)
        self._show(value)
        self.key_edit.textEdited.connect(self.changed)
        self.literal.textEdited.connect(self._literal_typed)
        self.formula.sourceEdited.connect(self.changed)
        self.fx.clicked.connect(self._toggle)
        self.remove.clicked.connect(lambda: self.removeRequested.emit(self))

    def _show(self, value: Any) -> None:
        source = source_of(value)
        self.fx.setChecked(source is not None)
        if source is not None:
            self.formula.set_source(source)
        else:
            self.literal.setText(format_text(value, empty=""))
        self._sync_mode()

    def _sync_mode(self) -> None:
        as_formula = self.fx.isChecked()
        self.literal.setVisible(not as_formula)
        self.formula.setVisible(as_formula)

    def key(self) -> str:
        return self.key_edit.text().strip()

    def value(self) -> Any:
        """The stored value; raises ``JsonTextError`` for a literal that starts like JSON but does not parse."""
        if self.fx.isChecked():
            return formula(self.formula.source())
        return parse_text(self.literal.text(), empty="")

    def _literal_typed(self) -> None:
        try:
            parse_text(self.literal.text(), empty="")
            self.literal.setProperty("invalid", False)
        except JsonTextError as error:
            self.literal.setProperty("invalid", True)
            self.literal.setToolTip(str(error))
        self.literal.style().polish(self.literal)
        self.changed.emit()

    def _toggle(self, as_formula: bool) -> None:
        if as_formula:
            try:
                literal = parse_text(self.literal.text(), empty="")
            except JsonTextError:
                literal = self.literal.text()
            self.formula.set_source(literal_as_source(literal))
        else:
            self.literal.setText(format_text(source_as_literal(self.formula.source(), "", text_like=True), empty=""))
        self._sync_mode()
        (self.formula.edit if as_formula else self.literal).setFocus()
        self.changed.emit()


class KeyValueField(FieldEditor):
    """A JSON object edited as rows or as raw JSON (the "{ }" toggle)."""

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self._scope_provider: ScopeProvider = lambda: None
        self.rows: list[KeyValueRow] = []
        self.rows_box = QWidget(self)
        self.rows_layout = QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(4)
        self.raw = QPlainTextEdit(self)
        self.raw.setObjectName("rawJson")
        self.raw.setTabChangesFocus(True)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setFixedHeight(self.raw.fontMetrics().lineSpacing() * 8 + 12)
        self.raw.hide()
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.ERROR.name()};")
        self.error.hide()
        self.add_button = QPushButton("+ Add field", self)
        self.add_button.setObjectName("addRow")
        self.add_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.raw_toggle = QToolButton(self)
        self.raw_toggle.setObjectName("rawToggle")
        self.raw_toggle.setText("{ } JSON")
        self.raw_toggle.setCheckable(True)
        self.raw_toggle.setToolTip("Edit the whole object as JSON")
        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 0, 0)
        footer.addWidget(self.add_button)
        footer.addStretch(1)
        footer.addWidget(self.raw_toggle)
        self._layout.setSpacing(4)
        self._layout.addWidget(self.rows_box)
        self._layout.addWidget(self.raw)
        self._layout.addWidget(self.error)
        self._layout.addLayout(footer)
        self.add_button.clicked.connect(self.add_row)
        self.raw_toggle.toggled.connect(self.set_raw_mode)
        self.raw.textChanged.connect(self._raw_typed)

    def set_scope_provider(self, provider: ScopeProvider) -> None:
        self._scope_provider = provider
        for row in self.rows:
            row.formula.set_scope_provider(provider)

    # -- showing -----------------------------------------------------------
    def _show(self, value: Any) -> None:
        self.error.hide()
        if self.raw_toggle.isChecked():
            self._set_raw_text(value)
        else:
            self._rebuild_rows(value)

    def _rebuild_rows(self, value: Any) -> None:
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        for key, item in value.items() if isinstance(value, dict) else ():
            self._append_row(key, item)

    def _append_row(self, key: str, value: Any) -> KeyValueRow:
        row = KeyValueRow(key, value, self._scope_provider, secret_hint=self.spec.secret_ok, parent=self.rows_box)
        row.changed.connect(self._rows_changed)
        row.removeRequested.connect(self._remove_row)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        return row

    def _set_raw_text(self, value: Any) -> None:
        text = json.dumps(value, indent=2, ensure_ascii=False)
        if self.raw.toPlainText() != text:
            self._showing = True
            try:
                self.raw.setPlainText(text)
            finally:
                self._showing = False

    # -- rows --------------------------------------------------------------
    def add_row(self) -> KeyValueRow:
        row = self._append_row("", "")
        row.key_edit.setFocus()
        return row

    def _remove_row(self, row: KeyValueRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._rows_changed()

    def rows_value(self) -> dict[str, Any]:
        """The object the rows describe; raises ``InvalidRowsError`` or ``JsonTextError``."""
        result: dict[str, Any] = {}
        for row in self.rows:
            key = row.key()
            if not key:
                continue
            if key in result:
                raise InvalidRowsError(f'"{key}" is used twice; keys must be unique')
            result[key] = row.value()
        return result

    def _rows_changed(self) -> None:
        try:
            value = self.rows_value()
        except (InvalidRowsError, JsonTextError) as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.error.hide()
        self._emit(value)

    # -- raw JSON ------------------------------------------------------------
    def set_raw_mode(self, raw: bool) -> None:
        if self.raw_toggle.isChecked() != raw:
            self.raw_toggle.setChecked(raw)  # comes back here through toggled
            return
        self.error.hide()
        if raw:
            self._set_raw_text(self._current)
        else:
            self._rebuild_rows(self._current)
        self.raw.setVisible(raw)
        self.rows_box.setVisible(not raw)
        self.add_button.setVisible(not raw)

    def _raw_typed(self) -> None:
        if self._showing:
            return
        try:
            value = json.loads(self.raw.toPlainText())
        except json.JSONDecodeError as error:
            self.error.setText(f"line {error.lineno}, column {error.colno}: {error.msg}")
            self.error.show()
            return
        if not isinstance(value, dict):
            self.error.setText(f"{self.spec.title} must be a JSON object {{...}}")
            self.error.show()
            return
        self.error.hide()
        self._emit(value)
