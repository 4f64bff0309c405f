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
- a module of the Qt layers (or qasync) uses it and selects no feature
  (PySide records ``0``);
- asyncio and concurrent.futures, imported once the window is shown, do not
  use it.

So the launcher writes those answers into PySide's own table first. The table
is PySide's internal ``pyside_feature_dict``; if a later PySide renames or
drops it, this does nothing and imports read the sources again, as before
(``tests/ui/test_startup.py`` notices). A wrong answer could only matter to a
module that selects a ``__feature__``, and none does.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable
from typing import Final

QT_PACKAGES: Final = ("app.ui", "app.editor", "qasync")
"""Every module in these uses PySide and selects no ``__feature__``: the Qt layers, and qasync."""

LATER_PACKAGES: Final = ("asyncio", "concurrent")
"""Imported after PySide, once the window is shown (with qasync); the standard library's, they do not use PySide."""

USES_PYSIDE: Final = 0
"""What PySide records for a module that uses it and selects no feature."""
IGNORED: Final = -1
"""What PySide records for a module that does not use it."""


def module_names(package: str) -> list[str]:
    """The dotted names of ``package`` and every module below it, from its folder (nothing is imported)."""
    spec = importlib.util.find_spec(package.split(".")[0])
    if spec is None or not spec.submodule_search_locations:
        return []
    root = os.path.dirname(next(iter(spec.submodule_search_locations)))  # the folder holding the top package
    names = []
    for folder, subfolders, files in os.walk(os.path.join(root, *package.split("."))):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        dotted = os.path.relpath(folder, root).replace(os.sep, ".")
        names += [dotted if file == "__init__.py" else f"{dotted}.{file[:-3]}" for file in files if file.endswith(".py")]
    return names


def record_known_modules(loaded_before_pyside: Iterable[str], packages: tuple[str, ...] = QT_PACKAGES, later: tuple[str, ...] = LATER_PACKAGES) -> int:
    """Import PySide6 and give it the answers for ``loaded_before_pyside``, ``later`` and ``packages``; how many were new (0: no table)."""
    import PySide6.QtCore  # noqa: F401 - sets up PySide's import hook and its table

    feature = sys.modules.get("PySide6.support.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return 0
    ignored = [*loaded_before_pyside, *(name for package in later for name in module_names(package))]
    answers = dict.fromkeys(ignored, IGNORED) | {name: USES_PYSIDE for package in packages for name in module_names(package)}
    new = {name: answer for name, answer in answers.items() if name not in table}
    table.update(new)
    return len(new)
