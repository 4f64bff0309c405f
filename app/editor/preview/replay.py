"""Replay a recorded stream into the Preview: the page sees the same messages at their recorded times, no runner.

``RecordingCaller`` stands in for the runner as the session's
``EndpointCaller``: a *Call API endpoint* of an endpoint with a recording
begins the call's ``StreamState``, feeds it the recorded messages at their
recorded times divided by the clock's speed (keyed ones with their part id
and transient flag, so ``stream.parts`` fills as it did live), and ends it as
the recording ended (done with its result, error, or cancelled). With ``trace`` on it also
replays each message's action as a zero-length span, so the stream inspector
can still tell which action sent it.

``ReplayClock`` is shared by the replay bar (speed, pause, step) and every
replay under way. A feeding coroutine sleeps until its next message is due
(``asyncio.wait_for`` on the clock's change event, with that due time as
timeout), so a speed change or a pause takes effect at once and nothing polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from app.client.stream_state import StateCall, StreamError, StreamState
from app.core.project import Project, Recording, walk_actions

__all__ = ["MAX_SPEED", "MIN_SPEED", "SPEEDS", "RecordingCaller", "first_recording", "ReplayCall", "ReplayClock", "ReplayDownloadError"]

MIN_SPEED, MAX_SPEED = 0.25, 10.0
SPEEDS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
"""The speeds the replay bar offers."""


class ReplayDownloadError(StreamError):
    """A replayed message's download link points at a run that is not here."""


class ReplayClock:
    """How fast recordings replay, and whether they are paused; ``step()`` releases one message while paused.

    Every change replaces :meth:`changed`'s event after setting it, so each
    waiting replay wakes once and then waits on the fresh one.
    """

    def __init__(self, speed: float = 1.0) -> None:
        self._speed = _checked(speed)
        self._paused = False
        self._steps = 0
        self._event = asyncio.Event()
        self.generation = 0
        """Grows with every change: a replay re-reads speed and pause when it differs from the one it saw."""
        self.on_change: list[Callable[[ReplayClock], None]] = []

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        value = _checked(value)
        if value != self._speed:
            self._speed = value
            self._changed()

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        if not self._paused:
            self._paused = True
            self._changed()

    def resume(self) -> None:
        if self._paused or self._steps:
            self._paused = False
            self._steps = 0
            self._changed()

    def step(self) -> bool:
        """While paused: let exactly the next message (or a replay's end) through. False when not paused."""
        if not self._paused:
            return False
        self._steps += 1
        self._changed()
        return True

    def take_step(self) -> bool:
        """A replay waiting while paused takes one step, if one was given."""
        if self._steps <= 0:
            return False
        self._steps -= 1
        return True

    def changed(self) -> asyncio.Event:
        """The event set at the next change (speed, pause, resume, step)."""
        return self._event

    def _changed(self) -> None:
        self.generation += 1
        event, self._event = self._event, asyncio.Event()
        event.set()
        for callback in self.on_change:
            callback(self)


def _checked(speed: float) -> float:
    speed = float(speed)
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"replay speed must be between {MIN_SPEED:g}× and {MAX_SPEED:g}×, not {speed:g}×")
    return speed


class ReplayCall(StateCall):
    """One replay under way: ``await wait()`` for its end, ``await cancel()`` to stop it (the state says cancelled)."""

    def __init__(
        self,
        recording: Recording,
        state: StreamState,
        clock: ReplayClock,
        *,
        handle_stream: bool,
        trace: bool,
        action_types: Mapping[str, str] | None = None,
    ) -> None:
        """``action_types``: the type of each action of the recorded endpoint by id, for the replayed traces."""
        self.recording = recording
        self.action_types = action_types or {}
        self.state = state
        self.clock = clock
        self.handle_stream = handle_stream
        self.trace = trace
        self.run_id = f"replay-{uuid.uuid4().hex[:12]}"
        self.released = 0
        """Messages fed to the state so far."""
        self._finished = asyncio.Event()
        state.begin(self.run_id)
        self._task = asyncio.get_running_loop().create_task(self._feed(), name=f"replay {recording.name}")
        self._task.add_done_callback(lambda _task: self._finished.set())

    async def cancel(self) -> None:
        if self.done:
            return
        self.state.cancel()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    # -- feeding --------------------------------------------------------------
    async def _feed(self) -> None:
        try:
            await self._replay()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - a replay that breaks still ends its call, with the reason
            self.state.fail(StreamError(f"the replay failed: {type(error).__name__}: {error}"))

    async def _replay(self) -> None:
        recording, state = self.recording, self.state
        held: list[Any] = []
        schedule = _Schedule(self.clock)
        for seq, message in enumerate(recording.messages, start=1):
            await schedule.until(message.t)
            if self.trace and message.action_id:
                action_type = self.action_types.get(message.action_id, "")
                state.add_trace({"kind": "action_started", "action_id": message.action_id, "action_type": action_type, "t": message.t, "replayed": True})
            if self.handle_stream:
                state.add_message(message.data, str(seq), message.part, message.transient)
            else:
                if not message.transient:  # as the runner's result leaves transient messages out
                    held.append(message.data)
                state.last_seq = str(seq)
                state.touch()
            if self.trace and message.action_id:
                state.add_trace(
                    {"kind": "action_finished", "action_id": message.action_id, "action_type": action_type, "t": message.t, "duration": 0.0, "ok": True, "replayed": True}
                )
            self.released += 1
        last = recording.messages[-1].t if recording.messages else 0.0
        await schedule.until(max(recording.duration or 0.0, last))
        if recording.status == "error":
            state.fail(StreamError(recording.error or "the recorded call failed"))
        elif recording.status == "cancelled":
            state.cancel()
        else:
            state.finish(recording.result if self.handle_stream else _held_result(recording, held), 200)


def _held_result(recording: Recording, held: list[Any]) -> Any:
    """Handle stream off: a recorded Return body, else the messages (as the runner's client answers)."""
    return recording.result if recording.result is not None else held


class _Schedule:
    """Recorded time against the loop's clock: ``position`` recorded seconds were played when the anchor was set."""

    def __init__(self, clock: ReplayClock) -> None:
        self.clock = clock
        self.loop = asyncio.get_running_loop()
        self.position = 0.0
        self.anchor = self.loop.time()
        self.generation = clock.generation
        self.speed = clock.speed
        self.paused = clock.paused

    def _reanchor(self) -> None:
        """The clock changed: bank the time played at the old speed, then go on at the new one."""
        now = self.loop.time()
        if not self.paused:
            self.position += (now - self.anchor) * self.speed
        self.anchor = now
        self.generation = self.clock.generation
        self.speed = self.clock.speed
        self.paused = self.clock.paused

    async def until(self, due: float) -> None:
        """Return when recorded time ``due`` is reached (at once if late); while paused, only on a step."""
        while True:
            if self.generation != self.clock.generation:
                self._reanchor()
            if self.paused:
                if self.clock.take_step():
                    self.position = max(self.position, due)
                    self.anchor = self.loop.time()
                    return
                await self.clock.changed().wait()
                continue
            played = self.position + (self.loop.time() - self.anchor) * self.speed
            remaining = (due - played) / self.speed
            if remaining <= 0:
                return
            changed = self.clock.changed()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)


class RecordingCaller:
    """The session's ``EndpointCaller`` for replays: recorded streams instead of the runner.

    ``recordings(endpoint)`` gives the recording to replay for an endpoint (the
    one chosen in the replay bar, or the endpoint's first), or None.
    """

    def __init__(self, recordings: Callable[[str], Recording | None], clock: ReplayClock) -> None:
        self.recordings = recordings
        self.clock = clock
        self.calls: list[ReplayCall] = []
        """Replays started, newest last (finished ones are dropped when the next starts)."""

    async def run(
        self,
        project: Project,
        endpoint: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        handle_stream: bool = True,
        state: StreamState | None = None,
        trace: bool = False,
    ) -> ReplayCall:
        state = state if state is not None else StreamState()
        recording = self.recordings(endpoint)
        if recording is None:
            recording = Recording(name="missing", endpoint=endpoint, status="error", error=_no_recording(endpoint))
        self.calls = [call for call in self.calls if not call.done]
        recorded = next((e for e in project.endpoints if e.name == endpoint), None)
        action_types = {action.id: action.type for _, action in walk_actions(recorded.workflow)} if recorded is not None else {}
        call = ReplayCall(recording, state, self.clock, handle_stream=handle_stream, trace=trace, action_types=action_types)
        self.calls.append(call)
        return call

    async def download(self, url: str, destination: str | Path) -> Path:
        """Copy a ``file://`` link; any other link belonged to the run that was recorded."""
        parsed = urlparse(url)
        destination = Path(destination)
        if parsed.scheme != "file":
            raise ReplayDownloadError("a recorded download link points at a run that is not here: start the runner to download")
        source = Path(unquote(parsed.path))
        if not source.is_file():
            raise ReplayDownloadError(f"the recorded file is not there any more: {source}")
        await asyncio.to_thread(shutil.copyfile, source, destination)
        return destination


def _no_recording(endpoint: str) -> str:
    return f"no recording of {endpoint}: record a run of it, or switch the preview to the live runner"


def first_recording(project: Project, endpoint: str, chosen: str | None = None) -> Recording | None:
    """The recording named ``chosen`` if it is of ``endpoint``, else the endpoint's first recording."""
    of_endpoint = [r for r in project.recordings if r.endpoint == endpoint]
    for recording in of_endpoint:
        if recording.name == chosen:
            return recording
    return of_endpoint[0] if of_endpoint else None
