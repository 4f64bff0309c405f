"""The inspector: the selected action's settings, derived from its type's params declaration."""

from app.ui.inspector.inspector import Inspector

__all__ = ["Inspector"]
