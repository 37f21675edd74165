"""O7: converting a ticket to a lead: customer created / linked / none, sales team and
salesperson, the lead links back, the ticket is archived; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.enums import LeadCustomerMode, MessageKind, Role
from core.errors import DomainError, NotFoundError, ValidationError
from core.leads import convert_to_lead
from core.models import Contact, Lead, Message, Ticket
from tests.core.factories import (
    make_account,
    make_contact,
    make_sales_team,
    make_ticket,
    make_user,
)


def _events(session: Session, ticket: Ticket) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.ticket_id == ticket.id)))


def test_o7_create_customer_from_the_ticket_email(session: Session) -> None:
    account = make_account(session)
    ticket = make_ticket(
        session,
        "خرید نسخه سازمانی",
        description="برای ۵۰ کاربر",
        contact_email="buyer@example.com",
        contact_mobile="09120000000",
        account_id=account.id,
        number=12,
    )
    version = ticket.version
    lead = convert_to_lead(
        session,
        ticket_id=ticket.id,
        customer_mode=LeadCustomerMode.CREATE,
        new_customer_name="  مریم احمدی ",
    )
    session.commit()
    session.expire_all()
    contact = session.get(Contact, lead.contact_id)
    assert contact is not None
    assert (contact.name, contact.email, contact.mobile, contact.account_id) == (
        "مریم احمدی",
        "buyer@example.com",
        "09120000000",
        account.id,
    )
    assert (lead.title, lead.description) == ("خرید نسخه سازمانی", "برای ۵۰ کاربر")
    assert lead.ticket_id == ticket.id
    assert lead.account_id == account.id
    assert ticket.lead_id == lead.id
    assert ticket.archived
    assert ticket.version == version + 1
    events = _events(session, ticket)
    assert [m.kind for m in events] == [MessageKind.SYSTEM_EVENT]
    assert "Converted to lead" in events[0].body


def test_o7_link_to_an_existing_contact_takes_its_account(session: Session) -> None:
    account = make_account(session)
    contact = make_contact(session, "Reza", account_id=account.id)
    ticket = make_ticket(session)
    contacts_before = session.scalar(select(func.count()).select_from(Contact))
    lead = convert_to_lead(
        session,
        ticket_id=ticket.id,
        customer_mode=LeadCustomerMode.LINK,
        existing_contact_id=contact.id,
    )
    assert (lead.contact_id, lead.account_id) == (contact.id, account.id)
    assert session.scalar(select(func.count()).select_from(Contact)) == contacts_before


def test_o7_link_to_an_existing_account_only(session: Session) -> None:
    account = make_account(session)
    ticket = make_ticket(session)
    lead = convert_to_lead(
        session,
        ticket_id=ticket.id,
        customer_mode=LeadCustomerMode.LINK,
        existing_account_id=account.id,
    )
    assert (lead.contact_id, lead.account_id) == (None, account.id)


def test_o7_no_customer_with_sales_team_and_salesperson(session: Session) -> None:
    seller = make_user(session, "Sara")
    actor = make_user(session, "Ali")
    team = make_sales_team(session, "فروش سازمانی", members=[seller])
    ticket = make_ticket(session, number=5)
    lead = convert_to_lead(
        session,
        ticket_id=ticket.id,
        customer_mode=LeadCustomerMode.NONE,
        sales_team_id=team.id,
        salesperson_id=seller.id,
        actor_id=actor.id,
    )
    session.commit()
    session.expire_all()
    assert (lead.contact_id, lead.account_id) == (None, None)
    assert (lead.sales_team_id, lead.salesperson_id) == (team.id, seller.id)
    [event] = _events(session, ticket)
    assert "فروش سازمانی" in event.body
    assert "Sara" in event.body
    assert event.author_user_id == actor.id
    assert session.scalars(select(Lead.ticket_id)).all() == [ticket.id]


def test_o7_salesperson_alone_need_not_be_in_a_team(session: Session) -> None:
    seller = make_user(session, "Sara")
    ticket = make_ticket(session)
    lead = convert_to_lead(
        session,
        ticket_id=ticket.id,
        customer_mode=LeadCustomerMode.NONE,
        salesperson_id=seller.id,
    )
    assert lead.salesperson_id == seller.id


def _state(session: Session) -> list[Any]:
    session.expire_all()
    return [
        sorted(session.execute(select(Ticket.id, Ticket.version, Ticket.archived, Ticket.lead_id))),
        sorted(session.execute(select(Lead.id, Lead.ticket_id))),
        sorted(session.execute(select(Contact.id, Contact.name))),
        sorted(session.execute(select(Message.id, Message.ticket_id))),
    ]


REFUSALS: list[tuple[str, dict[str, Any], type[DomainError], str]] = [
    ("unknown ticket", {"ticket_id": "no-such-ticket"}, NotFoundError, "ticket_not_found"),
    ("archived ticket", {"ticket_id": "archived"}, DomainError, "archived"),
    ("merged ticket", {"ticket_id": "merged"}, DomainError, "already_merged"),
    ("converted ticket", {"ticket_id": "converted"}, DomainError, "already_converted"),
    ("bad mode", {"customer_mode": "maybe"}, ValidationError, "invalid_choice"),
    ("create without a name", {"customer_mode": "create"}, ValidationError, "required"),
    (
        "create with a blank name",
        {"customer_mode": "create", "new_customer_name": "   "},
        ValidationError,
        "required",
    ),
    (
        "create with a linked contact",
        {"customer_mode": "create", "new_customer_name": "X", "existing_contact_id": "contact"},
        ValidationError,
        "unused",
    ),
    ("link to nothing", {"customer_mode": "link"}, ValidationError, "required"),
    (
        "link to unknown contact",
        {"customer_mode": "link", "existing_contact_id": "nobody"},
        ValidationError,
        "not_found",
    ),
    (
        "link to unknown account",
        {"customer_mode": "link", "existing_account_id": "nowhere"},
        ValidationError,
        "not_found",
    ),
    (
        "link contact of another account",
        {"customer_mode": "link", "existing_contact_id": "contact", "existing_account_id": "acc2"},
        ValidationError,
        "other_account",
    ),
    (
        "none with a name",
        {"customer_mode": "none", "new_customer_name": "X"},
        ValidationError,
        "unused",
    ),
    ("unknown sales team", {"sales_team_id": "no-team"}, ValidationError, "not_found"),
    ("unknown salesperson", {"salesperson_id": "no-user"}, ValidationError, "not_found"),
    ("portal salesperson", {"salesperson_id": "portal"}, ValidationError, "not_found"),
    (
        "salesperson outside the team",
        {"sales_team_id": "team", "salesperson_id": "outsider"},
        ValidationError,
        "not_in_team",
    ),
    ("unknown actor", {"actor_id": "no-user"}, ValidationError, "not_found"),
]


@pytest.mark.parametrize(
    ("args", "error", "code"),
    [r[1:] for r in REFUSALS],
    ids=[r[0] for r in REFUSALS],
)
def test_o7_refusals_change_nothing(
    session: Session, args: dict[str, Any], error: type[DomainError], code: str
) -> None:
    seller, outsider = make_user(session, "Sara"), make_user(session, "Omid")
    portal = make_user(session, "Customer", role=Role.PORTAL)
    team = make_sales_team(session, members=[seller])
    account, other_account = make_account(session), make_account(session, "Other")
    contact = make_contact(session, "Reza", account_id=account.id)
    ticket = make_ticket(session, "open")
    keep = make_ticket(session, "keep")
    names = {
        "archived": make_ticket(session, "old", archived=True).id,
        "merged": make_ticket(session, "dup", merged_into_id=keep.id).id,
        "contact": contact.id,
        "acc2": other_account.id,
        "team": team.id,
        "outsider": outsider.id,
        "portal": portal.id,
    }
    converted = make_ticket(session, "converted")
    convert_to_lead(session, ticket_id=converted.id, customer_mode=LeadCustomerMode.NONE)
    names["converted"] = converted.id
    session.commit()
    kwargs: dict[str, Any] = {"ticket_id": ticket.id, "customer_mode": LeadCustomerMode.NONE}
    kwargs.update({k: names.get(v, v) for k, v in args.items()})
    before = _state(session)
    with pytest.raises(error) as refused:
        convert_to_lead(session, **kwargs)
    assert refused.value.code == code
    session.flush()
    assert _state(session) == before
