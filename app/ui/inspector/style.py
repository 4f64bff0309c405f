"""The inspector's look: one style sheet built from the shared theme colours."""

from __future__ import annotations

from app.ui import theme


def stylesheet() -> str:
    border, accent, muted, text = theme.CARD_BORDER.name(), theme.CARD_SELECTED.name(), theme.TEXT_MUTED.name(), theme.TEXT.name()
    error, warning, lane = theme.ERROR.name(), theme.WARNING.name(), theme.LANE_BACKGROUND.name()
    return f"""
    QWidget#inspector, QWidget#inspectorContent {{ background: #ffffff; color: {text}; }}
    QScrollArea#inspectorScroll {{ border: none; background: #ffffff; }}
    QWidget#actionHeader {{ background: #ffffff; border-bottom: 1px solid {border}; }}
    QLineEdit#actionTitle {{ border: 1px solid transparent; border-radius: 4px; padding: 2px 4px; background: transparent; }}
    QLineEdit#actionTitle:hover {{ border-color: {border}; }}
    QLineEdit#actionTitle:focus {{ border-color: {accent}; background: #ffffff; }}
    QLabel#actionType, QLabel#actionId {{ color: {muted}; padding-left: 5px; }}
    QLabel#paramTitle {{ font-weight: 600; color: {text}; }}
    QLabel#paramHelp, QLabel#emptyForm {{ color: {muted}; }}
    QLabel#emptyState {{ color: {muted}; padding: 24px; }}
    QLineEdit, QPlainTextEdit {{ border: 1px solid {border}; border-radius: 4px; padding: 2px 4px; background: #ffffff;
        selection-background-color: {accent}; selection-color: #ffffff; }}
    QLineEdit:focus, QPlainTextEdit:focus {{ border-color: {accent}; }}
    QPlainTextEdit#formulaEdit {{ background: #f6f8fe; }}
    QLineEdit[invalid="true"] {{ border-color: {error}; }}
    QToolButton#fxToggle {{ font-style: italic; font-weight: 600; color: {muted}; border: 1px solid {border};
        border-radius: 4px; padding: 1px 6px; background: #ffffff; }}
    QToolButton#fxToggle:hover {{ border-color: {accent}; color: {accent}; }}
    QToolButton#fxToggle:checked {{ background: {accent}; border-color: {accent}; color: #ffffff; }}
    QToolButton#removeRow {{ border: none; color: {muted}; font-size: 14px; padding: 0px 4px; }}
    QToolButton#removeRow:hover {{ color: {error}; }}
    QPushButton#addRow {{ border: none; color: {accent}; font-weight: 600; padding: 2px 0px; text-align: left; }}
    QPushButton#addRow:hover {{ text-decoration: underline; }}
    QToolButton#rawToggle {{ border: 1px solid {border}; border-radius: 4px; padding: 1px 6px; color: {muted}; background: #ffffff; }}
    QToolButton#rawToggle:checked {{ background: {lane}; color: {text}; }}
    QLabel#paramHint {{ color: #0a7f4f; background: #eef8f3; border-radius: 4px; padding: 3px 6px; font-family: monospace; }}
    QLabel#paramHint[empty="true"] {{ background: transparent; }}
    QLabel#paramWarning {{ color: {warning}; font-weight: 700; }}
    QToolButton#sectionToggle {{ border: none; font-weight: 600; color: {muted}; padding: 4px 0px; }}
    QToolButton#sectionToggle:hover {{ color: {accent}; }}
    QPushButton#openWorkflow {{ border: 1px solid {border}; border-radius: 4px; padding: 6px 10px; text-align: left; background: #f6f8fe; }}
    QPushButton#openWorkflow:hover {{ border-color: {accent}; }}
    QWidget#problemList {{ background: #ffffff; border-top: 1px solid {border}; }}
    QWidget#problemList[severity="error"] {{ background: #fdecec; border-left: 3px solid {error}; }}
    QWidget#problemList[severity="warning"] {{ background: #fff6e0; border-left: 3px solid {warning}; }}
    QWidget#problemList[severity="none"] QLabel {{ color: {muted}; }}
    QLabel#problemCount {{ color: {muted}; }}
    QLabel#paramFormulaError {{ color: {error}; }}
    QLabel#paramStatus {{ font-weight: 700; }}
    """
