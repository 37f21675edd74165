"""O5, S3: automatic assignment by equal total / equal open tickets, round robin and least
busy, among chosen members or all eligible agents, skipping anyone on leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from core.assignment import auto_assign, choose_assignee
from core.enums import AssignmentMode, MessageKind, Role, Status, Visibility
from core.models import Message, Team, User
from tests.core.factories import add_member, make_leave, make_team, make_ticket, make_user

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _give(session: Session, team: Team, user: User, n: int, **fields: Any) -> None:
    for i in range(n):
        make_ticket(session, f"t{i}", team=team, assignee=user, **fields)


def _chosen(session: Session, team: Team, *users: User) -> None:
    for user in users:
        add_member(session, team, user, assignable=True)


def test_o5_manual_team_assigns_nobody(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.MANUAL)
    _chosen(session, team, make_user(session, "Ali"))
    ticket = make_ticket(session, team=team)
    version = ticket.version
    assert choose_assignee(session, team, at=AT) is None
    assert auto_assign(session, ticket, at=AT) is None
    assert ticket.assignee_id is None
    assert ticket.version == version


def test_o5_equal_total_picks_fewest_tickets_ever_assigned_in_the_team(
    session: Session,
) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_TOTAL)
    ali, bahar, cyrus = (make_user(session, n) for n in ("Ali", "Bahar", "Cyrus"))
    _chosen(session, team, ali, bahar, cyrus)
    _give(session, team, ali, 2, status=Status.CLOSED)  # closed ones count as well
    _give(session, team, bahar, 1, archived=True)  # and archived ones
    _give(session, team, cyrus, 3)
    other = make_team(session, "Other")
    _give(session, other, bahar, 5)  # another team's tickets do not count
    assert choose_assignee(session, team, at=AT) == bahar


def test_o5_equal_open_counts_only_open_tickets(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_OPEN)
    ali, bahar = make_user(session, "Ali"), make_user(session, "Bahar")
    _chosen(session, team, ali, bahar)
    _give(session, team, ali, 5, status=Status.CLOSED)
    _give(session, team, ali, 1, archived=True)
    _give(session, team, ali, 1)
    _give(session, team, bahar, 2)
    assert choose_assignee(session, team, at=AT) == ali


def test_o5_equal_open_skips_agent_on_leave_and_takes_next_match(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_OPEN)
    ali, bahar, cyrus = (make_user(session, n) for n in ("Ali", "Bahar", "Cyrus"))
    _chosen(session, team, ali, bahar, cyrus)
    _give(session, team, bahar, 1)
    _give(session, team, cyrus, 2)
    make_leave(session, ali, AT - timedelta(days=1), AT + timedelta(days=1))
    assert choose_assignee(session, team, at=AT) == bahar
    make_leave(session, bahar, AT, AT + timedelta(hours=1))
    assert choose_assignee(session, team, at=AT) == cyrus
    # after both leaves end, the best match is back
    assert choose_assignee(session, team, at=AT + timedelta(days=2)) == ali


def test_o5_leave_starts_inclusive_and_ends_exclusive(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_TOTAL)
    ali, bahar = make_user(session, "Ali"), make_user(session, "Bahar")
    _chosen(session, team, ali, bahar)
    start, end = AT, AT + timedelta(days=3)
    make_leave(session, ali, start, end)
    assert choose_assignee(session, team, at=start - timedelta(seconds=1)) == ali
    assert choose_assignee(session, team, at=start) == bahar
    assert choose_assignee(session, team, at=end - timedelta(seconds=1)) == bahar
    assert choose_assignee(session, team, at=end) == ali


def test_o5_inactive_chosen_member_is_skipped(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_TOTAL)
    gone = make_user(session, "Ali", active=False)
    bahar = make_user(session, "Bahar")
    _chosen(session, team, gone, bahar)
    _give(session, team, bahar, 4)
    assert choose_assignee(session, team, at=AT) == bahar


def test_o5_only_chosen_members_get_tickets(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_TOTAL)
    idle = make_user(session, "Aaron")  # a member, but not chosen: never picked
    add_member(session, team, idle, assignable=False)
    busy = make_user(session, "Zahra")
    _chosen(session, team, busy)
    _give(session, team, busy, 10)
    assert choose_assignee(session, team, at=AT) == busy


def test_o5_empty_chosen_list_means_all_eligible_agents(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_TOTAL, visibility=Visibility.COMPANY)
    make_user(session, "Aaron admin", role=Role.ADMIN)
    make_user(session, "Abbas portal", role=Role.PORTAL)
    make_user(session, "Abtin inactive", active=False)
    agent = make_user(session, "Bahar")
    supervisor = make_user(session, "Babak", role=Role.SUPERVISOR)
    # a non-member agent is eligible too for a company team
    assert choose_assignee(session, team, at=AT) == supervisor
    _give(session, team, supervisor, 1)
    assert choose_assignee(session, team, at=AT) == agent


def test_o5_private_team_without_chosen_members_uses_its_invited_agents(
    session: Session,
) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_TOTAL, visibility=Visibility.PRIVATE)
    make_user(session, "Aaron outsider")
    invited = make_user(session, "Zahra")
    add_member(session, team, invited)
    assert choose_assignee(session, team, at=AT) == invited


def test_o5_ties_break_by_name_then_id(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_TOTAL)
    zahra, ali = make_user(session, "Zahra"), make_user(session, "ali")
    twin_a, twin_b = make_user(session, "Same"), make_user(session, "Same")
    _chosen(session, team, zahra, ali, twin_a, twin_b)
    assert choose_assignee(session, team, at=AT) == ali  # case-insensitive name order
    _give(session, team, ali, 1)
    assert choose_assignee(session, team, at=AT) == min(twin_a, twin_b, key=lambda u: u.id)


def test_o5_nobody_available_changes_nothing(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_OPEN)
    ali = make_user(session, "Ali")
    _chosen(session, team, ali)
    make_leave(session, ali, AT - timedelta(hours=1), AT + timedelta(hours=1))
    ticket = make_ticket(session, team=team)
    version, updated = ticket.version, ticket.updated_at
    assert auto_assign(session, ticket, at=AT) is None
    session.flush()
    assert ticket.assignee_id is None
    assert (ticket.version, ticket.updated_at) == (version, updated)
    assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_o5_auto_assign_sets_assignee_records_event_and_bumps_version(
    session: Session,
) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_OPEN)
    ali = make_user(session, "Ali")
    _chosen(session, team, ali)
    ticket = make_ticket(session, team=team)
    version = ticket.version
    assert auto_assign(session, ticket, at=AT) == ali
    session.commit()
    session.expire_all()
    assert ticket.assignee_id == ali.id
    assert ticket.version == version + 1
    events = list(session.scalars(select(Message).where(Message.ticket_id == ticket.id)))
    assert [m.kind for m in events] == [MessageKind.SYSTEM_EVENT]
    assert "Ali" in events[0].body


def test_o5_auto_assign_leaves_assigned_closed_and_teamless_tickets_alone(
    session: Session,
) -> None:
    team = make_team(session, mode=AssignmentMode.EQUAL_OPEN)
    ali, bahar = make_user(session, "Ali"), make_user(session, "Bahar")
    _chosen(session, team, ali)
    assigned = make_ticket(session, team=team, assignee=bahar)
    closed = make_ticket(session, team=team, status=Status.CLOSED)
    teamless = make_ticket(session)
    for ticket in (assigned, closed, teamless):
        assert auto_assign(session, ticket, at=AT) is None
    assert assigned.assignee_id == bahar.id
    assert closed.assignee_id is None
    assert teamless.assignee_id is None


def test_o5_counts_take_a_fixed_number_of_queries(session: Session, engine: Engine) -> None:
    """Counts are one grouped query, not one per candidate."""

    def queries_for(n_agents: int) -> int:
        team = make_team(session, f"team{n_agents}", mode=AssignmentMode.EQUAL_OPEN)
        for i in range(n_agents):
            user = make_user(session, f"Agent {n_agents}-{i}")
            _chosen(session, team, user)
            _give(session, team, user, i % 3)
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert choose_assignee(session, team, at=AT) is not None
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    assert queries_for(2) == queries_for(12)


def test_s3_round_robin_goes_in_order_and_wraps_around(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.ROUND_ROBIN)
    ali, bahar, cyrus = (make_user(session, n) for n in ("Ali", "Bahar", "Cyrus"))
    _chosen(session, team, cyrus, ali, bahar)
    got = []
    for _ in range(4):
        ticket = make_ticket(session, team=team)
        user = auto_assign(session, ticket, at=AT)
        assert user is not None
        got.append(user.display_name)
        assert team.last_assignee_id == user.id
    assert got == ["Ali", "Bahar", "Cyrus", "Ali"]


def test_s3_round_robin_skips_unavailable_and_keeps_the_turn(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.ROUND_ROBIN)
    ali, bahar, cyrus = (make_user(session, n) for n in ("Ali", "Bahar", "Cyrus"))
    _chosen(session, team, ali, bahar, cyrus)
    team.last_assignee_id = ali.id
    make_leave(session, bahar, AT - timedelta(days=1), AT + timedelta(days=1))
    assert choose_assignee(session, team, at=AT) == cyrus
    team.last_assignee_id = cyrus.id
    assert choose_assignee(session, team, at=AT) == ali  # wraps past the end
    make_leave(session, ali, AT - timedelta(days=1), AT + timedelta(days=1))
    make_leave(session, cyrus, AT - timedelta(days=1), AT + timedelta(days=1))
    assert choose_assignee(session, team, at=AT) is None


def test_s3_round_robin_continues_after_a_removed_last_assignee(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.ROUND_ROBIN)
    ali, bahar, cyrus = (make_user(session, n) for n in ("Ali", "Bahar", "Cyrus"))
    _chosen(session, team, ali, cyrus)  # Bahar was a chosen member once
    team.last_assignee_id = bahar.id
    assert choose_assignee(session, team, at=AT) == cyrus


def test_s3_least_busy_counts_open_tickets_across_all_teams(session: Session) -> None:
    team = make_team(session, mode=AssignmentMode.LEAST_BUSY)
    other = make_team(session, "Other")
    ali, bahar = make_user(session, "Ali"), make_user(session, "Bahar")
    _chosen(session, team, ali, bahar)
    _give(session, team, bahar, 2)
    _give(session, other, ali, 3)  # Ali is busier, elsewhere
    _give(session, team, ali, 4, status=Status.CLOSED)
    assert choose_assignee(session, team, at=AT) == bahar
    _give(session, other, bahar, 2)
    assert choose_assignee(session, team, at=AT) == ali
    make_leave(session, ali, AT, AT + timedelta(days=1))
    assert choose_assignee(session, team, at=AT) == bahar
