"""An ASGI application factory for any ASGI server: ``app.runner.asgi:create_app``.

``streamwright serve --workers N`` runs it in each worker; uvicorn, gunicorn
with uvicorn workers and hypercorn can run it too (README: "Several
workers"). Everything comes from the environment, so every worker of one
start builds the same application with the same token:

- ``STREAMWRIGHT_PROJECT`` (required): the project file;
- ``STREAMWRIGHT_TOKEN``: the bearer token clients send; required unless ``STREAMWRIGHT_PUBLIC=1``;
- ``STREAMWRIGHT_STORE``: ``memory`` (default; one worker only) or ``redis://HOST:PORT/DB``;
- ``STREAMWRIGHT_HOST``: the host name clients reach it by, for the Host check (default ``127.0.0.1``);
- ``STREAMWRIGHT_OUTPUT`` (default ``streamwright-output``), ``STREAMWRIGHT_CORS`` (origins, comma-separated),
  ``STREAMWRIGHT_MAX_BODY`` (bytes), ``STREAMWRIGHT_HEARTBEAT``, ``STREAMWRIGHT_KEEP`` and
  ``STREAMWRIGHT_RESUME_GRACE`` (seconds), ``STREAMWRIGHT_FORMULA_TIMEOUT`` (seconds),
  ``STREAMWRIGHT_FORMULA_MEMORY`` and ``STREAMWRIGHT_RUN_MEMORY`` (bytes): as ``serve``'s options.

A missing or bad variable is a ``SettingsError`` naming it, raised when the
server imports the application, before it accepts a connection.

The commands (``tests/runner/test_asgi_servers.py`` runs each as written):
``uvicorn app.runner.asgi:create_app --factory``, ``gunicorn
'app.runner.asgi:create_app()' -k uvicorn_worker.UvicornWorker`` (the
``uvicorn-worker`` package; ``uvicorn.workers`` is deprecated) and
``hypercorn 'app.runner.asgi:create_app()'``. When any of them starts to
stop, the open streams end with their error (``app.runner.shutdown``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette

from app.core.project_file import load_project
from app.core.run_context import RunLimits
from app.core.upstream_client import preload
from app.runner.server import ServeSettings
from app.runner.server import create_app as create_server_app
from app.runner.store import store_url_problem

ENV = "STREAMWRIGHT_"


class SettingsError(ValueError):
    """An environment variable the factory needs is missing or malformed."""


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(ENV + name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{ENV}{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{ENV}{name} must not be negative, not {raw!r}")
    return value


def settings_from_env(env: Mapping[str, str]) -> tuple[Path, ServeSettings]:
    """The project file and the server's settings the environment describes."""
    project = env.get(ENV + "PROJECT")
    if not project:
        raise SettingsError(f"{ENV}PROJECT must name the project file to serve")
    public = env.get(ENV + "PUBLIC", "") in ("1", "true", "yes")
    token = env.get(ENV + "TOKEN") or None
    if token is None and not public:
        raise SettingsError(f"{ENV}TOKEN must hold the bearer token clients send (or set {ENV}PUBLIC=1 for no token on a trusted network)")
    store = env.get(ENV + "STORE") or "memory"
    problem = store_url_problem(store)
    if problem is not None:
        raise SettingsError(f"{ENV}STORE: {problem.removeprefix('--store ')}")
    path = Path(project)
    defaults = ServeSettings(project_dir=Path("."), output_root=Path("."), token=None)
    limits = RunLimits()
    settings = ServeSettings(
        project_dir=path.resolve().parent,
        output_root=Path(env.get(ENV + "OUTPUT") or "streamwright-output").resolve(),
        token=None if public else token,
        bound_host=env.get(ENV + "HOST") or "127.0.0.1",
        cors_origins=[origin.strip() for origin in (env.get(ENV + "CORS") or "").split(",") if origin.strip()],
        max_body_bytes=int(_number(env, "MAX_BODY", defaults.max_body_bytes)),
        heartbeat_s=_number(env, "HEARTBEAT", defaults.heartbeat_s),
        resume_keep_s=_number(env, "KEEP", defaults.resume_keep_s),
        resume_grace_s=_number(env, "RESUME_GRACE", defaults.resume_grace_s),
        store_url=store,
        limits=RunLimits(
            formula_timeout_s=_number(env, "FORMULA_TIMEOUT", limits.formula_timeout_s),
            formula_memory_bytes=int(_number(env, "FORMULA_MEMORY", limits.formula_memory_bytes)),
            run_memory_bytes=int(_number(env, "RUN_MEMORY", limits.run_memory_bytes)),
        ),
    )
    return path, settings


def settings_to_env(project: Path, settings: ServeSettings) -> dict[str, str]:
    """The environment ``settings_from_env`` reads back as ``settings`` (how ``serve --workers`` hands them to its workers)."""
    env = {
        ENV + "PROJECT": str(project.resolve()),
        ENV + "STORE": settings.store_url,
        ENV + "HOST": settings.bound_host,
        ENV + "OUTPUT": str(settings.output_root),
        ENV + "CORS": ",".join(settings.cors_origins),
        ENV + "MAX_BODY": str(settings.max_body_bytes),
        ENV + "HEARTBEAT": repr(settings.heartbeat_s),
        ENV + "KEEP": repr(settings.resume_keep_s),
        ENV + "RESUME_GRACE": repr(settings.resume_grace_s),
        ENV + "FORMULA_TIMEOUT": repr(settings.limits.formula_timeout_s),
        ENV + "FORMULA_MEMORY": str(settings.limits.formula_memory_bytes),
        ENV + "RUN_MEMORY": str(settings.limits.run_memory_bytes),
    }
    if settings.token is None:
        env[ENV + "PUBLIC"] = "1"
    else:
        env[ENV + "TOKEN"] = settings.token
    return env


def create_app() -> Starlette:
    """The application the environment describes (``--factory`` for uvicorn, ``create_app()`` for gunicorn and hypercorn)."""
    path, settings = settings_from_env(os.environ)
    project = load_project(path)
    preload(project)
    return create_server_app(project, settings)
