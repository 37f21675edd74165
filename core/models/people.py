"""Who is involved: companies of the desk, customer accounts and contacts, staff users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.enums import Role
from core.models.base import Base, Synced, str_enum


class Company(Synced, Base):
    """A company that runs teams on this desk (O2); teams belong to one."""

    __tablename__ = "companies"

    name: Mapped[str] = mapped_column(String(200))


class Account(Synced, Base):
    """A customer organisation (S1)."""

    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)

    contacts: Mapped[list[Contact]] = relationship(back_populates="account")


class Contact(Synced, Base):
    """A customer person: reachable by email and mobile; may have a portal user."""

    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_email", "email"),)

    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(40))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"), index=True)

    account: Mapped[Account | None] = relationship(back_populates="contacts")


class User(Synced, Base):
    """Someone who logs in: staff (agent, supervisor, admin) or a portal customer."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.AGENT)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"))
    # a portal user is the login of one contact (S9)
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"))
    # S4: follow tickets that concern me (assigned to me or where I replied)
    auto_follow: Mapped[bool] = mapped_column(Boolean, default=True)
    # set only on the server; never synced to clients
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)

    leaves: Mapped[list[LeavePeriod]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_staff(self) -> bool:
        return self.role is not Role.PORTAL


class LeavePeriod(Synced, Base):
    """A planned absence: auto-assignment gives the user nothing inside it (O5)."""

    __tablename__ = "leave_periods"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(back_populates="leaves")
