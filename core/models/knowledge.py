"""Reusable text: knowledge-base articles (S8) and canned replies (E2)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Synced


class KbArticle(Synced, Base):
    """An article agents search and insert into replies (S8)."""

    __tablename__ = "kb_articles"

    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(String(500), default="")
    published: Mapped[bool] = mapped_column(Boolean, default=True)


class CannedReply(Synced, Base):
    """A saved answer (E2); for everyone, a team, or one agent."""

    __tablename__ = "canned_replies"

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    shortcut: Mapped[str | None] = mapped_column(String(40))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
