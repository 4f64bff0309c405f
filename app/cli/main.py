"""``streamwright`` subcommands. Exit codes: 0 ok, 1 invalid input or failed run, 2 usage."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from app import __version__
from app.core.events import ErrorEvent
from app.core.exchange import endpoint_from_document, export_endpoint, import_endpoint
from app.core.inputs import InputError
from app.core.lint import LintSettings, lint_project
from app.core.problems import ProjectInvalidError
from app.core.project_file import atomic_write_text, dumps, load_project, parse_json, save_project
from app.core.run_context import RunSettings
from app.core.schema import project_json_schema
from app.runner.engine import Engine
from app.cli.run_output import NdjsonOutput, PrettyOutput, RunOutput

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    print(message, file=sys.stderr)


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
    settings = RunSettings(project_dir=project_path.resolve().parent, output_root=Path(args.output).resolve(), trace=args.trace)
    output: RunOutput = NdjsonOutput(trace=args.trace) if args.format == "ndjson" else PrettyOutput()
    failed = False
    try:
        async for event in Engine(project).run(endpoint.name, inputs, settings):
            output.show(event)
            failed = failed or isinstance(event, ErrorEvent)
    finally:
        output.close()
    return EXIT_FAILED if failed else EXIT_OK


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
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    endpoint = endpoint_from_document(parse_json(text, source), source)
    updated, added = import_endpoint(project, endpoint)
    save_project(updated, args.file)
    renamed = f" (renamed from {endpoint.name})" if added.name != endpoint.name else ""
    print(f"imported {added.name}{renamed} as {added.method} {added.path} into {args.file}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from app.runner.serve import serve

    token = args.token or os.environ.get(TOKEN_ENV) or None
    if args.public and token:
        raise argparse.ArgumentTypeError("--token and --public exclude each other")
    return serve(
        Path(args.file),
        host=args.host,
        port=args.port,
        token=token,
        public=args.public,
        cors=args.cors,
        output_root=Path(args.output),
        max_body_bytes=args.max_body,
        heartbeat_s=args.heartbeat,
        resume_keep_s=args.keep,
        exit_with_stdin=args.exit_with_stdin,
    )


TOKEN_ENV = "STREAMWRIGHT_TOKEN"


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
    run.set_defaults(handler=cmd_run)

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
    serve.set_defaults(handler=cmd_serve)

    imp = sub.add_parser("import", help="add an exported endpoint workflow to a project (renamed on clash)")
    imp.add_argument("file")
    imp.add_argument("workflow", metavar="WORKFLOW.json", help="exported workflow file, or - for standard input")
    imp.set_defaults(handler=cmd_import)
    parser.set_defaults(command_names=frozenset(sub.choices))  # so a file name alone can be told from a command
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = sys.argv[1:] if argv is None else argv
    commands = parser.get_default("command_names")
    if not arguments or (not arguments[0].startswith("-") and arguments[0] not in commands and len(arguments) == 1):
        from app.ui.app import main as editor

        return editor(arguments[0] if arguments else None)  # `streamwright [FILE]` opens the editor
    try:
        args = parser.parse_args(argv)
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
