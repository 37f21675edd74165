"""Render packaging/icons/helpdesk.svg to the PNG sizes a Linux desktop uses
(hicolor/<size>x<size>/apps) and the Windows .ico (PNG-compressed entries, Vista and
later). Run after editing the SVG: `.venv/bin/python packaging/make_icons.py`; the
outputs are committed, so building a bundle does not need this step."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (sizes up to 256; 256 is written as 0)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in sorted(images.items()):
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "helpdesk.svg"))
    if not renderer.isValid():
        print("make_icons: helpdesk.svg is not a valid SVG", file=sys.stderr)
        return 1
    rendered = {size: png_bytes(render(renderer, size)) for size in PNG_SIZES}
    for size, blob in rendered.items():
        (ICONS / f"helpdesk-{size}.png").write_bytes(blob)
    (ICONS / "helpdesk.ico").write_bytes(ico_bytes({s: rendered[s] for s in ICO_SIZES}))
    print(f"make_icons: {len(PNG_SIZES)} PNG sizes and helpdesk.ico in {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
