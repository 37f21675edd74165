"""Local-only: the reply an agent is typing, kept in the cache as typed (issue 5 item 7).

Never synced (not in sync.entities), never copied by the server's demo loader: a draft is
the agent's own until it is sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.enums import MessageKind
from core.ids import utcnow
from core.models.base import Base, str_enum


class Draft(Base):
    """One unsent reply or internal note per ticket (and agent), with what the agent had
    seen of the conversation when the draft started (the stale-reply guard's baseline).

    No foreign key to tickets: a ticket that leaves the agent's scope or is merged away
    must not take the typed text with it."""

    __tablename__ = "drafts"

    ticket_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[MessageKind] = mapped_column(
        str_enum(MessageKind), default=MessageKind.AGENT_REPLY
    )
    body: Mapped[str] = mapped_column(Text, default="")
    # ids of the messages shown when the draft started
    seen_message_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
