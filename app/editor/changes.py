"""What differs between two versions of a project, so the Document signals only real changes.

Commands replace the project with an edited copy; comparing the two (cheap:
endpoints not touched are the same objects) tells views exactly what to
refresh: the endpoint list, one endpoint's settings, one workflow's structure,
or just some actions' params and titles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.project import Action, Endpoint, Page, Project, Widget, walk_actions
from app.core.workflow_refs import page_workflow_keys, workflow_of

ENDPOINT_SETTINGS = ("method", "path", "description", "inputs")


@dataclass
class ProjectChanges:
    endpoint_list: bool = False
    """Endpoints were added, removed, renamed or reordered."""
    renamed: list[tuple[str, str]] = field(default_factory=list)
    endpoint_settings: list[str] = field(default_factory=list)
    """Endpoints (by their new name) whose method, path, description or inputs changed."""
    workflows: list[str] = field(default_factory=list)
    """Workflow keys (endpoint names, page workflow keys) whose workflow changed shape: actions added, removed or moved."""
    actions: list[tuple[str, str]] = field(default_factory=list)
    """``(workflow key, action id)`` whose title or params changed in a workflow of unchanged shape."""
    page_list: bool = False
    """Pages were added, removed, renamed or reordered."""
    page_renames: list[tuple[str, str]] = field(default_factory=list)
    """(old name, new name) of renamed pages (also when undone)."""
    pages: list[str] = field(default_factory=list)
    """Pages (by name) whose title, variables or widgets changed (not counting their workflows' actions)."""
    recordings: bool = False
    """Recordings or stream tests were added, removed or changed."""
    other: bool = False
    """Project name or description."""

    @property
    def any(self) -> bool:
        return bool(
            self.endpoint_list or self.renamed or self.endpoint_settings or self.workflows or self.actions
            or self.page_list or self.pages or self.recordings or self.other
        )  # fmt: skip


def diff_projects(old: Project, new: Project) -> ProjectChanges:
    changes = ProjectChanges()
    if old is new:
        return changes
    changes.other = (old.name, old.description) != (new.name, new.description)
    changes.recordings = (old.recordings, old.stream_tests) != (new.recordings, new.stream_tests)
    if old.pages is not new.pages and old.pages != new.pages:
        _diff_pages(old, new, changes)
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
        _diff_workflow(name, before.workflow, after.workflow, changes)
    return changes


def _diff_workflow(key: str, before: list[Action], after: list[Action], changes: ProjectChanges) -> None:
    if before is after or before == after:
        return
    if not same_shape(before, after):
        changes.workflows.append(key)
    else:
        changes.actions.extend((key, action_id) for action_id in _edited_actions(before, after))


def _diff_pages(old: Project, new: Project, changes: ProjectChanges) -> None:
    changes.page_list = [p.name for p in old.pages] != [p.name for p in new.pages]
    if changes.page_list and len(old.pages) == len(new.pages):
        names = {p.name for p in new.pages}
        changes.page_renames = [
            (before.name, after.name)
            for before, after in zip(old.pages, new.pages, strict=True)
            if before.name != after.name and before.name not in names and before.model_copy(update={"name": after.name}) == after
        ]
    by_name = {p.name: p for p in new.pages}
    for before in old.pages:
        after = by_name.get(before.name)
        if after is None or after is before:
            continue
        if _without_workflows(before) != _without_workflows(after):
            changes.pages.append(before.name)
        old_keys, new_keys = page_workflow_keys(before), page_workflow_keys(after)
        for key in new_keys:
            was = workflow_of(old, key) if key in old_keys else []
            _diff_workflow(key, was, workflow_of(new, key), changes)
        for key in old_keys:
            if key not in new_keys:
                changes.workflows.append(key)


def _without_workflows(page: Page) -> Page:
    """A page with its widgets' events replaced by their triggers: what the page designer shows."""

    def strip(widgets: list[Widget]) -> list[Widget]:
        return [w.model_copy(update={"children": strip(w.children), "events": {t: [] for t in w.events}}) for w in widgets]

    return page.model_copy(update={"on_load": [], "widgets": strip(page.widgets)})


def _renames(old: list[Endpoint], new: list[Endpoint]) -> list[tuple[str, str]]:
    """Same position, different name, otherwise identical but for the path (which follows the name): a rename (also when undone)."""
    if len(old) != len(new):
        return []
    new_names = {e.name for e in new}
    return [
        (before.name, after.name)
        for before, after in zip(old, new, strict=True)
        if before.name != after.name and before.name not in new_names and before.model_copy(update={"name": after.name, "path": after.path}) == after
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
    for old, new in zip(before, after, strict=True):
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
        for (_, old), (_, new) in zip(walk_actions(before), walk_actions(after), strict=True)
        if old is not new and (old.title, old.params) != (new.title, new.params)
    ]
