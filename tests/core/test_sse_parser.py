"""The upstream SSE parser: the spec's interpretation, whatever the read boundaries, line endings, comments or BOM."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.sse_parser import BOM, EventTooLarge, SSEEvent, SSEParser

PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
BIG = 10 * 1024 * 1024

# field values: any text without line ends or NUL (surrogates cannot be encoded)
VALUE = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n\0"), max_size=12)
EVENT = st.fixed_dictionaries(
    {"data": st.lists(VALUE, min_size=1, max_size=3)},
    optional={"name": VALUE, "id": VALUE, "retry": st.integers(0, 10**9), "comment": VALUE},
)
NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])


def parse(chunks: list[bytes], max_bytes: int = BIG) -> list[SSEEvent]:
    parser = SSEParser(max_bytes)
    events = [event for chunk in chunks for event in parser.feed(chunk)]
    return events + parser.end()


def render(events: list[dict], newlines: list[str], terminated: bool = True) -> tuple[bytes, list[SSEEvent]]:
    """The stream's bytes (line ``i`` ends with ``newlines[i % len]``) and the events a reader must see."""
    lines: list[str] = []
    expected: list[SSEEvent] = []
    last_id = ""
    for event in events:
        if "comment" in event:
            lines.append(":" + event["comment"])
        if "name" in event:
            lines.append("event: " + event["name"])
        if "id" in event:
            lines.append("id: " + event["id"])
            last_id = event["id"]
        if "retry" in event:
            lines.append(f"retry: {event['retry']}")
        lines.extend("data: " + value for value in event["data"])
        lines.append("")
        expected.append(SSEEvent(event.get("name") or "message", "\n".join(event["data"]), last_id, event.get("retry")))
    if not terminated and lines:
        lines.pop()  # no blank line after the last event: the end of the stream still delivers it
    out: list[str] = []
    previous = ""
    for index, line in enumerate(lines):
        newline = newlines[index % len(newlines)]
        if previous == "\r" and not line and newline == "\n":
            newline = "\r"  # CR then LF is one line end, not an empty line: the blank line needs its own
        out.append(line + newline)
        previous = newline
    if not terminated and out:
        out[-1] = lines[-1]  # and the last line has no end either
    return "".join(out).encode(), expected


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    return [data[start:end] for start, end in zip([0, *points], [*points, len(data)], strict=True)]


@PROPERTIES
@given(st.lists(EVENT, max_size=6), st.lists(NEWLINE, min_size=1, max_size=4), st.lists(st.integers(0, 10**6), max_size=12), st.booleans(), st.booleans())
def test_events_are_the_same_whatever_the_reads_line_ends_comments_and_bom(events, newlines, cuts, bom, terminated):
    stream, expected = render(events, newlines, terminated)
    stream = BOM + stream if bom else stream
    assert parse([stream]) == expected
    assert parse(split(stream, cuts)) == expected
    assert parse([bytes([b]) for b in stream]) == expected, "one byte per read: CRLF, BOM and UTF-8 split everywhere"


@PROPERTIES
@given(st.lists(EVENT, min_size=1, max_size=4), st.lists(st.integers(0, 10**6), max_size=8))
def test_an_event_over_the_bound_fails_in_any_reads_and_one_under_it_passes(events, cuts):
    stream, expected = render(events, ["\n"])
    size = max(len("\n".join(e["data"]).encode()) for e in events)
    assert parse(split(stream, cuts), max_bytes=size + 100) == expected
    huge = b"data: " + b"x" * 5000 + b"\n\n"
    with pytest.raises(EventTooLarge, match="an event is larger than 1,000 bytes"):
        parse(split(stream + huge, cuts), max_bytes=1000)


def test_the_specs_examples():
    """WHATWG HTML, 9.2.6 "Interpreting an event stream", and its examples."""
    assert [e.data for e in parse([b"data: YHOO\ndata: +2\ndata: 10\n\n"])] == ["YHOO\n+2\n10"]
    stream = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
    assert [(e.data, e.id) for e in parse([stream])] == [("first event", "1"), ("second event", ""), (" third event", "")]
    assert [e.data for e in parse([b"data\n\ndata\ndata\n\n"])] == ["", "\n"]
    assert [e.data for e in parse([b"data:test\n\ndata: test\n\n"])] == ["test", "test"]


def test_fields_the_spec_ignores_or_refuses():
    events = parse([b"event: ping\nretry: 10\n\nretry: 1x\nid: a\0b\nunknown: 1\nevent\ndata: d\n\n"])
    assert events == [SSEEvent("message", "d", "", None)], "a block without data is no event; bad retry, an id with NUL and unknown fields are ignored"


def test_bad_utf8_becomes_replacement_characters():
    assert parse([b"data: caf\xc3\n\ndata: \xe2\x82\xac\n\n"]) == [SSEEvent("message", "caf\ufffd", "", None), SSEEvent("message", "\u20ac", "", None)]


def test_a_stream_cut_mid_event_still_delivers_what_it_has():
    assert parse([b"data: {\"a\": 1}\ndata: [DONE]"]) == [SSEEvent("message", '{"a": 1}\n[DONE]', "", None)]
    assert parse([b""]) == [] and parse([BOM[:2]]) == []


def test_a_line_without_end_is_bounded_while_it_arrives():
    parser = SSEParser(1000)
    for _ in range(9):
        assert parser.feed(b"x" * 100) == []
    with pytest.raises(EventTooLarge):
        parser.feed(b"x" * 200)
