"""One param in the inspector: its title, its editor, an "fx" literal/formula toggle, its help text.

Everything comes from the ``ParamSpec``; the row never knows which action it
belongs to. Switching to a formula keeps the meaning (the literal becomes the
JSONata constant ``"report.csv"``); switching back keeps a constant formula's
value.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.params import ParamSpec
from app.ui.elided_text import ElidedLabel
from app.ui.formula_editor import FormulaEditor, ScopeProvider
from app.ui.inspector.fields import ChoiceField, FieldEditor, JsonField, NameChoiceField, NamesProvider, NumberField, SwitchField, TextAreaField, TextField
from app.ui.inspector.key_value import KeyValueField, fx_button
from app.ui.inspector.values import accepts_formula, editor_kind, formula, literal_as_source, same_value, source_as_literal, source_of

TEXT_KINDS = ("text", "multiline", "sql")


def literal_editor(spec: ParamSpec, kind: str, parent: QWidget | None = None, names: NamesProvider | None = None) -> FieldEditor:
    """The literal editor for an editor hint (``keyvalue``/``eventdata`` live in ``key_value``)."""
    if kind in ("endpoint", "pagevariable"):
        return NameChoiceField(spec, kind, names or (lambda _kind: []), parent)
    if kind == "text":
        return TextField(spec, parent)
    if kind in ("multiline", "sql"):
        return TextAreaField(spec, parent, monospace=kind == "sql")
    if kind == "number":
        return NumberField(spec, parent)
    if kind == "switch":
        return SwitchField(spec, parent)
    if kind == "choice":
        return ChoiceField(spec, parent)
    if kind in ("keyvalue", "eventdata"):
        return KeyValueField(spec, parent)
    return JsonField(spec, parent)


class ParamRow(QWidget):
    """Emits ``edited(alias, value)`` with the value to store; ``set_value`` never emits."""

    edited = Signal(str, object)

    def __init__(self, spec: ParamSpec, scope_provider: ScopeProvider, parent: QWidget | None = None, names: NamesProvider | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramRow")
        self.spec = spec
        self.kind = editor_kind(spec)
        self._current: Any = None
        self._shown = False
        self.literal: FieldEditor = literal_editor(spec, self.kind, self, names)
        self.literal.set_scope_provider(scope_provider)
        self.formula: FormulaEditor | None = None
        self.fx = None
        self.title = QLabel(spec.title, self)
        self.title.setObjectName("paramTitle")
        self.title.setVisible(not self.literal.owns_label)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        self.warning = QLabel(self)
        """A note about the formula (a field no message carries): a sign beside the title, the note as its tooltip.

        It takes its place in the header whether shown or not, so a warning never moves the fields below."""
        self.warning.setObjectName("paramWarning")
        self.warning.setFixedSize(18, 18)
        self.warning.setAlignment(Qt.AlignmentFlag.AlignCenter)
        header.addWidget(self.warning)
        if accepts_formula(spec):
            self.formula = FormulaEditor(self)
            self.formula.set_scope_provider(scope_provider)
            self.formula.hide()
            self.fx = fx_button(self)
            self.fx.setToolTip(f"Compute {spec.title} with a formula")
            header.addWidget(self.fx)
            self.fx.clicked.connect(self._toggle)
            self.formula.sourceEdited.connect(lambda source: self._emit(formula(source)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.literal)
        if self.formula is not None:
            layout.addWidget(self.formula)
        self.hint = ElidedLabel("", self)
        """The value in the last run: one line under a formula, there (empty) before any run, so a run never moves fields."""
        self.hint.setObjectName("paramHint")
        self.hint.setProperty("empty", True)
        self.hint.hide()
        layout.addWidget(self.hint)
        if spec.description:
            help_text = QLabel(spec.description, self)
            help_text.setObjectName("paramHelp")
            help_text.setWordWrap(True)
            layout.addWidget(help_text)
        self.literal.edited.connect(self._emit)

    @property
    def alias(self) -> str:
        return self.spec.alias

    @property
    def value(self) -> Any:
        return self._current

    def set_hint(self, text: str | None) -> None:
        """The value this param had in the last (or current) run, shown under a formula."""
        self.hint.setText(text or "")
        self.hint.setProperty("empty", not text)
        self.hint.style().unpolish(self.hint)
        self.hint.style().polish(self.hint)
        self.hint.setVisible(self.is_formula())

    def set_warning(self, text: str | None) -> None:
        """A note about the formula (a field no message carries), shown until the formula changes."""
        self.warning.setText("⚠" if text else "")
        self.warning.setToolTip(text or "")
        self.warning.setAccessibleDescription(text or "")

    def warning_text(self) -> str:
        return self.warning.toolTip()

    def is_formula(self) -> bool:
        return self.fx is not None and self.fx.isChecked()

    def set_value(self, value: Any) -> None:
        """Show a stored value (literal or formula); a no-op when it is what the row already shows."""
        if self._shown and same_value(value, self._current):
            return
        self._current, self._shown = value, True
        source = source_of(value)
        if source is not None and self.formula is not None:
            self.formula.set_source(source)
            self._set_mode(True)
        else:
            self.literal.set_value(value)
            self._set_mode(False)

    def _set_mode(self, as_formula: bool) -> None:
        if self.fx is None or self.formula is None:
            return
        self.fx.setChecked(as_formula)
        self.formula.setVisible(as_formula)
        self.hint.setVisible(as_formula)
        self.literal.setVisible(not as_formula)
        self.title.setVisible(as_formula or not self.literal.owns_label)

    def _toggle(self, as_formula: bool) -> None:
        assert self.formula is not None
        if as_formula:
            source = literal_as_source(self.literal.current)
            self.formula.set_source(source)
            value: Any = formula(source)
        else:
            value = source_as_literal(self.formula.source(), self.spec.default, text_like=self.kind in TEXT_KINDS)
            self.literal.set_value(value)
        self._set_mode(as_formula)
        (self.formula.edit if as_formula else self.literal).setFocus()
        self._emit(value)

    def _emit(self, value: Any) -> None:
        if same_value(value, self._current):
            return
        self._current = value
        self.edited.emit(self.spec.alias, value)
