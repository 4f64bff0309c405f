"""The workflow engine: runs an endpoint as an async iterator of run events.

Stream semantics (ARCHITECTURE.md): the first Send streaming response starts
the stream, each next one adds a message, the stream ends when the endpoint
finishes; an endpoint that sends none is a normal call with one result.

Control flow is a chain of async generators (block -> container -> block), so
a message reaches the consumer the moment its action returns and the consumer
applies back-pressure. Cancelling the consumer (task cancel or ``aclose``)
stops the run at its next await; no further action runs.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import json
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from app.core.actions.return_response import ReturnSignal
from app.core.events import ActionFinished, ActionStarted, ErrorEvent, ResultEvent, RunEvent
from app.core.formula import UNDEFINED, FormulaError, FormulaOffload, compile_formula, evaluation_bounds
from app.core.formula.reads import binding_inputs, depends_on
from app.core.inputs import coerce_inputs
from app.core.params import ActionParams, value_adapter
from app.core.project import Action, Endpoint, Project
from app.core.registry import ActionType, Registry, default_registry
from app.core.run_context import ActionError, RunContext, RunSettings
from app.core.values import Resolver, compile_template, formula_source, is_constant, is_formula, iter_formulas


@dataclass(slots=True)
class _FieldResolver:
    name: str
    label: str
    resolve: Resolver
    adapter: Any
    computed: bool = False
    """The value comes from a formula (traced runs report it to the editor)."""


YIELD_EVERY = 256
"""Passes of a repeated slot between turns given to the event loop."""
_ONCE: Final = (None,)

PREVIEW_LIMIT = 200
"""Characters of a traced param value kept for the editor's hint."""


def preview(value: Any) -> str:
    """A short JSON text of a value, for a hint beside its formula."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= PREVIEW_LIMIT else text[: PREVIEW_LIMIT - 1] + "…"


@dataclass(slots=True)
class PreparedAction:
    """An action with its formulas compiled and its literal params validated once."""

    action: Action
    type: ActionType
    model: builtins.type[ActionParams]  # the field above shadows the builtin here
    constants: dict[str, Any]
    resolvers: list[_FieldResolver]
    static: ActionParams | None
    slots: dict[str, list[PreparedAction]] = field(default_factory=dict)
    id: str = ""
    """The action's id (read once per message: not through ``action``)."""
    run: Any = None
    """The declaration's ``run``: a ``ContainerRun`` when it has slots, else a ``LeafRun`` (or an ``InstantRun``)."""
    container: bool = False
    awaits: bool = True
    """A leaf whose ``run`` is a coroutine function; a plain one is called without a coroutine (``ActionType``)."""
    make: Callable[[Mapping[str, Any]], ActionParams] | None = None
    """Resolves the params in a scope (``_params_maker``); None when they are all literal (``static``)."""
    reads: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    """``Slots.reads`` answers, worked out on first ask: a container asks once per run."""


def prepare_action(action: Action, registry: Registry) -> PreparedAction:
    action_type = registry.get(action.type)
    parsed = action_type.parse_params(action.params)
    constants: dict[str, Any] = {}
    resolvers: list[_FieldResolver] = []
    for spec in action_type.specs:
        raw = action.params.get(spec.alias, action.params.get(spec.name))
        if raw is None or is_constant(raw):
            value = getattr(parsed, spec.name)
            if isinstance(value, dict):
                # a literal object (Event Data, headers) is copied each time the action runs,
                # so a consumer that keeps one message never sees another's changes
                resolvers.append(_FieldResolver(spec.name, spec.alias, compile_template(value), None))
            else:
                constants[spec.name] = value
        elif spec.accepts_formula and is_formula(raw):
            formula = compile_formula(formula_source(raw))
            adapter = None if spec.value_type is Any else value_adapter(spec.value_type)
            resolvers.append(_FieldResolver(spec.name, spec.alias, formula.resolver(), adapter, computed=True))
        else:
            resolvers.append(_FieldResolver(spec.name, spec.alias, compile_template(raw, allow_env=spec.secret_ok), None, computed=True))
    static = None if resolvers else action_type.params.model_construct(**constants)
    slots = {slot: [prepare_action(child, registry) for child in action.slots.get(slot, [])] for slot in action_type.slots}
    container = bool(action_type.slots)
    # only a plain `def` is called without awaiting (ActionType.run); anything else is awaited as before
    awaits = not container and not (inspect.isfunction(action_type.run) and not inspect.iscoroutinefunction(action_type.run))
    make = None if static is not None else _params_maker(action_type.params, constants, resolvers, reuse=not container and not awaits)
    return PreparedAction(action, action_type, action_type.params, constants, resolvers, static, slots, action.id, action_type.run, container, awaits, make)


def resolve_params(prepared: PreparedAction, scope: Mapping[str, Any]) -> ActionParams:
    """Evaluate the action's formulas in the current scope and type-check their results."""
    if prepared.static is not None:
        return prepared.static
    assert prepared.make is not None
    return prepared.make(scope)


def _params_maker(model: type[ActionParams], constants: dict[str, Any], resolvers: list[_FieldResolver], *, reuse: bool) -> Callable[[Mapping[str, Any]], ActionParams]:
    """What resolves an action's params in a scope, made once per action.

    The usual action on a per-message path is a Send streaming response: an instant
    action (``ActionType.run``) with one computed param and no type to check (its
    Event Data). Its params object is made once and given each call's values
    (``reuse``): an instant action runs to its end before anything else runs and keeps
    no reference to its params, so no one can see the object change. Making a pydantic
    object per message (even without validation, ``_construct``) was a tenth of serve's
    CPU per message (``tests/perf/bench_cpu_per_message.py``).
    """
    fields = {*constants, *(resolver.name for resolver in resolvers)}
    if reuse and len(resolvers) == 1 and resolvers[0].adapter is None:
        only = resolvers[0]
        name, label, resolve = only.name, only.label, only.resolve
        params = _construct(model, dict(constants), fields)

        def make_instant(scope: Mapping[str, Any]) -> ActionParams:
            values = constants.copy()
            try:
                value = resolve(scope)
            except FormulaError as error:
                raise ValueError(f"{label}: {error}") from error
            values[name] = None if value is UNDEFINED else value
            _set_dict(params, values)
            return params

        return make_instant

    def make(scope: Mapping[str, Any]) -> ActionParams:
        values = constants.copy()
        for resolver in resolvers:
            try:
                value = resolver.resolve(scope)
            except FormulaError as error:
                raise ValueError(f"{resolver.label}: {error}") from error
            if resolver.adapter is not None:
                if value is UNDEFINED:
                    raise ValueError(f"{resolver.label}: the formula gave no value (a field it reads is missing)")
                try:
                    value = resolver.adapter.validate_python(value)
                except ValidationError as error:
                    reason = error.errors(include_url=False)[0]["msg"]
                    raise ValueError(f"{resolver.label}: {reason}, got {value!r}") from None
            elif value is UNDEFINED:
                value = None
            values[resolver.name] = value
        return _construct(model, values, fields)

    return make


async def _resolve_offloaded(prepared: PreparedAction, ctx: RunContext, offload: FormulaOffload) -> ActionParams:
    """Resolve params whose formulas need a worker: each is awaited off the event loop, then the params are resolved again.

    A formula's error is kept as its value so the retry raises it with the field's name.
    """
    while True:
        try:
            value: Any = await offload.evaluate()
        except FormulaError as error:
            value = error
        ctx.precomputed[offload.formula] = value
        try:
            with ctx.bounds:
                return resolve_params(prepared, ctx.scope)
        except FormulaOffload as again:
            offload = again
        finally:
            ctx.precomputed.clear()


_new_instance = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _construct(model: type[ActionParams], values: dict[str, Any], fields_set: set[str]) -> ActionParams:
    """``model_construct`` without its bookkeeping: values here are already validated.

    Resolving params is on the per-message path (a Send streaming response in a
    tight loop), where ``model_construct`` alone cost ~3 µs; this costs ~0.3 µs.
    BaseModel's slots (``__dict__`` too) are set through their descriptors, which
    skips the attribute lookup ``object.__setattr__`` does each time (half the cost).
    ``fields_set`` is the prepared action's one set of every field name, shared by
    its params: each holds every field, so setting one can never change it.
    """
    instance = _new_instance(model)
    _set_dict(instance, values)
    _set_fields_set(instance, fields_set)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


class _Slots:
    __slots__ = ("_engine", "_prepared", "_ctx")

    def __init__(self, engine: Engine, prepared: PreparedAction, ctx: RunContext) -> None:
        self._engine = engine
        self._prepared = prepared
        self._ctx = ctx

    def run(self, slot: str) -> AsyncIterator[RunEvent]:
        return self._engine._block(self._prepared.slots[slot], self._ctx)

    def repeat(self, slot: str, passes: Generator[object, None, None]) -> AsyncIterator[RunEvent]:
        return self._engine._block(self._prepared.slots[slot], self._ctx, passes)

    def reads(self, slot: str, root: str, key: str) -> bool:
        return slot_reads(self._prepared, slot, root, key)


def slot_reads(prepared: PreparedAction, slot: str, root: str, key: str) -> bool:
    """``Slots.reads`` for a prepared container: worked out on first ask, then remembered."""
    asked = (slot, root, key)
    known = prepared.reads.get(asked)
    if known is None:
        known = prepared.reads[asked] = any(_action_reads(child.action, root, key) for child in prepared.slots[slot])
    return known


def _action_reads(action: Action, root: str, key: str) -> bool:
    """Whether a formula of ``action`` or of an action nested in it may read ``root.key`` (coarse, never narrower)."""
    if any(depends_on(binding_inputs(source), root, key) for _, source in iter_formulas(action.params)):
        return True
    return any(_action_reads(child, root, key) for children in action.slots.values() for child in children)


def _as_action_error(error: BaseException, prepared: PreparedAction) -> ActionError:
    if isinstance(error, ActionError):
        if error.action_id is None:
            error.action_id = prepared.action.id
            error.action_type = prepared.type.id
        return error
    message = str(error) or type(error).__name__
    return ActionError(message, prepared.action.id, prepared.type.id)


class Engine:
    """Runs the endpoints of one project; prepared workflows are cached per endpoint."""

    def __init__(self, project: Project, registry: Registry | None = None) -> None:
        self.project = project
        self.registry = registry or default_registry()
        self._prepared: dict[str, list[PreparedAction]] = {}

    def prepared(self, endpoint: Endpoint) -> list[PreparedAction]:
        cached = self._prepared.get(endpoint.name)
        if cached is None:
            cached = self._prepared[endpoint.name] = [prepare_action(a, self.registry) for a in endpoint.workflow]
        return cached

    def run(self, endpoint_name: str, inputs: Mapping[str, Any], settings: RunSettings, *, run_id: str | None = None) -> AsyncIterator[RunEvent]:
        """Start a run. Bad inputs raise ``InputError`` here, before any action runs."""
        endpoint = self.project.endpoint(endpoint_name)
        values = coerce_inputs(endpoint, inputs)
        workflow = self.prepared(endpoint)
        return self._run(workflow, RunContext(settings, values, run_id))

    def run_workflow(self, actions: list[Action], ctx: RunContext) -> AsyncIterator[RunEvent]:
        """Run any list of actions against a given context: how a page runs its interface workflows."""
        return self._run([prepare_action(action, self.registry) for action in actions], ctx)

    async def _run(self, workflow: list[PreparedAction], ctx: RunContext) -> AsyncIterator[RunEvent]:
        try:
            try:
                async for event in self._block(workflow, ctx):
                    yield event
            except ReturnSignal as signal:
                yield ResultEvent(signal.status_code, signal.body, True, ctx.streaming, ctx.message_count, ctx.now())
                return
            except ActionError as error:
                for event in self._release_held(ctx):
                    yield event
                yield ErrorEvent(error.message, error.action_id, error.action_type, ctx.now(), ctx.streaming)
                return
            for event in self._release_held(ctx):
                yield event
            yield ResultEvent(200, None, False, ctx.streaming, ctx.message_count, ctx.now())
        finally:
            await ctx.aclose()

    async def _block(self, actions: list[PreparedAction], ctx: RunContext, passes: Iterable[object] = _ONCE) -> AsyncIterator[RunEvent]:
        """Run ``actions`` once, or once per item of ``passes`` (``Slots.repeat``).

        Repeating inside one generator, rather than one generator per pass, is what
        keeps a Loop x Send cheap per message; every ``YIELD_EVERY`` passes the event
        loop gets a turn, so a tight loop stays cancellable. ``passes`` is closed at the end.
        """
        trace = ctx.settings.trace
        bounds = evaluation_bounds()  # this thread's, where the generator runs
        done = 0
        try:
            for _ in passes:
                if done == YIELD_EVERY:
                    done = 0
                    await asyncio.sleep(0)
                done += 1
                for prepared in actions:
                    action_id, action_type = prepared.id, prepared.type
                    if ctx.coalescer.held is not None and not action_type.coalesces and ctx.moves_on():
                        for event in self._release_held(ctx):  # the workflow moves on: a held coalesced message goes out first
                            yield event
                    started = 0.0
                    if trace:
                        started = ctx.now()
                        yield ActionStarted(action_id, action_type.id, started)
                    ctx.action_id = action_id
                    values: dict[str, str] | None = None
                    try:
                        if prepared.static is not None:
                            params = prepared.static
                        else:
                            # inline rather than `with ctx.bounds`: this is the per-message path
                            bounds[0] = ctx.bounds
                            try:
                                params = prepared.make(ctx.scope)  # type: ignore[misc]  # set whenever static is not
                            except FormulaOffload as offload:
                                bounds[0] = None
                                params = await _resolve_offloaded(prepared, ctx, offload)
                            finally:
                                bounds[0] = None
                        if trace:
                            values = {r.label: preview(getattr(params, r.name)) for r in prepared.resolvers if r.computed} or None
                        if prepared.container:  # a container's run takes its slots and yields events
                            async for event in prepared.run(params, ctx, _Slots(self, prepared, ctx)):
                                yield event
                        else:
                            result = prepared.run(params, ctx)
                            if prepared.awaits:
                                result = await result
                            ctx.hold_result(action_id, result)
                    except ReturnSignal:
                        for event in self._finish(prepared, ctx, started, ok=True):
                            yield event
                        raise
                    except Exception as error:
                        failure = _as_action_error(error, prepared)
                        for event in self._finish(prepared, ctx, started, ok=False):
                            yield event
                        if failure is error:
                            raise
                        raise failure from error
                    if ctx.pending:  # inline rather than _finish(): this is the per-message path
                        pending, ctx.pending = ctx.pending, []
                        for event in pending:
                            yield event
                    if trace:
                        now = ctx.now()
                        yield ActionFinished(action_id, action_type.id, now, now - started, True, values)
        finally:
            if passes is not _ONCE and isinstance(passes, Generator):
                passes.close()

    @staticmethod
    def _release_held(ctx: RunContext) -> list[RunEvent]:
        """A held coalesced message (and anything else queued), now."""
        ctx.release_held()
        events, ctx.pending = ctx.pending, []
        return events

    @staticmethod
    def _finish(prepared: PreparedAction, ctx: RunContext, started: float, *, ok: bool) -> list[RunEvent]:
        """The events an action queued (messages, logs) followed by its finished span."""
        events, ctx.pending = ctx.pending, []
        if ctx.settings.trace:
            now = ctx.now()
            events.append(ActionFinished(prepared.action.id, prepared.type.id, now, now - started, ok))
        return events
