"""Identifiers and clocks shared by every layer.

Ids are UUIDv7 strings made where the record is born (client or server), so offline
records never need remapping, and their time order keeps B-tree inserts local.
"""

from __future__ import annotations

from datetime import UTC, datetime

import uuid_utils


def new_id() -> str:
    """A fresh time-ordered UUIDv7 in canonical text form."""
    return str(uuid_utils.uuid7())


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC; the only clock rules should read."""
    return datetime.now(UTC)
