"""The first run on a fresh Debian: the system libraries Qt's xcb plugin needs, and the editor on a real X server.

``make run`` and ``make test`` install ``app/ui/qt_system_libs.DEBIAN_PACKAGES`` when
ldd says one is missing, so the table must cover every library outside Qt that the
plugin and the Qt libraries it loads link to directly; a new PySide6 release that
links to one more fails here, not on a user's machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from app.ui import qt_system_libs
from app.ui.qt_system_libs import BASE_SYSTEM, DEBIAN_PACKAGES, check_before_qt, resolved_libraries, run_ldd, xcb_plugin, xcb_will_be_used

ROOT = Path(__file__).resolve().parents[2]


def needed(path: Path) -> list[str]:
    """The sonames an ELF file links to directly (DT_NEEDED)."""
    with path.open("rb") as stream:
        elf = ELFFile(stream)
        return [tag.needed for section in elf.iter_sections() if isinstance(section, DynamicSection) for tag in section.iter_tags() if tag.entry.d_tag == "DT_NEEDED"]


def qt_closure(plugin: Path) -> Iterator[Path]:
    """The plugin and every library of PySide6's own that ldd resolves for it."""
    qt_root = plugin.parents[3]
    yield plugin
    for where in resolved_libraries(run_ldd(plugin)).values():
        if where != "not found" and Path(where).resolve().is_relative_to(qt_root.resolve()):
            yield Path(where)


@pytest.fixture(scope="module")
def plugin() -> Path:
    found = xcb_plugin()
    assert found is not None, "PySide6's xcb platform plugin (libqxcb.so) is missing from the venv"
    return found


def test_the_package_list_covers_every_system_library_the_xcb_plugin_links_to(plugin: Path) -> None:
    closure = list(qt_closure(plugin))
    assert any("Qt6XcbQpa" in path.name for path in closure), "ldd did not resolve Qt's own libraries for the plugin"
    qt_names = {path.name for path in closure}
    uncovered = {
        f"{name} (needed by {path.name})"
        for path in closure
        for name in needed(path)
        if name not in qt_names and not name.startswith("libQt6") and name not in DEBIAN_PACKAGES and not BASE_SYSTEM.match(name)
    }
    assert not uncovered, f"add these to DEBIAN_PACKAGES with their Debian package: {sorted(uncovered)}"


def test_every_library_the_plugin_loads_is_installed_after_make(plugin: Path) -> None:
    missing = [name for name, where in resolved_libraries(run_ldd(plugin)).items() if where == "not found"]
    assert missing == [], f"make's qt-deps left these missing: {missing}"


LDD_REPORT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
"""


def test_a_missing_library_is_named_with_the_exact_debian_package_before_qt_starts() -> None:
    message = check_before_qt({"QT_QPA_PLATFORM": "xcb"}, ldd=lambda path: LDD_REPORT)
    assert message is not None
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in message
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in message
    assert "cursor" not in message  # Qt's own message blames libxcb-cursor0, which is installed


ALL_THERE = LDD_REPORT.replace("not found", "/lib/x86_64-linux-gnu/found.so")


def test_a_start_that_found_every_library_lets_the_next_skip_ldd_until_the_system_changes(tmp_path: Path) -> None:
    """ldd is a subprocess on every start on X11; the answer holds until a library is installed or removed (ldconfig)."""
    calls: list[Path] = []
    report = ALL_THERE

    def ldd(path: Path) -> str:
        calls.append(path)
        return report

    memo, ld_cache = tmp_path / "cache" / "qt-libs-ok", tmp_path / "ld.so.cache"
    ld_cache.write_bytes(b"one")
    check = lambda: check_before_qt({"QT_QPA_PLATFORM": "xcb"}, ldd=ldd, memo=memo, ld_cache=ld_cache)  # noqa: E731
    assert check() is None and len(calls) == 1
    assert check() is None and len(calls) == 1  # remembered
    ld_cache.write_bytes(b"a library was removed")  # ldconfig rewrote the cache
    report = LDD_REPORT
    message = check()
    assert len(calls) == 2 and message is not None and "libxcb-icccm4" in message
    assert check() is not None and len(calls) == 3  # a failed check is never remembered
    report = ALL_THERE
    assert check() is None and len(calls) == 4
    assert check_before_qt({"QT_QPA_PLATFORM": "xcb", "LD_LIBRARY_PATH": "/opt/qt"}, ldd=ldd, memo=memo, ld_cache=ld_cache) is None
    assert len(calls) == 5  # another library path can resolve other files


def test_nothing_is_checked_when_qt_will_not_load_the_xcb_plugin() -> None:
    assert check_before_qt({"QT_QPA_PLATFORM": "offscreen"}, ldd=lambda path: LDD_REPORT) is None
    assert not xcb_will_be_used({"WAYLAND_DISPLAY": "wayland-0"})
    assert xcb_will_be_used({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"})
    assert xcb_will_be_used({"DISPLAY": ":0"}) == sys.platform.startswith("linux")


def test_the_makefile_installs_exactly_what_is_missing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.ui.qt_system_libs", "--missing-packages"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == " ".join(qt_system_libs.packages_for(qt_system_libs.missing_libraries()))
    assert "qt_system_libs --missing-packages" in (ROOT / "Makefile").read_text()


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    """A real X server (Xvfb, installed by make test) on a display number it picks itself."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_editor_opens_its_window_on_a_real_x_server(x_display: str, tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND"))},
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "STREAMWRIGHT_QUIT_WHEN_SHOWN": "1",
    }
    result = subprocess.run([sys.executable, "-m", "app"], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "main window shown at" in result.stdout, result.stderr
