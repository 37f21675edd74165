"""D1 in the terminal: Persian shaped into visual order for terminals that do not shape,
left alone for pipes, and tables that still line up after shaping."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import arabic_reshaper
import pytest

from sync.client.shaping import (
    Shaper,
    display_width,
    persian_digits,
    render_table,
    shape,
    truncate,
)

SENTENCE = "سلام، تیکت شما ثبت شد"


def visual(logical: str) -> str:
    """Joined letters written right to left: what a non-shaping terminal must receive."""
    return arabic_reshaper.reshape(logical)[::-1]


def is_presentation_form(char: str) -> bool:
    return "\ufb50" <= char <= "\ufdff" or "\ufe70" <= char <= "\ufeff"


def test_d1_persian_sentence_comes_out_in_visual_order_with_presentation_forms() -> None:
    shaped = Shaper(enabled=True).line(SENTENCE)
    assert shaped != SENTENCE
    assert shaped == visual(SENTENCE)
    letters = [c for c in shaped if unicodedata.category(c).startswith("L")]
    assert letters and all(is_presentation_form(c) for c in letters)
    # the last word of the logical text is drawn first (leftmost)
    assert shaped.startswith(visual("شد"))


def test_d1_unshaped_output_is_the_logical_text_unchanged() -> None:
    shaper = Shaper(enabled=False)
    assert shaper.line(SENTENCE) == SENTENCE
    table = render_table(["title"], [[SENTENCE]], shaper)
    assert table[1] == SENTENCE


def test_d1_mixed_line_keeps_latin_label_digits_and_email_left_to_right() -> None:
    line = "title: سفارش 1234 برای ali@example.com ارسال شد"
    shaped = shape(line)
    # a Latin label makes a left-to-right line; the Persian run inside it is reversed,
    # while the number and the email keep their own order
    assert shaped.startswith("title: ")
    assert "1234" in shaped and "4321" not in shaped
    assert "ali@example.com" in shaped
    assert shaped == (
        "title: "
        + visual("برای")
        + " 1234 "
        + visual("سفارش")
        + " ali@example.com "
        + visual("ارسال شد")
    )


def test_d1_persian_line_with_digits_reads_right_to_left_around_the_number() -> None:
    shaped = shape("سفارش 1234 ارسال شد")
    assert shaped == visual("ارسال شد") + " 1234 " + visual("سفارش")


def test_d1_ascii_is_never_touched() -> None:
    assert shape("ORD-123 (a) [b]") == "ORD-123 (a) [b]"


def test_display_width_counts_marks_and_zwnj_as_nothing() -> None:
    assert display_width("abc") == 3
    assert display_width("می\u200cخواهم") == 7  # ZWNJ takes no column
    assert display_width("لطفاً") == 4  # the tanwin mark sits on its letter
    assert display_width("中文") == 4


def test_truncate_cuts_by_display_width_in_logical_order() -> None:
    assert truncate("کوتاه", 10) == "کوتاه"
    cut = truncate("این یک عنوان بسیار طولانی است", 10)
    assert display_width(cut) <= 10 and cut.endswith("…") and cut.startswith("این")


@pytest.mark.parametrize("enabled", [True, False])
def test_d1_table_columns_line_up_after_shaping(enabled: bool) -> None:
    """Lam-alef ligatures, marks and ZWNJ change a cell's length but not where the next
    column starts; ids and emails stay as they are."""
    shaper = Shaper(enabled=enabled)
    rows = [
        ["12", "لطفاً لاستیک را عوض کنید", "ali@example.com", "1403/01/02"],
        ["pending", "می‌خواهم", "رضا لاهوتی", "1403/11/20"],
        ["7", "VPN قطع است 3", "x", "1402/05/06"],
    ]
    lines = render_table(["number", "title", "customer", "updated"], rows, shaper)
    assert len(lines) == 4
    shaped_rows = [["number", "title", "customer", "updated"]] + [
        [shaper.line(c) for c in row] for row in rows
    ]
    expected: list[int] = []
    for line, cells in zip(lines, shaped_rows, strict=True):
        # each cell starts at the same display column in every line
        starts = []
        pos = 0
        for cell in cells:
            index = line.index(cell, pos)
            starts.append(display_width(line[:index]))
            pos = index + len(cell)
        expected = expected or starts
        assert starts == expected, (line, starts)
    assert "ali@example.com" in lines[1]
    if enabled:
        assert visual("می‌خواهم") in lines[2]


def test_persian_digits_for_display() -> None:
    assert persian_digits("1403/01/02 #12") == "۱۴۰۳/۰۱/۰۲ #۱۲"
    assert Shaper(enabled=False, digits=True).text("42") == "۴۲"


def test_d1_the_window_never_shapes() -> None:
    """Qt shapes by itself; shaped text in a widget would come out reversed."""
    desktop = Path(__file__).resolve().parents[2] / "desktop"
    for source in desktop.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for name in ("shaping", "arabic_reshaper", "bidi"):
            assert f"import {name}" not in text and f"{name} import" not in text, source
