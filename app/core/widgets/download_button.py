"""Download button: saves or opens a URL, typically ``stream.chunk.downloadUrl`` once it arrives."""

from __future__ import annotations

from typing import Any, Literal

from app.core.params import Expr, Param
from app.core.summaries import inline_json
from app.core.widgets.registry import WidgetProps, WidgetType


class DownloadButtonProps(WidgetProps):
    url: Expr[str | None] = Param(
        None,
        title="URL",
        editor="text",
        description="What to download, e.g. stream.chunk.downloadUrl; no URL disables the button.",
    )
    label: Expr[str] = Param("Download", title="Label")
    action: Literal["save", "open"] = Param(
        "save",
        title="On click",
        description="save: save the file into your Downloads folder (under Streamwright/, never overwriting) and offer Open and Show in folder; "
        "open: open the URL in your browser.",
    )
    file_name: Expr[str | None] = Param(
        None, alias="fileName", title="File name", editor="text", description="Suggested name when saving; by default the URL's last part."
    )


def summary(props: dict[str, Any]) -> str:
    label = inline_json(props.get("label", "Download"))
    url = props.get("url")
    return f"{label} → {inline_json(url)}" if url not in (None, "") else f"{label} (no URL yet)"


WIDGET = WidgetType(
    id="download_button",
    title="Download button",
    category="Stream",
    icon="download",
    description="Save or open a file the stream links to, e.g. when stream.chunk.downloadUrl arrives.",
    props=DownloadButtonProps,
    summary=summary,
)
