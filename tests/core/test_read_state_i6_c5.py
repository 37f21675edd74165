"""I6: the staff and customer read states; C5: the customer's resolved / not resolved."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.conversation import add_message, add_system_event
from core.enums import Channel, CustomerState, MessageKind, Resolution, StaffState, Status
from core.errors import ValidationError
from core.models import Message, Ticket
from core.read_state import (
    ReadEvent,
    ReadStates,
    init_read_state,
    mark_not_resolved,
    mark_opened_by_staff,
    mark_resolved,
    mark_viewed_by_customer,
    transition,
)
from core.system_events import SystemEvent
from core.tickets import create_ticket
from tests.core.factories import make_contact, make_stage, make_team, make_ticket, make_user


def _states(ticket: Ticket) -> tuple[StaffState, CustomerState]:
    return ticket.staff_state, ticket.customer_state


def test_i6_eight_combinations_numbered_as_the_seed_table() -> None:
    numbers = {
        ReadStates(s, c).combination: (s, c)
        for s, c in itertools.product(StaffState, CustomerState)
    }
    assert sorted(numbers) == list(range(1, 9))
    assert numbers[1] == (StaffState.UNREAD, CustomerState.UNREAD)
    assert numbers[2] == (StaffState.UNDER_REVIEW, CustomerState.UNREAD)
    assert numbers[3] == (StaffState.ANSWERED_FOLLOWING_UP, CustomerState.UNREAD)
    assert numbers[8] == (StaffState.ANSWERED, CustomerState.READ)


def test_i6_every_combination_is_reachable_by_events() -> None:
    start = ReadStates(StaffState.UNREAD, CustomerState.READ)
    seen = {start}
    frontier = [start]
    while frontier:
        state = frontier.pop()
        for event in ReadEvent:
            nxt = transition(state, event)
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert len(seen) == 8


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (Channel.AGENT, (StaffState.UNDER_REVIEW, CustomerState.UNREAD)),
        (Channel.PORTAL, (StaffState.UNREAD, CustomerState.READ)),
        (Channel.EMAIL, (StaffState.UNREAD, CustomerState.READ)),
    ],
)
def test_i6_create_ticket_sets_initial_states(
    session: Session, channel: Channel, expected: tuple[StaffState, CustomerState]
) -> None:
    ticket = create_ticket(session, title="t", contact_email="a@example.com", channel=channel)
    session.commit()
    session.expire_all()
    assert _states(ticket) == expected


def test_i6_rule_created_ticket_is_unread_on_both_sides(session: Session) -> None:
    ticket = make_ticket(session, channel=Channel.RULE)
    init_read_state(ticket)
    assert _states(ticket) == (StaffState.UNREAD, CustomerState.UNREAD)


def test_i6_staff_open_only_moves_unread() -> None:
    for staff in StaffState:
        after = transition(ReadStates(staff, CustomerState.UNREAD), ReadEvent.STAFF_OPENED)
        expected = StaffState.UNDER_REVIEW if staff is StaffState.UNREAD else staff
        assert after == ReadStates(expected, CustomerState.UNREAD)


@pytest.mark.parametrize("channel", [Channel.PORTAL, Channel.EMAIL, Channel.WEB_FORM])
def test_i6_customer_created_ticket_is_unread_for_staff(session: Session, channel: Channel) -> None:
    ticket = make_ticket(session, channel=channel)
    init_read_state(ticket)
    assert _states(ticket) == (StaffState.UNREAD, CustomerState.READ)


def test_i6_agent_on_behalf_is_under_review_and_unread_for_customer(session: Session) -> None:
    ticket = make_ticket(session, channel=Channel.AGENT)
    init_read_state(ticket)
    assert _states(ticket) == (StaffState.UNDER_REVIEW, CustomerState.UNREAD)


def test_i6_full_conversation_walks_the_states(session: Session) -> None:
    agent = make_user(session)
    contact = make_contact(session)
    ticket = make_ticket(session, channel=Channel.PORTAL, contact_id=contact.id)
    init_read_state(ticket)
    session.commit()
    version = ticket.version

    assert mark_opened_by_staff(ticket) is True
    assert ticket.version == version + 1
    assert _states(ticket) == (StaffState.UNDER_REVIEW, CustomerState.READ)
    assert mark_opened_by_staff(ticket) is False  # nothing changes twice

    add_message(
        session,
        ticket,
        kind=MessageKind.AGENT_REPLY,
        body="در حال بررسی",
        author_user_id=agent.id,
        follow_up=True,
    )
    assert _states(ticket) == (StaffState.ANSWERED_FOLLOWING_UP, CustomerState.UNREAD)

    add_message(
        session, ticket, kind=MessageKind.INTERNAL_NOTE, body="یادداشت", author_user_id=agent.id
    )
    add_system_event(session, ticket, SystemEvent.ASSIGNED, assignee="x", mode="y")
    assert _states(ticket) == (StaffState.ANSWERED_FOLLOWING_UP, CustomerState.UNREAD)

    assert mark_viewed_by_customer(ticket) is True
    assert _states(ticket) == (StaffState.ANSWERED_FOLLOWING_UP, CustomerState.READ)

    add_message(
        session,
        ticket,
        kind=MessageKind.CUSTOMER_REPLY,
        body="هنوز مشکل دارم",
        author_contact_id=contact.id,
        channel=Channel.PORTAL,
    )
    assert _states(ticket) == (StaffState.UNREAD, CustomerState.READ)

    add_message(
        session, ticket, kind=MessageKind.AGENT_REPLY, body="حل شد", author_user_id=agent.id
    )
    session.commit()
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert stored is not None
    assert _states(stored) == (StaffState.ANSWERED, CustomerState.UNREAD)


def test_c5_resolved_with_rating_closes_in_the_teams_closed_stage(session: Session) -> None:
    team = make_team(session)
    done = make_stage(session, team, "بسته", closed=True, sequence=30)
    make_stage(session, team, "جدید", sequence=10)
    doing = make_stage(session, team, "در حال انجام", sequence=20)
    make_stage(session, team, "بایگانی", closed=True, sequence=40)
    ticket = make_ticket(session, team=team, stage_id=doing.id)
    session.commit()

    mark_resolved(session, ticket, rating=5, comment="عالی بود")
    session.commit()
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert stored is not None
    assert stored.status is Status.CLOSED
    assert stored.stage_id == done.id
    assert stored.closed_at is not None
    assert (stored.resolution, stored.rating, stored.rating_comment) == (
        Resolution.RESOLVED,
        5,
        "عالی بود",
    )


def test_c5_resolved_without_team_still_closes(session: Session) -> None:
    ticket = make_ticket(session)
    mark_resolved(session, ticket, rating=3)
    assert ticket.status is Status.CLOSED
    assert ticket.stage_id is None


@pytest.mark.parametrize("rating", [0, 6, -1, True])
def test_c5_rating_outside_one_to_five_is_refused(session: Session, rating: int) -> None:
    ticket = make_ticket(session)
    session.commit()
    with pytest.raises(ValidationError) as err:
        mark_resolved(session, ticket, rating=rating)
    assert err.value.field == "rating"
    assert ticket.status is Status.NEW
    assert ticket.resolution is None


def test_c5_not_resolved_reopens_with_new_description(session: Session) -> None:
    contact = make_contact(session)
    team = make_team(session)
    later = make_stage(session, team, "در انتظار", sequence=20)
    first = make_stage(session, team, "جدید", sequence=10)
    make_stage(session, team, "بسته", closed=True, sequence=30)
    ticket = make_ticket(
        session, team=team, contact_id=contact.id, channel=Channel.PORTAL, stage_id=later.id
    )
    init_read_state(ticket)
    mark_resolved(session, ticket, rating=2)
    session.commit()
    assert ticket.status is Status.CLOSED

    message = mark_not_resolved(session, ticket, description="  پیامک‌ها هنوز نمی‌رسد  ")
    session.commit()
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert stored is not None
    assert stored.status is Status.IN_PROGRESS
    assert stored.stage_id == first.id
    assert stored.closed_at is None
    assert stored.resolution is Resolution.NOT_RESOLVED
    assert _states(stored) == (StaffState.UNREAD, CustomerState.READ)
    reply = session.get(Message, message.id)
    assert reply is not None
    assert reply.kind is MessageKind.CUSTOMER_REPLY
    assert reply.body == "پیامک‌ها هنوز نمی‌رسد"
    assert reply.author_contact_id == contact.id


@pytest.mark.parametrize("description", ["", "   "])
def test_c5_not_resolved_needs_a_description(session: Session, description: str) -> None:
    ticket = make_ticket(session)
    mark_resolved(session, ticket, rating=4)
    session.commit()
    before = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id).limit(1))
    count_before = len(session.scalars(select(Message).where(Message.ticket_id == ticket.id)).all())
    with pytest.raises(ValidationError) as err:
        mark_not_resolved(session, ticket, description=description)
    assert err.value.field == "description"
    assert ticket.status is Status.CLOSED
    assert ticket.resolution is Resolution.RESOLVED
    assert before is not None
    assert (
        len(session.scalars(select(Message).where(Message.ticket_id == ticket.id)).all())
        == count_before
    )
