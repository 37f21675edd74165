"""O3: team visibility (private / company / public), S6/S9: what portal customers see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.conversation import add_message, add_system_event
from core.enums import MessageKind, Role, Visibility
from core.followers import follow_team, follow_ticket, is_following
from core.models import Message, Team, TeamFollower, Ticket, User
from core.system_events import SystemEvent
from core.visibility import (
    can_see_team,
    can_see_ticket,
    set_team_visibility,
    visible_messages_clause,
    visible_teams_clause,
    visible_tickets_clause,
)
from tests.core.factories import (
    add_member,
    make_contact,
    make_portal_user,
    make_team,
    make_ticket,
    make_user,
)


def _visible_titles(session: Session, user: User) -> set[str]:
    return set(session.scalars(select(Ticket.title).where(visible_tickets_clause(user))))


def _visible_teams(session: Session, user: User) -> set[str]:
    return set(session.scalars(select(Team.name).where(visible_teams_clause(user))))


def test_o3_private_team_is_for_invited_users_only(session: Session) -> None:
    invited = make_user(session)
    outsider = make_user(session, role=Role.SUPERVISOR)
    admin = make_user(session, role=Role.ADMIN)
    team = make_team(session, "VIP", visibility=Visibility.PRIVATE)
    add_member(session, team, invited)
    make_ticket(session, "secret", team=team)
    make_ticket(session, "no team")

    assert can_see_team(invited, team, session)
    assert not can_see_team(outsider, team, session)
    assert can_see_team(admin, team, session)
    assert _visible_titles(session, invited) == {"secret", "no team"}
    assert _visible_titles(session, outsider) == {"no team"}
    assert _visible_titles(session, admin) == {"secret", "no team"}
    assert _visible_teams(session, outsider) == set()
    assert _visible_teams(session, invited) == {"VIP"}


def test_o3_private_ticket_visible_to_its_assignee_and_user_followers(session: Session) -> None:
    assignee = make_user(session)
    follower = make_user(session)
    other = make_user(session)
    team = make_team(session, visibility=Visibility.PRIVATE)
    ticket = make_ticket(session, "assigned", team=team, assignee=assignee)
    follow_ticket(session, ticket.id, user_id=follower.id)
    assert can_see_ticket(session, assignee, ticket.id)
    assert can_see_ticket(session, follower, ticket.id)
    assert not can_see_ticket(session, other, ticket.id)


def test_o3_company_team_is_for_all_staff_not_portal(session: Session) -> None:
    agent = make_user(session)
    portal = make_portal_user(session)
    team = make_team(session, "Company", visibility=Visibility.COMPANY)
    follow_team(session, team.id, contact_id=portal.contact_id)
    make_ticket(session, "company ticket", team=team)

    assert can_see_team(agent, team, session)
    assert not can_see_team(portal, team, session)
    assert _visible_titles(session, agent) == {"company ticket"}
    assert _visible_titles(session, portal) == set()


def test_o3_public_team_adds_invited_portal_users(session: Session) -> None:
    agent = make_user(session)
    invited = make_portal_user(session)
    stranger = make_portal_user(session)
    team = make_team(session, "Public", visibility=Visibility.PUBLIC)
    follow_team(session, team.id, contact_id=invited.contact_id)
    make_ticket(session, "public ticket", team=team)

    assert can_see_team(agent, team, session)
    assert can_see_team(invited, team, session)
    assert not can_see_team(stranger, team, session)
    assert _visible_teams(session, invited) == {"Public"}
    assert _visible_teams(session, stranger) == set()
    assert _visible_titles(session, invited) == {"public ticket"}
    assert _visible_titles(session, stranger) == set()


def test_s9_portal_customer_sees_only_tickets_they_follow(session: Session) -> None:
    portal = make_portal_user(session)
    other = make_portal_user(session)
    team = make_team(session)
    mine = make_ticket(session, "mine", team=team, contact_id=portal.contact_id)
    make_ticket(session, "theirs", team=team, contact_id=other.contact_id)
    make_ticket(session, "teamless")
    follow_ticket(session, mine.id, contact_id=portal.contact_id)

    assert _visible_titles(session, portal) == {"mine"}
    assert _visible_titles(session, other) == set()


def test_s6_portal_customer_never_sees_internal_notes(session: Session) -> None:
    agent = make_user(session)
    portal = make_portal_user(session)
    ticket = make_ticket(session, contact_id=portal.contact_id)
    follow_ticket(session, ticket.id, contact_id=portal.contact_id)
    add_message(
        session,
        ticket,
        kind=MessageKind.CUSTOMER_REPLY,
        body="question",
        author_contact_id=portal.contact_id,
    )
    add_message(
        session, ticket, kind=MessageKind.AGENT_REPLY, body="answer", author_user_id=agent.id
    )
    add_message(
        session, ticket, kind=MessageKind.INTERNAL_NOTE, body="lock", author_user_id=agent.id
    )
    add_system_event(session, ticket, SystemEvent.ASSIGNED, assignee="x", mode="y")
    session.flush()

    def bodies(user: User) -> set[str]:
        return set(session.scalars(select(Message.body).where(visible_messages_clause(user))))

    assert bodies(portal) == {"question", "answer"}
    assert bodies(agent) == {"question", "answer", "lock", "Assigned to x automatically (y)."}
    assert bodies(make_portal_user(session)) == set()


def test_o3_inactive_user_sees_nothing(session: Session) -> None:
    gone = make_user(session, active=False)
    make_ticket(session, "any")
    assert _visible_titles(session, gone) == set()


def test_o3_leaving_public_removes_portal_followers_of_team_and_tickets(session: Session) -> None:
    agent = make_user(session)
    portal = make_portal_user(session)
    plain_contact = make_contact(session, "email only", email="e@example.com")
    team = make_team(session, visibility=Visibility.PUBLIC)
    other_team = make_team(session, "Other", visibility=Visibility.PUBLIC)
    follow_team(session, team.id, contact_id=portal.contact_id)
    follow_team(session, team.id, contact_id=plain_contact.id)
    follow_team(session, team.id, user_id=agent.id)
    follow_team(session, other_team.id, contact_id=portal.contact_id)
    ticket = make_ticket(session, "t", team=team)
    elsewhere = make_ticket(session, "e", team=other_team)
    for t in (ticket, elsewhere):
        follow_ticket(session, t.id, contact_id=portal.contact_id)
    follow_ticket(session, ticket.id, user_id=agent.id)
    session.commit()
    assert portal.contact_id is not None
    assert can_see_ticket(session, portal, ticket.id)

    change = set_team_visibility(session, team, Visibility.PRIVATE)
    session.commit()

    assert change.changed
    assert (change.old, change.new) == (Visibility.PUBLIC, Visibility.PRIVATE)
    assert change.removed_team_contacts == {portal.contact_id}
    assert change.removed_ticket_contacts == {(ticket.id, portal.contact_id)}
    session.expire_all()
    assert session.get(Team, team.id).visibility is Visibility.PRIVATE  # type: ignore[union-attr]
    followers = {
        (f.user_id, f.contact_id)
        for f in session.scalars(select(TeamFollower).where(TeamFollower.team_id == team.id))
    }
    assert followers == {(None, plain_contact.id), (agent.id, None)}
    assert not is_following(session, ticket.id, contact_id=portal.contact_id)
    assert is_following(session, ticket.id, user_id=agent.id)
    # other teams are untouched
    assert is_following(session, elsewhere.id, contact_id=portal.contact_id)
    assert not can_see_ticket(session, portal, ticket.id)
    assert can_see_ticket(session, portal, elsewhere.id)


def test_o3_company_to_private_and_same_value_remove_nothing(session: Session) -> None:
    portal = make_portal_user(session)
    team = make_team(session, visibility=Visibility.COMPANY)
    follow_team(session, team.id, contact_id=portal.contact_id)
    ticket = make_ticket(session, team=team)
    follow_ticket(session, ticket.id, contact_id=portal.contact_id)

    same = set_team_visibility(session, team, Visibility.COMPANY)
    assert not same.changed
    change = set_team_visibility(session, team, Visibility.PRIVATE)
    assert change.changed
    assert not change.removed_team_contacts
    assert not change.removed_ticket_contacts
    assert is_following(session, ticket.id, contact_id=portal.contact_id)
