"""The Run panel's form: one editor per declared endpoint input, with its problem shown right under it.

The editor follows the input's type (line edit, spin box, check box, JSON
text), starts at the declared default and carries the description as its
tooltip. :meth:`InputsForm.values` checks the form the way the runner would
(required, JSON, type) so a bad input is caught before anything is sent.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.inputs import check_type
from app.core.json_input import JsonInputError, read_json
from app.core.project import EndpointInput

__all__ = ["InputField", "InputsForm", "field_for"]

INT_LIMIT = 2**31 - 1
NUMBER_LIMIT = 1e15
_MISSING = object()


class InputField(QWidget):
    """One input's editor and the line under it for what is wrong with it."""

    edited = Signal()

    def __init__(self, spec: EndpointInput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.editor = self._make_editor()
        self.editor.setObjectName(f"input-{spec.name}")
        self.editor.setAccessibleName(spec.name)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("inputError")
        # One line that never widens the form (a long server message is clipped; the tooltip has it whole).
        self.error_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.error_label.setStyleSheet("color: #d0343a;")
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if isinstance(self.editor, (QSpinBox, QDoubleSpinBox)):
            self.editor.setMinimumWidth(120)
            self.editor.setMaximumWidth(200)
            layout.addWidget(self.editor, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            layout.addWidget(self.editor)
        layout.addWidget(self.error_label)
        layout.addStretch(1)  # any extra height goes below, never between the editor and its problem
        tip = spec.description or ""
        self.editor.setToolTip(f"{tip}\n({_type_note(spec)})".strip())
        if spec.default is not None:
            self._show(spec.default)

    @abstractmethod
    def _make_editor(self) -> QWidget: ...

    @abstractmethod
    def _show(self, value: Any) -> None:
        """Put ``value`` (the default, or a value kept across a rebuild) in the editor."""

    @abstractmethod
    def _read(self) -> Any:
        """The typed value, ``_MISSING`` when the editor is empty; ``ValueError`` when it cannot be read."""

    def value(self) -> Any:
        """The value to send, or ``_MISSING`` to leave the input out; ``ValueError`` says what is wrong."""
        value = self._read()
        if value is _MISSING:
            if self.spec.required:
                raise ValueError("is required")
            return _MISSING
        return check_type(self.spec, value)

    def kept_value(self) -> Any:
        """What the editor holds, to put back when the form is rebuilt (``_MISSING`` if unreadable)."""
        try:
            return self._read()
        except ValueError:
            return _MISSING

    def restore(self, value: Any) -> None:
        if value is not _MISSING:
            self._show(value)

    def set_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setToolTip(message or "")
        self.error_label.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        self.editor.setStyleSheet("border: 1px solid #d0343a; border-radius: 3px;" if message else "")

    def error(self) -> str | None:
        return self.error_label.text() or None

    def _changed(self) -> None:
        if self.error_label.isVisible():
            self.set_error(None)
        self.edited.emit()


class _TextField(InputField):
    def _make_editor(self) -> QWidget:
        editor = QLineEdit(self)
        editor.setClearButtonEnabled(True)
        if self.spec.required:
            editor.setPlaceholderText("Required")
        editor.textEdited.connect(self._changed)
        self._line = editor
        return editor

    def _show(self, value: Any) -> None:
        self._line.setText(value if isinstance(value, str) else json.dumps(value))

    def _read(self) -> Any:
        text = self._line.text()
        return _MISSING if text == "" and self.spec.required else text


class _IntegerField(InputField):
    def _make_editor(self) -> QWidget:
        editor = QSpinBox(self)
        editor.setRange(-INT_LIMIT, INT_LIMIT)
        editor.setGroupSeparatorShown(False)
        editor.valueChanged.connect(self._changed)
        self._spin = editor
        return editor

    def _show(self, value: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self._spin.setValue(int(value))

    def _read(self) -> Any:
        return self._spin.value()


class _NumberField(InputField):
    def _make_editor(self) -> QWidget:
        editor = QDoubleSpinBox(self)
        editor.setRange(-NUMBER_LIMIT, NUMBER_LIMIT)
        editor.setDecimals(4)
        editor.valueChanged.connect(self._changed)
        self._spin = editor
        return editor

    def _show(self, value: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self._spin.setValue(float(value))

    def _read(self) -> Any:
        value = self._spin.value()
        return int(value) if value.is_integer() else value


class _BooleanField(InputField):
    def _make_editor(self) -> QWidget:
        editor = QCheckBox(self)
        editor.toggled.connect(self._changed)
        self._box = editor
        return editor

    def _show(self, value: Any) -> None:
        self._box.setChecked(bool(value))

    def _read(self) -> Any:
        return self._box.isChecked()


class _JsonField(InputField):
    def _make_editor(self) -> QWidget:
        from PySide6.QtGui import QFontDatabase  # with the first JSON input shown, not at start-up

        editor = QPlainTextEdit(self)
        editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        editor.setTabChangesFocus(True)
        editor.setPlaceholderText("[]" if self.spec.type == "array" else "{}")
        lines = QFontMetrics(editor.font()).lineSpacing()
        editor.setFixedHeight(lines * 3 + 12)
        editor.textChanged.connect(self._changed)
        self._text = editor
        return editor

    def _show(self, value: Any) -> None:
        self._text.setPlainText(json.dumps(value, ensure_ascii=False))

    def _read(self) -> Any:
        text = self._text.toPlainText().strip()
        if not text:
            return _MISSING
        try:
            return read_json(text)
        except JsonInputError as error:
            raise ValueError(f"is not valid JSON: {error.message} ({error.where})") from None


_FIELDS: dict[str, type[InputField]] = {
    "string": _TextField,
    "integer": _IntegerField,
    "number": _NumberField,
    "boolean": _BooleanField,
    "object": _JsonField,
    "array": _JsonField,
}


def field_for(spec: EndpointInput, parent: QWidget | None = None) -> InputField:
    return _FIELDS.get(spec.type, _TextField)(spec, parent)


def _type_note(spec: EndpointInput) -> str:
    return spec.type + (", required" if spec.required else "")


class InputsForm(QWidget):
    """The form for one endpoint's inputs; ``set_inputs`` rebuilds it, keeping what was typed into same-named inputs."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, InputField] = {}
        self._specs: list[EndpointInput] = []
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._layout.setVerticalSpacing(6)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_inputs(self, specs: list[EndpointInput], *, keep_values: bool = False) -> None:
        if specs == self._specs and self.fields:
            return
        kept = {(f.spec.name, f.spec.type): f.kept_value() for f in self.fields.values()} if keep_values else {}
        while self._layout.rowCount():
            self._layout.removeRow(0)  # deletes the row's widgets
        self.fields = {}
        self._specs = list(specs)
        for spec in specs:
            field = field_for(spec, self)
            field.restore(kept.get((spec.name, spec.type), _MISSING))
            field.edited.connect(self.edited)
            label = QLabel(spec.name + (" *" if spec.required else ""), self)
            label.setToolTip(field.editor.toolTip())
            label.setBuddy(field.editor)
            self.fields[spec.name] = field
            self._layout.addRow(label, field)
        if not specs:
            empty = QLabel("This endpoint takes no inputs.", self)
            empty.setStyleSheet("color: #6b7280;")
            self._layout.addRow(empty)

    def values(self) -> dict[str, Any]:
        """Every input to send; on a problem, each field shows its own and ``InputsError`` says which."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, field in self.fields.items():
            try:
                value = field.value()
            except ValueError as error:
                errors[name] = str(error)
                continue
            if value is not _MISSING:
                values[name] = value
        self.show_errors(errors)
        if errors:
            raise InputsError(errors)
        return values

    def show_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Show each problem next to its input; the ones about no input of the form are returned."""
        for name, field in self.fields.items():
            field.set_error(errors.get(name))
        return {name: message for name, message in errors.items() if name not in self.fields}

    def errors(self) -> dict[str, str]:
        return {name: message for name, field in self.fields.items() if (message := field.error())}


class InputsError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name} {message}" for name, message in errors.items()))
