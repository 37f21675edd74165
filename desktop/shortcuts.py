"""Letter shortcuts that also work with the Persian keyboard layout (E4, D1).

Persian-speaking agents keep the Persian layout on most of the time. There the physical
key "A" types "ش", and Qt reports that key press as the letter's code point (key 0x634,
text "ش"), not Qt.Key_A, so a shortcut bound to "A" never fires. Every letter shortcut
therefore gets a twin: the same physical keys as the standard Persian layout (ISIRI 9147:
Windows' "Persian (Standard)", xkb's `ir` / `pes`, checked against
/usr/share/X11/xkb/symbols/ir) types them, with the same modifiers; Shift+letter's twin is
what the layout types with Shift (Shift+F types "إ").

Ctrl/Alt+letter usually arrive as the Latin key already (xkb and Windows fall back to the
Latin key when a modifier is held), but not on every platform and not for punctuation
(Ctrl+, under Persian is Ctrl+و), so modified shortcuts get their twins too: a twin that
never arrives costs nothing.

`with_persian_twins()` is for code that makes shortcuts; `add_persian_twins()` adds the
twins to every action and QShortcut already under a window (its menus, made by others).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QKeyCombination, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut

PERSIAN_LETTERS: dict[str, tuple[str, str]] = {
    # key: (typed, typed with Shift) under ISIRI 9147
    "Q": ("ض", "\u0652"),  # sukun
    "W": ("ص", "\u064c"),  # dammatan
    "E": ("ث", "\u064d"),  # kasratan
    "R": ("ق", "\u064b"),  # fathatan
    "T": ("ف", "\u064f"),  # damma
    "Y": ("غ", "\u0650"),  # kasra
    "U": ("ع", "\u064e"),  # fatha
    "I": ("ه", "\u0651"),  # shadda
    "O": ("خ", "]"),
    "P": ("ح", "["),
    "A": ("ش", "ؤ"),
    "S": ("س", "ئ"),
    "D": ("ی", "ي"),
    "F": ("ب", "إ"),
    "G": ("ل", "أ"),
    "H": ("ا", "آ"),
    "J": ("ت", "ة"),
    "K": ("ن", "»"),
    "L": ("م", "«"),
    "Z": ("ظ", "ك"),
    "X": ("ط", "\u0653"),  # maddah above
    "C": ("ز", "ژ"),
    "V": ("ر", "\u0670"),  # superscript alef
    "B": ("ذ", "\u200c"),  # zero-width non-joiner
    "N": ("د", "\u0654"),  # hamza above
    "M": ("پ", "ء"),
    # punctuation keys whose Persian character differs (Ctrl+, is a common shortcut)
    "[": ("ج", "}"),
    "]": ("چ", "{"),
    ";": ("ک", ":"),
    "'": ("گ", "؛"),
    ",": ("و", ">"),
    "/": ("/", "؟"),
}
"""Latin key (as Qt names it: Qt.Key_A == ord("A")) -> what the Persian layout types."""

_SHIFT = Qt.KeyboardModifier.ShiftModifier


def persian_twin(keys: QKeySequence | str) -> QKeySequence | None:
    """The same physical keys pressed under the Persian layout, as Qt then reports them,
    or None when that layout types the same (digits, F-keys, arrows, Del, ".")."""
    sequence = QKeySequence(keys)
    if sequence.isEmpty():
        return None
    chords: list[int] = []
    changed = False
    for i in range(sequence.count()):
        combination: QKeyCombination = sequence[i]  # type: ignore[index]  # stubs lack it
        modifiers = combination.keyboardModifiers()
        code = combination.key().value
        typed = PERSIAN_LETTERS.get(chr(code)) if 0x20 < code < 0x7F else None
        twin = code
        if typed is not None:
            persian = typed[1] if modifiers & _SHIFT else typed[0]
            if persian != chr(code):
                twin, changed = ord(persian), True
        chords.append(twin | modifiers.value)
    if not changed:
        return None
    return QKeySequence(*chords)


def with_persian_twins(keys: Iterable[QKeySequence | str]) -> list[QKeySequence]:
    """`keys` as key sequences, then the Persian twin of each that has one (no repeats):
    for `QAction.setShortcuts()`; the first stays the one menus and tooltips show."""
    result: list[QKeySequence] = []
    for keys_ in keys:
        sequence = QKeySequence(keys_)
        if not sequence.isEmpty() and sequence not in result:
            result.append(sequence)
    for sequence in list(result):
        twin = persian_twin(sequence)
        if twin is not None and twin not in result:
            result.append(twin)
    return result


def add_persian_twins(root: QObject) -> int:
    """Give every QAction and QShortcut under `root` (and `root`, if it is one) the
    Persian twins of its shortcuts; returns how many got one. Safe to call again."""
    changed = 0
    actions = root.findChildren(QAction)
    if isinstance(root, QAction):
        actions.append(root)
    for action in actions:
        keys = action.shortcuts()
        wanted = with_persian_twins(keys)
        if len(wanted) != len(keys):
            action.setShortcuts(wanted)
            changed += 1
    shortcuts = root.findChildren(QShortcut)
    if isinstance(root, QShortcut):
        shortcuts.append(root)
    for shortcut in shortcuts:
        keys = shortcut.keys()
        wanted = with_persian_twins(keys)
        if len(wanted) != len(keys):
            shortcut.setKeys(wanted)
            changed += 1
    return changed
