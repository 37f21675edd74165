"""Persian for terminals that do not shape: join letters and put them in visual order.

Most terminals draw characters one by one, left to right, in the order they arrive, so
Persian shows up as isolated letters written backwards. For those, each output line is
reshaped (presentation forms, `arabic_reshaper`) and reordered (Unicode bidi,
`python-bidi`). Only for display: stored text stays in logical order, and nothing Qt
shows may pass through here (Qt shapes by itself; it would come out reversed).

Tables shape each cell on its own and pad by display width after shaping, so columns
line up and a Persian title never swaps places with the customer beside it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import arabic_reshaper
from bidi import get_display

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ZERO_WIDTH_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


def persian_digits(text: str) -> str:
    """ASCII digits as Persian digits, for display only (stored numbers stay ASCII)."""
    return text.translate(_PERSIAN_DIGITS)


def display_width(text: str) -> int:
    """Terminal columns `text` takes: marks and format characters (ZWNJ) take none,
    East Asian wide characters two."""
    width = 0
    for char in text:
        if unicodedata.category(char) in _ZERO_WIDTH_CATEGORIES:
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def truncate(text: str, width: int) -> str:
    """At most `width` display columns of `text` in logical order, with "…" when cut."""
    if display_width(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        w = display_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out).rstrip() + "…"


def shape(text: str) -> str:
    """One line of logical-order text in visual order with joined letters.

    The paragraph direction comes from the first strong character, so a line starting
    with a Latin label keeps its label on the left and a Persian sentence reads right to
    left; digits, ids and emails keep their left-to-right order inside either.
    """
    if not text or text.isascii():
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


@dataclass(frozen=True)
class Shaper:
    """Applies shaping to output lines when on, leaves text untouched when off."""

    enabled: bool
    digits: bool = False  # Persian digits

    def text(self, value: str) -> str:
        """A value before layout: Persian digits when asked (still logical order)."""
        return persian_digits(value) if self.digits else value

    def line(self, value: str) -> str:
        return shape(value) if self.enabled else value

    def lines(self, value: str) -> list[str]:
        return [self.line(part) for part in value.splitlines() or [""]]


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    shaper: Shaper,
    *,
    gap: str = "  ",
) -> list[str]:
    """Lines of a left-aligned table: cells shaped one by one, then padded by their
    display width so every column starts at the same terminal column."""
    shaped = [[shaper.line(cell) for cell in row] for row in [list(headers), *rows]]
    widths = [max(display_width(row[i]) for row in shaped) for i in range(len(headers))]
    out: list[str] = []
    for row in shaped:
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        out.append(gap.join(cells).rstrip())
    return out
