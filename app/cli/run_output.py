"""How ``streamwright run`` shows a run: NDJSON for programs, a live view for people."""

from __future__ import annotations

import json
import sys
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from app.core.events import ErrorEvent, LogEvent, MessageEvent, ResultEvent, RunEvent, event_to_json


class RunOutput(Protocol):
    def show(self, event: RunEvent) -> None: ...
    def close(self) -> None: ...


class NdjsonOutput:
    """One JSON object per line, flushed at once so a pipe sees each message the moment it is sent."""

    def __init__(self, stream: TextIO | None = None, *, trace: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.trace = trace

    def show(self, event: RunEvent) -> None:
        if not self.trace and event.kind in ("action_started", "action_finished"):
            return
        self.stream.write(json.dumps(event_to_json(event), ensure_ascii=False, separators=(",", ":")) + "\n")
        self.stream.flush()

    def close(self) -> None:
        self.stream.flush()


PROGRESS_KEYS = frozenset({"status", "label", "done", "total"})


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


class PrettyOutput:
    """A live progress bar for messages that carry ``done``/``total``, status and label beside it.

    Text chunks (``{"status": "chunk", "text": ...}``) are written inline so
    the text reads as it arrives; other messages print one line each.
    """

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.in_text = False

    def _bar(self) -> Progress:
        if self.progress is None:
            self.progress = Progress(
                TextColumn("[bold]{task.fields[status]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[label]}"),
                TimeElapsedColumn(),
                console=self.console,
            )
            self.task = self.progress.add_task("run", total=None, status="", label="")
            self.progress.start()
        return self.progress

    def _end_text(self) -> None:
        if self.in_text:
            self.console.file.write("\n")
            self.in_text = False

    def show(self, event: RunEvent) -> None:
        if isinstance(event, MessageEvent):
            self._message(event)
        elif isinstance(event, LogEvent):
            self._end_text()
            self.console.print(f"[dim]log[/dim] {event.action_id}: {event.message}")
        elif isinstance(event, ErrorEvent):
            self._end_text()
            self._stop()
            where = f" in action {event.action_id} ({event.action_type})" if event.action_id else ""
            self.console.print(f"[bold red]error[/bold red]{where}: {event.message}")
        elif isinstance(event, ResultEvent):
            self._end_text()
            self._stop()
            summary = f"{event.message_count} message(s) in {event.t:.2f} s"
            if event.returned or not event.streamed:
                self.console.print(f"[bold green]result[/bold green] {event.status_code} {json.dumps(event.body, ensure_ascii=False)}  ({summary})")
            else:
                self.console.print(f"[bold green]stream ended[/bold green] ({summary})")

    def _message(self, event: MessageEvent) -> None:
        data = event.data
        status = str(data.get("status", ""))
        if isinstance(data.get("done"), (int, float)) and isinstance(data.get("total"), (int, float)):
            self._end_text()
            progress = self._bar()
            assert self.task is not None
            progress.update(self.task, completed=data["done"], total=data["total"], status=status, label=str(data.get("label", "")))
            extra = {key: value for key, value in data.items() if key not in PROGRESS_KEYS}
            for key, value in extra.items():  # e.g. the final downloadUrl: a line of its own, above the bar
                self.console.print(f"  [bold]{key}[/bold]: {value if isinstance(value, str) else json.dumps(value)}", soft_wrap=True)
            return
        if status == "chunk" and isinstance(data.get("text"), str) and len(data) == 2:
            self.console.file.write(data["text"])
            self.console.file.flush()
            self.in_text = True
            return
        self._end_text()
        rest = {key: value for key, value in data.items() if key not in ("status", "label")}
        label = f" {data['label']}" if "label" in data else ""
        fields = f"  {_compact(rest)}" if rest else ""
        self.console.print(f"[bold cyan]{status or 'message'}[/bold cyan]{label}{fields}")

    def _stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def close(self) -> None:
        self._end_text()
        self._stop()
