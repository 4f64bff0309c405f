"""How the CLI shows stream health (``run --check``) and stream test results (``test``): words for people, JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

from app.core.stream_health import Finding, HealthReport
from app.core.stream_tests import TestOutcome

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def health_json(report: HealthReport) -> dict[str, Any]:
    """The ``{"kind": "health", ...}`` line ``run --check --format ndjson`` ends with."""
    return {"kind": "health", **report.to_json()}


def write_health_ndjson(report: HealthReport, stream: TextIO) -> None:
    stream.write(json.dumps(health_json(report), ensure_ascii=False, separators=(",", ":")) + "\n")
    stream.flush()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(report: HealthReport) -> str:
    s = report.summary
    rate = f"{s.mean_rate_per_s:.1f}/s on average" if s.mean_rate_per_s is not None else "no rate"
    return (
        f"{_plural(s.count, 'message')} in {s.duration:.2f} s, {s.bytes_total:,} bytes (largest {s.max_bytes:,}), "
        f"longest gap {s.max_gap:.2f} s, peak {s.peak_rate_per_s}/s, {rate}"
    )


def verdict(report: HealthReport) -> str:
    counts = {severity: sum(1 for f in report.findings if f.severity == severity) for severity in ("error", "warning")}
    if not any(counts.values()):
        return "healthy"
    return ", ".join(_plural(count, severity) for severity, count in counts.items() if count)


def print_health(report: HealthReport, console: Console) -> None:
    console.print(f"[bold]stream health[/bold]: {escape(summary_line(report))}", soft_wrap=True)
    for finding in report.findings:
        _print_finding(finding, console)
    if not report.summary.bunching_judged and report.summary.count:
        console.print("  [dim]bunching not judged: these are send times; it shows in receive times (a recording made through a client, an SSE capture)[/dim]")
    style = "bold green" if report.ok else "bold red" if report.failed() else "yellow"
    console.print(f"[{style}]{verdict(report)}[/{style}]")


def _print_finding(finding: Finding, console: Console) -> None:
    style = SEVERITY_STYLE[finding.severity]
    console.print(f"  [{style}]{finding.severity}[/{style}] [bold]{finding.code}[/bold]: {escape(finding.message)}", soft_wrap=True)
    if finding.advice:
        console.print(f"    [dim]{escape(finding.advice)}[/dim]", soft_wrap=True)


def outcomes_json(source: str, outcomes: Sequence[TestOutcome]) -> dict[str, Any]:
    return {"file": source, "passed": all(o.passed for o in outcomes), "tests": [o.to_json() for o in outcomes]}


def print_outcomes(outcomes: Sequence[TestOutcome], console: Console) -> None:
    for outcome in outcomes:
        head = f"{escape(outcome.name)} ({escape(outcome.endpoint)}): {_plural(outcome.message_count, 'message')} in {outcome.duration:.2f} s"
        if outcome.passed:
            console.print(f"[bold green]PASS[/bold green] {head}")
            continue
        console.print(f"[bold red]FAIL[/bold red] {head}")
        for difference in outcome.differences:
            console.print(f"  - {escape(difference.message)}", soft_wrap=True)
    failed = sum(1 for o in outcomes if not o.passed)
    tally = f"{_plural(len(outcomes), 'stream test')}: {len(outcomes) - failed} passed, {failed} failed"
    console.print(f"[bold red]{tally}[/bold red]" if failed else f"[bold green]{tally}[/bold green]")
