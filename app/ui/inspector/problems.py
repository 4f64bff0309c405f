"""The action's problems at the top of the inspector: errors first, each naming its field by title."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.core.params import ParamSpec
from app.core.problems import Problem
from app.ui.elided_text import ElidedLabel


def field_title(field: str | None, specs: list[ParamSpec]) -> str:
    """``eventData.total`` as ``Event Data › total``."""
    if not field:
        return ""
    head, _, rest = field.partition(".")
    spec = next((s for s in specs if head in (s.alias, s.name)), None)
    title = spec.title if spec else head
    return f"{title} › {rest}" if rest else title


def problem_text(problem: Problem, specs: list[ParamSpec]) -> str:
    where = field_title(problem.field, specs)
    position = f" (position {problem.position})" if problem.position is not None else ""
    return f"{where}: {problem.message}{position}" if where else f"{problem.message}{position}"


class ProblemList(QWidget):
    """The shown item's problems in a strip of fixed height at the foot of the inspector.

    The strip is always there (empty when all is well), so a problem appearing
    while the user types never moves a field under the mouse. It shows the
    first problem (errors first) cut to one line and how many there are; the
    tooltip lists them all.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemList")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._shown: list[tuple[str, str]] = []
        self.line = ElidedLabel("", self)
        self.line.setObjectName("problemLine")
        self.count = QLabel(self)
        self.count.setObjectName("problemCount")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(6)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.count)
        self.setFixedHeight(self.line.sizeHint().height() + 14)
        self._update()

    def set_problems(self, problems: list[Problem], specs: list[ParamSpec]) -> None:
        ordered = sorted(problems, key=lambda p: p.severity != "error")
        wanted = [(p.severity, problem_text(p, specs)) for p in ordered]
        if wanted == self._shown:
            return
        self._shown = wanted
        self._update()

    def _update(self) -> None:
        severity = self._shown[0][0] if self._shown else "none"
        self.setProperty("severity", "error" if severity == "error" else "warning" if self._shown else "none")
        self.line.setText(self._shown[0][1] if self._shown else "No problems")
        self.count.setText(f"1 of {len(self._shown)}" if len(self._shown) > 1 else "")
        self.setToolTip("\n".join(f"{'Error' if sev == 'error' else 'Warning'}: {text}" for sev, text in self._shown))
        if self.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):  # not yet polished: the first polish reads the property (and start-up builds no QStyle)
            self.style().unpolish(self)
            self.style().polish(self)

    def texts(self) -> list[str]:
        return [text for _, text in self._shown]
