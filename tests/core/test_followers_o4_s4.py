"""O4: ticket and team followers are told of updates; S4: auto-follow; S5: no customer
link, no customer notice; S6: internal posts never reach contacts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.conversation import add_message
from core.enums import MessageKind, Role
from core.errors import ValidationError
from core.followers import (
    auto_follow_on_assignment,
    follow_team,
    follow_ticket,
    is_following,
    recipients_for_update,
    unfollow_team,
    unfollow_ticket,
)
from core.models import Contact, Team, TeamMember, TicketFollower, User
from tests.core.factories import make_contact, make_portal_user, make_team, make_ticket, make_user


def _follower_count(session: Session, ticket_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(TicketFollower)
            .where(TicketFollower.ticket_id == ticket_id)
        )
        or 0
    )


def test_o4_follow_and_unfollow_ticket_are_idempotent(session: Session) -> None:
    user = make_user(session)
    contact = make_contact(session, email="c@example.com")
    ticket = make_ticket(session)
    assert follow_ticket(session, ticket.id, user_id=user.id) is True
    assert follow_ticket(session, ticket.id, user_id=user.id) is False
    assert follow_ticket(session, ticket.id, contact_id=contact.id) is True
    assert _follower_count(session, ticket.id) == 2
    assert unfollow_ticket(session, ticket.id, user_id=user.id) is True
    assert unfollow_ticket(session, ticket.id, user_id=user.id) is False
    assert not is_following(session, ticket.id, user_id=user.id)
    assert is_following(session, ticket.id, contact_id=contact.id)


def test_o4_a_follower_is_a_user_or_a_contact_not_both(session: Session) -> None:
    user = make_user(session)
    contact = make_contact(session)
    ticket = make_ticket(session)
    with pytest.raises(ValidationError):
        follow_ticket(session, ticket.id, user_id=user.id, contact_id=contact.id)
    with pytest.raises(ValidationError):
        follow_ticket(session, ticket.id)


def test_o4_recipients_are_ticket_and_team_followers(session: Session) -> None:
    ticket_follower = make_user(session)
    team_follower = make_user(session)
    inactive = make_user(session, active=False)
    outsider = make_user(session)
    contact = make_contact(session, email="a@example.com")
    team_contact = make_contact(session, email="b@example.com")
    portal = make_portal_user(session)
    team = make_team(session)
    ticket = make_ticket(session, team=team, contact_id=contact.id)
    make_ticket(session, "other")  # followers of other tickets do not count
    follow_ticket(session, ticket.id, user_id=ticket_follower.id)
    follow_ticket(session, ticket.id, user_id=inactive.id)
    follow_ticket(session, ticket.id, user_id=portal.id)  # a portal user: reached by contact
    follow_team(session, team.id, user_id=team_follower.id)
    follow_team(session, team.id, contact_id=team_contact.id)
    assert portal.contact_id is not None

    everyone = recipients_for_update(session, ticket, include_internal=True)
    assert everyone.user_ids == {ticket_follower.id, team_follower.id}
    assert outsider.id not in everyone.user_ids
    assert everyone.contact_ids == {contact.id, team_contact.id, portal.contact_id}

    customers_only = recipients_for_update(session, ticket, include_internal=False)
    assert customers_only.user_ids == frozenset()
    assert customers_only.contact_ids == everyone.contact_ids

    unfollow_team(session, team.id, contact_id=team_contact.id)
    assert (
        team_contact.id
        not in recipients_for_update(session, ticket, include_internal=False).contact_ids
    )


def test_s6_internal_update_reaches_no_contact(session: Session) -> None:
    agent = make_user(session)
    contact = make_contact(session, email="a@example.com")
    team = make_team(session)
    ticket = make_ticket(session, team=team, contact_id=contact.id)
    follow_ticket(session, ticket.id, contact_id=contact.id)
    follow_team(session, team.id, contact_id=make_contact(session).id)
    follow_ticket(session, ticket.id, user_id=agent.id)

    note = recipients_for_update(session, ticket, include_internal=True, public=False)
    assert note.contact_ids == frozenset()
    assert note.user_ids == {agent.id}


def test_s5_no_contact_no_portal_user_means_no_customer_notice(session: Session) -> None:
    agent = make_user(session)
    ticket = make_ticket(session, contact_email="someone@example.com")
    follow_ticket(session, ticket.id, user_id=agent.id)
    result = recipients_for_update(session, ticket, include_internal=False)
    assert result.contact_ids == frozenset()
    assert not result


def test_o4_author_is_not_told_of_their_own_update(session: Session) -> None:
    agent = make_user(session)
    portal = make_portal_user(session)
    ticket = make_ticket(session, contact_id=portal.contact_id)
    follow_ticket(session, ticket.id, user_id=agent.id)
    by_agent = recipients_for_update(
        session, ticket, include_internal=True, exclude_user_id=agent.id
    )
    assert agent.id not in by_agent.user_ids
    by_customer = recipients_for_update(
        session, ticket, include_internal=True, exclude_user_id=portal.id
    )
    assert by_customer.contact_ids == frozenset()
    assert by_customer.user_ids == {agent.id}


def test_s4_auto_follow_on_reply_and_note(session: Session) -> None:
    keen = make_user(session, auto_follow=True)
    noter = make_user(session, auto_follow=True)
    shy = make_user(session, auto_follow=False)
    ticket = make_ticket(session)
    add_message(session, ticket, kind=MessageKind.AGENT_REPLY, body="x", author_user_id=keen.id)
    add_message(session, ticket, kind=MessageKind.INTERNAL_NOTE, body="y", author_user_id=noter.id)
    add_message(session, ticket, kind=MessageKind.AGENT_REPLY, body="z", author_user_id=shy.id)
    add_message(session, ticket, kind=MessageKind.AGENT_REPLY, body="again", author_user_id=keen.id)
    session.commit()
    assert is_following(session, ticket.id, user_id=keen.id)
    assert is_following(session, ticket.id, user_id=noter.id)
    assert not is_following(session, ticket.id, user_id=shy.id)
    assert _follower_count(session, ticket.id) == 2


def test_s4_auto_follow_on_assignment(session: Session) -> None:
    keen = make_user(session, auto_follow=True)
    shy = make_user(session, auto_follow=False)
    ticket = make_ticket(session, assignee=keen)
    assert auto_follow_on_assignment(session, ticket) is True
    assert auto_follow_on_assignment(session, ticket) is False
    other = make_ticket(session, assignee=shy)
    assert auto_follow_on_assignment(session, other) is False
    unassigned = make_ticket(session)
    assert auto_follow_on_assignment(session, unassigned) is False
    assert is_following(session, ticket.id, user_id=keen.id)
    assert not is_following(session, other.id, user_id=shy.id)


def test_s4_portal_user_never_auto_follows_as_user(session: Session) -> None:
    portal = make_portal_user(session)
    ticket = make_ticket(session, assignee=portal)
    assert auto_follow_on_assignment(session, ticket) is False


def test_s4_assignment_by_rule_or_by_hand_makes_the_assignee_follow(session: Session) -> None:
    from core.enums import AssignmentMode
    from core.followers import is_following
    from core.tickets import create_ticket, update_ticket

    agent = User(username="s4a", display_name="S4 A", role=Role.AGENT)
    quiet = User(username="s4q", display_name="S4 Q", role=Role.AGENT, auto_follow=False)
    team = Team(name="S4", assignment_mode=AssignmentMode.EQUAL_OPEN)
    session.add_all([agent, quiet, team])
    session.flush()
    session.add(TeamMember(team_id=team.id, user_id=agent.id, assignable=True))
    by_rule = create_ticket(session, title="rule", contact_email="c@example.com", team_id=team.id)
    session.flush()
    from core.assignment import auto_assign

    assert auto_assign(session, by_rule) is agent
    assert is_following(session, by_rule.id, user_id=agent.id)
    by_hand = create_ticket(session, title="hand", contact_email="c@example.com")
    session.flush()
    update_ticket(session, by_hand, {"assignee_id": quiet.id})
    assert not is_following(session, by_hand.id, user_id=quiet.id)
    update_ticket(session, by_hand, {"assignee_id": agent.id})
    assert is_following(session, by_hand.id, user_id=agent.id)


def test_s9_the_customer_follows_their_own_ticket(session: Session) -> None:
    from core.followers import is_following
    from core.tickets import create_ticket

    contact = Contact(name="مشتری", email="m@example.com")
    session.add(contact)
    session.flush()
    ticket = create_ticket(session, title="t", contact_email="m@example.com", contact_id=contact.id)
    session.flush()
    assert is_following(session, ticket.id, contact_id=contact.id)
