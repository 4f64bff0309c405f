"""Spare PySide6 reading the source of each module imported after it (about 0.3 ms a module, 130 of them at start).

Once loaded, PySide6 hooks every ``import`` statement and, for each module it
has no answer for yet, reads the module's whole source to find out whether it
uses PySide (for its ``__feature__`` switches, ``snake_case`` and
``true_property``, which Streamwright does not use). That covers every module
of ``app.ui`` and ``app.editor`` and every module they import again that was
loaded before PySide (``typing``, pydantic, the project model, ...). The
answers are known without reading anything:

- a module loaded before PySide was imported does not use it (PySide records
  ``-1``, "ignore this module");
- a module of the Qt layers uses it and selects no feature (PySide records
  ``0``).

So the launcher writes those answers into PySide's own table first. The table
is PySide's internal ``pyside_feature_dict``; if a later PySide renames or
drops it, this does nothing and imports read the sources again, as before
(``tests/ui/test_startup.py`` notices). A wrong answer could only matter to a
module that selects a ``__feature__``, and none does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

QT_PACKAGES: Final = ("app.ui", "app.editor")
"""The Qt layers: every module in them uses PySide and selects no ``__feature__``."""

USES_PYSIDE: Final = 0
"""What PySide records for a module that uses it and selects no feature."""
IGNORED: Final = -1
"""What PySide records for a module that does not use it."""


def module_names(package: str) -> list[str]:
    """The dotted names of ``package`` and every module below it, from its folder (nothing is imported)."""
    root = Path(__file__).resolve().parents[2]  # the folder holding the ``app`` package
    names = []
    for path in root.joinpath(*package.split(".")).rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def record_known_modules(loaded_before_pyside: Iterable[str], packages: tuple[str, ...] = QT_PACKAGES) -> int:
    """Import PySide6 and give it the answers for ``loaded_before_pyside`` and ``packages``; how many were new (0: no table)."""
    import PySide6.QtCore  # noqa: F401 - sets up PySide's import hook and its table

    feature = sys.modules.get("PySide6.support.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return 0
    answers = dict.fromkeys(loaded_before_pyside, IGNORED) | {name: USES_PYSIDE for package in packages for name in module_names(package)}
    new = {name: answer for name, answer in answers.items() if name not in table}
    table.update(new)
    return len(new)
