"""Tables only the central server fills: the change log, login tokens, push bookkeeping
and outgoing deliveries. They exist in every database so one migration chain serves both
ends; a client cache simply leaves them empty."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.ids import new_id, utcnow
from core.models.base import Base


class SyncCounter(Base):
    """Named counters. The `changes` row hands out change-log numbers: it is updated
    inside each writing transaction, so its row lock makes number order equal commit
    order and a pull cursor can never skip a change committed late."""

    __tablename__ = "sync_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Change(Base):
    """The latest change of one synced entity: one row per entity, so the log compacts
    itself and a pull from zero is a snapshot. `op` is upsert or delete (a tombstone)."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_seq", "seq", unique=True),)

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(12), default="upsert")
    # the ticket a message or attachment belongs to, kept for tombstones' visibility
    ticket_id: Mapped[str | None] = mapped_column(String(36))


class AuthToken(Base):
    """A login. Only the SHA-256 of the token is kept: tokens are 256 random bits, so a
    slow password hash adds nothing but latency to every request."""

    __tablename__ = "auth_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class PushClient(Base):
    """The last outbox number applied per client installation: a retried push skips
    numbers already seen, and a gap is refused."""

    __tablename__ = "push_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PushResult(Base):
    """What one pushed mutation came to, so a retry after a lost response gets the same
    answer instead of a second application."""

    __tablename__ = "push_results"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mutation_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(12))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlobUpload(Base):
    """Who sent which file's bytes (`PUT /attachments/{hash}`), and when last. Bytes are
    stored once per hash, so a hash alone proves nothing: a user may download, or name on
    a ticket, a hash they uploaded themselves or one on a ticket they may see (O3, C2).
    Kept as long as the bytes are (nothing removes stored files)."""

    __tablename__ = "blob_uploads"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One outgoing mail or SMS for one message and recipient. The unique key makes a
    send at most once per message, whatever retries or restarts happen."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "channel", "recipient"),
        Index("ix_deliveries_state", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # "email" or "sms"
    recipient: Mapped[str] = mapped_column(String(254))
    # pending, sending (claimed by a sender, the call under way), sent or failed
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    email_message_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when a sender last moved it to `sending`: one left there long after was interrupted
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


# the reason of a delivery found in `sending` long after its claim (a sender that died
# mid-call): never tried again, since the customer may already have it
DELIVERY_INTERRUPTED = "interrupted while sending; it may or may not have reached the customer"
