"""The layer table holds: every import inside ``app`` points down (or sideways within its own layer).

    ui      Qt widgets                      may use editor, client, engine, core
    editor  Qt without widgets              may use client, engine, core
    client  talks to a runner over HTTP     may use core
    runner  serves endpoints over HTTP      may use engine, core
    engine  runs workflows (asyncio)        may use core
    core    project model, actions, formulas
    cli     the command line, above all of them (it opens the editor from ui)

and ``core``, ``engine``, ``runner`` and ``client`` never import Qt. Imports
inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "engine": {"engine", "core"},
    "runner": {"runner", "engine", "core"},
    "client": {"client", "core"},
    "editor": {"editor", "client", "engine", "core"},
    "ui": {"ui", "editor", "client", "engine", "core"},
    "cli": {"cli", "ui", "editor", "client", "runner", "engine", "core"},
}
TOP_LEVEL = {"resources"}
"""Modules directly in ``app`` that every layer may use (where bundled resources are)."""
QT_FREE = {"core", "engine", "runner", "client"}


def imports(source: str, package: str) -> list[tuple[str, int]]:
    """Every module name ``source`` (a module of ``package``) imports, with its line (relative imports resolved)."""
    tree = ast.parse(source)
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.append((base, node.lineno))
            found.extend((f"{base}.{alias.name}", node.lineno) for alias in node.names)
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "app" and parts[1] in ALLOWED else None


def violations(layer: str, source: str, package: str, where: str) -> list[str]:
    problems = []
    for module, line in imports(source, package):
        target = layer_of(module)
        if target is not None and target not in TOP_LEVEL and target not in ALLOWED[layer]:
            problems.append(f"{where}:{line} ({layer}) imports {module} ({target})")
        if layer in QT_FREE and module.split(".")[0] in ("PySide6", "qasync", "shiboken6"):
            problems.append(f"{where}:{line} ({layer}) imports {module}: this layer runs without Qt")
    return problems


def test_every_import_follows_the_layer_table() -> None:
    problems = []
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP)
        if len(relative.parts) == 1:
            continue  # app/__init__.py, __main__.py, resources.py
        layer = relative.parts[0]
        assert layer in ALLOWED, f"app/{layer} is not in the layer table: add it to ALLOWED and the README"
        package = ".".join(path.relative_to(APP.parent).with_suffix("").parts[:-1])
        problems += violations(layer, path.read_text(encoding="utf-8"), package, f"app/{relative}")
    assert problems == [], "\n".join(sorted(set(problems)))


def test_the_check_sees_upward_lazy_relative_and_qt_imports() -> None:
    source = "def f():\n    from app.ui.main_window import MainWindow\nfrom ..editor import document\nimport PySide6.QtCore\n"
    found = violations("engine", source, "app.engine", "app/engine/x.py")
    assert sorted(problem.split(" imports ")[1] for problem in found) == [
        "PySide6.QtCore: this layer runs without Qt",
        "app.editor (editor)",
        "app.editor.document (editor)",
        "app.ui.main_window (ui)",
        "app.ui.main_window.MainWindow (ui)",
    ]
    assert violations("ui", source, "app.ui", "app/ui/x.py") == []
