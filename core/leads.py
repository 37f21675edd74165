"""Converting a ticket into a sales lead (O7): the dialog's customer choice (create, link,
none), sales team and salesperson, checked in one place before anything changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.conversation import add_system_event
from core.enums import LeadCustomerMode, Role
from core.errors import DomainError, NotFoundError, ValidationError
from core.ids import new_id
from core.merge import ticket_label
from core.models import (
    Account,
    Contact,
    Lead,
    Message,
    SalesTeam,
    Ticket,
    User,
    sales_team_members,
)
from core.outbox import record_intent
from core.system_events import SystemEvent
from core.validation import require_text


@dataclass(frozen=True)
class _Customer:
    """Who the lead is for, once checked: a contact still to create, or existing ids."""

    new_name: str | None = None
    contact_id: str | None = None
    account_id: str | None = None


def _convertible(session: Session, ticket_id: str) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(f"Unknown ticket: {ticket_id}.", code="ticket_not_found")
    label = ticket_label(ticket)
    if ticket.lead_id is not None:
        raise DomainError(f"Ticket {label} is already converted.", code="already_converted")
    if ticket.merged_into_id is not None:
        raise DomainError(f"Ticket {label} is merged into another.", code="already_merged")
    if ticket.archived:
        raise DomainError(f"Ticket {label} is archived.", code="archived")
    return ticket


def _refuse_extra(**values: str | None) -> None:
    for field, value in values.items():
        if value is not None:
            raise ValidationError(
                field, "This field does not apply to the chosen customer option.", code="unused"
            )


def _customer(
    session: Session,
    mode: LeadCustomerMode,
    *,
    existing_contact_id: str | None,
    existing_account_id: str | None,
    new_customer_name: str | None,
) -> _Customer:
    if mode is LeadCustomerMode.NONE:
        _refuse_extra(
            existing_contact_id=existing_contact_id,
            existing_account_id=existing_account_id,
            new_customer_name=new_customer_name,
        )
        return _Customer()
    if mode is LeadCustomerMode.CREATE:
        _refuse_extra(
            existing_contact_id=existing_contact_id, existing_account_id=existing_account_id
        )
        name = require_text(new_customer_name, field="new_customer_name", max_length=200)
        return _Customer(new_name=name)
    _refuse_extra(new_customer_name=new_customer_name)
    if existing_contact_id is None and existing_account_id is None:
        raise ValidationError(
            "existing_contact_id", "Choose a contact or an account to link.", code="required"
        )
    account_id = existing_account_id
    if existing_account_id is not None and session.get(Account, existing_account_id) is None:
        raise ValidationError(
            "existing_account_id", "That account does not exist.", code="not_found"
        )
    if existing_contact_id is not None:
        contact = session.get(Contact, existing_contact_id)
        if contact is None:
            raise ValidationError(
                "existing_contact_id", "That contact does not exist.", code="not_found"
            )
        if existing_account_id is None:
            account_id = contact.account_id
        elif contact.account_id not in (None, existing_account_id):
            raise ValidationError(
                "existing_contact_id",
                "That contact belongs to another account.",
                code="other_account",
            )
    return _Customer(contact_id=existing_contact_id, account_id=account_id)


def _check_sales(
    session: Session, sales_team_id: str | None, salesperson_id: str | None
) -> tuple[SalesTeam | None, User | None]:
    team = None
    if sales_team_id is not None:
        team = session.get(SalesTeam, sales_team_id)
        if team is None:
            raise ValidationError(
                "sales_team_id", "That sales team does not exist.", code="not_found"
            )
    person = None
    if salesperson_id is not None:
        person = session.get(User, salesperson_id)
        if person is None or not person.active or person.role is Role.PORTAL:
            raise ValidationError(
                "salesperson_id", "That salesperson is not an active staff user.", code="not_found"
            )
    if team is not None and person is not None:
        member = session.scalar(
            select(sales_team_members.c.user_id).where(
                sales_team_members.c.sales_team_id == team.id,
                sales_team_members.c.user_id == person.id,
            )
        )
        if member is None:
            raise ValidationError(
                "salesperson_id",
                f"{person.display_name} is not a member of {team.name}.",
                code="not_in_team",
            )
    return team, person


def convert_to_lead(
    session: Session,
    *,
    ticket_id: str,
    customer_mode: LeadCustomerMode,
    sales_team_id: str | None = None,
    salesperson_id: str | None = None,
    existing_contact_id: str | None = None,
    existing_account_id: str | None = None,
    new_customer_name: str | None = None,
    actor_id: str | None = None,
    lead_id: str | None = None,
    new_contact_id: str | None = None,
    event_id: str | None = None,
) -> Lead:
    """Make a lead of a ticket and archive the ticket (O7).

    The customer is a new contact (named `new_customer_name`, reached at the ticket's
    contact email), an existing contact and/or account, or nobody. A salesperson given with
    a sales team must be one of its members. `lead.ticket_id` links back; the ticket gets
    `lead_id` and a system message. Every check runs first, so a refusal changes nothing.
    The caller commits.

    `lead_id`, `new_contact_id` and `event_id` are the ids of the rows it makes, when the
    caller chose them: a client converting offline sends its ids, so the rows the server
    makes are the very rows the client's cache already holds.
    """
    ticket = _convertible(session, ticket_id)
    try:
        mode = LeadCustomerMode(customer_mode)
    except ValueError as exc:
        raise ValidationError(
            "customer_mode", f"{customer_mode!r} is not a customer option.", code="invalid_choice"
        ) from exc
    customer = _customer(
        session,
        mode,
        existing_contact_id=existing_contact_id,
        existing_account_id=existing_account_id,
        new_customer_name=new_customer_name,
    )
    team, person = _check_sales(session, sales_team_id, salesperson_id)
    if actor_id is not None and session.get(User, actor_id) is None:
        raise ValidationError("actor_id", "That user does not exist.", code="not_found")
    for field, model, ident in (
        ("lead_id", Lead, lead_id),
        ("new_contact_id", Contact, new_contact_id),
        ("event_id", Message, event_id),
    ):
        if ident is not None and session.get(model, ident) is not None:
            raise ValidationError(
                field, "A record with that id already exists.", code="duplicate_id"
            )

    contact_id, account_id = customer.contact_id, customer.account_id
    if customer.new_name is not None:
        contact = Contact(
            name=customer.new_name,
            email=ticket.contact_email,
            mobile=ticket.contact_mobile,
            account_id=ticket.account_id,
        )
        if new_contact_id is not None:
            contact.id = new_contact_id
        session.add(contact)
        session.flush()
        contact_id, account_id = contact.id, ticket.account_id
    lead = Lead(
        title=ticket.title,
        description=ticket.description,
        ticket_id=ticket.id,
        sales_team_id=sales_team_id,
        salesperson_id=salesperson_id,
        contact_id=contact_id,
        account_id=account_id,
    )
    if lead_id is not None:
        lead.id = lead_id
    session.add(lead)
    session.flush()  # the lead row exists before the ticket points at it
    ticket.lead_id = lead.id
    ticket.archived = True
    # bumps the ticket's version and updated_at
    event = add_system_event(
        session,
        ticket,
        SystemEvent.CONVERTED_TO_LEAD,
        lead=lead.title,
        team=team.name if team is not None else "—",
        salesperson=person.display_name if person is not None else "—",
    )
    event.author_user_id = actor_id
    if event_id is not None:
        event.id = event_id  # still pending: add_system_event does not flush
    session.flush()
    return lead


# --- the window's side (D5): choices for the dialog, the local edit, what a lead shows ---


@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass(frozen=True)
class SalesTeamChoice:
    """A sales team and the members a salesperson is chosen from."""

    id: str
    name: str
    members: tuple[Person, ...]


@dataclass(frozen=True)
class ConversionStart:
    """What the convert-to-lead dialog opens with."""

    ticket_id: str
    number: int | None
    title: str
    contact_name: str
    contact_email: str
    lead_id: str | None
    archived: bool
    merged: bool
    sales_teams: tuple[SalesTeamChoice, ...]
    salespeople: tuple[Person, ...]
    """Every active staff user: the choice when no sales team is picked."""


def sales_team_choices(session: Session) -> list[SalesTeamChoice]:
    """Sales teams by name, each with its active staff members by name."""
    teams = session.scalars(select(SalesTeam).order_by(SalesTeam.name, SalesTeam.id)).all()
    rows = session.execute(
        select(sales_team_members.c.sales_team_id, User.id, User.display_name)
        .join(User, User.id == sales_team_members.c.user_id)
        .where(User.active.is_(True), User.role != Role.PORTAL)
        .order_by(User.display_name, User.id)
    ).all()
    members: dict[str, list[Person]] = {}
    for team_id, user_id, name in rows:
        members.setdefault(team_id, []).append(Person(user_id, name))
    return [SalesTeamChoice(t.id, t.name, tuple(members.get(t.id, []))) for t in teams]


def conversion_start(session: Session, ticket_id: str) -> ConversionStart:
    # only the window calls this: the server imports core.leads without core.ticket_form
    from core.ticket_form import assignees_of

    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(f"Ticket {ticket_id} is not in the cache.", code="not_found")
    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
    return ConversionStart(
        ticket_id=ticket.id,
        number=ticket.number,
        title=ticket.title,
        contact_name=contact.name if contact is not None else "",
        contact_email=ticket.contact_email,
        lead_id=ticket.lead_id,
        archived=ticket.archived,
        merged=ticket.merged_into_id is not None,
        sales_teams=tuple(sales_team_choices(session)),
        salespeople=tuple(Person(c.id, c.name) for c in assignees_of(session, None)),
    )


def convert_to_lead_locally(
    session: Session,
    ticket_id: str,
    *,
    customer_mode: LeadCustomerMode,
    sales_team_id: str | None = None,
    salesperson_id: str | None = None,
    existing_contact_id: str | None = None,
    existing_account_id: str | None = None,
    new_customer_name: str | None = None,
    actor_id: str | None = None,
) -> Lead:
    """Convert in the cache and queue `ticket.convert_to_lead` in one transaction (D6).

    The same checks as the server's run first (a refusal changes nothing); the intent
    carries the ids of the lead, the new contact and the system message made here, so the
    server makes the same rows and the pull lands on them instead of beside them."""
    with session.begin_nested() if session.in_transaction() else session.begin():
        ticket = session.get(Ticket, ticket_id)
        base_version = ticket.version if ticket is not None else None
        lead_id, event_id = new_id(), new_id()
        contact_id = new_id() if customer_mode is LeadCustomerMode.CREATE else None
        lead = convert_to_lead(
            session,
            ticket_id=ticket_id,
            customer_mode=customer_mode,
            sales_team_id=sales_team_id,
            salesperson_id=salesperson_id,
            existing_contact_id=existing_contact_id,
            existing_account_id=existing_account_id,
            new_customer_name=new_customer_name,
            actor_id=actor_id,
            lead_id=lead_id,
            new_contact_id=contact_id,
            event_id=event_id,
        )
        payload: dict[str, str | None] = {
            "customer_mode": LeadCustomerMode(customer_mode).value,
            "sales_team_id": sales_team_id,
            "salesperson_id": salesperson_id,
            "existing_contact_id": existing_contact_id,
            "existing_account_id": existing_account_id,
            "new_customer_name": new_customer_name,
            "lead_id": lead_id,
            "new_contact_id": contact_id,
            "event_id": event_id,
        }
        record_intent(
            session,
            "ticket.convert_to_lead",
            entity_id=ticket_id,
            ticket_id=ticket_id,
            payload={k: v for k, v in payload.items() if v is not None},
            base_version=base_version,
        )
    session.commit()
    return lead


@dataclass(frozen=True)
class LeadSummary:
    """A lead as its read-only view shows it."""

    id: str
    title: str
    description: str
    created_at: datetime
    sales_team: str | None
    salesperson: str | None
    contact_name: str | None
    contact_email: str | None
    account_name: str | None
    ticket_id: str | None
    ticket_number: int | None
    ticket_title: str | None
    synced: bool
    """The server holds it (a change number came back with it)."""


def lead_summary(session: Session, lead_id: str) -> LeadSummary:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFoundError(f"Lead {lead_id} is not in the cache.", code="not_found")
    team = session.get(SalesTeam, lead.sales_team_id) if lead.sales_team_id else None
    person = session.get(User, lead.salesperson_id) if lead.salesperson_id else None
    contact = session.get(Contact, lead.contact_id) if lead.contact_id else None
    account = session.get(Account, lead.account_id) if lead.account_id else None
    ticket = session.get(Ticket, lead.ticket_id) if lead.ticket_id else None
    return LeadSummary(
        id=lead.id,
        title=lead.title,
        description=lead.description,
        created_at=lead.created_at,
        sales_team=team.name if team is not None else None,
        salesperson=person.display_name if person is not None else None,
        contact_name=contact.name if contact is not None else None,
        contact_email=contact.email if contact is not None else None,
        account_name=account.name if account is not None else None,
        ticket_id=lead.ticket_id,
        ticket_number=ticket.number if ticket is not None else None,
        ticket_title=ticket.title if ticket is not None else None,
        synced=lead.updated_seq is not None,
    )


def ticket_lead(session: Session, ticket_id: str) -> LeadSummary | None:
    """The lead a ticket was converted into, when it was and the lead is cached."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.lead_id is None or session.get(Lead, ticket.lead_id) is None:
        return None
    return lead_summary(session, ticket.lead_id)
