"""D7 (with E1, C5, I6, O5): every dashboard figure on a hand-built data set, checked
against numbers worked out by hand in the comments, plus the queue behind each bar."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.dashboard import (
    Dashboard,
    DashboardFilter,
    compute,
    durations,
    queue_for_agent,
    queue_for_closed,
    queue_for_created,
    queue_for_overdue,
    queue_for_priority,
    queue_for_stage,
    queue_for_unseen,
    seconds_between,
)
from core.enums import Resolution, Role, StaffState, Status
from core.models import Ticket
from core.queues import ticket_ids
from tests.core.factories import (
    add_member,
    make_leave,
    make_stage,
    make_team,
    make_ticket,
    make_user,
)

NOW = datetime(2025, 3, 21, 12, 0, tzinfo=UTC)  # local (Tehran, +03:30) 15:30 on 1404/01/01
TEHRAN = timedelta(hours=3, minutes=30)
FIRST, LAST = date(2025, 3, 15), date(2025, 3, 21)  # local days; UTC 03-14 20:30 .. 03-21 20:30


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


class Desk:
    """Two teams, four staff, ten tickets (t1..t10) and three leaves; see each comment."""

    def __init__(self, s: Session) -> None:
        self.support = make_team(s, "Support")
        self.billing = make_team(s, "Billing")
        self.s_new = make_stage(s, self.support, "New", sequence=1)
        self.s_doing = make_stage(s, self.support, "Doing", sequence=2)
        self.s_done = make_stage(s, self.support, "Done", closed=True, sequence=3)
        self.b_new = make_stage(s, self.billing, "New", sequence=1)
        self.ali = make_user(s, "Ali")
        self.sara = make_user(s, "Sara")
        self.reza = make_user(s, "Reza")
        self.boss = make_user(s, "Boss", role=Role.SUPERVISOR)
        make_user(s, "Gone", active=False)
        make_user(s, "Customer", role=Role.PORTAL)
        add_member(s, self.support, self.ali)
        add_member(s, self.support, self.sara)
        add_member(s, self.billing, self.reza)
        make_leave(s, self.sara, at(20, 0), at(25, 0))  # on leave now
        make_leave(s, self.ali, at(16, 0), at(17, 0))  # in the range, not now
        make_leave(s, self.reza, at(1, 0), at(5, 0))  # before the range
        sup, bil = self.support, self.billing

        def t(**kw: object) -> Ticket:
            kw.setdefault("staff_state", StaffState.UNDER_REVIEW)
            kw.setdefault("updated_at", kw["created_at"])
            return make_ticket(s, **kw)  # type: ignore[arg-type]

        # t1 open, today (local 12:30 on 03-21), overdue, unseen
        self.t1 = t(
            team=sup,
            stage_id=self.s_new.id,
            assignee=self.ali,
            priority=2,
            created_at=at(21, 9),
            sla_due_at=at(21, 11),
            staff_state=StaffState.UNREAD,
        )
        # t2 open, answered after 1,800 s, due tomorrow
        self.t2 = t(
            team=sup,
            stage_id=self.s_doing.id,
            assignee=self.ali,
            status=Status.IN_PROGRESS,
            priority=1,
            created_at=at(20, 10),
            first_response_at=at(20, 10, 30),
            sla_due_at=at(22, 0),
        )
        # t3 open, answered after 3,600 s, overdue, unseen, "not resolved" rated 2
        self.t3 = t(
            team=sup,
            stage_id=self.s_doing.id,
            assignee=self.sara,
            status=Status.IN_PROGRESS,
            priority=1,
            created_at=at(18, 8),
            first_response_at=at(18, 9),
            sla_due_at=at(20, 0),
            staff_state=StaffState.UNREAD,
            resolution=Resolution.NOT_RESOLVED,
            rating=2,
        )
        # t4 closed on 03-17 after 86,400 s, answered after 600 s, resolved rated 5
        self.t4 = t(
            team=sup,
            stage_id=self.s_done.id,
            assignee=self.sara,
            status=Status.CLOSED,
            created_at=at(16, 8),
            first_response_at=at(16, 8, 10),
            closed_at=at(17, 8),
            resolution=Resolution.RESOLVED,
            rating=5,
        )
        # t5 created before the range, closed today (local 09:30) after 943,200 s, rated 4
        self.t5 = t(
            team=sup,
            stage_id=self.s_done.id,
            assignee=self.ali,
            status=Status.CLOSED,
            created_at=at(10, 8),
            first_response_at=at(10, 12),
            closed_at=at(21, 6),
            resolution=Resolution.RESOLVED,
            rating=4,
        )
        # t6 open, created local 00:30 on 03-15: the first minutes of the range; unseen
        self.t6 = t(
            team=bil,
            stage_id=self.b_new.id,
            assignee=self.reza,
            priority=2,
            created_at=at(14, 21),
            staff_state=StaffState.UNREAD,
        )
        # t7 open, created local 23:30 on 03-14: just before the range; unassigned, unstaged
        self.t7 = t(team=bil, priority=1, created_at=at(14, 20), staff_state=StaffState.UNREAD)
        # t8 archived (never open), created in the range, Reza's
        self.t8 = t(
            team=bil,
            stage_id=self.b_new.id,
            assignee=self.reza,
            archived=True,
            created_at=at(19, 10),
        )
        # t9 no team, closed on 03-20 after 86,400 s, answered after 1,200 s, resolved rated 3
        self.t9 = t(
            assignee=self.reza,
            status=Status.CLOSED,
            created_at=at(19, 12),
            first_response_at=at(19, 12, 20),
            closed_at=at(20, 12),
            resolution=Resolution.RESOLVED,
            rating=3,
        )
        # t10 closed long before the range: only Ali's total
        self.t10 = t(
            team=sup,
            stage_id=self.s_done.id,
            assignee=self.ali,
            status=Status.CLOSED,
            created_at=at(1, 8),
            closed_at=at(5, 8),
        )
        s.commit()


@pytest.fixture
def desk(session: Session) -> Desk:
    return Desk(session)


def _f(**kw: object) -> DashboardFilter:
    return DashboardFilter(first_day=FIRST, last_day=LAST, now=NOW, utc_offset=TEHRAN, **kw)  # type: ignore[arg-type]


def _dash(session: Session, **kw: object) -> Dashboard:
    return compute(session, _f(**kw))


def test_d7_e1_i6_headline_figures(session: Session, desk: Desk) -> None:
    d = _dash(session)
    assert d.open == 5  # t1 t2 t3 t6 t7 (t8 archived)
    assert d.new_today == 1  # t1; t2 was local 03-20
    assert d.closed_today == 1  # t5 at local 09:30
    assert d.overdue == 2  # t1 and t3 (E1)
    assert d.unseen == 4  # t1 t3 t6 t7 (I6)
    assert d.created == 7  # t1 t2 t3 t4 t6 t8 t9: t6 in by 30 minutes, t7 out by 30
    assert d.closed == 3  # t4 t5 t9


def test_d7_first_response_and_resolution_median_and_p90(session: Session, desk: Desk) -> None:
    d = _dash(session)
    # first response over t2 t3 t4 t9: 600 1200 1800 3600 (t5 was created before the range)
    assert d.first_response.count == 4
    assert d.first_response.median == 1500.0
    assert d.first_response.p90 == pytest.approx(1800 + 0.7 * 1800)  # rank 2.7
    # resolution over t4 t5 t9: 86400 86400 943200
    assert d.resolution.count == 3
    assert d.resolution.median == 86400.0
    assert d.resolution.p90 == pytest.approx(86400 + 0.8 * (943200 - 86400))  # rank 1.8


def test_d7_c5_satisfaction_and_reopen_rate(session: Session, desk: Desk) -> None:
    d = _dash(session)
    assert d.ratings == {2: 1, 3: 1, 5: 1}  # t3 t9 t4; t5's 4 predates the range
    assert d.satisfaction == pytest.approx(10 / 3)
    assert d.satisfied_share == pytest.approx(1 / 3)
    assert (d.resolved, d.not_resolved) == (2, 1)
    assert d.reopen_rate == pytest.approx(1 / 3)


def test_d7_charts_by_stage_priority_and_day(session: Session, desk: Desk) -> None:
    d = _dash(session)
    stages = {(s.team, s.stage): s.count for s in d.by_stage}
    assert stages == {
        ("Billing", "New"): 1,
        ("Billing", None): 1,
        ("Support", "New"): 1,
        ("Support", "Doing"): 2,
    }
    # Support's stages in their own order after Billing's, unstaged first
    assert [(s.team, s.stage) for s in d.by_stage] == [
        ("Billing", None),
        ("Billing", "New"),
        ("Support", "New"),
        ("Support", "Doing"),
    ]
    assert d.by_priority == {1: 3, 2: 2}
    per_day = {p.day.day: (p.created, p.closed) for p in d.per_day}
    assert per_day == {
        15: (1, 0),
        16: (1, 0),
        17: (0, 1),
        18: (1, 0),
        19: (2, 0),
        20: (1, 1),
        21: (1, 1),
    }


def test_d7_o5_workload_and_leaves(session: Session, desk: Desk) -> None:
    d = _dash(session)
    load = {a.name: (a.open, a.total, a.on_leave) for a in d.workload}
    # t8 is archived: in Reza's total, not his open; the inactive agent and the portal
    # user are left out; the supervisor takes tickets too (O5's eligible roles)
    assert load == {
        "Ali": (2, 4, False),
        "Sara": (1, 2, True),
        "Reza": (1, 3, False),
        "Boss": (0, 0, False),
    }
    assert [a.name for a in d.workload] == ["Ali", "Reza", "Sara", "Boss"]
    assert [(x.name, x.now) for x in d.leaves] == [("Ali", False), ("Sara", True)]


def test_d7_team_and_agent_filters(session: Session, desk: Desk) -> None:
    d = _dash(session, team_ids=(desk.support.id,))
    assert (d.open, d.overdue, d.unseen, d.created, d.closed) == (3, 2, 2, 4, 2)
    assert {a.name: (a.open, a.total) for a in d.workload} == {"Ali": (2, 4), "Sara": (1, 2)}
    d = _dash(session, assignee_id=desk.sara.id)
    assert (d.open, d.created, d.closed, d.resolved, d.not_resolved) == (1, 2, 1, 1, 1)
    assert [a.name for a in d.workload] == ["Sara"]


def test_d7_empty_range_has_no_times(session: Session, desk: Desk) -> None:
    f = DashboardFilter(first_day=date(2024, 1, 1), last_day=date(2024, 1, 2), now=NOW)
    d = compute(session, f)
    assert d.first_response.count == 0 and d.first_response.median is None
    assert d.satisfaction is None and d.reopen_rate is None
    assert [p.created for p in d.per_day] == [0, 0]
    assert d.open == 5  # "now" figures do not depend on the range


def test_d7_range_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before"):
        DashboardFilter(first_day=LAST, last_day=FIRST, now=NOW)


def test_d7_bars_open_the_matching_queues(session: Session, desk: Desk) -> None:
    f = _f()

    def ids(q: object) -> set[str]:
        return set(ticket_ids(session, q))  # type: ignore[arg-type]

    assert ids(queue_for_stage(f, desk.support.id, desk.s_doing.id)) == {desk.t2.id, desk.t3.id}
    assert ids(queue_for_stage(f, desk.billing.id, None)) == {desk.t7.id}
    assert ids(queue_for_priority(f, 2)) == {desk.t1.id, desk.t6.id}
    assert ticket_ids(session, queue_for_overdue(f)) == [desk.t3.id, desk.t1.id]  # due first
    assert ids(queue_for_unseen(f)) == {desk.t1.id, desk.t3.id, desk.t6.id, desk.t7.id}
    assert ids(queue_for_created(f, date(2025, 3, 19))) == {desk.t9.id}  # t8 archived
    assert ids(queue_for_closed(f, date(2025, 3, 21))) == {desk.t5.id}
    assert ids(queue_for_agent(f, desk.ali.id)) == {desk.t1.id, desk.t2.id}


def test_d7_percentiles_match_a_reference_on_random_durations(session: Session) -> None:
    rng = random.Random(5)
    seconds = [rng.randrange(1, 200_000) for _ in range(101)]
    for i, sec in enumerate(seconds):
        make_ticket(
            session,
            f"t{i}",
            created_at=at(1, 0),
            first_response_at=at(1, 0) + timedelta(seconds=sec),
        )
    session.commit()
    got = durations(
        session,
        select(Ticket.first_response_at - Ticket.created_at).where(Ticket.id.is_(None)),
    )
    assert got.count == 0

    got = durations(session, select(seconds_between(Ticket.first_response_at, Ticket.created_at)))
    assert got.median == statistics.median(seconds)
    # statistics.quantiles(method="inclusive") interpolates between ranks as we do
    assert got.p90 == pytest.approx(statistics.quantiles(seconds, n=10, method="inclusive")[8])


@pytest.mark.parametrize("n", [1, 2, 3, 10, 300])
def test_d7_percentiles_are_exact_with_ties_and_values_in_one_minute(
    session: Session, n: int
) -> None:
    """The durations leave SQLite whole (one JSON array) and are sorted in Python: exact
    for any count, ties and values a second apart included (no buckets to round into)."""
    rng = random.Random(n)
    seconds = [rng.choice([59, 60, 61, 120, 3_600, 3_601]) + rng.randrange(0, 3) for _ in range(n)]
    for i, sec in enumerate(seconds):
        make_ticket(
            session,
            f"t{i}",
            created_at=at(1, 0),
            first_response_at=at(1, 0) + timedelta(seconds=sec),
        )
    make_ticket(session, "never answered", created_at=at(1, 0))  # NULL: left out
    session.commit()
    got = durations(session, select(seconds_between(Ticket.first_response_at, Ticket.created_at)))
    assert got.count == n
    assert got.median == statistics.median(seconds)
    expected_p90 = (
        seconds[0] if n == 1 else statistics.quantiles(seconds, n=10, method="inclusive")[8]
    )
    assert got.p90 == pytest.approx(expected_p90, abs=1e-9)


def test_d7_per_day_counts_split_at_local_midnight_to_the_microsecond(session: Session) -> None:
    f = _f()
    midnight = f.day_start(date(2025, 3, 18))  # local 00:00 on 03-18 = UTC 03-17 20:30
    make_ticket(session, "at midnight", created_at=midnight)
    make_ticket(session, "just before", created_at=midnight - timedelta(microseconds=1))
    make_ticket(
        session,
        "closed at midnight",
        created_at=midnight - timedelta(days=2),
        closed_at=midnight,
        status=Status.CLOSED,
    )
    session.commit()
    per_day = {p.day.day: (p.created, p.closed) for p in compute(session, f).per_day}
    assert per_day[17] == (1, 0)
    assert per_day[18] == (1, 1)
    assert per_day[16] == (1, 0)  # the closed one was created local 03-16


def test_d7_no_dashboard_statement_sorts_the_tickets(session: Session, desk: Desk) -> None:
    """Every query over tickets walks a covering index and none sorts them (a sort of a
    year's rows is what made the year range take 13-21 s over 1,000,000 tickets)."""
    statements: list[tuple[str, Any]] = []
    engine = session.get_bind()

    def seen(_conn: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        compute(session, _f(team_ids=(desk.support.id,)))
        compute(session, _f(assignee_id=desk.ali.id))
        compute(session, _f())
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    over_tickets = 0
    for statement, params in statements:
        if " tickets" not in statement:
            continue
        over_tickets += 1
        plan = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, params)]
        ticket_steps = [step for step in plan if " tickets " in f"{step} "]
        assert ticket_steps, (statement, plan)
        assert all("COVERING INDEX ix_tickets_dash_" in step for step in ticket_steps), plan
        assert not any("TEMP B-TREE" in step for step in plan), (statement, plan)
    assert over_tickets >= 3 * 7
