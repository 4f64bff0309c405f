"""Shared fixtures: build small projects in code and collect a run's events."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # UI tests run without a display
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.events import ErrorEvent, MessageEvent, ResultEvent, RunEvent
from app.core.project import Action, Endpoint, EndpointInput, Project
from app.core.run_context import RunSettings
from app.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources" / "examples" / "demo.streamwright.json"


def action(id: str, type: str, slots: dict[str, list[Action]] | None = None, **params: Any) -> Action:
    """``action("s1", "stream.send", eventData={...})``: params by their JSON names."""
    return Action(id=id, type=type, params=params, slots=slots or {})


def formula(source: str) -> dict[str, str]:
    return {"$formula": source}


def endpoint(workflow: list[Action], inputs: list[EndpointInput] | None = None, name: str = "ep") -> Endpoint:
    return Endpoint(name=name, method="POST", path=f"/{name}", inputs=inputs or [], workflow=workflow)


def project_of(*endpoints: Endpoint) -> Project:
    return Project(name="test", endpoints=list(endpoints))


class RunResult:
    def __init__(self, events: list[RunEvent]) -> None:
        self.events = events

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [e.data for e in self.events if isinstance(e, MessageEvent)]

    @property
    def last(self) -> RunEvent:
        return self.events[-1]

    @property
    def result(self) -> ResultEvent:
        assert isinstance(self.last, ResultEvent), f"run did not succeed: {self.last}"
        return self.last

    @property
    def error(self) -> ErrorEvent:
        assert isinstance(self.last, ErrorEvent), f"run did not fail: {self.last}"
        return self.last

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


Runner = Callable[..., Any]


@pytest.fixture
def settings(tmp_path: Path) -> RunSettings:
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    return RunSettings(project_dir=project_dir, output_root=tmp_path / "output")


@pytest.fixture
def run(settings: RunSettings) -> Runner:
    """``await run(workflow_or_project, inputs)`` -> RunResult with every event."""

    async def go(target: list[Action] | Project, inputs: dict[str, Any] | None = None, endpoint_name: str = "ep") -> RunResult:
        project = target if isinstance(target, Project) else project_of(endpoint(target))
        events = [event async for event in Engine(project).run(endpoint_name, inputs or {}, settings)]
        return RunResult(events)

    return go


def with_step_delay(project: Project, milliseconds: int) -> Project:
    """The project with the report endpoint's ``stepDelayMs`` defaulting to ``milliseconds`` (fast tests, same stream)."""
    from app.core.project import EndpointInput

    report = project.endpoint("generate-report")
    inputs = [EndpointInput(**{**i.model_dump(), "default": milliseconds}) if i.name == "stepDelayMs" else i for i in report.inputs]
    endpoints = [e.model_copy(update={"inputs": inputs}) if e.name == "generate-report" else e for e in project.endpoints]
    return project.model_copy(update={"endpoints": endpoints})


class SteppedClock:
    """A clock that moves only when the test says so: give it where code takes ``clock=time.monotonic``."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real redis-server on a free loopback port, killed at teardown (``tests/support/redis_server.py``)."""
    from tests.support.redis_server import RedisServer

    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
