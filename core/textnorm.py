"""Persian-aware folding for search keys (E6).

SQLite's FTS5 tokenizer folds none of what varies in real Persian text (notes/ECOSYSTEM.md
section 2), so we index a folded copy and fold queries the same way. Display text is
never changed. `search_key` runs in a trigger for every inserted row, so it is one
`str.translate` table plus fast paths, not a chain of regexes.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"

# bump whenever search_key changes what it returns for any text: a cache whose index was
# built by another version is rebuilt (core.search.ensure_search_index)
SEARCH_KEY_VERSION = "2"

_MAP: dict[int, str | None] = {}


def _put(chars: str, to: str | None) -> None:
    for ch in chars:
        _MAP[ord(ch)] = to


# yeh forms (Arabic yeh, alef maksura, Urdu/Pashto forms, yeh with hamza) -> Persian yeh
_put("\u064a\u0649\u06d0\u06cd\u06ce\u06d1\u06d2\u06d3\u0626", "\u06cc")
# kaf forms -> Persian kaf (keheh)
_put("\u0643\u06aa\u06ac\u06ad\u06ae", "\u06a9")
# heh forms: teh marbuta, heh with yeh above (ezafe), heh goal, ae, doachashmee -> heh
_put("\u0629\u06c0\u06c1\u06c2\u06c3\u06d5\u06be", "\u0647")
# alef forms -> bare alef (search key only; display keeps آ)
_put("\u0622\u0623\u0625\u0671\u0672\u0673\u0675", "\u0627")
# waw with hamza -> waw
_put("\u0624\u0676", "\u0648")
# Persian and Arabic-Indic digits -> ASCII (NFKC does not fold them)
for _i in range(10):
    _MAP[0x06F0 + _i] = str(_i)
    _MAP[0x0660 + _i] = str(_i)
# Arabic decimal and thousands separators (the Arabic comma and semicolon need nothing:
# the index tokenizer splits on every punctuation mark)
_put("\u066b", ".")
_put("\u066c", ",")
# tatweel, zero-width and bidi controls, soft hyphen: vanish (ZWNJ is kept, see below)
_put(
    "\u0640\u00ad\u061c\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff",
    None,
)
# harakat, superscript alef, hamza above/below, Quranic annotation marks
_put("".join(chr(c) for c in range(0x064B, 0x0660)), None)
_put("".join(chr(c) for c in range(0x0610, 0x061B)), None)
_put("".join(chr(c) for c in range(0x06D6, 0x06EE)), None)
_put("\u0670", None)
_FOLD = _MAP

# Persian affixes that are written joined, with a half-space or with a plain space: a word
# written next to one is also indexed joined, so "می خواهم" is found by "میخواهم"
PREFIXES = frozenset({"می", "نمی", "بی"})
SUFFIXES = frozenset(
    {
        "ها",
        "های",
        "هایی",
        "هایم",
        "هایت",
        "هایش",
        "هایمان",
        "هایتان",
        "هایشان",
        "تر",
        "ترین",
        "تری",
        "ام",
        "ات",
        "اش",
        "ای",
        "ایم",
        "اید",
        "اند",
        "ی",
    }
)
_AFFIXES = PREFIXES | SUFFIXES


# str.translate looks each char up in its table: a tuple indexed by code point is the
# fastest table CPython offers (chars past its end raise IndexError = "keep as is"), and a
# text with only a few chars to change is faster done by str.replace
_TABLE = tuple((_MAP[i] or "") if i in _MAP else chr(i) for i in range(max(_MAP) + 1))
_CHANGED = re.compile("[" + "".join(sorted(chr(k) for k in _MAP)) + "]")
_FEW = 12


def _translate(text: str) -> str:
    found = set(_CHANGED.findall(text))
    if not found:
        return text
    if len(found) > _FEW:
        return text.translate(_TABLE)
    for ch in found:
        text = text.replace(ch, _TABLE[ord(ch)])
    return text


def fold(text: str) -> str:
    """Fold one string to its search form: the same for every spelling of the same word.

    Half-spaces (ZWNJ) are kept; `search_key` and `query_words` decide what they mean.
    """
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    out = _translate(text).casefold()
    if unicodedata.is_normalized("NFKC", out):
        return out
    # rare: presentation forms and compatibility chars; loop to a fixed point, because
    # removing a control char can let NFKC compose what it kept apart before
    for _ in range(4):
        nxt = _translate(unicodedata.normalize("NFKC", out)).casefold()
        if nxt == out:
            break
        out = nxt
    return out


def search_key(text: str | None) -> str:
    """The text to index: folded, with each half-spaced word both joined and split, and a
    word spaced from a Persian affix also joined to it, so "می‌خواهم", "می خواهم" and
    "میخواهم" all find one another."""
    if not text:
        return ""
    folded = fold(text)
    if folded.isascii():
        return folded
    words = folded.split()
    extra: list[str] = []
    zwnj = ZWNJ in folded
    if zwnj:
        extra.append(" ".join([w for w in words if ZWNJ in w]).replace(ZWNJ, " "))
        folded = folded.replace(ZWNJ, "")
    if not _AFFIXES.isdisjoint(words):
        pairs = [
            words[i - 1] + word
            for i, word in enumerate(words)
            if i and (word in SUFFIXES or words[i - 1] in PREFIXES)
        ]
        extra.append(" ".join(pairs).replace(ZWNJ, "") if zwnj else " ".join(pairs))
    if not extra:
        return folded
    return " ".join([folded, *extra])


def query_words(query: str) -> list[str]:
    """The folded words of a search box query, split as the index tokenizer splits them
    (letters and digits; everything else separates); a half-spaced word becomes joined."""
    folded = fold(query).replace(ZWNJ, "")
    words: list[str] = []
    current: list[str] = []
    for ch in folded:
        if ch.isalnum():
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words
