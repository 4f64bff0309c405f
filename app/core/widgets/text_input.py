"""Text input: reads and writes one page variable, so workflows and bindings see ``variables.<name>``."""

from __future__ import annotations

from typing import Any

from app.core.params import Expr, Param
from app.core.summaries import inline_json
from app.core.widgets.registry import WidgetProps, WidgetType


class TextInputProps(WidgetProps):
    variable: str = Param("", title="Page variable", description="The page variable it shows and sets as the user types.", editor="pagevariable")
    label: Expr[str] = Param("", title="Label")
    placeholder: Expr[str] = Param("", title="Placeholder")


def summary(props: dict[str, Any]) -> str:
    variable = props.get("variable") or "(no variable)"
    label = props.get("label", "")
    bound = f"variables.{variable}" if props.get("variable") else variable
    return f"{inline_json(label)}: {bound}" if label else bound


WIDGET = WidgetType(
    id="text_input",
    title="Text input",
    category="Input",
    icon="text_input",
    description="Let the user type a value into a page variable, e.g. an input for the endpoint.",
    props=TextInputProps,
    summary=summary,
)
