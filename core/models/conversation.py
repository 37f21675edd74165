"""A ticket's conversation (S6, D4): messages of four kinds and attachments by content hash."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.enums import Channel, MessageKind
from core.models.base import Base, Synced, str_enum
from core.models.people import Contact, User


class Message(Synced, Base):
    """One post. Internal notes never leave the staff side (S6); system events record
    what rules did (merge, conversion, assignment)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_ticket_created", "ticket_id", "created_at"),)

    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind))
    body: Mapped[str] = mapped_column(Text, default="")
    author_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    author_contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel), default=Channel.AGENT)
    # RFC 5322 Message-ID of the mail this came in as or went out as (S7 threading)
    email_message_id: Mapped[str | None] = mapped_column(String(300), index=True)
    # system events: a core.system_events code and its parameters, rendered per language
    event: Mapped[str | None] = mapped_column(String(40))
    event_params: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # what became of the mail and SMS of an agent reply (S7, I4), kept by the server with
    # its deliveries so agents see it: None when it goes nowhere, else "pending" (queued
    # or being sent), "sent" or "failed" (then `delivery_error` says why, per recipient)
    delivery_state: Mapped[str | None] = mapped_column(String(12))
    delivery_error: Mapped[str | None] = mapped_column(Text)

    author_user: Mapped[User | None] = relationship()
    author_contact: Mapped[Contact | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="message")

    @property
    def is_public(self) -> bool:
        """Whether the customer may see it (S6)."""
        return self.kind in (MessageKind.CUSTOMER_REPLY, MessageKind.AGENT_REPLY)


class Attachment(Synced, Base):
    """A file on a ticket or message; the bytes live once per content hash (C2, I2)."""

    __tablename__ = "attachments"

    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    message_id: Mapped[str | None] = mapped_column(ForeignKey("messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)

    message: Mapped[Message | None] = relationship(back_populates="attachments")
