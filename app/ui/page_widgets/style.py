"""The look of a page: one style sheet over the renderers' object names, built from the shared theme colours."""

from __future__ import annotations

from app.ui import theme

__all__ = ["stylesheet"]


def stylesheet() -> str:
    text, muted, accent = theme.TEXT.name(), theme.TEXT_MUTED.name(), theme.CARD_SELECTED.name()
    error, canvas = theme.ERROR.name(), theme.CANVAS_BACKGROUND.name()
    line, soft_line = "#cfd4dc", "#e3e6eb"
    return f"""
    QWidget#pageView, QWidget#pageViewport {{ background: {canvas}; }}
    QScrollArea#pageScroll {{ border: none; background: {canvas}; }}
    QFrame#pageSurface {{ background: #ffffff; border: 1px solid {soft_line}; border-radius: 10px; }}
    QLabel#pageTitle {{ font-size: 22px; font-weight: 600; color: {text}; }}
    QLabel#pageEmpty {{ color: {muted}; font-size: 13px; }}
    QLabel#pageErrors {{ background: #fdecec; border: 1px solid #f3c3c5; border-left: 3px solid {error};
        border-radius: 6px; padding: 8px 10px; color: {text}; font-size: 12px; }}

    QLabel#pageText {{ color: {text}; font-size: 14px; }}
    QLabel#pageText[textStyle="heading"] {{ font-size: 18px; font-weight: 600; }}
    QLabel#pageText[textStyle="caption"] {{ font-size: 12px; color: {muted}; }}
    QLabel#pageText[textStyle="status"] {{ font-size: 12px; font-weight: 600; border-radius: 9px; padding: 2px 10px;
        background: #eef0f3; color: #4b5563; }}
    QLabel#pageText[textStyle="status"][tone="active"] {{ background: #e8effc; color: #2f5cc0; }}
    QLabel#pageText[textStyle="status"][tone="success"] {{ background: #e2f4ec; color: #0f7a59; }}
    QLabel#pageText[textStyle="status"][tone="error"] {{ background: #fdecec; color: #b4232a; }}
    QLabel#pageText[textStyle="status"][tone="warning"] {{ background: #fff3d9; color: #8a5d00; }}

    QPushButton#pageButton, QPushButton#pageDownload {{ font-size: 14px; font-weight: 600; border-radius: 6px; padding: 7px 18px; }}
    QPushButton#pageButton[variant="primary"] {{ background: {accent}; color: #ffffff; border: 1px solid #3265d6; }}
    QPushButton#pageButton[variant="primary"]:hover {{ background: #3363cf; }}
    QPushButton#pageButton[variant="primary"]:pressed {{ background: #2b57b8; }}
    QPushButton#pageButton[variant="primary"]:disabled {{ background: #b7c8ee; border-color: #b7c8ee; color: #f5f7fc; }}
    QPushButton#pageButton[variant="secondary"] {{ background: #ffffff; color: {text}; border: 1px solid {line}; }}
    QPushButton#pageButton[variant="secondary"]:hover {{ background: #f4f6fa; border-color: #b9c0cc; }}
    QPushButton#pageButton[variant="secondary"]:disabled {{ color: #a3aab6; background: #f7f8fa; border-color: {soft_line}; }}
    QPushButton#pageDownload {{ background: #ffffff; color: {accent}; border: 1px solid {accent}; padding-left: 12px; }}
    QPushButton#pageDownload:hover {{ background: #eef3fd; }}
    QPushButton#pageDownload:disabled {{ color: #a3aab6; border-color: {soft_line}; background: #f7f8fa; }}

    QProgressBar#pageProgress {{ border: none; border-radius: 4px; background: #e6e9ef; min-height: 8px; max-height: 8px; }}
    QProgressBar#pageProgress::chunk {{ background: {accent}; border-radius: 4px; }}
    QProgressBar#pageProgress::chunk:disabled {{ background: #a9bce8; }}
    QLabel#pageProgressText {{ color: #4b5563; font-size: 12px; font-weight: 600; min-width: 36px; }}

    QPlainTextEdit#pageLiveOutput {{ background: #fbfcfd; color: {text}; border: 1px solid {soft_line}; border-radius: 6px;
        padding: 6px 8px; font-size: 13px; selection-background-color: {accent}; selection-color: #ffffff; }}
    QPlainTextEdit#pageLiveOutput[monospace="true"] {{ background: #f6f8fa; font-family: "DejaVu Sans Mono", "Menlo", "Consolas", monospace;
        font-size: 12px; }}

    QLabel#pageInputLabel {{ color: #4b5563; font-size: 12px; font-weight: 600; }}
    QLineEdit#pageInput {{ background: #ffffff; color: {text}; border: 1px solid {line}; border-radius: 6px; padding: 6px 8px;
        font-size: 14px; selection-background-color: {accent}; selection-color: #ffffff; }}
    QLineEdit#pageInput:focus {{ border-color: {accent}; }}
    QLineEdit#pageInput:disabled {{ background: #f7f8fa; color: #a3aab6; }}

    QTableView#pageChunkList {{ background: #ffffff; alternate-background-color: #f8f9fb; border: 1px solid {soft_line};
        border-radius: 6px; font-size: 12px; color: {text}; selection-background-color: #e8effc; selection-color: {text}; }}
    QTableView#pageChunkList QHeaderView::section {{ background: #f4f5f7; color: #4b5563; font-weight: 600; font-size: 12px;
        border: none; border-bottom: 1px solid {soft_line}; padding: 5px 8px; }}
    QTableView#pageChunkList::item {{ padding: 0px 6px; }}

    QFrame#pageSurface QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
    QFrame#pageSurface QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
    QFrame#pageSurface QScrollBar::handle {{ background: #c9ced6; border-radius: 3px; min-height: 24px; min-width: 24px; }}
    QFrame#pageSurface QScrollBar::handle:hover {{ background: #aab1bc; }}
    QFrame#pageSurface QScrollBar::add-line, QFrame#pageSurface QScrollBar::sub-line {{ width: 0px; height: 0px; }}
    QFrame#pageSurface QScrollBar::add-page, QFrame#pageSurface QScrollBar::sub-page {{ background: transparent; }}

    QFrame#pageContainer[design="true"] {{ border: 1px dashed {line}; border-radius: 6px; }}
    QLabel#pageContainerEmpty {{ color: {muted}; font-size: 12px; border: none; }}
    QLabel#pageUnknown {{ background: #fdecec; color: #b4232a; border: 1px dashed #f3c3c5; border-radius: 6px; padding: 10px; }}
    """
