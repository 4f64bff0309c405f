"""The ``streamwright`` command's entry point: ``streamwright [FILE]`` opens the editor without loading the command line.

``app.cli.main`` imports what every command needs (rich, httpx, the health
checks, the API description, ...): about half a second the editor does not
need before its window shows. So the one decision, editor or command, is made
here from the arguments alone, and only then is either side imported.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import Final

COMMANDS: Final = frozenset({"doctor", "export", "import", "lint", "openapi", "record", "run", "schema", "serve", "test", "test-from", "types", "validate"})
"""The subcommands ``app.cli.main.build_parser`` defines (a test keeps the two equal)."""


def opens_editor(arguments: Sequence[str]) -> bool:
    """No arguments, or one that is neither an option nor a command: a file for the editor."""
    return not arguments or (len(arguments) == 1 and not arguments[0].startswith("-") and arguments[0] not in COMMANDS)


PYDANTIC_PLUGINS_ENV: Final = "PYDANTIC_DISABLE_PLUGINS"


def defer_pydantic_plugins() -> Callable[[], None]:
    """Keep pydantic from looking for plugins while start-up builds its models; returns the undo, run once shown.

    At its first model build pydantic scans every installed distribution's
    entry points for ``pydantic`` plugins (a tenth of the start on a slow
    disk or a busy machine). Streamwright declares none, so until the window
    shows the lookup is switched off with pydantic's own variable; afterwards
    it is removed again, so models built later and the runner the editor
    starts see the user's environment as it was. A value the user set stays.
    """
    if PYDANTIC_PLUGINS_ENV in os.environ:
        return lambda: None
    os.environ[PYDANTIC_PLUGINS_ENV] = "__all__"

    def resume() -> None:
        os.environ.pop(PYDANTIC_PLUGINS_ENV, None)

    return resume


def load_before_qt() -> None:
    """Import the Qt-free modules the editor's window needs before PySide6 is imported.

    Once loaded, PySide6 hooks every later import and reads the imported
    module's source to see whether it uses PySide (its ``__feature__``
    switch): about a millisecond per module, for the ~150 modules below the
    UI (pydantic, the project model, every action and widget declaration, the
    formula library). Imported first, they skip that; nothing here runs Qt.
    """
    import sqlite3  # noqa: F401 - the SQL query action's checks

    from app.client import runner_process  # noqa: F401
    from app.core import lint, project_file, validate  # noqa: F401
    from app.core.registry import default_registry
    from app.core.widgets.registry import default_widget_registry

    default_registry()
    default_widget_registry()


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if opens_editor(arguments):
        gc.disable()  # until the window shows: see app.ui.app.collect_garbage_again
        resume_plugins = defer_pydantic_plugins()
        load_before_qt()
        loaded = list(sys.modules)  # none of them uses PySide: see app.ui.pyside_source_check
        from app.ui.pyside_source_check import record_known_modules

        record_known_modules(loaded)
        from app.ui.app import main as editor

        return editor(arguments[0] if arguments else None, when_shown=resume_plugins)
    from app.cli.main import main as command_line

    return command_line(arguments)
