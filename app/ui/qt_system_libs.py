"""The system libraries Qt's X11 platform plugin needs, and the Debian packages that provide them.

PySide6's wheels carry Qt itself but not the X11/xcb family, fonts or GL, which
come from the system. When one is missing, Qt aborts with a message that
blames ``libxcb-cursor0`` whatever is really missing, so the editor checks
first (``ldd`` on the plugin, before the QApplication exists) and names the
exact packages. ``make run`` installs the same list with apt
(``python -m app.ui.qt_system_libs --missing-packages``), and a test fails
when the plugin needs a library this table does not cover. No Qt import here:
the check must run before Qt can abort.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

DEBIAN_PACKAGES: dict[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
"""Every library outside Qt that the xcb plugin, and the Qt libraries it loads, link to directly."""

BASE_SYSTEM = re.compile(r"^(linux-vdso|linux-gate|ld-linux.*|libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s)\.so")
"""Parts of every Debian system (libc6, libstdc++6, libgcc-s1): never missing, never listed."""

_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)")

Ldd = Callable[[Path], str]


def xcb_plugin() -> Path | None:
    """PySide6's ``libqxcb.so``, found without importing Qt (None when PySide6 or the plugin is absent)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def run_ldd(path: Path) -> str:
    """``ldd``'s report on one file (glibc's ldd resolves the whole tree, with the file's own RPATH)."""
    import subprocess  # here, not at the top: only a start on X11 runs it

    result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=30, check=False)
    return result.stdout


def resolved_libraries(report: str) -> dict[str, str]:
    """``soname -> path`` from an ldd report; a missing one maps to ``"not found"``."""
    found: dict[str, str] = {}
    for line in report.splitlines():
        match = _LDD_LINE.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def missing_libraries(plugin: Path | None = None, ldd: Ldd = run_ldd) -> list[str]:
    """The sonames the xcb plugin needs that the system lacks (empty when all are there or it cannot tell)."""
    plugin = plugin or xcb_plugin()
    if plugin is None or (ldd is run_ldd and shutil.which("ldd") is None):
        return []
    return sorted(name for name, where in resolved_libraries(ldd(plugin)).items() if where == "not found")


def packages_for(sonames: list[str]) -> list[str]:
    """The Debian packages providing these sonames (unknown ones are named by soname)."""
    return sorted({DEBIAN_PACKAGES.get(name, name) for name in sonames})


def xcb_will_be_used(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether Qt will load its xcb plugin: Linux, and X11 asked for or the session is not Wayland."""
    if not sys.platform.startswith("linux"):
        return False
    platform = environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if platform:
        return platform == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def problem_message(missing: list[str]) -> str:
    """What the user reads instead of Qt's abort: the missing libraries and the one command that installs them."""
    packages = " ".join(packages_for(missing))
    return (
        "Streamwright cannot open its window: Qt's X11 platform plugin needs system libraries that are not installed:\n"
        f"  {', '.join(missing)}\n"
        "On Debian or Ubuntu, install them with:\n"
        f"  sudo apt-get install {packages}\n"
        "(`make run` does this for you when it may use apt-get.)"
    )


LD_CACHE = Path("/etc/ld.so.cache")
"""Rewritten by ``ldconfig``, which installing or removing a library package runs."""


def default_memo(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """Where a start on X11 remembers that every library was there (the user's cache folder)."""
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "streamwright" / "qt-system-libraries-ok"


def libraries_key(plugin: Path, environ: dict[str, str] | os._Environ[str] = os.environ, ld_cache: Path = LD_CACHE) -> str:
    """What the plugin's libraries depend on: the plugin file, the system's library cache and ``LD_LIBRARY_PATH``."""
    parts = [str(plugin), environ.get("LD_LIBRARY_PATH", "")]
    for path in (plugin, ld_cache):
        try:
            stat = path.stat()
            parts.append(f"{stat.st_mtime_ns}:{stat.st_size}")
        except OSError:
            parts.append("-")
    return "\n".join(parts)


def check_before_qt(environ: dict[str, str] | os._Environ[str] = os.environ, ldd: Ldd = run_ldd, memo: Path | None = None, ld_cache: Path = LD_CACHE) -> str | None:
    """The problem message when the xcb plugin would fail to load, else None.

    With ``memo``, a check that found everything is remembered there with what it depended on
    (``libraries_key``), and the next start with the same key skips ``ldd`` (a subprocess,
    about 25 ms). Installing or removing a library runs ``ldconfig``, which changes the key.
    """
    if not xcb_will_be_used(environ):
        return None
    plugin = xcb_plugin()
    if plugin is None:
        return None
    key = libraries_key(plugin, environ, ld_cache)
    if memo is not None:
        try:
            if memo.read_text() == key:
                return None
        except (OSError, UnicodeDecodeError):
            pass
    missing = missing_libraries(plugin, ldd=ldd)
    if missing:
        return problem_message(missing)
    if memo is not None:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            memo.write_text(key)
        except OSError:
            pass  # a read-only home: the check simply runs again next time
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.ui.qt_system_libs", description=__doc__.splitlines()[0])
    parser.add_argument("--missing-packages", action="store_true", help="print the Debian packages to install, one line, nothing when none")
    args = parser.parse_args(argv)
    missing = missing_libraries()
    if args.missing_packages:
        print(" ".join(packages_for(missing)))
        return 0
    if missing:
        print(problem_message(missing), file=sys.stderr)
        return 1
    print("Qt's X11 platform plugin has every system library it needs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
