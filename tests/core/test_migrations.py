"""One migration step per format version, applied in order."""

from __future__ import annotations

import pytest

from app.core.migrations import UnsupportedFormatError, migrate


def test_steps_run_in_order_and_set_the_version():
    def names_to_endpoints(document: dict) -> dict:
        names = document.pop("names")
        return {**document, "endpoints": [{"name": name} for name in names]}

    steps = {1: names_to_endpoints, 2: lambda d: {**d, "name": d["name"].upper()}}
    migrated = migrate({"formatVersion": 1, "names": ["a"], "name": "p"}, current=3, steps=steps)
    assert migrated == {"formatVersion": 3, "endpoints": [{"name": "a"}], "name": "P"}


def test_current_documents_pass_through_unchanged():
    document = {"formatVersion": 1, "name": "x"}
    assert migrate(document) == document


@pytest.mark.parametrize("version", [0, -1, "1", True, 1.5])
def test_nonsense_versions_are_refused(version: object):
    with pytest.raises(UnsupportedFormatError):
        migrate({"formatVersion": version})


def test_a_missing_step_is_reported():
    with pytest.raises(UnsupportedFormatError, match="no migration from formatVersion 1"):
        migrate({"formatVersion": 1}, current=2, steps={})
