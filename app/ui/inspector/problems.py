"""The action's problems at the top of the inspector: errors first, each naming its field by title."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.core.params import ParamSpec
from app.core.problems import Problem


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
    """One line per problem, coloured by severity; hidden when there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemList")
        self.labels: list[QLabel] = []
        self._shown: list[tuple[str, str]] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.hide()

    def set_problems(self, problems: list[Problem], specs: list[ParamSpec]) -> None:
        ordered = sorted(problems, key=lambda p: p.severity != "error")
        wanted = [(p.severity, problem_text(p, specs)) for p in ordered]
        if wanted == self._shown:
            return
        self._shown = wanted
        for label in self.labels:
            label.setParent(None)
            label.deleteLater()
        self.labels = []
        for severity, text in wanted:
            label = QLabel(text, self)
            label.setObjectName("problemError" if severity == "error" else "problemWarning")
            label.setWordWrap(True)
            self._layout.addWidget(label)
            self.labels.append(label)
        self.setVisible(bool(wanted))

    def texts(self) -> list[str]:
        return [text for _, text in self._shown]
