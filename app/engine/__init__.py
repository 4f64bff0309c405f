"""The workflow engine: runs an endpoint's or a page's workflow and yields its events, with no Qt and no HTTP.

Below both of its users: the runner serves endpoint workflows over HTTP with
it, and the page preview runs interface workflows with it in the editor.
"""

from app.engine.engine import Engine

__all__ = ["Engine"]
