"""A problem found in a project: where (JSON path, action, field, position) and what."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    action_id: str | None = None
    field: str | None = None
    position: int | None = None
    severity: Severity = "error"
    code: str = "invalid"
    widget_id: str | None = None
    """The widget a page problem is about (``action_id`` is for actions)."""

    def __str__(self) -> str:
        where = []
        if self.widget_id:
            where.append(f"widget {self.widget_id}")
        if self.action_id:
            where.append(f"action {self.action_id}")
        if self.field:
            where.append(f"field {self.field}")
        if self.position is not None:
            where.append(f"position {self.position}")
        suffix = f" ({', '.join(where)})" if where else ""
        return f"{self.severity}: {self.path}: {self.message}{suffix}"

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


class ProjectInvalidError(ValueError):
    """Raised instead of returning a half-loaded project; carries every problem found."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(head + f"{len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))
