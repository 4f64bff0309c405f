"""Live bindings of a page: every widget prop compiled once, re-evaluated only when what it reads changed.

A page's widgets read the stream through formulas (``stream.chunk.done``,
``$join(stream.chunks.text)``). The stream task only writes a ``StreamState``;
a frame timer (``app.ui.preview_driver``) asks a :class:`BindingSource` what
changed since the last frame and calls :meth:`LiveBindings.evaluate` with that
set, which re-evaluates only the bindings whose inputs (``binding_inputs``)
meet it and returns only the values that differ from the last ones pushed.

Cost must not grow with data a binding does not read, nor with what it read
before. So: plain paths (``stream.chunks``, ``stream.chunk.done``) are looked
up here by reference, never copied (the formula adapter would copy a list to
give a fresh JSON value); and ``$join(<list path>.<field>)`` (the live output's
usual formula, O(n) per frame in the library: ~19 ms at 50,000 chunks) keeps
the text it joined and appends only the items added since, falling back to the
library whenever an item is not a plain string field, so results and errors
stay exactly the library's. Values handed out are shared: never mutate them.

A failing formula gives a :class:`BindingError` (kept until the binding
evaluates cleanly again) and its prop falls back to the declared default; an
undefined result (a field not sent yet) is the default too, without an error.
A widget's placeholder props (``WidgetType.placeholder_props``) get
:data:`PENDING` instead in both cases, and the widget shows its
``placeholder`` prop rather than design text such as "Text" or "Step 0 of 100".
Nothing here imports Qt widgets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Final, Protocol

from pydantic import BaseModel

from app.client.stream_state import StreamState
from app.core.formula import UNDEFINED, FormulaError, compile_formula
from app.core.formula.fast_paths import Evaluator, fast_evaluator
from app.core.interface import DEFAULT_CALL_NAME
from app.core.page_bindings import ANY_ROOT, Input, binding_inputs
from app.core.project import IDENTIFIER, Page, Widget, walk_widgets
from app.core.values import formula_source, is_formula
from app.core.widgets.registry import WidgetRegistry, default_widget_registry

__all__ = [
    "ALL",
    "BINDING_TIMEOUT_MS",
    "TEXT_INPUT_VALUE",
    "BindingError",
    "BindingSource",
    "BindingUpdate",
    "LiveBindings",
    "StaticSource",
    "static_scope",
]

ALL: Final[frozenset[Input]] = frozenset({(ANY_ROOT, None)})
"""A change set meaning "everything": the first frame, or after a reset (equal to ``PageSession``'s ``ALL``)."""

BINDING_TIMEOUT_MS: Final = 100
"""A runaway binding may stall a frame this long, not the adapter's default second."""

TEXT_INPUT_VALUE: Final = "value"
"""A Text input's derived prop: the current value of the page variable it edits (``variables.<variable>``)."""

_NOTHING: Final = object()
"""No value pushed yet."""


# -- what the frame timer reads -----------------------------------------------------------
class BindingSource(Protocol):
    """What a page's bindings read, and what moved: ``PageSession`` is one, :class:`StaticSource` another.

    ``changes()`` returns the ``(root, first key)`` pairs that changed since the
    previous call, e.g. ``{("stream", "chunk"), ("stream", "count")}``;
    ``(root, None)`` means anything under ``root``, :data:`ALL` everything. It is
    called once per frame and must be cheap (compare versions, do not diff data).
    ``scope()`` gives ``{"variables": ..., "page": ..., "<call name>": StreamState.to_json()}``
    without copying the chunks. ``running`` is True while anything could still
    change (a workflow or a call is under way): the frame timer stops once it is
    False and a last frame has been applied. ``errors`` are workflow and call
    failures, shown beside binding errors (anything with a ``str``).
    """

    def scope(self) -> Mapping[str, Any]: ...

    def changes(self) -> AbstractSet[Input]: ...

    @property
    def running(self) -> bool: ...

    @property
    def errors(self) -> Sequence[object]: ...


class StaticSource:
    """A :class:`BindingSource` whose scope never changes: a page before any run (the designer's view)."""

    running: bool = False

    def __init__(self, scope: Mapping[str, Any], errors: Sequence[object] = ()) -> None:
        self._scope = scope
        self.errors: Sequence[object] = list(errors)
        self._pending = True

    def scope(self) -> Mapping[str, Any]:
        return self._scope

    def changes(self) -> AbstractSet[Input]:
        """:data:`ALL` once (after creation or :meth:`reset`), then nothing."""
        if self._pending:
            self._pending = False
            return ALL
        return frozenset()

    def reset(self, scope: Mapping[str, Any] | None = None) -> None:
        if scope is not None:
            self._scope = scope
        self._pending = True


def static_scope(page: Page, call_names: Iterable[str] = (DEFAULT_CALL_NAME,)) -> dict[str, Any]:
    """What a page's bindings see before anything ran: initial variables and idle calls."""
    scope: dict[str, Any] = {
        "variables": {variable.name: variable.initial for variable in page.variables},
        "page": {"name": page.name, "title": page.title},
    }
    for name in call_names:
        scope[name] = StreamState().to_json()
    return scope


# -- what evaluation gives ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BindingUpdate:
    """A prop (by its JSON name, e.g. ``fileName``) of a widget got a new value."""

    widget_id: str
    prop: str
    value: Any


@dataclass(frozen=True, slots=True)
class BindingError:
    """A binding's formula failed; ``position`` is a 0-based offset into ``source`` when known."""

    widget_id: str
    prop: str
    message: str
    position: int | None
    source: str = ""

    def __str__(self) -> str:
        where = f" at position {self.position}" if self.position is not None else ""
        return f"{self.widget_id}.{self.prop}: {self.message}{where}"


class _Pending:
    """A bound prop with no value yet: the widget shows its placeholder (see ``WidgetType.placeholder_props``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


PENDING: Any = _Pending()
"""The value of a placeholder prop whose formula gives nothing yet (``stream.chunk.done`` before the first message)."""


class _Binding:
    __slots__ = ("index", "widget_id", "prop", "source", "inputs", "evaluate", "constant", "default", "last", "last_len", "evaluations", "pending")

    def __init__(self, index: int, widget_id: str, prop: str, default: Any, pending: Any = None) -> None:
        self.index = index
        self.widget_id = widget_id
        self.prop = prop
        self.source: str | None = None
        self.inputs: frozenset[Input] = frozenset()
        self.evaluate: Evaluator | None = None
        self.constant: Any = default
        self.default = default
        self.last: Any = _NOTHING
        self.last_len = -1
        self.evaluations = 0
        self.pending = default if pending is None else pending
        """What an undefined result shows: ``PENDING`` for a placeholder prop, else the default."""

    def unchanged(self, value: Any) -> bool:
        """Whether ``value`` is what was pushed last. Lists only ever grow in place (``stream.chunks``)."""
        last = self.last
        if last is value:
            if type(value) is list:
                return len(value) == self.last_len
            return type(value) is not dict  # a dict may be a live mapping (``variables``): push it again
        if last is _NOTHING or type(last) is bool or type(value) is bool:
            return last is value
        try:
            return bool(last == value)
        except Exception:  # noqa: BLE001 - an odd value compares as changed
            return False


class LiveBindings:
    """Every prop of every widget of ``page``, compiled once; see the module docstring.

    Props are keyed by their JSON names (``fileName``). A prop the widget does not
    store takes its type's declared default; a Text input also gets
    :data:`TEXT_INPUT_VALUE`. The first :meth:`evaluate` should be given :data:`ALL`.
    """

    def __init__(self, page: Page, widget_registry: WidgetRegistry | None = None) -> None:
        self.page = page
        self._registry = widget_registry or default_widget_registry()
        self._bindings: list[_Binding] = []
        self._by_prop: dict[tuple[str, str], _Binding] = {}
        self._by_key: dict[Input, list[int]] = {}
        self._by_root: dict[str, list[int]] = {}
        self._by_root_any: dict[str, list[int]] = {}
        self._reads_everything: list[int] = []
        self._errors: dict[tuple[str, str], BindingError] = {}
        for _, widget in walk_widgets(page.widgets):
            placeholders = self._registry.get(widget.type).placeholder_props if widget.type in self._registry else ()
            for prop, raw, default in self._props_of(widget):
                self._add(widget.id, prop, raw, default, PENDING if prop in placeholders else None)

    # -- reading ----------------------------------------------------------------------
    def evaluate(self, scope: Mapping[str, Any], changed: AbstractSet[Input]) -> list[BindingUpdate]:
        """Re-evaluate the bindings that read something in ``changed``; the values that differ from the last pushed."""
        if not changed:
            return []
        updates: list[BindingUpdate] = []
        for index in self._affected(changed):
            binding = self._bindings[index]
            value = self._value(binding, scope)
            if binding.unchanged(value):
                continue
            binding.last = value
            binding.last_len = len(value) if type(value) is list else -1
            updates.append(BindingUpdate(binding.widget_id, binding.prop, value))
        return updates

    def errors(self) -> list[BindingError]:
        """Current binding errors, in page order."""
        return sorted(self._errors.values(), key=lambda error: self._by_prop[(error.widget_id, error.prop)].index)

    def value_of(self, widget_id: str, prop: str) -> Any:
        """The value last pushed for a prop (before any evaluation: its literal, else its default); KeyError if unknown."""
        binding = self._by_prop[(widget_id, prop)]
        return binding.constant if binding.last is _NOTHING else binding.last

    def source_of(self, widget_id: str, prop: str) -> str | None:
        """The prop's formula source, None for a literal; KeyError if unknown."""
        return self._by_prop[(widget_id, prop)].source

    def inputs_of(self, widget_id: str, prop: str) -> frozenset[Input]:
        return self._by_prop[(widget_id, prop)].inputs

    def evaluation_count(self, widget_id: str | None = None, prop: str | None = None) -> int:
        """How many times formulas were evaluated: all of them, one widget's, or one prop's."""
        return sum(b.evaluations for b in self._bindings if (widget_id is None or b.widget_id == widget_id) and (prop is None or b.prop == prop))

    def props(self) -> list[tuple[str, str]]:
        """``(widget id, prop)`` of every binding, in page order."""
        return [(b.widget_id, b.prop) for b in self._bindings]

    # -- building ---------------------------------------------------------------------
    def _props_of(self, widget: Widget) -> Iterable[tuple[str, Any, Any]]:
        """``(prop, stored value, default)``: declared props first, then any stored prop the type does not declare."""
        stored = widget.props
        seen: set[str] = set()
        if widget.type in self._registry:
            for spec in self._registry.get(widget.type).specs:
                default = None if isinstance(spec.default, BaseModel) or is_formula(spec.default) else spec.default
                seen.add(spec.alias)
                yield spec.alias, stored.get(spec.alias, spec.default), default
        for prop, raw in stored.items():
            if prop not in seen:
                yield prop, raw, None
        variable = stored.get("variable")
        if widget.type == "text_input" and isinstance(variable, str) and re.fullmatch(IDENTIFIER, variable):
            yield TEXT_INPUT_VALUE, {"$formula": f"variables.{variable}"}, ""

    def _add(self, widget_id: str, prop: str, raw: Any, default: Any, pending: Any = None) -> None:
        binding = _Binding(len(self._bindings), widget_id, prop, default, pending)
        self._bindings.append(binding)
        self._by_prop[(widget_id, prop)] = binding
        if not is_formula(raw):
            binding.constant = raw.model_dump(by_alias=True) if isinstance(raw, BaseModel) else raw
            return
        source = formula_source(raw)
        binding.source = source
        binding.constant = binding.pending  # before the first evaluation a bound prop has no value yet
        try:
            formula = compile_formula(source)
        except FormulaError as error:
            self._errors[(widget_id, prop)] = BindingError(widget_id, prop, error.message, error.position, source)
            return  # a syntax error reads nothing: the prop keeps its default until the page is rebuilt
        binding.evaluate = fast_evaluator(source, formula, BINDING_TIMEOUT_MS)
        binding.inputs = binding_inputs(source)
        for root, key in binding.inputs:
            if root == ANY_ROOT:
                self._reads_everything.append(binding.index)
                continue
            self._by_root.setdefault(root, []).append(binding.index)
            if key is None:
                self._by_root_any.setdefault(root, []).append(binding.index)
            else:
                self._by_key.setdefault((root, key), []).append(binding.index)

    # -- evaluating -------------------------------------------------------------------
    def _affected(self, changed: AbstractSet[Input]) -> Iterable[int]:
        if (ANY_ROOT, None) in changed:
            return range(len(self._bindings))
        found: set[int] = set(self._reads_everything)
        for root, key in changed:
            if root == ANY_ROOT:
                return range(len(self._bindings))
            if key is None:
                found.update(self._by_root.get(root, ()))
            else:
                found.update(self._by_key.get((root, key), ()))
                found.update(self._by_root_any.get(root, ()))
        return sorted(found)

    def _value(self, binding: _Binding, scope: Mapping[str, Any]) -> Any:
        evaluate = binding.evaluate
        if evaluate is None:
            return binding.constant
        binding.evaluations += 1
        try:
            value = evaluate(scope)
        except FormulaError as error:
            self._errors[(binding.widget_id, binding.prop)] = BindingError(binding.widget_id, binding.prop, error.message, error.position, binding.source or "")
            return binding.pending
        except Exception as error:  # noqa: BLE001 - a binding never takes the page down
            self._errors[(binding.widget_id, binding.prop)] = BindingError(binding.widget_id, binding.prop, str(error), None, binding.source or "")
            return binding.pending
        if self._errors:
            self._errors.pop((binding.widget_id, binding.prop), None)
        return binding.pending if value is UNDEFINED else value
