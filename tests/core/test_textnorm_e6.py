"""E6: the search-key folding makes every spelling of a Persian word the same key."""

from __future__ import annotations

import timeit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.textnorm import ZWNJ, fold, query_words, search_key

# (variant spelling, canonical spelling), one row per line of notes/ECOSYSTEM.md 2.1
VARIANTS = [
    ("علي", "علی"),  # Arabic yeh
    ("مصطفى", "مصطفی"),  # alef maksura
    ("كتاب", "کتاب"),  # Arabic kaf
    ("مدرسة", "مدرسه"),  # teh marbuta
    ("خانۀ", "خانه"),  # heh with yeh above
    ("خانهٔ", "خانه"),  # heh + hamza above
    ("أحمد", "احمد"),  # alef with hamza above
    ("إسلام", "اسلام"),  # alef with hamza below
    ("آب", "اب"),  # alef madda (search key only)
    ("ٱلله", "الله"),  # alef wasla
    ("۱۲۳۴۵", "12345"),  # Persian digits
    ("١٢٣٤٥", "12345"),  # Arabic-Indic digits
    ("كِتابٌ", "کتاب"),  # harakat
    ("کتـــاب", "کتاب"),  # tatweel
    ("\u200fکتاب\u200e", "کتاب"),  # RLM / LRM
    ("\u202bکتاب\u202c", "کتاب"),  # embedding controls
    ("\u2067کتاب\u2069", "کتاب"),  # isolates
    ("\ufeffکتاب\u200b", "کتاب"),  # BOM, zero-width space
    ("ﻛﺘﺎﺏ", "کتاب"),  # presentation forms (reshaped text)
    ("ﻋﻠﻲ", "علی"),  # presentation forms with Arabic yeh
    ("ORDER-77", "order-77"),  # Latin case
    ("Ａｂｃ１２", "abc12"),  # fullwidth
]


@pytest.mark.parametrize(("variant", "canonical"), VARIANTS)
def test_e6_variant_folds_to_canonical(variant: str, canonical: str) -> None:
    assert fold(variant) == fold(canonical) == canonical
    assert search_key(variant) == search_key(canonical)


def test_e6_zwnj_space_and_joined_all_indexed() -> None:
    key = search_key("من می‌خواهم")
    assert set(key.split()) >= {"میخواهم", "می", "خواهم"}
    # an affix written apart is also indexed joined
    assert "میخواهم" in search_key("من می خواهم").split()
    assert "کتابها" in search_key("کتاب ها").split()
    assert "بزرگترین" in search_key("بزرگ ترین").split()


def test_e6_query_words_split_like_the_tokenizer() -> None:
    assert query_words("  ") == []
    assert query_words('"-*:()') == []
    assert query_words("ali@Example.com") == ["ali", "example", "com"]
    assert query_words("می‌خواهم") == ["میخواهم"]
    assert query_words("سفارش ORD-۱۲۳") == ["سفارش", "ord", "123"]


# letters, marks, digits and controls that real Persian text mixes
_ALPHABET = st.sampled_from(
    list("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكىةۀأإآٱؤئء")
    + list("0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
    + ["\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u0654", "\u0670", "\u0640"]
    + [ZWNJ, "\u200d", "\u200e", "\u200f", "\u202b", "\u2067", "\ufeff", " ", "-", "."]
    + list("aZé")
    + ["ﻛ", "ﺘ", "ﺎ", "ﺏ", "ﻻ", "ﷲ", "ﱞ"]
)
_TEXT = st.text(_ALPHABET, max_size=40)


@given(st.text(max_size=60))
@settings(max_examples=400)
def test_e6_fold_is_idempotent_on_any_text(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(_TEXT)
@settings(max_examples=400)
def test_e6_fold_is_idempotent_on_persian_text(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert search_key(once) == search_key(text)


# canonical letter -> spellings that real data uses for it
_SPELLINGS = {
    "ی": ["ی", "ي", "ى"],
    "ک": ["ک", "ك"],
    "ه": ["ه", "ة", "ۀ"],
    "ا": ["ا", "أ", "إ", "آ"],
    **{str(d): [str(d), chr(0x06F0 + d), chr(0x0660 + d)] for d in range(10)},
}
_PLAIN = list("بپتجدرزسشعفلمنو")
_DECOR = ["", "", "", "\u064e", "\u0650", "\u0640", "\u200f", "\u200e"]


@st.composite
def _word_and_variant(draw: st.DrawFn) -> tuple[str, str]:
    letters = draw(st.lists(st.sampled_from(_PLAIN + list(_SPELLINGS)), min_size=1, max_size=8))
    canonical = "".join(letters)
    variant = "".join(
        draw(st.sampled_from(_SPELLINGS.get(ch, [ch]))) + draw(st.sampled_from(_DECOR))
        for ch in letters
    )
    return canonical, variant


@given(st.lists(_word_and_variant(), min_size=1, max_size=5))
@settings(max_examples=300)
def test_e6_any_variant_spelling_has_the_canonical_key(words: list[tuple[str, str]]) -> None:
    canonical = " ".join(c for c, _ in words)
    variant = " ".join(v for _, v in words)
    assert search_key(variant) == search_key(canonical)
    assert query_words(variant) == query_words(canonical)


def test_e6_search_key_is_fast() -> None:
    """It runs in a trigger for every inserted row: a 200-char message stays ~10 µs."""
    text = (
        "سلام، من مي‌خواهم سفارش شماره ١٢٣٤٥ را پيگيري كنم. كالا هنوز به دستم نرسيده و "
        "پشتيباني هم پاسخ نمي‌دهد. لطفاً بررسي كنيد كه مشكل از كجاست و كي ارسال مي‌شود؟ "
        "با تشكر، علی رضايي"
    )[:200]
    best = min(timeit.repeat(lambda: search_key(text), number=2000, repeat=3)) / 2000
    # generous bound so a loaded CI machine does not flake; measured ~6-9 µs here
    assert best < 40e-6
