"""Smoke test of the built desktop bundle (``make package`` runs it; ``make test`` does not).

    .venv/bin/python packaging/smoke_test.py [dist/streamwright]

Runs the bundle's own executable the way users and the editor do:

1. ``streamwright --version``;
2. a headless ``run`` of the bundled example's report, which must end with a
   message carrying a ``downloadUrl`` whose file exists;
3. the example's ask-ai against an OpenAI-compatible stand-in started here: the
   upstream is read through aiohttp, whose lazily imported parts only fail frozen;
4. ``serve --workers 2`` on a real redis-server (when installed), whose workers
   multiprocessing starts by running the executable again;
5. the editor's runner: ``RunnerProcess`` (the editor's own code) starting the
   bundle's ``serve`` the way it does inside the bundle, a run of the report
   through it, and the report downloaded over HTTP (this exercises uvicorn and
   its dynamically imported parts, which only fail in a frozen build);
6. the editor, offscreen, until its main window is shown, with the bundled
   example opened from the bundle's resources;
7. the same on a real X server (Xvfb) when ``xvfb-run`` is installed, which
   loads the X11 platform plugin and the xcb libraries the bundle carries.

Prints one PASS, FAIL or SKIP line per check and exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
SIZE_GOAL_MB = 150
TIMEOUT_S = 120.0
SHOWN = re.compile(r"^main window shown at (\d+(?:\.\d+)?)$", re.MULTILINE)


class CheckFailed(Exception):
    """A check's assertion, with the evidence needed to see why."""


class CheckSkipped(Exception):
    """A check this machine cannot run (a missing optional tool)."""


def executable(bundle: Path) -> Path:
    name = "streamwright.exe" if sys.platform == "win32" else "streamwright"
    return bundle / name


def bundled_resources(bundle: Path) -> Path:
    """The bundle's copy of resources/ (PyInstaller 6 keeps it under _internal/, next to the frozen ``app``)."""
    return bundle / "_internal" / "resources"


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment with a throwaway home, so no settings, recent files or recovery files leak in or out."""
    env = {**os.environ, "HOME": str(home), **extra}
    for variable, folder in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        env[variable] = str(home / folder)
    env.pop("STREAMWRIGHT_TOKEN", None)
    return env


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=TIMEOUT_S, check=False)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(nothing)"


# -- the checks --------------------------------------------------------------------------------------------


def check_layout(bundle: Path) -> str:
    """The resources the app looks up at run time are where app/resources.py will look for them."""
    resources = bundled_resources(bundle)
    wanted = [
        resources / "examples" / "demo.streamwright.json",
        resources / "examples" / "demo.sqlite",
        resources / "schema" / "project.schema.json",
        resources / "icons" / "app" / "streamwright-256.png",
    ]
    missing = [str(path.relative_to(bundle)) for path in wanted if not path.is_file()]
    action_icons = sorted((resources / "icons" / "actions").glob("*.svg"))
    expect(not missing, f"missing from the bundle: {', '.join(missing)}")
    expect(len(action_icons) == len(list((ROOT / "resources" / "icons" / "actions").glob("*.svg"))), "action icons missing from the bundle")
    return f"resources bundled ({len(action_icons)} action icons, example, schema, app icon)"


def check_size(bundle: Path) -> str:
    total = sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file() and not path.is_symlink())
    megabytes = total / 1_000_000
    expect(megabytes < SIZE_GOAL_MB, f"bundle is {megabytes:.1f} MB, over the {SIZE_GOAL_MB} MB goal")
    return f"bundle size {megabytes:.1f} MB (goal < {SIZE_GOAL_MB} MB)"


def check_version(bundle: Path) -> str:
    from app import __version__

    result = run([str(executable(bundle)), "--version"])
    expect(result.returncode == 0, f"exit code {result.returncode}\n{tail(result.stderr)}")
    expect(result.stdout.strip() == f"streamwright {__version__}", f"printed {result.stdout.strip()!r}, expected 'streamwright {__version__}'")
    return f"--version prints {result.stdout.strip()!r}"


def check_headless_run(bundle: Path, work: Path) -> str:
    example = bundled_resources(bundle) / "examples" / "demo.streamwright.json"
    output = work / "run-output"
    command = [str(executable(bundle)), "run", str(example), "generate-report", "--format", "ndjson", "-i", "stepDelayMs=0", "--output", str(output)]
    result = run(command, cwd=work)
    expect(result.returncode == 0, f"exit code {result.returncode}\n{tail(result.stderr)}")
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    messages = [event for event in events if event.get("kind") == "message"]
    expect(bool(messages), f"no message printed:\n{tail(result.stdout)}")
    expect(events[-1].get("kind") == "result", f"the run did not end with a result: {events[-1]}")
    url = messages[-1].get("data", {}).get("downloadUrl")
    expect(isinstance(url, str) and url.startswith("file://"), f"the last message has no file:// downloadUrl: {messages[-1]}")
    made = Path(unquote(urlparse(url).path))
    expect(made.is_file() and made.stat().st_size > 0, f"{made} (the downloadUrl) does not exist or is empty")
    return f"run generate-report: {len(messages)} messages, last downloadUrl {made.name} ({made.stat().st_size} bytes)"


def check_ai_relay(bundle: Path, work: Path) -> str:
    """The example's ask-ai against the OpenAI-compatible stand-in: the upstream is read through aiohttp's
    transport and its C parser, whose parts are imported lazily and only fail in a frozen build."""
    sys.path.insert(0, str(ROOT))
    from tests.support.openai_upstream import serve_upstream

    example = bundled_resources(bundle) / "examples" / "demo.streamwright.json"
    command = [str(executable(bundle)), "run", str(example), "ask-ai", "-i", "prompt=Tell me about streams", "--format", "ndjson", "--output", str(work)]
    with serve_upstream() as upstream:
        env = {key: value for key, value in isolated_env(work / "home").items() if not key.lower().endswith("_proxy") and not key.startswith("OPENAI_")}
        result = run(command, env={**env, "OPENAI_BASE_URL": upstream.base(), "OPENAI_MODEL": "stand-in-model"}, cwd=work)
    expect(result.returncode == 0, f"exit code {result.returncode}\n{tail(result.stderr)}")
    messages = [event["data"] for event in map(json.loads, filter(str.strip, result.stdout.splitlines())) if event.get("kind") == "message"]
    text = "".join(message.get("text", "") for message in messages if message.get("status") == "chunk")
    expect(text == "Tell me about streams", f"relayed {text!r}, expected 'Tell me about streams':\n{tail(result.stdout)}")
    expect(messages[-1].get("status") == "done", f"the last message is not done: {messages[-1]}")
    return f"run ask-ai: {len(messages)} messages relayed from the stand-in upstream, text {text!r}"


def check_serve_workers(bundle: Path, work: Path) -> str:
    """``serve --workers 2`` on a real redis-server: multiprocessing starts the workers (and its resource
    tracker) by running the executable again, which only a frozen build can get wrong."""
    if shutil.which("redis-server") is None:
        raise CheckSkipped("redis-server not installed (apt-get install redis-server)")
    sys.path.insert(0, str(ROOT))
    import httpx
    from tests.support.redis_server import RedisServer

    store = RedisServer(work)
    store.start()
    example = bundled_resources(bundle) / "examples" / "demo.streamwright.json"
    options = ["--port", "0", "--token", "smoke-token", "--workers", "2", "--store", store.url, "--output", str(work / "out")]
    command = [str(executable(bundle)), "serve", str(example), *options]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=isolated_env(work / "home"), cwd=work)
    try:
        assert server.stdout is not None
        serving = server.stdout.readline()
        found = re.search(r"on (http://127\.0\.0\.1:\d+)", serving)
        expect(found is not None, f"no 'Serving ... on http://...' line: {serving!r}")
        assert found is not None
        headers = {"Authorization": "Bearer smoke-token", "Accept": "application/x-ndjson"}
        counts = []
        with httpx.Client(base_url=found.group(1), headers=headers, timeout=TIMEOUT_S, trust_env=False) as client:
            for _ in range(4):  # the workers share the port: several calls reach both
                response = client.post("/generate-report", json={"stepDelayMs": 0})
                expect(response.status_code == 200, f"POST /generate-report answered {response.status_code}: {response.text[:300]}")
                lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
                expect(bool(lines) and "downloadUrl" in json.dumps(lines[-1]), f"the stream did not end with the report: {lines[-3:]}")
                counts.append(len(lines))
        expect(server.poll() is None, f"serve exited with {server.returncode}")
    finally:
        server.terminate()
        try:
            _, errors = server.communicate(timeout=TIMEOUT_S)
        finally:
            store.stop()
    expect("invalid choice" not in errors and "died unexpectedly" not in errors, f"a worker or multiprocessing's tracker failed to start:\n{tail(errors)}")
    return f"serve --workers 2 --store redis: {len(counts)} calls streamed {counts} lines"


@contextmanager
def as_inside_the_bundle() -> Iterator[None]:
    """Make ``RunnerProcess`` build its command line as it does in the frozen editor (``<exe> serve ...``)."""
    had, previous = hasattr(sys, "frozen"), getattr(sys, "frozen", None)
    sys.frozen = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if had:
            sys.frozen = previous  # type: ignore[attr-defined]
        else:
            del sys.frozen  # type: ignore[attr-defined]


async def _runner_round_trip(bundle: Path, work: Path) -> str:
    from app.client.runner_process import RunnerProcess
    from app.core.project_file import load_project

    example = bundled_resources(bundle) / "examples" / "demo.streamwright.json"
    project = load_project(example)
    with as_inside_the_bundle():
        runner = RunnerProcess(example, output_dir=work / "runner-output", python=str(executable(bundle)), startup_timeout_s=60.0)
        await runner.start()
    try:
        state = await (await runner.run(project, "generate-report", {"stepDelayMs": 0})).wait()
        expect(state.status == "done", f"the run ended {state.status}: {state.error}")
        url = state.chunk.get("downloadUrl") if isinstance(state.chunk, dict) else None
        if not (isinstance(url, str) and url.startswith("http://127.0.0.1:")):
            raise CheckFailed(f"the last message has no served downloadUrl: {state.chunk}")
        saved = await runner.client.download(url, work / "downloaded.csv")
        expect(saved.stat().st_size > 0, "the downloaded report is empty")
        return f"editor's runner (<bundle> serve) on {runner.url}: {state.count} messages, report downloaded ({saved.stat().st_size} bytes)"
    finally:
        await runner.stop()


def check_runner(bundle: Path, work: Path) -> str:
    return asyncio.run(asyncio.wait_for(_runner_round_trip(bundle, work), TIMEOUT_S))


def check_editor(bundle: Path, work: Path, platform: str = "offscreen") -> str:
    home = work / "home"
    home.mkdir()
    env = isolated_env(home, QT_QPA_PLATFORM=platform, STREAMWRIGHT_QUIT_WHEN_SHOWN="1")
    command = [str(executable(bundle))]
    if platform == "xcb":
        if shutil.which("xvfb-run") is None:
            raise CheckSkipped("xvfb-run not installed (apt-get install xvfb xauth)")
        command = ["xvfb-run", "--auto-servernum", "--server-args=-screen 0 1280x800x24", *command]
    started = time.time()
    result = run(command, env=env, cwd=work)
    expect(result.returncode == 0, f"exit code {result.returncode}\nstdout:\n{tail(result.stdout)}\nstderr:\n{tail(result.stderr)}")
    shown = SHOWN.search(result.stdout)
    expect(shown is not None, f"no 'main window shown at' line:\n{tail(result.stdout)}\nstderr:\n{tail(result.stderr)}")
    assert shown is not None
    # The editor records the file it opened; with an empty home that is the bundled example,
    # which proves app.resources finds the bundle's resources/ from inside the frozen app.
    settings = "\n".join(path.read_text(errors="replace") for path in home.rglob("*.conf"))
    opened = re.search(r"^lastFile=(.*)$", settings, re.MULTILINE)
    expect(opened is not None, "the editor opened no file (the bundled example was not found)")
    assert opened is not None
    expected = (bundled_resources(bundle) / "examples" / "demo.streamwright.json").resolve()
    expect(Path(opened.group(1)).resolve() == expected, f"the editor opened {opened.group(1)}, not the bundled example {expected}")
    return f"editor ({platform}) showed its main window after {float(shown.group(1)) - started:.2f} s with the bundled example open"


def check_editor_x11(bundle: Path, work: Path) -> str:
    return check_editor(bundle, work, platform="xcb")


CHECKS: list[tuple[str, Callable[..., str], bool]] = [
    ("layout", check_layout, False),
    ("size", check_size, False),
    ("version", check_version, False),
    ("headless run", check_headless_run, True),
    ("AI relay", check_ai_relay, True),
    ("serve workers", check_serve_workers, True),
    ("runner", check_runner, True),
    ("editor", check_editor, True),
    ("editor on X11", check_editor_x11, True),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", default=str(ROOT / "dist" / "streamwright"), help="the onedir bundle (default: %(default)s)")
    args = parser.parse_args()
    bundle = Path(args.bundle).resolve()
    if not executable(bundle).is_file():
        print(f"FAIL  no bundle at {bundle} (run `make package`)")
        return 1
    failed = skipped = 0
    for name, check, needs_folder in CHECKS:
        with tempfile.TemporaryDirectory(prefix=f"streamwright-smoke-{name.replace(' ', '-')}-") as folder:
            try:
                detail = check(bundle, Path(folder)) if needs_folder else check(bundle)
                print(f"PASS  {name}: {detail}", flush=True)
            except CheckSkipped as reason:
                skipped += 1
                print(f"SKIP  {name}: {reason}", flush=True)
            except (CheckFailed, subprocess.TimeoutExpired, TimeoutError, OSError, RuntimeError) as error:
                failed += 1
                print(f"FAIL  {name}: {error}", flush=True)
    print(f"smoke test: {len(CHECKS) - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
