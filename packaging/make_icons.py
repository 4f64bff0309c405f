"""Render the app icon (resources/icons/app/streamwright.svg) to the files desktops and installers want.

Writes ``streamwright-<size>.png`` for the sizes the freedesktop icon theme,
the window manager and the taskbar pick from, plus ``streamwright.ico``
(Windows) and ``streamwright.icns`` (macOS), both made of embedded PNGs so no
image library beyond Qt is needed. Run it after editing the SVG:

    .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a build machine may have no display

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app"
SVG = ICON_DIR / "streamwright.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = (  # (OSType, pixels): PNG-payload entries macOS reads since 10.7
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512), (b"ic10", 1024),
)  # fmt: skip


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The SVG drawn straight at ``size`` (not scaled down from a big bitmap), so small sizes stay crisp."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; PySide6 takes str
        raise RuntimeError("PNG encoding failed")
    return bytes(buffer.data().data())


def ico(images: dict[int, bytes]) -> bytes:
    """A Windows .ico whose entries are PNGs (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, payload = b"", b""
    for size, data in images.items():
        side = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + entries + payload


def icns(images: dict[bytes, bytes]) -> bytes:
    """A macOS .icns of PNG entries: 'icns', total length, then (type, length, data) blocks, big-endian."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in images.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    application = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter needs one for its fonts and pixmaps
    assert application is not None
    renderer = QSvgRenderer(QByteArray(SVG.read_bytes()))
    if not renderer.isValid():
        print(f"{SVG}: not a valid SVG for Qt", file=sys.stderr)
        return 1
    rendered: dict[int, bytes] = {}

    def png(size: int) -> bytes:
        if size not in rendered:
            rendered[size] = png_bytes(render(renderer, size))
        return rendered[size]

    for size in PNG_SIZES:
        (ICON_DIR / f"streamwright-{size}.png").write_bytes(png(size))
    (ICON_DIR / "streamwright.ico").write_bytes(ico({size: png(size) for size in ICO_SIZES}))
    (ICON_DIR / "streamwright.icns").write_bytes(icns({kind: png(size) for kind, size in ICNS_TYPES}))
    print(f"wrote {len(PNG_SIZES)} PNGs, streamwright.ico and streamwright.icns to {ICON_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
