"""Edits of a page's widget tree that never change the tree they are given.

Widgets are addressed by id (unique in their page) and placed by their
parent's id (``None`` for the page itself) and an index. Every function
returns a new list sharing the untouched widgets, so undo keeps the old tree
as it was and views comparing by identity see only what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from app.core.project import Widget


class WidgetPathError(ValueError):
    """A widget id, parent or index that is not in the page."""


def walk(widgets: list[Widget], parent: str | None = None) -> Iterator[tuple[Widget, str | None, int]]:
    """Every widget with its parent's id and its index there, depth first in page order."""
    for index, widget in enumerate(widgets):
        yield widget, parent, index
        yield from walk(widget.children, widget.id)


def find(widgets: list[Widget], widget_id: str) -> tuple[Widget, str | None, int]:
    for found in walk(widgets):
        if found[0].id == widget_id:
            return found
    raise WidgetPathError(f"no widget {widget_id!r} in this page")


def ids_in(widgets: list[Widget]) -> set[str]:
    return {widget.id for widget, _, _ in walk(widgets)}


def is_inside(widgets: list[Widget], widget_id: str, ancestor_id: str) -> bool:
    """True when ``widget_id`` is ``ancestor_id`` or somewhere among its children."""
    ancestor, _, _ = find(widgets, ancestor_id)
    return widget_id == ancestor_id or widget_id in ids_in(ancestor.children)


def children_of(widgets: list[Widget], parent: str | None) -> list[Widget]:
    return widgets if parent is None else find(widgets, parent)[0].children


def replace(widgets: list[Widget], widget_id: str, change: Callable[[Widget], Widget]) -> list[Widget]:
    """The tree with one widget replaced by ``change(widget)``."""
    return _edit_list(widgets, _parent_chain(widgets, widget_id), lambda siblings: _replace_in(siblings, widget_id, change))


def insert(widgets: list[Widget], parent: str | None, index: int, new: list[Widget]) -> list[Widget]:
    siblings = children_of(widgets, parent)
    if not 0 <= index <= len(siblings):
        raise WidgetPathError(f"cannot insert at position {index}: there are {len(siblings)} widget(s) there")

    def put(items: list[Widget]) -> list[Widget]:
        return [*items[:index], *new, *items[index:]]

    if parent is None:
        return put(widgets)
    return replace(widgets, parent, lambda container: container.model_copy(update={"children": put(container.children)}))


def remove(widgets: list[Widget], widget_id: str) -> tuple[list[Widget], Widget, str | None, int]:
    """The tree without the widget (and its children), the widget, and where it was."""
    widget, parent, index = find(widgets, widget_id)

    def drop(items: list[Widget]) -> list[Widget]:
        return [*items[:index], *items[index + 1 :]]

    if parent is None:
        return drop(widgets), widget, parent, index
    return replace(widgets, parent, lambda container: container.model_copy(update={"children": drop(container.children)})), widget, parent, index


def _parent_chain(widgets: list[Widget], widget_id: str) -> list[str]:
    chain: list[str] = []
    parent = find(widgets, widget_id)[1]
    while parent is not None:
        chain.append(parent)
        parent = find(widgets, parent)[1]
    return list(reversed(chain))


def _edit_list(widgets: list[Widget], chain: list[str], edit: Callable[[list[Widget]], list[Widget]]) -> list[Widget]:
    """Apply ``edit`` to the children list at the end of ``chain`` (ancestors' ids, outermost first)."""
    if not chain:
        return edit(widgets)
    head, rest = chain[0], chain[1:]
    return [widget.model_copy(update={"children": _edit_list(widget.children, rest, edit)}) if widget.id == head else widget for widget in widgets]


def _replace_in(siblings: list[Widget], widget_id: str, change: Callable[[Widget], Widget]) -> list[Widget]:
    return [change(widget) if widget.id == widget_id else widget for widget in siblings]
