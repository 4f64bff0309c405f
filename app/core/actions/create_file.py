"""Create file: write CSV, JSON or text built from formulas into the run's output folder.

The result carries a ``downloadUrl`` (a ``file://`` URL headless, the runner's
per-run URL when served). A file name that would leave the output folder is
refused.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from app.core.params import ActionParams, Expr, Param
from app.core.project import IDENTIFIER
from app.core.registry import ActionType
from app.core.run_context import RunContext
from app.core.summaries import inline_json
from app.core.values import Template

CONTENT_TYPES = {"csv": "text/csv", "json": "application/json", "text": "text/plain"}


class CreateFileParams(ActionParams):
    file_name: Expr[str] = Param("report.csv", alias="fileName", title="File name")
    format: Literal["csv", "json", "text"] = Param("csv", title="Format")
    content: Template = Param([], title="Content", description="CSV: a list of objects (or of lists); JSON: any value; text: a string.", editor="json")
    result_variable: str | None = Param(None, alias="resultVariable", title="Save file info as variable", pattern=IDENTIFIER)


def _cell(value: Any) -> Any:
    """A CSV cell as JSON would write it: ``true``/``false``, empty for null, nested values as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _csv(content: Any) -> str:
    rows = content if isinstance(content, list) else [content]
    buffer = io.StringIO()
    if rows and all(isinstance(row, dict) for row in rows):
        columns: list[str] = []
        for row in rows:
            columns.extend(key for key in row if key not in columns)
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    elif all(isinstance(row, list) for row in rows):
        csv.writer(buffer, lineterminator="\n").writerows([_cell(value) for value in row] for row in rows)
    else:
        raise ValueError("CSV content must be a list of objects or a list of lists")
    return buffer.getvalue()


def render(file_format: str, content: Any) -> str:
    if file_format == "csv":
        return _csv(content)
    if file_format == "json":
        return json.dumps(content, indent=2, ensure_ascii=False) + "\n"
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)


async def run(params: CreateFileParams, ctx: RunContext) -> dict[str, Any]:
    path = ctx.output_path(params.file_name)
    text = render(params.format, params.content)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = {
        "fileName": path.relative_to(ctx.output_dir.resolve()).as_posix(),
        "size": path.stat().st_size,
        "contentType": CONTENT_TYPES[params.format],
        "downloadUrl": ctx.download_url(path),
    }
    if params.result_variable:
        ctx.variables[params.result_variable] = result
    return result


def summary(params: dict[str, Any]) -> str:
    return f"{inline_json(params.get('fileName', ''))} ({params.get('format', 'csv')})"


ACTION = ActionType(
    id="file.create",
    title="Create file",
    category="Files",
    icon="file",
    description="Write a CSV, JSON or text file the client can download.",
    params=CreateFileParams,
    run=run,
    summary=summary,
    result_shape={"fileName": "string", "size": "number", "contentType": "string", "downloadUrl": "string"},
)
