"""What a ticket is filed under: departments, subjects, subtypes, custom fields, tags."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.enums import Category, FieldKind
from core.models.base import Base, Synced, str_enum


class Department(Synced, Base):
    """Where a request is sent (C1); routes a category (I1) to a team."""

    __tablename__ = "departments"

    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[Category | None] = mapped_column(str_enum(Category))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    subjects: Mapped[list[Subject]] = relationship(
        back_populates="department", cascade="all, delete-orphan", order_by="Subject.sequence"
    )


class Subject(Synced, Base):
    """One item of a department's subject list (C1)."""

    __tablename__ = "subjects"

    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    department: Mapped[Department] = relationship(back_populates="subjects")


class TicketSubtype(Synced, Base):
    """A kind of ticket (P3): support request, complaint, ...; owns custom fields (P5)."""

    __tablename__ = "ticket_subtypes"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    fields: Mapped[list[CustomFieldDef]] = relationship(
        back_populates="subtype", cascade="all, delete-orphan", order_by="CustomFieldDef.sequence"
    )


class CustomFieldDef(Synced, Base):
    """A field defined on the server and rendered by the client under "additional details"."""

    __tablename__ = "custom_field_defs"
    __table_args__ = (UniqueConstraint("subtype_id", "key"),)

    subtype_id: Mapped[str] = mapped_column(ForeignKey("ticket_subtypes.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[FieldKind] = mapped_column(str_enum(FieldKind), default=FieldKind.TEXT)
    choices: Mapped[list[Any] | None] = mapped_column(JSON)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    subtype: Mapped[TicketSubtype] = relationship(back_populates="fields")


class Tag(Synced, Base):
    """A free label on tickets (E2)."""

    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    color: Mapped[str | None] = mapped_column(String(9))
