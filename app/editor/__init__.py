"""The editor's model layer: Qt without widgets.

``Document`` holds the open project and its undo stack; ``commands`` are the
only way to change it; ``models`` adapt the registry and a workflow to Qt item
views; ``clipboard`` and ``autosave`` move projects in and out as JSON.
Widgets live in ``app.ui`` and build on this package.
"""
