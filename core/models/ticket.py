"""The ticket: every field of P4, I2, I6 and C5, with its links to people, teams and tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.enums import Channel, CustomerState, Resolution, StaffState, Status
from core.models.base import Base, Synced, str_enum
from core.models.catalog import Department, Subject, Tag, TicketSubtype
from core.models.people import Account, Contact, User
from core.models.teams import Stage, Team

ticket_contacts = Table(
    "ticket_contacts",
    Base.metadata,
    Column("ticket_id", ForeignKey("tickets.id"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id"), primary_key=True, index=True),
)

ticket_tags = Table(
    "ticket_tags",
    Base.metadata,
    Column("ticket_id", ForeignKey("tickets.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True, index=True),
)


class Ticket(Synced, Base):
    """A support request. Severity, impact, priority and urgency are small integers so
    queues sort on them through an index."""

    __tablename__ = "tickets"
    __table_args__ = (
        # every queue sort and filter has an index whose prefix is what the queue asks and
        # whose tail is the sort order down to the id tie-breaker, so no temp B-tree sorts
        Index("ix_tickets_queue_priority", "archived", "priority", "updated_at", "id"),
        Index("ix_tickets_queue_updated", "archived", "updated_at", "id"),
        Index("ix_tickets_queue_created", "archived", "created_at", "id"),
        Index("ix_tickets_queue_number", "archived", "number", "id"),
        Index("ix_tickets_queue_title", "archived", "title", "id"),
        Index("ix_tickets_queue_severity", "archived", "severity", "updated_at", "id"),
        Index("ix_tickets_queue_impact", "archived", "impact", "updated_at", "id"),
        Index("ix_tickets_queue_sla", "archived", "sla_due_at", "id"),
        Index("ix_tickets_queue_status", "archived", "status", "updated_at", "id"),
        Index("ix_tickets_team_status", "team_id", "status", "priority", "updated_at", "id"),
        Index(
            "ix_tickets_assignee_status", "assignee_id", "status", "priority", "updated_at", "id"
        ),
        Index("ix_tickets_stage", "stage_id", "priority", "updated_at", "id"),
        Index("ix_tickets_staff_state", "staff_state", "updated_at"),
        Index("ix_tickets_customer_state", "customer_state", "updated_at"),
        Index("ix_tickets_contact", "contact_id", "created_at"),
        Index("ix_tickets_account", "account_id", "created_at"),
        Index("ix_tickets_merged_into", "merged_into_id"),
        # the supervisors' dashboard (core/dashboard.py, D7): covering indexes, so its
        # figures over 1,000,000 tickets read index entries only, never the wide rows
        Index(
            "ix_tickets_dash_open",
            "archived",
            "status",
            "team_id",
            "stage_id",
            "priority",
            "assignee_id",
            "staff_state",
            "sla_due_at",
        ),
        Index(
            "ix_tickets_dash_created",
            "created_at",
            "team_id",
            "assignee_id",
            "first_response_at",
            "resolution",
            "rating",
        ),
        Index("ix_tickets_dash_closed", "closed_at", "team_id", "assignee_id", "created_at"),
        Index("ix_tickets_dash_assignee", "assignee_id", "team_id"),
        UniqueConstraint("number"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
    )

    # human number, given by the server in the create transaction; None = "pending"
    number: Mapped[int | None] = mapped_column(Integer, default=None)
    subtype_id: Mapped[str | None] = mapped_column(ForeignKey("ticket_subtypes.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # P4: the required contact channel
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_mobile: Mapped[str | None] = mapped_column(String(40))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.NEW)
    severity: Mapped[int] = mapped_column(SmallInteger, default=0)
    impact: Mapped[int] = mapped_column(SmallInteger, default=0)
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    urgency: Mapped[int | None] = mapped_column(SmallInteger)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"))
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("subjects.id"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"))
    stage_id: Mapped[str | None] = mapped_column(ForeignKey("stages.id"))
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel), default=Channel.AGENT)
    custom_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("tickets.id"))
    lead_id: Mapped[str | None] = mapped_column(ForeignKey("leads.id", use_alter=True))
    staff_state: Mapped[StaffState] = mapped_column(str_enum(StaffState), default=StaffState.UNREAD)
    customer_state: Mapped[CustomerState] = mapped_column(
        str_enum(CustomerState), default=CustomerState.READ
    )
    resolution: Mapped[Resolution | None] = mapped_column(str_enum(Resolution))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    sla_due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    subtype: Mapped[TicketSubtype | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    account: Mapped[Account | None] = relationship()
    department: Mapped[Department | None] = relationship()
    subject: Mapped[Subject | None] = relationship()
    team: Mapped[Team | None] = relationship()
    stage: Mapped[Stage | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    contacts: Mapped[list[Contact]] = relationship(secondary=ticket_contacts)
    tags: Mapped[list[Tag]] = relationship(secondary=ticket_tags)
    followers: Mapped[list[TicketFollower]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan"
    )


class TicketFollower(Base):
    """Told of every update of one ticket (O4, S4): an internal user or a contact."""

    __tablename__ = "ticket_followers"
    __table_args__ = (
        UniqueConstraint("ticket_id", "user_id", "contact_id"),
        CheckConstraint("(user_id IS NULL) <> (contact_id IS NULL)", name="one_party"),
        Index("ix_ticket_followers_user", "user_id"),
        Index("ix_ticket_followers_contact", "contact_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))

    ticket: Mapped[Ticket] = relationship(back_populates="followers")
    user: Mapped[User | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
