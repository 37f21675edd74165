"""Input checks shared by the form, the API and mail intake."""

from __future__ import annotations

import re

from core.errors import ValidationError
from core.textnorm import fold

# deliberately practical, not RFC 5322 complete: one @, a dotted domain, no spaces
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$", re.ASCII)


def clean_email(value: str | None, *, field: str = "contact_email") -> str:
    """The email, trimmed and with its domain lower-cased; refuses a missing or invalid one
    (P4), naming `field`. Digits typed in Persian are folded to ASCII first."""
    text = fold((value or "").strip()) if value else ""
    text = text.strip().replace("\u200c", "")
    if not text:
        raise ValidationError(field, "An email address is required.", code="email_required")
    if not _EMAIL.match(text):
        raise ValidationError(
            field, f"'{value}' is not a valid email address.", code="email_invalid"
        )
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def is_valid_email(value: str | None) -> bool:
    try:
        clean_email(value)
    except ValidationError:
        return False
    return True


def require_text(value: str | None, *, field: str, max_length: int) -> str:
    """A non-empty trimmed text no longer than `max_length`."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(field, f"{field} is required.", code="required")
    if len(text) > max_length:
        raise ValidationError(
            field, f"{field} is longer than {max_length} characters.", code="too_long"
        )
    return text
