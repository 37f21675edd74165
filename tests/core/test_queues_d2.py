"""D2, C3, I3: queues filter and sort in SQL over the cache; rows carry what a line shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.enums import Role, Status
from core.local_edits import edit_ticket_locally
from core.models import Contact, Team, TeamMember, Ticket, TicketFollower, User
from core.queues import QueueKind, QueueQuery, SortKey, count, load_rows, ticket_ids
from core.tickets import create_ticket

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _user(session: Session, name: str) -> User:
    user = User(username=name, display_name=name.title(), role=Role.AGENT)
    session.add(user)
    session.flush()
    return user


def _ticket(session: Session, title: str, **fields: object) -> Ticket:
    ticket = create_ticket(session, title=title, contact_email="c@example.com", **fields)
    session.flush()
    return ticket


def test_d2_each_queue_holds_the_right_tickets(session: Session) -> None:
    me, other = _user(session, "me"), _user(session, "other")
    team = Team(name="پشتیبانی")
    session.add(team)
    session.flush()
    session.add(TeamMember(team_id=team.id, user_id=me.id))
    mine = _ticket(session, "mine", assignee_id=me.id)
    theirs = _ticket(session, "theirs", assignee_id=other.id, team_id=team.id)
    unassigned = _ticket(session, "unassigned")
    closed = _ticket(session, "closed", assignee_id=me.id, status=Status.CLOSED)
    archived = _ticket(session, "archived")
    archived.archived = True
    session.add(TicketFollower(ticket_id=unassigned.id, user_id=me.id))
    session.commit()

    def ids(kind: QueueKind) -> set[str]:
        return set(ticket_ids(session, QueueQuery(kind=kind, user_id=me.id)))

    assert ids(QueueKind.MINE) == {mine.id}
    assert ids(QueueKind.UNASSIGNED) == {unassigned.id}
    assert ids(QueueKind.MY_TEAMS) == {theirs.id}
    # S4: being assigned made me follow mine and closed; unassigned I followed by hand
    assert ids(QueueKind.FOLLOWED) == {mine.id, closed.id, unassigned.id}
    assert ids(QueueKind.ALL_OPEN) == {mine.id, theirs.id, unassigned.id}
    assert ids(QueueKind.ALL) == {mine.id, theirs.id, unassigned.id, closed.id}
    assert ids(QueueKind.ARCHIVED) == {archived.id}
    assert ids(QueueKind.UNSYNCED) == set()
    for kind in QueueKind:
        assert count(session, QueueQuery(kind=kind, user_id=me.id)) == len(ids(kind))


def test_d6_unsynced_queue_and_marker_follow_the_outbox(session: Session) -> None:
    ticket = _ticket(session, "before")
    other = _ticket(session, "untouched")
    session.commit()
    edit_ticket_locally(session, ticket.id, {"title": "after"})
    query = QueueQuery(kind=QueueKind.UNSYNCED)
    assert ticket_ids(session, query) == [ticket.id]
    rows = load_rows(session, [ticket.id, other.id])
    assert rows[ticket.id].unsynced and not rows[other.id].unsynced


def test_i3_rows_show_customer_team_assignee_and_states(session: Session) -> None:
    agent = _user(session, "sara")
    team = Team(name="فنی")
    contact = Contact(name="علی رضایی", email="ali@example.com")
    session.add_all([team, contact])
    session.flush()
    ticket = _ticket(
        session,
        "قطعی پنل",
        team_id=team.id,
        assignee_id=agent.id,
        contact_id=contact.id,
        severity=2,
        impact=2,
    )
    nameless = _ticket(session, "بدون مخاطب")
    session.commit()
    rows = load_rows(session, [ticket.id, nameless.id])
    row = rows[ticket.id]
    assert (row.title, row.customer, row.team, row.assignee) == (
        "قطعی پنل",
        "علی رضایی",
        "فنی",
        "Sara",
    )
    assert row.priority == 2 and row.number is None and row.sla_due_at is not None
    assert rows[nameless.id].customer == "c@example.com"
    assert load_rows(session, []) == {}


def test_c3_filters_by_team_status_stage_and_assignee(session: Session) -> None:
    a, b = Team(name="A"), Team(name="B")
    agent = _user(session, "agent")
    session.add_all([a, b])
    session.flush()
    t1 = _ticket(session, "1", team_id=a.id, status=Status.NEW)
    _ticket(session, "2", team_id=a.id, status=Status.IN_PROGRESS)
    _ticket(session, "3", team_id=b.id, status=Status.NEW, assignee_id=agent.id)
    session.commit()
    query = QueueQuery(kind=QueueKind.ALL, team_ids=(a.id,), statuses=(Status.NEW,))
    assert ticket_ids(session, query) == [t1.id]
    assert len(ticket_ids(session, QueueQuery(kind=QueueKind.ALL, assignee_id=agent.id))) == 1


levels = st.integers(min_value=0, max_value=2)


# each example starts by emptying the table, so sharing the cache across examples is safe
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    specs=st.lists(st.tuples(levels, levels, st.integers(0, 10_000)), min_size=1, max_size=30),
    sort=st.sampled_from([SortKey.PRIORITY, SortKey.SEVERITY, SortKey.UPDATED, SortKey.TITLE]),
    descending=st.booleans(),
)
def test_d2_sql_order_matches_the_sort_rule(
    session: Session,
    specs: list[tuple[int, int, int]],
    sort: SortKey,
    descending: bool,
) -> None:
    """Property: the SQL order equals sorting the same rows in Python by the sort's keys."""
    session.execute(delete(Ticket))
    tickets = []
    for i, (severity, impact, minutes) in enumerate(specs):
        t = _ticket(session, f"t{i % 7}", severity=severity, impact=impact)
        t.updated_at = T0 + timedelta(minutes=minutes)
        tickets.append(t)
    session.commit()
    keys = {
        SortKey.PRIORITY: lambda t: (t.priority, t.updated_at, t.id),
        SortKey.SEVERITY: lambda t: (t.severity, t.updated_at, t.id),
        SortKey.UPDATED: lambda t: (t.updated_at, t.id),
        SortKey.TITLE: lambda t: (t.title, t.id),
    }
    expected = [t.id for t in sorted(tickets, key=keys[sort], reverse=descending)]
    query = QueueQuery(kind=QueueKind.ALL, sort=sort, descending=descending)
    assert ticket_ids(session, query) == expected
    assert ticket_ids(session, query, limit=5, offset=2) == expected[2:7]
