"""Stream tests: an endpoint's stream checked against an expectation, usually made from a recording.

A test says the order of statuses, the fields of each status, the final
message, how the stream ends and, optionally, every value. ``compare`` lists
each difference in words a reader can act on; ``run_stream_tests`` runs the
endpoints in-process with the engine it is given (core never imports the
runner) so ``streamwright test`` and the editor check the same way.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from app.core.events import ErrorEvent, MessageEvent, ResultEvent, RunEvent
from app.core.inputs import InputError
from app.core.project import Project, Recording, StreamTest
from app.core.recordings import unique_slug, with_named
from app.core.run_context import RunSettings
from app.core.stream_health import Ended, describe_delta, merge_shapes, message_status, shape_difference

DifferenceKind = Literal["run", "end", "status", "count", "shape", "final", "value"]
MAX_VALUE_DIFFERENCES = 20
"""Value differences listed per test; the rest are counted in one line."""


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    message: str
    seq: int | None = None
    """The message concerned, numbered from 1."""

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "seq": self.seq}


@dataclass
class TestOutcome:
    """One test's run: what differed (nothing when it passed), and what the stream was."""

    __test__ = False  # not a pytest test class, despite its name

    name: str
    endpoint: str
    differences: list[Difference] = field(default_factory=list)
    message_count: int = 0
    duration: float = 0.0
    ended: Ended | None = None

    @property
    def passed(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "endpoint": self.endpoint,
            "passed": self.passed,
            "messages": self.message_count,
            "duration": round(self.duration, 4),
            "ended": self.ended,
            "differences": [d.to_json() for d in self.differences],
        }


# -- making a test --------------------------------------------------------------------


def collapse(statuses: Sequence[str | None]) -> list[str | None]:
    """Consecutive repeats stored once: ``starting, progress, progress, done`` -> ``starting, progress, done``."""
    return [status for index, status in enumerate(statuses) if index == 0 or statuses[index - 1] != status]


def test_from_recording(
    recording: Recording, name: str | None = None, exact: bool = False, *, exact_count: bool = False, inputs: Mapping[str, Any] | None = None
) -> StreamTest:
    """A test expecting the recording's stream: its statuses (repeats collapsed unless ``exact_count``), the
    fields of each status, its final message and how it ended; with ``exact`` every message's values too.

    Values of the ignored fields (links to a run's files, clock times) are
    stored as null: only their presence is checked. ``inputs`` replaces the
    recording's (e.g. a short delay so the test runs fast).
    """
    if recording.status == "cancelled":
        raise ValueError(f"recording {recording.name!r} was cancelled: its stream is incomplete, so it cannot make a test")
    data = [message.data for message in recording.messages]
    statuses = [message_status(item) for item in data]
    key_sets: dict[str, list[frozenset[str]]] = defaultdict(list)
    for status, item in zip(statuses, data, strict=True):
        if status is not None:
            key_sets[status].append(frozenset(item))
    test = StreamTest(
        name=name or recording.name,
        endpoint=recording.endpoint,
        inputs=dict(recording.inputs if inputs is None else inputs),
        statuses=statuses if exact_count else collapse(statuses),
        exact_count=exact_count,
        shapes={status: merge_shapes(sets) for status, sets in key_sets.items()},
        exact=exact,
        expect="error" if recording.status == "error" else "done",
        from_recording=recording.name,
    )
    ignored = set(test.ignore)
    if data and isinstance(data[-1], dict) and recording.status == "done":
        test.final = _blank(data[-1], ignored)
    if exact:
        test.messages = [_blank(item, ignored) if isinstance(item, dict) else item for item in data]
    return test


test_from_recording.__test__ = False  # type: ignore[attr-defined]  # a factory, not a pytest test


def _blank(data: dict[str, Any], ignored: set[str]) -> dict[str, Any]:
    return {key: (None if key in ignored else value) for key, value in data.items()}


def unique_test_name(project: Project, wanted: str) -> str:
    return unique_slug(wanted, (t.name for t in project.stream_tests), "stream-test")


def add_stream_test(project: Project, test: StreamTest, *, replace: bool = False) -> Project:
    """A new project with ``test`` added, or put in place of the one of the same name with ``replace``."""
    return project.model_copy(update={"stream_tests": with_named(project.stream_tests, test, replace, "stream test")})


def tests_for(project: Project, endpoint: str | None = None) -> list[StreamTest]:
    return [test for test in project.stream_tests if endpoint is None or test.endpoint == endpoint]


# -- comparing ------------------------------------------------------------------------


def _name(status: str | None) -> str:
    return "no status" if status is None else repr(status)


def _runs(statuses: Sequence[str | None]) -> list[tuple[str | None, int, int]]:
    """``(status, how many in a row, index of the first)`` for each run of equal consecutive statuses."""
    runs: list[tuple[str | None, int, int]] = []
    for index, status in enumerate(statuses):
        if runs and runs[-1][0] == status:
            runs[-1] = (status, runs[-1][1] + 1, runs[-1][2])
        else:
            runs.append((status, 1, index))
    return runs


def _order(runs: Sequence[tuple[str | None, int, int]]) -> str:
    """``starting, progress ×3, done``."""
    parts = []
    for status, count, _ in runs:
        text = status if status is not None else "(no status)"
        parts.append(f"{text} ×{count}" if count > 1 else text)
    return ", ".join(parts) or "nothing"


def _fields(keys: Sequence[str] | set[str] | frozenset[str]) -> str:
    return "{" + ", ".join(sorted(keys)) + "}"


def compare(test: StreamTest, messages: Sequence[Any], ended: Ended | None, result: Any = None) -> list[Difference]:
    """Every way the stream (``messages``: each message's Event Data) differs from the test.

    ``ended`` is how the stream ended; ``result`` the end's payload, used in
    the wording: the Return response's body, or the error's text.
    """
    differences: list[Difference] = []
    differences += _compare_end(test, len(messages), ended, result)
    statuses = [message_status(item) for item in messages]
    differences += _compare_statuses(test, statuses)
    shape_checked: set[int] = set()
    differences += _compare_shapes(test, messages, statuses, shape_checked)
    differences += _compare_final(test, messages, statuses, shape_checked)
    if test.exact and test.messages:
        differences += _compare_values(test, messages, statuses)
    return differences


def _compare_end(test: StreamTest, count: int, ended: Ended | None, result: Any) -> list[Difference]:
    if ended == test.expect:
        return []
    after = f"after message {count}" if count else "before any message"
    if test.expect == "error":
        how = "ended normally" if ended == "done" else "was cancelled" if ended == "cancelled" else "stopped without an end"
        return [Difference("end", f"the stream was expected to end with an error, but it {how} {after}")]
    if ended == "error":
        reason = f": {result}" if result else ""
        return [Difference("end", f"the stream was expected to end normally, but it failed {after}{reason}", count or None)]
    if ended == "cancelled":
        return [Difference("end", f"the run was cancelled {after}, so the stream did not end", count or None)]
    return [Difference("end", f"the stream stopped {after} without a result or an error", count or None)]


def _final_missing(test: StreamTest, count: int, last: str | None) -> Difference:
    assert test.final is not None
    status = test.final.get("status")
    fields = ", ".join(sorted(key for key in test.final if key != "status"))
    what = f"a message with status {status!r}" if isinstance(status, str) else "a final message"
    where = f" (it ended after message {count}, status {_name(last)})" if count else " (it sent no message)"
    with_fields = f" and fields {fields}" if fields else ""
    return Difference("final", f"the stream ended without its final message: expected {what}{with_fields}{where}", count or None)


def _is_final_status(test: StreamTest, status: str | None) -> bool:
    return test.final is not None and test.final.get("status") == status


def _compare_statuses(test: StreamTest, statuses: Sequence[str | None]) -> list[Difference]:
    if test.exact_count:
        return _compare_statuses_exactly(test, statuses)
    expected, actual = _runs(test.statuses), _runs(statuses)
    order = f" (expected {_order(expected)}; got {_order(actual)})"
    differences: list[Difference] = []
    for index, (status, need, _) in enumerate(expected):
        if index >= len(actual):
            rest = [s for s, _, _ in expected[index:]]
            last = statuses[-1] if statuses else None
            if len(rest) == 1 and _is_final_status(test, rest[0]):
                differences.append(_final_missing(test, len(statuses), last))
            else:
                upto = f"after message {len(statuses)} (status {_name(last)})" if statuses else "before any message"
                names = ", ".join(_name(s) for s in rest)
                differences.append(Difference("status", f"the stream ended {upto}; still expected: {names}{order}", len(statuses) or None))
            return differences
        got, count, first = actual[index]
        if got != status:
            differences.append(Difference("status", f"message {first + 1}: expected status {_name(status)}, got {_name(got)}{order}", first + 1))
            return differences  # what follows a wrong status would only repeat it
        if count < need:
            which = f"message {first + 1}" if count == 1 else f"messages {first + 1}–{first + count}"
            text = f"{which}: expected at least {need} messages with status {_name(status)} in a row, got {count}"
            differences.append(Difference("count", text, first + 1))
    if len(actual) > len(expected):
        got, _, first = actual[len(expected)]
        last = _name(expected[-1][0]) if expected else "none"
        differences.append(Difference("status", f"message {first + 1}: unexpected status {_name(got)} after the last expected status {last}{order}", first + 1))
    return differences


def _compare_statuses_exactly(test: StreamTest, statuses: Sequence[str | None]) -> list[Difference]:
    expected = test.statuses
    for index, (want, got) in enumerate(zip(expected, statuses, strict=False)):
        if want != got:
            return [Difference("status", f"message {index + 1}: expected status {_name(want)}, got {_name(got)}", index + 1)]
    if len(statuses) < len(expected):
        rest = expected[len(statuses) :]
        if len(rest) == 1 and _is_final_status(test, rest[0]):
            return [_final_missing(test, len(statuses), statuses[-1] if statuses else None)]
        text = f"the stream ended after {len(statuses)} message(s), expected {len(expected)}; next expected status {_name(rest[0])}"
        return [Difference("count", text, len(statuses) or None)]
    if len(statuses) > len(expected):
        text = f"message {len(expected) + 1}: unexpected message (status {_name(statuses[len(expected)])}): expected only {len(expected)} message(s)"
        return [Difference("count", text, len(expected) + 1)]
    return []


def _compare_shapes(test: StreamTest, messages: Sequence[Any], statuses: Sequence[str | None], checked: set[int]) -> list[Difference]:
    groups: dict[tuple[str, frozenset[str]], list[int]] = defaultdict(list)
    for index, (status, item) in enumerate(zip(statuses, messages, strict=True)):
        if status is not None and status in test.shapes:
            checked.add(index)
            groups[(status, frozenset(item))].append(index + 1)
    source = "the recording had" if test.from_recording else "the test expects"
    differences = []
    for (status, keys), seqs in groups.items():
        missing, extra = shape_difference(keys, test.shapes[status])
        if not (missing or extra):
            continue
        which = f"message {seqs[0]}" if len(seqs) == 1 else "messages " + ", ".join(map(str, seqs[:5])) + (f" and {len(seqs) - 5} more" if len(seqs) > 5 else "")
        verb = "has" if len(seqs) == 1 else "have"
        text = f"{which} (status {status}) {verb} fields {_fields(keys)} but {source} {_fields(test.shapes[status])}: {describe_delta(missing, extra)}"
        differences.append(Difference("shape", text, seqs[0]))
    return differences


def _compare_final(test: StreamTest, messages: Sequence[Any], statuses: Sequence[str | None], checked: set[int]) -> list[Difference]:
    """The last message against ``final``: its fields (unless its shape was checked), its values when exact."""
    final = test.final
    if final is None or not messages or test.expect != "done":
        return []
    want_status = final.get("status")
    last = len(messages) - 1
    if "status" in final and statuses[last] != want_status:
        return []  # the status comparison already says the final message is missing or wrong
    data = messages[last]
    keys = set(data) if isinstance(data, dict) else set()
    differences = []
    if last not in checked:
        missing = sorted(set(final) - keys)
        if missing:
            differences.append(Difference("final", f"the final message (message {last + 1}) lacks {', '.join(missing)}", last + 1))
    if test.exact and not test.messages and isinstance(data, dict):
        for key in sorted(set(final) & keys - set(test.ignore)):
            if data[key] != final[key]:
                text = f"the final message (message {last + 1}): {key} expected {_value(final[key])}, got {_value(data[key])}"
                differences.append(Difference("value", text, last + 1))
    return differences


def _value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _compare_values(test: StreamTest, messages: Sequence[Any], statuses: Sequence[str | None]) -> list[Difference]:
    expected = test.messages
    differences: list[Difference] = []
    if len(messages) != len(expected):
        differences.append(Difference("count", f"expected {len(expected)} message(s) with exact values, got {len(messages)}"))
    ignored = set(test.ignore)
    found: list[Difference] = []
    for index, (want, got) in enumerate(zip(expected, messages, strict=False)):
        about = f"message {index + 1}" + (f" (status {statuses[index]})" if statuses[index] is not None else "")
        if isinstance(want, dict) and isinstance(got, dict):
            for key in sorted((set(want) & set(got)) - ignored):
                if want[key] != got[key]:
                    found.append(Difference("value", f"{about}: {key} expected {_value(want[key])}, got {_value(got[key])}", index + 1))
        elif want != got:
            found.append(Difference("value", f"{about}: expected {_value(want)}, got {_value(got)}", index + 1))
    differences += found[:MAX_VALUE_DIFFERENCES]
    if len(found) > MAX_VALUE_DIFFERENCES:
        differences.append(Difference("value", f"and {len(found) - MAX_VALUE_DIFFERENCES} more value difference(s)"))
    return differences


# -- running ------------------------------------------------------------------------


class RunsEndpoints(Protocol):
    """What runs an endpoint: the runner's ``Engine`` (core does not import it)."""

    def run(self, endpoint_name: str, inputs: Mapping[str, Any], settings: RunSettings) -> AsyncIterator[RunEvent]: ...


DEFAULT_TIMEOUT_S = 120.0


async def run_stream_tests(
    project: Project,
    project_dir: Path | str,
    endpoint: str | None = None,
    output_dir: Path | str | None = None,
    *,
    engine: RunsEndpoints,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
) -> list[TestOutcome]:
    """Run the project's stream tests (those of ``endpoint`` only, when given), one after the other.

    Files the runs create go to ``output_dir``, by default a temporary folder
    removed afterwards. A run that takes longer than ``timeout_s`` fails its test.
    """
    with tempfile.TemporaryDirectory(prefix="streamwright-test-") as scratch:
        settings = RunSettings(project_dir=Path(project_dir), output_root=Path(output_dir or scratch).resolve(), trace=False)
        return [await run_stream_test(test, engine, settings, timeout_s) for test in tests_for(project, endpoint)]


async def run_stream_test(test: StreamTest, engine: RunsEndpoints, settings: RunSettings, timeout_s: float | None = DEFAULT_TIMEOUT_S) -> TestOutcome:
    outcome = TestOutcome(test.name, test.endpoint)
    started = time.perf_counter()
    try:
        events = engine.run(test.endpoint, test.inputs, settings)
    except KeyError as error:
        outcome.differences.append(Difference("run", f"cannot run: {error.args[0]}"))
        return outcome
    except InputError as error:
        outcome.differences.append(Difference("run", f"cannot run: invalid inputs: {error}"))
        return outcome
    messages: list[Any] = []
    end_payload: Any = None

    async def consume() -> None:
        nonlocal end_payload
        async for event in events:
            if isinstance(event, MessageEvent):
                messages.append(event.data)
            elif isinstance(event, ResultEvent):
                outcome.ended, end_payload = "done", event.body
            elif isinstance(event, ErrorEvent):
                where = f" (action {event.action_id})" if event.action_id else ""
                outcome.ended, end_payload = "error", f"{event.message}{where}"

    try:
        await asyncio.wait_for(consume(), timeout_s)
    except TimeoutError:
        outcome.differences.append(Difference("run", f"the run did not finish within {timeout_s:g} s (it had sent {len(messages)} message(s))"))
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
    outcome.duration = time.perf_counter() - started
    outcome.message_count = len(messages)
    if not outcome.differences:
        outcome.differences = compare(test, messages, outcome.ended, end_payload)
    return outcome
