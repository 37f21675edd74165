"""A typed QT_TRANSLATE_NOOP: marks a string for lupdate (which matches the name) and
returns it unchanged; PySide6's own returns `object` in its stubs."""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - lupdate needs this name
    """Mark `text` for translation in `context`; translate it later at display time."""
    del context
    return text
