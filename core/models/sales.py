"""Sales teams and leads that tickets convert into (O7)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Synced
from core.models.people import User

sales_team_members = Table(
    "sales_team_members",
    Base.metadata,
    Column("sales_team_id", ForeignKey("sales_teams.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class SalesTeam(Synced, Base):
    """A sales team a lead is handed to."""

    __tablename__ = "sales_teams"

    name: Mapped[str] = mapped_column(String(120))
    leader_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))

    members: Mapped[list[User]] = relationship(secondary=sales_team_members)


class Lead(Synced, Base):
    """An opportunity made from a ticket; `ticket_id` links back to where it came from."""

    __tablename__ = "leads"

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    sales_team_id: Mapped[str | None] = mapped_column(ForeignKey("sales_teams.id"))
    salesperson_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
