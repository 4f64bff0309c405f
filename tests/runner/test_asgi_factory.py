"""``app.runner.asgi:create_app`` under a real ASGI server (uvicorn's own command line), configured by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.core.project_file import save_project
from app.runner.asgi import SettingsError, settings_from_env, settings_to_env
from app.runner.server import ServeSettings
from tests.conftest import ROOT, action, endpoint, project_of
from tests.support.redis_server import free_port

STARTUP_S = 60.0
PROJECT = project_of(endpoint([action("hello", "stream.send", eventData={"status": "done"})], name="hello"))


def test_uvicorn_runs_the_factory_with_settings_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "p.streamwright.json"
    save_project(PROJECT, path)
    port = free_port()
    env = {
        **os.environ,
        "STREAMWRIGHT_PROJECT": str(path),
        "STREAMWRIGHT_TOKEN": "factory-token-1",
        "STREAMWRIGHT_OUTPUT": str(tmp_path / "out"),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "uvicorn", "app.runner.asgi:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + STARTUP_S
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while True:
                try:
                    refused = client.get("/")
                    break
                except httpx.ConnectError:
                    assert server.poll() is None, server.stderr.read() if server.stderr else ""
                    assert time.monotonic() < deadline, "uvicorn did not start"
                    time.sleep(0.05)  # polling for the port with a deadline
            assert refused.status_code == 401, "the token from the environment is in force"
            answer = client.post("/hello", headers={"Authorization": "Bearer factory-token-1"})
            assert answer.status_code == 200 and 'data: {"status":"done"}' in answer.text
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_environment_round_trips_the_settings_serve_hands_its_workers(tmp_path: Path) -> None:
    settings = ServeSettings(
        project_dir=tmp_path,
        output_root=tmp_path / "out",
        token="t-123",
        cors_origins=["http://a.example", "http://b.example"],
        resume_grace_s=2.5,
        store_url="redis://127.0.0.1:6379/3",
    )
    path, read = settings_from_env(settings_to_env(tmp_path / "p.streamwright.json", settings))
    assert path == tmp_path / "p.streamwright.json"
    assert read == settings


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "STREAMWRIGHT_PROJECT must name the project file"),
        ({"STREAMWRIGHT_PROJECT": "p.json"}, "STREAMWRIGHT_TOKEN must hold the bearer token"),
        ({"STREAMWRIGHT_PROJECT": "p.json", "STREAMWRIGHT_PUBLIC": "1", "STREAMWRIGHT_STORE": "mysql://x"}, "STREAMWRIGHT_STORE: must be 'memory' or a Redis URL"),
        ({"STREAMWRIGHT_PROJECT": "p.json", "STREAMWRIGHT_TOKEN": "t", "STREAMWRIGHT_RESUME_GRACE": "soon"}, "STREAMWRIGHT_RESUME_GRACE must be a number, not 'soon'"),
    ],
)
def test_a_missing_or_bad_variable_is_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        settings_from_env(env)
