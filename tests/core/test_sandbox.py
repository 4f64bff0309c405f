"""File names from formulas cannot leave their folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.sandbox import PathOutsideSandboxError, safe_join


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../x", "..\\x", "", "  ", "a\x00b", "C:x", "c:/x", ".", "a/.."])
def test_escaping_names_are_refused(tmp_path: Path, name: str):
    with pytest.raises(PathOutsideSandboxError):
        safe_join(tmp_path, name)


def test_plain_and_nested_names_stay_inside(tmp_path: Path):
    assert safe_join(tmp_path, "report.csv") == tmp_path.resolve() / "report.csv"
    assert safe_join(tmp_path, "sub/report.csv") == tmp_path.resolve() / "sub" / "report.csv"


def test_a_symlink_leading_out_is_refused(tmp_path: Path):
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "link").symlink_to(tmp_path.parent)
    with pytest.raises(PathOutsideSandboxError):
        safe_join(inside, "link/x.txt")
