"""``streamwright`` subcommands. Exit codes: 0 ok, 1 invalid input or failed run, 2 usage."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from rich.console import Console

from app import __version__
from app.cli.doctor import add_doctor_command
from app.cli.launch import opens_editor
from app.cli.run_output import NdjsonOutput, PrettyOutput, RunOutput
from app.cli.stream_test_output import outcomes_json, print_health, print_outcomes, write_health_ndjson
from app.core.events import ErrorEvent
from app.core.exchange import endpoint_from_document, export_endpoint, import_endpoint
from app.core.formula import MB
from app.core.formula.worker import WORKER_FLAG, child_main
from app.core.inputs import InputError, parse_text_inputs
from app.core.json_input import JsonInputError, decode_utf8
from app.core.lint import LintSettings, lint_project
from app.core.names import slug
from app.core.openapi import DEFAULT_SERVER, openapi_document
from app.core.problems import ProjectInvalidError
from app.core.project import Project, Recording
from app.core.project_file import atomic_write_text, dumps, load_project, parse_json, save_project
from app.core.recordings import CaptureError, add_recording, recording_from_events, recording_from_sse, unique_recording_name
from app.core.run_context import RunLimits, RunSettings
from app.core.schema import project_json_schema
from app.core.stream_health import HealthSettings, HealthTally
from app.core.stream_tests import add_stream_test, run_stream_tests, test_from_recording, tests_for, unique_test_name
from app.core.typescript_client import typescript_module
from app.engine import Engine

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _read_text(source: str) -> str:
    """A file's (or, for ``-``, standard input's) text, strictly UTF-8; CaptureError names the bad byte."""
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    try:
        return decode_utf8(data)
    except JsonInputError as error:
        raise CaptureError(error.message) from None


def _parse_inputs(pairs: list[str]) -> dict[str, str]:
    inputs: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise argparse.ArgumentTypeError(f"-i expects NAME=VALUE, got {pair!r}")
        inputs[name] = value
    return inputs


async def _run(args: argparse.Namespace) -> int:
    project_path = Path(args.file)
    project = load_project(project_path)
    endpoint = project.endpoint(args.endpoint)
    from app.core.inputs import coerce_inputs

    inputs = coerce_inputs(endpoint, _parse_inputs(args.input), from_text=True)
    settings = RunSettings(project_dir=project_path.resolve().parent, output_root=Path(args.output).resolve(), trace=args.trace, limits=_limits(args))
    output: RunOutput = NdjsonOutput(trace=args.trace) if args.format == "ndjson" else PrettyOutput()
    tally = HealthTally() if args.check else None
    failed = False
    try:
        async for event in Engine(project).run(endpoint.name, inputs, settings):
            output.show(event)
            if tally is not None:
                tally.add(event)
            failed = failed or isinstance(event, ErrorEvent)
    finally:
        output.close()
    if tally is not None:
        report = tally.check(_health_settings(args))
        if args.format == "ndjson":
            write_health_ndjson(report, sys.stdout)
        else:
            print_health(report, Console(highlight=False))
        failed = failed or report.failed(strict=args.strict)
    return EXIT_FAILED if failed else EXIT_OK


def _limits(args: argparse.Namespace) -> RunLimits:
    return RunLimits(
        formula_timeout_s=args.formula_timeout,
        formula_memory_bytes=int(args.formula_memory * MB),
        run_memory_bytes=int(args.run_memory * MB),
    )


def _add_limit_options(parser: argparse.ArgumentParser) -> None:
    """--formula-timeout, --formula-memory, --run-memory (README: Formulas)."""
    defaults = RunLimits()
    group = parser.add_argument_group("limits")
    group.add_argument("--formula-timeout", type=_positive, default=defaults.formula_timeout_s, metavar="S", help="longest one formula may run (default: %(default)s s)")
    group.add_argument(
        "--formula-memory", type=_positive, default=defaults.formula_memory_bytes / MB, metavar="MB", help="most memory one formula may use (default: %(default)g MB)"
    )
    group.add_argument(
        "--run-memory",
        type=_positive,
        default=defaults.run_memory_bytes / MB,
        metavar="MB",
        help="most a run may hold in variables, results and one message, as JSON (default: %(default)g MB)",
    )


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more seconds, got {text!r}")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _health_settings(args: argparse.Namespace) -> HealthSettings:
    return HealthSettings(max_gap_s=args.max_gap, max_message_bytes=args.max_bytes, max_rate_per_s=args.max_rate)


def _save_into(path: str, change: Callable[[Project], Project]) -> Project:
    """Load the project file, change it, save it atomically (a temporary file renamed over it, as the editor saves)."""
    updated = change(load_project(path))
    save_project(updated, path)
    return updated


async def _record_run(args: argparse.Namespace, project: Project, name: str) -> Recording:
    endpoint = project.endpoint(args.endpoint)
    given = parse_text_inputs(endpoint, _parse_inputs(args.input))
    with tempfile.TemporaryDirectory(prefix="streamwright-record-") as scratch:
        output_root = Path(args.output).resolve() if args.output else Path(scratch)
        settings = RunSettings(project_dir=Path(args.file).resolve().parent, output_root=output_root, trace=False)
        events = [event async for event in Engine(project).run(endpoint.name, given, settings)]
    return recording_from_events(name, endpoint.name, given, events, project)


def cmd_record(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    wanted = args.name or f"{args.endpoint}-run"
    name = slug(wanted) if args.replace else unique_recording_name(project, wanted)
    if args.from_sse:
        source = args.from_sse
        try:
            recording = recording_from_sse(_read_text(source), name, args.endpoint)
        except CaptureError as error:
            _err(f"{source}: {error}")
            return EXIT_FAILED
        if args.input:
            known = next((e for e in project.endpoints if e.name == args.endpoint), None)
            given = _parse_inputs(args.input)
            recording.inputs = parse_text_inputs(known, given) if known is not None else dict(given)
    else:
        _err(f"recording {args.endpoint}... (Ctrl+C stops without saving)")
        try:
            recording = asyncio.run(_record_run(args, project, name))
        except KeyboardInterrupt:
            _err("cancelled: nothing recorded")
            return 130
    test_name = None

    def change(current: Project) -> Project:
        nonlocal test_name
        updated = add_recording(current, recording, replace=args.replace)
        if args.as_test:
            test = test_from_recording(recording, exact=args.exact, exact_count=args.exact_count)
            wanted_test = args.test_name or recording.name
            test_name = test.name = slug(wanted_test) if args.replace else unique_test_name(updated, wanted_test)
            updated = add_stream_test(updated, test, replace=args.replace)
        return updated

    _save_into(args.file, change)
    ended = {"done": "ended normally", "error": f"failed: {recording.error}", "cancelled": "was cancelled"}[recording.status]
    version = f" @ {recording.endpoint_version}" if recording.endpoint_version else ""
    print(
        f"recorded {recording.name}: {len(recording.messages)} message(s) in {recording.duration or 0:.2f} s "
        f"from {recording.endpoint}{version}, {ended}; saved into {args.file}"
    )
    if test_name:
        print(f"added stream test {test_name} (run it with: streamwright test {args.file} {recording.endpoint})")
    return EXIT_OK


def cmd_test_from(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    recording = next((r for r in project.recordings if r.name == args.recording), None)
    if recording is None:
        known = ", ".join(r.name for r in project.recordings) or "none"
        raise KeyError(f"no recording named {args.recording!r} (recordings: {known})")
    inputs = dict(recording.inputs)
    if args.input:
        endpoint = next((e for e in project.endpoints if e.name == recording.endpoint), None)
        given = _parse_inputs(args.input)
        inputs.update(parse_text_inputs(endpoint, given) if endpoint is not None else given)
    try:
        test = test_from_recording(recording, exact=args.exact, exact_count=args.exact_count, inputs=inputs)
    except ValueError as error:
        _err(f"streamwright: {error}")
        return EXIT_FAILED
    wanted = args.name or recording.name
    test.name = slug(wanted) if args.replace else unique_test_name(project, wanted)
    _save_into(args.file, lambda current: add_stream_test(current, test, replace=args.replace))
    print(
        f"added stream test {test.name} to {args.file}: statuses {', '.join(str(s) for s in test.statuses)}; run it with: streamwright test {args.file} {test.endpoint}"
    )
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    if args.endpoint is not None:
        project.endpoint(args.endpoint)  # an unknown endpoint is an error naming the known ones
        if not tests_for(project, args.endpoint):
            tested = ", ".join(sorted({t.endpoint for t in project.stream_tests})) or "none"
            _err(f"streamwright: endpoint {args.endpoint!r} has no stream test (endpoints with tests: {tested}); add one with `streamwright record ... --as-test`")
            return EXIT_FAILED
    if not project.stream_tests:
        if args.format == "json":
            print(json.dumps(outcomes_json(args.file, [])))
        else:
            print(f"no stream tests in {args.file} (add one with `streamwright record FILE ENDPOINT --as-test`)")
        return EXIT_OK
    engine = Engine(project)
    project_dir = Path(args.file).resolve().parent
    outcomes = asyncio.run(run_stream_tests(project, project_dir, args.endpoint, args.output, engine=engine, timeout_s=args.timeout))
    if args.format == "json":
        print(json.dumps(outcomes_json(args.file, outcomes), indent=2, ensure_ascii=False))
    else:
        print_outcomes(outcomes, Console(highlight=False))
    return EXIT_OK if all(o.passed for o in outcomes) else EXIT_FAILED


def cmd_run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        _err("cancelled")
        return 130


def cmd_validate(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    actions = sum(1 for _ in _all_actions(project))
    if args.json:
        print(json.dumps({"valid": True, "endpoints": len(project.endpoints), "actions": actions}))
    else:
        print(f"{args.file}: valid ({len(project.endpoints)} endpoint(s), {actions} action(s), {len(project.pages)} page(s))")
    return EXIT_OK


def _all_actions(project: Any) -> Any:
    from app.core.project import walk_actions

    for endpoint in project.endpoints:
        yield from walk_actions(endpoint.workflow)


def cmd_lint(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    problems = lint_project(project, LintSettings(max_event_data_bytes=args.max_event_bytes, loop_every=args.every))
    if args.json:
        print(json.dumps([p.to_json() for p in problems], indent=2))
    else:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} finding(s)")
    return EXIT_FAILED if problems else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    text = dumps(project_json_schema())
    if args.output:
        atomic_write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _write_or_print(text: str, output: str | None, what: str) -> None:
    if output:
        atomic_write_text(output, text)
        _err(f"wrote {what} to {output}")
    else:
        sys.stdout.write(text)


def cmd_openapi(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    document = openapi_document(project, server_url=args.server, secured=not args.public)
    _write_or_print(dumps(document), args.output, "the OpenAPI document")
    return EXIT_OK


def cmd_types(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    _write_or_print(typescript_module(openapi_document(project, server_url=args.server)), args.output, "the TypeScript types and client")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    text = dumps(export_endpoint(project, args.endpoint))
    if args.output:
        atomic_write_text(args.output, text)
        _err(f"exported {args.endpoint} to {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    project = load_project(args.file)
    source = args.workflow
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    endpoint = endpoint_from_document(parse_json(data, source), source)
    updated, added = import_endpoint(project, endpoint)
    save_project(updated, args.file)
    renamed = f" (renamed from {endpoint.name})" if added.name != endpoint.name else ""
    print(f"imported {added.name}{renamed} as {added.method} {added.path} into {args.file}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from app.runner.security import new_token
    from app.runner.serve import serve
    from app.runner.server import ServeSettings

    token = args.token or os.environ.get(TOKEN_ENV) or None
    if args.public and token:
        raise argparse.ArgumentTypeError("--token and --public exclude each other")
    if args.workers < 1:
        raise argparse.ArgumentTypeError("--workers must be 1 or more")
    project_path = Path(args.file)
    settings = ServeSettings(
        project_dir=project_path.resolve().parent,
        output_root=Path(args.output).resolve(),
        token=None if args.public else (token or new_token()),  # one token per start, shared by all its workers
        bound_host=args.host,
        cors_origins=args.cors,
        max_body_bytes=args.max_body,
        heartbeat_s=args.heartbeat,
        resume_keep_s=args.keep,
        resume_grace_s=args.resume_grace,
        store_url=args.store,
        limits=_limits(args),
    )
    return serve(project_path, settings, port=args.port, public=args.public, token_given=token is not None, workers=args.workers, exit_with_stdin=args.exit_with_stdin)


TOKEN_ENV = "STREAMWRIGHT_TOKEN"

TEXT_VALUE_OPTIONS: Final = frozenset({"--token"})
"""Options whose value is any text a user or a generator chose: a token may begin with "-" (``secrets.token_urlsafe``'s do, one in 64)."""
_OPTION_WORD: Final = re.compile(r"--?[a-z][a-z0-9-]*|--")


def attach_text_values(arguments: Sequence[str]) -> list[str]:
    """``--token -x...`` read as ``--token=-x...``, the form argparse understands.

    argparse takes any word that begins with "-" for an option, so a token such
    as ``-SVi5...`` after ``--token`` ended in "expected one argument". The word
    after such an option is its value unless it is written like one of ours
    (``--format``, ``-i``, ``--``): so ``--token --public`` still says the value
    is missing.
    """
    attached: list[str] = []
    words = iter(arguments)
    for word in words:
        if word in TEXT_VALUE_OPTIONS:
            value = next(words, None)
            if value is not None and value.startswith("-") and not _OPTION_WORD.fullmatch(value):
                attached.append(f"{word}={value}")
                continue
            attached.append(word)
            if value is not None:
                attached.append(value)
            continue
        attached.append(word)
    return attached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamwright",
        description="Design, run and check streaming API endpoints. `streamwright [FILE]` opens the editor.",
    )
    parser.add_argument("--version", action="version", version=f"streamwright {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run an endpoint and print its messages as they are sent")
    run.add_argument("file", help="project file (*.streamwright.json)")
    run.add_argument("endpoint", help="endpoint name")
    run.add_argument("-i", "--input", action="append", default=[], metavar="NAME=VALUE", help="an input value (repeatable)")
    run.add_argument("--format", choices=["ndjson", "pretty"], default=None, help="ndjson (default when piped) or pretty (default on a terminal)")
    run.add_argument("--output", default="streamwright-output", metavar="DIR", help="folder for files the run creates (default: %(default)s)")
    run.add_argument("--trace", action="store_true", help="also print action started/finished events (ndjson)")
    _add_limit_options(run)
    check = run.add_argument_group("stream health (--check)")
    check.add_argument(
        "--check", action="store_true", help="after the run, report the stream's health; exit 1 on an error finding (no final message, ended with an error)"
    )
    check.add_argument("--strict", action="store_true", help="with --check: warnings fail the run too")
    check.add_argument("--max-gap", type=float, default=HealthSettings().max_gap_s, metavar="S", help="longest silence without a message (default: %(default)s s)")
    check.add_argument("--max-bytes", type=int, default=HealthSettings().max_message_bytes, metavar="N", help="largest message, as JSON (default: %(default)s bytes)")
    check.add_argument(
        "--max-rate", type=float, default=HealthSettings().max_rate_per_s, metavar="N", help="most messages in any one second a page can show (default: %(default)s)"
    )
    run.set_defaults(handler=cmd_run)

    test = sub.add_parser("test", help="run the project's stream tests; exit 1 when a stream differs from its test")
    test.add_argument("file", help="project file (*.streamwright.json)")
    test.add_argument("endpoint", nargs="?", help="only the tests of this endpoint")
    test.add_argument("--format", choices=["pretty", "json"], default="pretty", help="pretty (default) or json")
    test.add_argument("--timeout", type=float, default=120.0, metavar="S", help="a run taking longer fails its test (default: %(default)s s)")
    test.add_argument("--output", default=None, metavar="DIR", help="folder for files the runs create (default: a temporary one, removed)")
    test.set_defaults(handler=cmd_test)

    record = sub.add_parser("record", help="run an endpoint (or read an SSE capture) and save its stream as a recording in the project")
    record.add_argument("file", help="project file (*.streamwright.json); saved in place, atomically")
    record.add_argument("endpoint", help="endpoint name")
    record.add_argument("-i", "--input", action="append", default=[], metavar="NAME=VALUE", help="an input value (repeatable); kept with the recording")
    record.add_argument("--name", help="recording name (default: ENDPOINT-run; a taken name gets a -2 suffix)")
    record.add_argument("--replace", action="store_true", help="replace a recording (and with --as-test a test) of the same name")
    record.add_argument("--from-sse", metavar="CAPTURE", help="read the text of a `curl -N` session (a file, or - for standard input) instead of running")
    record.add_argument("--output", default=None, metavar="DIR", help="folder for files the run creates (default: a temporary one, removed)")
    record.add_argument("--as-test", action="store_true", help="also add a stream test made from the recording")
    record.add_argument("--test-name", metavar="NAME", help="with --as-test: the test's name (default: the recording's)")
    record.add_argument("--exact", action="store_true", help="with --as-test: the test compares every message's values too")
    record.add_argument("--exact-count", action="store_true", help="with --as-test: repeated statuses must repeat as often as recorded")
    record.set_defaults(handler=cmd_record)

    test_from = sub.add_parser("test-from", help="add a stream test made from a recording in the project")
    test_from.add_argument("file", help="project file (*.streamwright.json); saved in place, atomically")
    test_from.add_argument("recording", help="recording name")
    test_from.add_argument("--name", help="test name (default: the recording's; a taken name gets a -2 suffix)")
    test_from.add_argument(
        "-i", "--input", action="append", default=[], metavar="NAME=VALUE", help="an input for the test, replacing the recording's (e.g. a shorter delay)"
    )
    test_from.add_argument("--exact", action="store_true", help="compare every message's values too (run-dependent fields such as downloadUrl excepted)")
    test_from.add_argument("--exact-count", action="store_true", help="repeated statuses must repeat as often as recorded")
    test_from.add_argument("--replace", action="store_true", help="replace a test of the same name")
    test_from.set_defaults(handler=cmd_test_from)

    validate = sub.add_parser("validate", help="check a project file; problems are named by JSON path")
    validate.add_argument("file")
    validate.add_argument("--json", action="store_true", help="machine-readable output")
    validate.set_defaults(handler=cmd_validate)

    lint = sub.add_parser("lint", help="check a project against streaming best practices")
    lint.add_argument("file")
    lint.add_argument("--max-event-bytes", type=int, default=LintSettings().max_event_data_bytes, metavar="N", help="Event Data size limit (default: %(default)s)")
    lint.add_argument("--every", type=int, default=LintSettings().loop_every, metavar="N", help="suggested message interval in loops (default: %(default)s)")
    lint.add_argument("--json", action="store_true", help="machine-readable output")
    lint.set_defaults(handler=cmd_lint)

    schema = sub.add_parser("schema", help="print the project file's JSON Schema")
    schema.add_argument("-o", "--output", metavar="FILE")
    schema.set_defaults(handler=cmd_schema)

    openapi = sub.add_parser("openapi", help="write the OpenAPI 3.2 document of the served API (each stream's message schemas)")
    openapi.add_argument("file")
    openapi.add_argument("-o", "--output", metavar="OUT.json", help="file to write (default: standard output)")
    openapi.add_argument("--server", default=DEFAULT_SERVER, metavar="URL", help="the server URL in the document (default: %(default)s)")
    openapi.add_argument("--public", action="store_true", help="describe a server started with --public (no token)")
    openapi.set_defaults(handler=cmd_openapi)

    types = sub.add_parser("types", help="write typed client code for the endpoints (messages, inputs, results)")
    types.add_argument("file")
    types.add_argument("--lang", choices=["ts"], required=True, help="ts: TypeScript types and a fetch client")
    types.add_argument("-o", "--output", metavar="OUT.ts", help="file to write (default: standard output)")
    types.add_argument("--server", default=DEFAULT_SERVER, metavar="URL", help=argparse.SUPPRESS)
    types.set_defaults(handler=cmd_types)

    export = sub.add_parser("export", help="write one endpoint workflow as self-contained JSON")
    export.add_argument("file")
    export.add_argument("endpoint")
    export.add_argument("-o", "--output", metavar="OUT.json", help="file to write (default: standard output)")
    export.set_defaults(handler=cmd_export)

    serve = sub.add_parser("serve", help="serve the project's endpoints over HTTP with Server-Sent Events")
    serve.add_argument("file")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s, loopback only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s; 0 picks a free one)")
    serve.add_argument("--token", help=f"the bearer token clients must send (default: ${TOKEN_ENV}, else a new random one, printed once)")
    serve.add_argument("--public", action="store_true", help="no token at all (only for a trusted network)")
    serve.add_argument("--cors", action="append", default=[], metavar="ORIGIN", help="allow this browser origin (repeatable); none by default")
    serve.add_argument("--output", default="streamwright-output", metavar="DIR", help="folder for files runs create (default: %(default)s)")
    serve.add_argument("--max-body", type=int, default=1_048_576, metavar="BYTES", help="request body limit (default: %(default)s)")
    serve.add_argument("--heartbeat", type=float, default=5.0, metavar="SECONDS", help="idle time before a heartbeat comment (default: %(default)s)")
    serve.add_argument("--keep", type=float, default=60.0, metavar="SECONDS", help="how long a finished run stays replayable (default: %(default)s)")
    serve.add_argument("--exit-with-stdin", action="store_true", help="stop when standard input closes (for a parent process that may die)")
    serve.add_argument(
        "--resume-grace",
        type=_non_negative,
        default=10.0,
        metavar="SECONDS",
        help="how long a run goes on after its client's connection drops, waiting to be resumed, when its endpoint sets no resumeGrace (default: %(default)s)",
    )
    serve.add_argument(
        "--store",
        default="memory",
        metavar="URL",
        help="where runs are kept: memory (default; one process) or redis://HOST:PORT/DB (shared by several workers and hosts)",
    )
    serve.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default: %(default)s; more than one needs --store redis://...)")
    _add_limit_options(serve)
    serve.set_defaults(handler=cmd_serve)

    add_doctor_command(sub)

    imp = sub.add_parser("import", help="add an exported endpoint workflow to a project (renamed on clash)")
    imp.add_argument("file")
    imp.add_argument("workflow", metavar="WORKFLOW.json", help="exported workflow file, or - for standard input")
    imp.set_defaults(handler=cmd_import)
    parser.set_defaults(command_names=frozenset(sub.choices))  # so a file name alone can be told from a command
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == [WORKER_FLAG] and len(arguments) == 2:  # the packaged app started as a formula worker
        child_main(int(arguments[1]))
        return 0
    parser = build_parser()
    if opens_editor(arguments):
        from app.ui.app import main as editor

        return editor(arguments[0] if arguments else None)  # `streamwright [FILE]` opens the editor
    try:
        args = parser.parse_args(attach_text_values(arguments))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if getattr(args, "format", "unset") is None:
        args.format = "pretty" if sys.stdout.isatty() else "ndjson"
    try:
        return int(args.handler(args))
    except ProjectInvalidError as error:
        _err(str(error))
        return EXIT_FAILED
    except InputError as error:
        _err(f"invalid input: {error}")
        return EXIT_FAILED
    except argparse.ArgumentTypeError as error:
        _err(f"streamwright: error: {error}")
        return EXIT_USAGE
    except KeyError as error:
        _err(f"streamwright: {error.args[0]}")
        return EXIT_FAILED
    except BrokenPipeError:  # e.g. `streamwright run ... | head -1`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter shutdown from flushing into the closed pipe
        return EXIT_OK
    except OSError as error:
        _err(f"streamwright: {error.strerror or error}: {getattr(error, 'filename', '') or ''}")
        return EXIT_FAILED
