"""StreamState on its own: what bindings read, the retention limit, and the change signal a frame timer polls."""

from __future__ import annotations

import pytest

from app.client import StreamError, StreamState
from app.core.formula import compile_formula
from tests.conftest import SteppedClock


def test_retention_keeps_the_most_recent_messages_while_count_counts_all() -> None:
    state = StreamState(retention=3, stall_after_s=None)
    state.begin("run-00001")
    for n in range(1, 11):
        state.add_message({"n": n}, str(n))
    assert state.chunks == [{"n": 8}, {"n": 9}, {"n": 10}]
    assert state.chunk == {"n": 10}
    assert state.count == 10
    assert state.last_seq == "10"


def test_chunks_is_a_plain_list_that_formulas_can_read() -> None:
    state = StreamState(retention=2, stall_after_s=None)
    state.begin("run-00001")
    for word in ("Hello ", "streaming ", "world"):
        state.add_message({"status": "chunk", "text": word}, None)
    assert type(state.chunks) is list
    assert compile_formula("$join(stream.chunks.text)").evaluate({"stream": state.to_json()}) == "streaming world"
    assert state.chunks is state.chunks, "the copy is made once per change, not once per read"


def test_version_grows_on_every_change_and_on_change_hooks_see_each() -> None:
    state = StreamState(stall_after_s=None)
    seen: list[tuple[str, int, int]] = []
    state.on_change.append(lambda s: seen.append((s.status, s.count, s.version)))
    state.begin("run-00001")
    state.add_message({"status": "starting"}, "1")
    state.add_message({"status": "done"}, "2")
    state.finish(None, 200)
    assert seen == [("connecting", 0, 1), ("streaming", 1, 2), ("streaming", 2, 3), ("done", 2, 4)]
    version = state.version
    assert state.fail(StreamError("late")) is False, "an ended call stays ended"
    assert state.cancel() is False
    assert (state.status, state.error, state.version) == ("done", None, version)


def test_a_new_call_resets_the_state_but_version_keeps_growing() -> None:
    state = StreamState(stall_after_s=None)
    state.begin("run-00001")
    state.add_message({"n": 1}, "1")
    state.fail(StreamError("boom", action="throw_it", action_type="flow.throw"))
    version = state.version
    state.begin("run-00002")
    assert (state.status, state.chunks, state.count, state.error, state.run_id) == ("connecting", [], 0, None, "run-00002")
    assert state.version > version


def test_error_text_names_the_fields_and_the_action() -> None:
    assert str(StreamError("invalid input", fields={"delayMs": "expected integer, got 'x'"})) == "invalid input: delayMs: expected integer, got 'x'"
    assert str(StreamError("boom", action="throw_it", action_type="flow.throw")) == "boom (action throw_it, flow.throw)"


def test_retention_must_be_positive() -> None:
    with pytest.raises(ValueError):
        StreamState(retention=0)


def test_its_times_are_readings_of_the_clock_it_is_given() -> None:
    clock = SteppedClock(100.0)
    state = StreamState(clock=clock, stall_after_s=None)
    state.begin("run-1")
    clock.advance(0.5)
    state.add_message({"status": "starting"}, "1")
    clock.advance(0.25)
    state.add_message({"status": "done"}, "2")
    clock.advance(1.0)
    state.finish()
    assert (state.started_at, state.first_message_at, state.last_message_at, state.finished_at) == (100.0, 100.5, 100.75, 101.75)
