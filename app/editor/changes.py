"""What differs between two versions of a project, so the Document signals only real changes.

Commands replace the project with an edited copy; comparing the two (cheap:
endpoints not touched are the same objects) tells views exactly what to
refresh: the endpoint list, one endpoint's settings, one workflow's structure,
or just some actions' params and titles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.project import Action, Endpoint, Project, walk_actions

ENDPOINT_SETTINGS = ("method", "path", "description", "inputs")


@dataclass
class ProjectChanges:
    endpoint_list: bool = False
    """Endpoints were added, removed, renamed or reordered."""
    renamed: list[tuple[str, str]] = field(default_factory=list)
    endpoint_settings: list[str] = field(default_factory=list)
    """Endpoints (by their new name) whose method, path, description or inputs changed."""
    workflows: list[str] = field(default_factory=list)
    """Endpoints whose workflow changed shape: actions added, removed or moved."""
    actions: list[tuple[str, str]] = field(default_factory=list)
    """``(endpoint, action id)`` whose title or params changed in a workflow of unchanged shape."""
    other: bool = False
    """Project name, description or pages."""

    @property
    def any(self) -> bool:
        return bool(self.endpoint_list or self.renamed or self.endpoint_settings or self.workflows or self.actions or self.other)


def diff_projects(old: Project, new: Project) -> ProjectChanges:
    changes = ProjectChanges()
    if old is new:
        return changes
    changes.other = (old.name, old.description, old.pages) != (new.name, new.description, new.pages)
    old_names = [e.name for e in old.endpoints]
    new_names = [e.name for e in new.endpoints]
    changes.endpoint_list = old_names != new_names
    changes.renamed = _renames(old.endpoints, new.endpoints)
    new_name_of = dict(changes.renamed)
    by_name = {e.name: e for e in new.endpoints}
    for before in old.endpoints:
        name = new_name_of.get(before.name, before.name)
        after = by_name.get(name)
        if after is None or after is before:
            continue
        if any(getattr(before, key) != getattr(after, key) for key in ENDPOINT_SETTINGS):
            changes.endpoint_settings.append(name)
        if before.workflow != after.workflow:
            if not same_shape(before.workflow, after.workflow):
                changes.workflows.append(name)
            else:
                changes.actions.extend((name, action_id) for action_id in _edited_actions(before.workflow, after.workflow))
    return changes


def _renames(old: list[Endpoint], new: list[Endpoint]) -> list[tuple[str, str]]:
    """Same position, different name, otherwise identical: a rename (also when undone)."""
    if len(old) != len(new):
        return []
    new_names = {e.name for e in new}
    return [
        (before.name, after.name)
        for before, after in zip(old, new)
        if before.name != after.name
        and before.name not in new_names
        and before.model_copy(update={"name": after.name}) == after
    ]


def same_shape(before: list[Action], after: list[Action]) -> bool:
    """The same tree of ids, types and slots (params and titles aside).

    Edits share unchanged actions with the previous version, so the same
    object is the same subtree and is not walked.
    """
    if before is after:
        return True
    if len(before) != len(after):
        return False
    for old, new in zip(before, after):
        if old is new:
            continue
        if old.id != new.id or old.type != new.type or old.slots.keys() != new.slots.keys():
            return False
        if not all(same_shape(children, new.slots[slot]) for slot, children in old.slots.items()):
            return False
    return True


def _edited_actions(before: list[Action], after: list[Action]) -> list[str]:
    return [
        new.id
        for (_, old), (_, new) in zip(walk_actions(before), walk_actions(after))
        if old is not new and (old.title, old.params) != (new.title, new.params)
    ]
