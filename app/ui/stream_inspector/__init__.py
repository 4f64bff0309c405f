"""The stream inspector dock: a run's messages, its action spans in time, its rates and its health."""

from app.ui.stream_inspector.inspector import ORIGIN_PREVIEW, ORIGIN_RECORDING, ORIGIN_RUN, StreamInspector

__all__ = ["ORIGIN_PREVIEW", "ORIGIN_RECORDING", "ORIGIN_RUN", "StreamInspector"]
