"""Converting a ticket into a sales lead (O7): the dialog's customer choice (create, link,
none), sales team and salesperson, checked in one place before anything changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.conversation import add_system_event
from core.enums import LeadCustomerMode, Role
from core.errors import DomainError, NotFoundError, ValidationError
from core.merge import ticket_label
from core.models import Account, Contact, Lead, SalesTeam, Ticket, User, sales_team_members
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
) -> Lead:
    """Make a lead of a ticket and archive the ticket (O7).

    The customer is a new contact (named `new_customer_name`, reached at the ticket's
    contact email), an existing contact and/or account, or nobody. A salesperson given with
    a sales team must be one of its members. `lead.ticket_id` links back; the ticket gets
    `lead_id` and a system message. Every check runs first, so a refusal changes nothing.
    The caller commits.
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

    contact_id, account_id = customer.contact_id, customer.account_id
    if customer.new_name is not None:
        contact = Contact(
            name=customer.new_name,
            email=ticket.contact_email,
            mobile=ticket.contact_mobile,
            account_id=ticket.account_id,
        )
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
    session.flush()
    return lead
