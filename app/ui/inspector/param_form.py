"""A form of param rows built from a declaration's specs: the body of the action and widget inspectors.

Params declared with a ``section`` (e.g. Call API endpoint's "Advanced":
Handle stream, Expose call as) are grouped under a fold-out header, closed
unless one of them differs from its default, so the common case stays short
and a changed advanced setting is never hidden.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QToolButton, QVBoxLayout, QWidget

from app.core.params import ParamSpec
from app.ui.formula_editor import ScopeProvider
from app.ui.inspector.fields import NamesProvider
from app.ui.inspector.param_row import ParamRow
from app.ui.inspector.values import same_value, stored_value


class ParamForm(QWidget):
    """Emits ``edited(alias, value)``; ``set_values`` shows stored params without emitting."""

    edited = Signal(str, object)

    def __init__(self, specs: list[ParamSpec], scope: ScopeProvider, names: NamesProvider | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ParamRow] = []
        self.sections: dict[str, tuple[QToolButton, QWidget]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        for spec in specs:
            row = ParamRow(spec, scope, self, names)
            row.edited.connect(self.edited)
            self.rows.append(row)
            if spec.section is None:
                layout.addWidget(row)
                continue
            if spec.section not in self.sections:
                toggle = QToolButton(self)
                toggle.setObjectName("sectionToggle")
                toggle.setCheckable(True)
                toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                toggle.setArrowType(Qt.ArrowType.RightArrow)
                toggle.setText(spec.section)
                body = QWidget(self)
                body_layout = QVBoxLayout(body)
                body_layout.setContentsMargins(0, 0, 0, 0)
                body_layout.setSpacing(14)
                body.hide()
                toggle.toggled.connect(lambda on, t=toggle, b=body: self._fold(t, b, on))
                layout.addWidget(toggle)
                layout.addWidget(body)
                self.sections[spec.section] = (toggle, body)
            self.sections[spec.section][1].layout().addWidget(row)

    def row(self, param: str) -> ParamRow:
        for row in self.rows:
            if param in (row.spec.alias, row.spec.name):
                return row
        raise KeyError(f"no param {param!r}")

    def set_values(self, params: dict[str, Any]) -> None:
        """Show stored params; rows whose ``shown_when`` does not hold are hidden; a changed section opens."""
        values: dict[str, Any] = {}
        for row in self.rows:
            value = stored_value(params, row.spec)
            row.set_value(value)
            values[row.spec.name] = values[row.spec.alias] = value
        for row in self.rows:
            row.setVisible(row.spec.is_shown(values))
        for name, (toggle, _body) in self.sections.items():
            changed = any(row.spec.section == name and not same_value(stored_value(params, row.spec), row.spec.default) for row in self.rows)
            if changed and not toggle.isChecked():
                toggle.setChecked(True)

    def open_section(self, name: str) -> None:
        self.sections[name][0].setChecked(True)

    @staticmethod
    def _fold(toggle: QToolButton, body: QWidget, on: bool) -> None:
        toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        body.setVisible(on)
