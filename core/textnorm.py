"""Persian-aware folding for search keys (E6).

SQLite's FTS5 tokenizer folds none of what varies in real Persian text (notes/ECOSYSTEM.md
section 2), so we index a folded copy and fold queries the same way. Display text is
never changed.
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans(
    {
        # yeh and kaf forms -> Persian
        "\u064a": "\u06cc",  # ARABIC YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA
        "\u06d0": "\u06cc",
        "\u0643": "\u06a9",  # ARABIC KAF
        # heh forms -> heh
        "\u0629": "\u0647",  # TEH MARBUTA
        "\u06c0": "\u0647",  # HEH WITH YEH ABOVE
        "\u06c1": "\u0647",
        "\u06d5": "\u0647",
        # alef forms -> alef (the search key only)
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0671": "\u0627",
        "\u0622": "\u0627",
        # hamza seats
        "\u0624": "\u0648",
        "\u0626": "\u06cc",
        # Persian and Arabic-Indic digits -> ASCII
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        **{chr(0x0660 + i): str(i) for i in range(10)},
        # decimal and thousands separators
        "\u066b": ".",
        "\u066c": ",",
        # tatweel and invisible controls vanish; ZWNJ handled separately
        "\u0640": None,
        "\u200b": None,
        "\u200d": None,
        "\u200e": None,
        "\u200f": None,
        "\u202a": None,
        "\u202b": None,
        "\u202c": None,
        "\u202d": None,
        "\u202e": None,
        "\u2066": None,
        "\u2067": None,
        "\u2068": None,
        "\u2069": None,
        "\ufeff": None,
    }
)

# harakat, superscript alef, hamza above/below and Quranic marks
_MARKS = re.compile("[\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06ed]")
_ZWNJ = "\u200c"
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold one string to its search form: the same for every spelling of the same word.

    A word written with a half-space (ZWNJ) is kept joined; `search_key` adds its parts.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _MARKS.sub("", text.translate(_FOLD))
    return text.casefold()


def search_key(text: str | None) -> str:
    """The text to index: folded, with each half-spaced word both joined and split, so
    "می‌خواهم", "می خواهم" and "میخواهم" all find it."""
    if not text:
        return ""
    folded = fold(text)
    if _ZWNJ not in folded:
        return folded
    extra = [part for word in folded.split() if _ZWNJ in word for part in word.split(_ZWNJ)]
    return " ".join([folded.replace(_ZWNJ, ""), *extra])


def query_terms(query: str) -> list[str]:
    """The folded words of a search box query; a half-spaced word becomes joined."""
    return [w for w in _SPACES.split(fold(query).replace(_ZWNJ, "")) if w]
