"""Local-only tables of the cache: the outbox of intents and the sync bookmarks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.ids import new_id, utcnow
from core.models.base import Base


class OutboxMutation(Base):
    """An intent made offline, written in the same transaction as the local edit.

    `seq` numbers intents per client, in order; the server skips numbers it has seen,
    so a retry after a lost response applies nothing twice.
    """

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mutation_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    name: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    # the ticket the intent concerns, for the queue's "not yet synced" marker
    ticket_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # None while pending; "rejected" with a reason the agent can read
    state: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)


class SyncState(Base):
    """Bookmarks of the sync engine (cursor, bootstrap progress), kept with the data."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
