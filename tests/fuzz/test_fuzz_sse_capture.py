"""Property: any text given to ``record --from-sse`` becomes a recording, or a CaptureError naming a line."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from app.core.recordings import CaptureError, recording_from_sse
from tests.fuzz.strategies import ANY_TEXT, JSON_VALUES, dumps_loose, nested

LINES = st.one_of(
    JSON_VALUES.map(lambda v: "data: " + dumps_loose(v)),
    nested().map(lambda t: "data: " + t),
    st.sampled_from(['data: {"done": NaN}', "data: [1e999]", 'data: "\\ud800"', "data: -Infinity", '{"event": "message", "data": NaN}']),
    st.sampled_from(["", "", "event: result", "event: error", "event: trace", "id: 3", "retry: 10", ": heartbeat", "HTTP/1.1 200 OK", "content-type: text/event-stream"]),
    st.from_regex(r"\A(# t=|: t=)[0-9]{1,400}(\.[0-9]{1,5})?\Z"),
    st.from_regex(r"\A[0-9]{1,12}(\.[0-9]{1,6})? data: \{\"status\": \"done\"\}\Z"),
    st.from_regex(r"\A([A-Z][a-z]{2} [0-9]{1,2} )?[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)? data: 1\Z"),
    JSON_VALUES.map(lambda v: json.dumps({"event": "message", "id": 1, "data": v})),
    ANY_TEXT,
)


@given(st.lists(LINES, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_capture_is_a_recording_or_a_capture_error(lines: list[str], newline: str) -> None:
    text = newline.join(lines) + newline
    try:
        recording = recording_from_sse(text, "fuzz", "ep")
    except CaptureError as error:
        assert str(error)
        return
    document = recording.model_dump(mode="json", by_alias=True)
    json.dumps(document, allow_nan=False).encode("utf-8")  # what is kept is real JSON and real UTF-8
