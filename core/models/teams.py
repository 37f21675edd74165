"""Teams with their visibility, members, followers, assignment mode and stage pipeline."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.enums import AssignmentMode, Visibility
from core.models.base import Base, Synced, str_enum
from core.models.people import Contact, User


class Team(Synced, Base):
    """A helpdesk team (O1-O5)."""

    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(120))
    # shown to customers on the portal (O2): never internal information
    public_description: Mapped[str | None] = mapped_column(Text)
    company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"))
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), default=Visibility.COMPANY)
    assignment_mode: Mapped[AssignmentMode] = mapped_column(
        str_enum(AssignmentMode), default=AssignmentMode.MANUAL
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # round-robin memory (S3): who got the last ticket
    last_assignee_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )
    followers: Mapped[list[TeamFollower]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )
    stages: Mapped[list[Stage]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="Stage.sequence"
    )


class TeamMember(Base):
    """An invited user. `assignable` marks the chosen members of auto-assignment (O5)."""

    __tablename__ = "team_members"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    assignable: Mapped[bool] = mapped_column(Boolean, default=False)

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class TeamFollower(Base):
    """Told of every update of the team's tickets (O4): an internal user or a contact."""

    __tablename__ = "team_followers"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "contact_id"),
        CheckConstraint("(user_id IS NULL) <> (contact_id IS NULL)", name="one_party"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))

    team: Mapped[Team] = relationship(back_populates="followers")
    user: Mapped[User | None] = relationship()
    contact: Mapped[Contact | None] = relationship()


class Stage(Synced, Base):
    """One column of a team's kanban (O1); `is_closed` says tickets here are done."""

    __tablename__ = "stages"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    folded: Mapped[bool] = mapped_column(Boolean, default=False)

    team: Mapped[Team] = relationship(back_populates="stages")
