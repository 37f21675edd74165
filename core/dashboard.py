"""Supervisors' dashboard (D7): the figures and chart series, computed in SQL over the local
cache for a range of days and optional team and agent filters.

Every figure is a grouped or counted query that an index serves, so a dashboard over a
1,000,000-ticket cache is a few index walks (bench/dashboard_bench.py), none of which sorts
the range's rows (a sort of 600,000 rows costs SQLite 1-2 s, and fetching them one row at a
time through SQLAlchemy 2-3 s): covering indexes (Alembic 0005) so no query reads the wide
ticket rows:
- open tickets (by team and stage, by priority and assignee, overdue, not yet seen) walk the
  open part of `ix_tickets_dash_open` (archived, status, team, stage, priority, ...);
- tickets created in the range (intake per day, first response, verdicts and ratings) walk
  `ix_tickets_dash_created` (created_at, team, assignee, first response, verdict, rating);
- tickets closed in the range (closures per day, resolution time) walk
  `ix_tickets_dash_closed` (closed_at, team, assignee, created_at);
- all tickets per agent (with the open ones, what O5 balances) walk
  `ix_tickets_dash_assignee` (assignee, team).

Times are UTC in the cache; days are the agent's local days, so the caller passes the UTC
offset of its time zone. The cache is SQLite: durations use its `julianday`.

Definitions, each one a sentence the window shows in its tooltips:
- open: not closed and not archived; overdue: open with an SLA due time before now (E1);
  not yet seen: open and still unread on the staff side (I6);
- first response: from creation to the first agent reply, over tickets created in the range;
- resolution: from creation to closing, over tickets closed in the range;
- satisfaction: the customers' ratings (1-5) of tickets created in the range (C5);
- reopen rate: of the tickets created in the range that got a verdict, the share marked
  "not resolved" (C5), which reopens them.
Percentiles interpolate linearly between the two nearest ranks (the median of an even
count is the mean of its middle pair), as `statistics.median` does. They are exact: the
durations (whole seconds) leave SQLite as one JSON array built during the index walk
(`json_group_array`, no ORDER BY), and Python sorts that list; one statement, no rounding
into buckets.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session

from core.assignment import ELIGIBLE_ROLES
from core.enums import Resolution, StaffState, Status
from core.models import LeavePeriod, Stage, Team, TeamMember, Ticket, User
from core.models.base import sql_time
from core.queues import QueueKind, QueueQuery, SortKey

OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS)
RATINGS = (1, 2, 3, 4, 5)
"""The scores a customer gives (C5)."""


@dataclass(frozen=True)
class DashboardFilter:
    """What the supervisor asked for: local days `first_day`..`last_day` (inclusive), the
    teams (none = all) and one agent (None = all), seen at `now` from a zone `utc_offset`
    ahead of UTC."""

    first_day: date
    last_day: date
    now: datetime
    utc_offset: timedelta = timedelta(0)
    team_ids: tuple[str, ...] = ()
    assignee_id: str | None = None

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("the range ends before it starts")
        if self.now.tzinfo is None:
            raise ValueError("now must be an aware time")

    def day_start(self, day: date) -> datetime:
        """The UTC moment local `day` starts."""
        return datetime.combine(day, time(), UTC) - self.utc_offset

    @property
    def start(self) -> datetime:
        return self.day_start(self.first_day)

    @property
    def end(self) -> datetime:
        """Exclusive: the start of the day after the range."""
        return self.day_start(self.last_day + timedelta(days=1))

    @property
    def today(self) -> date:
        return (self.now.astimezone(UTC) + self.utc_offset).date()

    @property
    def days(self) -> list[date]:
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(n)]


@dataclass(frozen=True)
class Durations:
    """Median and 90th percentile of a set of durations, in seconds (None when empty)."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class StageCount:
    """Open tickets of one team in one stage (stage None: not staged)."""

    team_id: str | None
    team: str | None
    stage_id: str | None
    stage: str | None
    sequence: int
    count: int


@dataclass(frozen=True)
class DayCount:
    """Tickets created and closed on one local day."""

    day: date
    created: int
    closed: int


@dataclass(frozen=True)
class AgentLoad:
    """One agent's workload: open tickets now and all tickets ever assigned (O5's two
    measures), and whether the agent is on planned leave now."""

    user_id: str
    name: str
    open: int
    total: int
    on_leave: bool


@dataclass(frozen=True)
class Leave:
    """A planned leave that overlaps the range."""

    user_id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    now: bool


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows for one filter."""

    filter: DashboardFilter
    open: int
    new_today: int
    closed_today: int
    overdue: int
    unseen: int
    created: int
    closed: int
    first_response: Durations
    resolution: Durations
    ratings: dict[int, int]
    resolved: int
    not_resolved: int
    by_stage: list[StageCount]
    by_priority: dict[int, int]
    per_day: list[DayCount]
    workload: list[AgentLoad]
    leaves: list[Leave]
    teams: list[tuple[str, str]] = field(default_factory=list)
    agents: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction(self) -> float | None:
        """The mean rating (1-5), None when nobody rated."""
        rated = self.rated
        if not rated:
            return None
        return sum(score * n for score, n in self.ratings.items()) / rated

    @property
    def satisfied_share(self) -> float | None:
        """The share of ratings of 4 or 5."""
        rated = self.rated
        if not rated:
            return None
        return (self.ratings.get(4, 0) + self.ratings.get(5, 0)) / rated

    @property
    def reopen_rate(self) -> float | None:
        """Of the verdicts, the share "not resolved" (C5); None with no verdict."""
        verdicts = self.resolved + self.not_resolved
        return self.not_resolved / verdicts if verdicts else None


# --- scopes ---------------------------------------------------------------------------


def _scope(f: DashboardFilter, *, in_range: bool = False) -> list[ColumnElement[bool]]:
    """The team and agent filters. `in_range`: for a walk of a time range, where they must
    not pick the index: SQLite (no ANALYZE statistics in the cache) would rather read a
    team's 170,000 wide rows by ix_tickets_team_status than walk the range's covering
    index, which holds team and assignee too; `x || ''` is the same test on no index."""
    team = Ticket.team_id.concat("") if in_range else Ticket.team_id
    assignee = Ticket.assignee_id.concat("") if in_range else Ticket.assignee_id
    clauses: list[ColumnElement[bool]] = []
    if f.team_ids:
        clauses.append(team.in_(f.team_ids))
    if f.assignee_id is not None:
        clauses.append(assignee == f.assignee_id)
    return clauses


def _open(f: DashboardFilter) -> list[ColumnElement[bool]]:
    # `archived = 0 AND status IN (...)`: the prefix of ix_tickets_dash_open
    return [Ticket.archived.is_(False), Ticket.status.in_(OPEN_STATUSES), *_scope(f)]


def _created_between(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [Ticket.created_at >= start, Ticket.created_at < end]


def _closed_between(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [Ticket.closed_at >= start, Ticket.closed_at < end]


def seconds_between(later: Any, earlier: Any) -> ColumnElement[float]:
    """Whole seconds between two stored times (SQLite julianday, rounded)."""
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0)


def _how_many(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of a group meet `condition` (a typed SUM: SUM over a boolean would
    come back as a boolean)."""
    return func.sum(case((condition, 1), else_=0), type_=Integer)


# --- figures --------------------------------------------------------------------------


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0


def percentile_of(values: Sequence[float], p: float) -> float | None:
    """The `p` quantile (0..1) of sorted `values`, by linear interpolation between the
    nearest ranks (as `statistics.quantiles(method="inclusive")`)."""
    n = len(values)
    if n == 0:
        return None
    position = p * (n - 1)
    low = math.floor(position)
    if position == low:
        return float(values[low])
    return float(values[low]) + (float(values[low + 1]) - float(values[low])) * (position - low)


def gathered(values: ColumnElement[Any]) -> ColumnElement[str]:
    """An aggregate: every non-NULL value of the group as one JSON array, in the order the
    rows come (SQLite's `json_group_array`; no ORDER BY, so no sort of the range's rows)."""
    return func.json_group_array(values, type_=String).filter(values.is_not(None))


def durations_of(array: str | None) -> Durations:
    """Median and 90th percentile of a JSON array from `gathered`, exactly: the list is
    sorted here (about 0.15 s for a year's 600,000 durations; SQLite's ORDER BY over them
    took 1-2 s and fetching them row by row through SQLAlchemy 2-3 s)."""
    ordered: list[float] = json.loads(array or "[]")
    ordered.sort()
    return Durations(
        count=len(ordered),
        median=percentile_of(ordered, 0.5),
        p90=percentile_of(ordered, 0.9),
    )


def durations(session: Session, values: Select[Any]) -> Durations:
    """Median and 90th percentile of the one-column `values` (NULLs skipped), exactly, in
    one statement that gathers them during the index walk (see `durations_of`)."""
    column = values.subquery().c[0]
    return durations_of(session.scalar(select(gathered(column))))


def _open_groups(session: Session, f: DashboardFilter) -> Any:
    """One pass over the open tickets, grouped by what the charts split them by."""
    now = f.now
    return session.execute(
        select(
            Ticket.team_id,
            Ticket.stage_id,
            Ticket.priority,
            Ticket.assignee_id,
            func.count(),
            _how_many(and_(Ticket.sla_due_at.is_not(None), Ticket.sla_due_at < now)),
            _how_many(Ticket.staff_state == StaffState.UNREAD),
        )
        .where(*_open(f))
        # status leads the grouping so it follows ix_tickets_dash_open's order (no sort)
        .group_by(
            Ticket.status, Ticket.team_id, Ticket.stage_id, Ticket.priority, Ticket.assignee_id
        )
    ).all()


def _stage_counts(session: Session, groups: Sequence[Any]) -> list[StageCount]:
    per: dict[tuple[str | None, str | None], int] = {}
    for team_id, stage_id, _priority, _assignee, n, _overdue, _unseen in groups:
        per[team_id, stage_id] = per.get((team_id, stage_id), 0) + int(n)
    team_ids = {t for t, _ in per if t is not None}
    stage_ids = {s for _, s in per if s is not None}
    teams = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all())
    stages = {
        r[0]: (r[1], r[2])
        for r in session.execute(
            select(Stage.id, Stage.name, Stage.sequence).where(Stage.id.in_(stage_ids))
        )
    }
    out = [
        StageCount(
            team_id=team_id,
            team=teams.get(team_id) if team_id else None,
            stage_id=stage_id,
            stage=stages[stage_id][0] if stage_id in stages else None,
            sequence=stages[stage_id][1] if stage_id in stages else -1,
            count=n,
        )
        for (team_id, stage_id), n in per.items()
    ]
    out.sort(key=lambda s: (s.team or "\uffff", s.sequence, s.stage or ""))
    return out


def _per_day(session: Session, f: DashboardFilter) -> list[DayCount]:
    """Tickets created and closed per local day: for each day (a row of `json_each` over
    the days' UTC bounds in the stored text form) two counts over its slice of
    ix_tickets_dash_created and ix_tickets_dash_closed. A GROUP BY date(...) would sort the
    whole range's rows; these counts only step through index entries."""
    days = f.days
    bounds = [
        [sql_time(f.day_start(d)), sql_time(f.day_start(d + timedelta(days=1)))] for d in days
    ]
    each = func.json_each(json.dumps(bounds)).table_valued("key", "value")
    start = func.json_extract(each.c.value, "$[0]")
    end = func.json_extract(each.c.value, "$[1]")
    scope = _scope(f, in_range=True)

    def count_in(column: Any) -> Any:
        return (
            select(func.count())
            .select_from(Ticket)
            .where(column >= start, column < end, *scope)
            .scalar_subquery()
        )

    counts = {
        int(i): (int(c), int(x))
        for i, c, x in session.execute(
            select(each.c.key, count_in(Ticket.created_at), count_in(Ticket.closed_at))
        )
    }
    return [DayCount(day=d, created=counts[i][0], closed=counts[i][1]) for i, d in enumerate(days)]


def _leaves(session: Session, f: DashboardFilter, user_ids: set[str] | None) -> list[Leave]:
    stmt = (
        select(LeavePeriod.user_id, User.display_name, LeavePeriod.starts_at, LeavePeriod.ends_at)
        .join(User, User.id == LeavePeriod.user_id)
        .where(LeavePeriod.starts_at < f.end, LeavePeriod.ends_at > f.start)
        .order_by(LeavePeriod.starts_at, User.display_name)
    )
    if user_ids is not None:
        stmt = stmt.where(LeavePeriod.user_id.in_(user_ids))
    return [
        Leave(
            user_id=uid,
            name=name,
            starts_at=starts,
            ends_at=ends,
            now=starts <= f.now < ends,
        )
        for uid, name, starts, ends in session.execute(stmt)
    ]


def _workload(
    session: Session, f: DashboardFilter, groups: Sequence[Any], leaves: list[Leave]
) -> list[AgentLoad]:
    """Open tickets per agent from the open groups, all tickets per agent from one grouped
    pass over ix_tickets_dash_assignee (assignee, team)."""
    opened: dict[str, int] = {}
    for _team, _stage, _priority, assignee, n, _overdue, _unseen in groups:
        if assignee is not None:
            opened[assignee] = opened.get(assignee, 0) + int(n)
    rows = session.execute(
        select(Ticket.assignee_id, func.count())
        # the walk of ix_tickets_dash_assignee, by the agent when one is chosen; the teams
        # filter on the same entries (as in a range walk, not by their own index)
        .where(
            Ticket.assignee_id.is_not(None),
            *_scope(replace(f, assignee_id=None), in_range=True),
            *_scope(replace(f, team_ids=())),
        )
        .group_by(Ticket.assignee_id)
    ).all()
    counts: dict[str, tuple[int, int]] = {
        str(uid): (int(total), opened.get(str(uid), 0)) for uid, total in rows
    }
    # the agents who take tickets: active agents and supervisors (of the chosen teams),
    # and anyone who holds tickets in scope
    staff = select(User.id).where(User.active.is_(True), User.role.in_(ELIGIBLE_ROLES))
    if f.team_ids:
        staff = staff.where(
            User.id.in_(select(TeamMember.user_id).where(TeamMember.team_id.in_(f.team_ids)))
        )
    if f.assignee_id is not None:
        staff = staff.where(User.id == f.assignee_id)
    user_ids: set[str] = {str(u) for u in session.scalars(staff)} | set(counts)
    names: dict[str, str] = {
        r[0]: r[1]
        for r in session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    }
    away = {leave.user_id for leave in leaves if leave.now}
    loads = [
        AgentLoad(
            user_id=uid,
            name=names.get(uid, uid),
            open=counts.get(uid, (0, 0))[1],
            total=counts.get(uid, (0, 0))[0],
            on_leave=uid in away,
        )
        for uid in user_ids
    ]
    loads.sort(key=lambda a: (-a.open, -a.total, a.name))
    return loads


def choices(session: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The teams and the staff the filters offer, as (id, name), by name."""
    teams = [(r[0], r[1]) for r in session.execute(select(Team.id, Team.name).order_by(Team.name))]
    agents = [
        (r[0], r[1])
        for r in session.execute(
            select(User.id, User.display_name)
            .where(User.active.is_(True), User.role.in_(ELIGIBLE_ROLES))
            .order_by(User.display_name)
        )
    ]
    return teams, agents


def compute(session: Session, f: DashboardFilter, *, with_choices: bool = True) -> Dashboard:
    """The whole dashboard for `f` (run it on the DB worker, never on the GUI thread)."""
    groups = _open_groups(session, f)
    by_priority: dict[int, int] = {}
    for _team, _stage, priority, _assignee, n, _overdue, _unseen in groups:
        by_priority[int(priority)] = by_priority.get(int(priority), 0) + int(n)
    today_start = f.day_start(f.today)
    today_end = f.day_start(f.today + timedelta(days=1))
    scope = _scope(f, in_range=True)

    created_in_range = and_(*_created_between(f.start, f.end), *scope)
    closed_in_range = and_(*_closed_between(f.start, f.end), *scope)
    # one walk of the range created for its count, first responses, verdicts and ratings
    # (a GROUP BY or ORDER BY would sort its rows), one of the range closed for resolutions
    created_row = session.execute(
        select(
            func.count(),
            gathered(seconds_between(Ticket.first_response_at, Ticket.created_at)),
            _how_many(Ticket.resolution == Resolution.RESOLVED),
            _how_many(Ticket.resolution == Resolution.NOT_RESOLVED),
            *(_how_many(Ticket.rating == score) for score in RATINGS),
        ).where(created_in_range)
    ).one()
    created = int(created_row[0])
    first_response = durations_of(created_row[1])
    resolved, not_resolved = int(created_row[2] or 0), int(created_row[3] or 0)
    ratings = {score: int(n) for score, n in zip(RATINGS, created_row[4:], strict=True) if n}
    resolution = durations_of(
        session.scalar(
            select(gathered(seconds_between(Ticket.closed_at, Ticket.created_at))).where(
                closed_in_range
            )
        )
    )

    leaves = _leaves(session, f, None)
    workload = _workload(session, f, groups, leaves)
    shown = {a.user_id for a in workload}
    teams, agents = choices(session) if with_choices else ([], [])
    return Dashboard(
        filter=f,
        open=sum(int(g[4]) for g in groups),
        new_today=_count(session, *_created_between(today_start, today_end), *scope),
        closed_today=_count(session, *_closed_between(today_start, today_end), *scope),
        overdue=sum(int(g[5] or 0) for g in groups),
        unseen=sum(int(g[6] or 0) for g in groups),
        created=created,
        closed=resolution.count,  # every ticket closed in the range has a resolution time
        first_response=first_response,
        resolution=resolution,
        ratings=dict(sorted(ratings.items())),
        resolved=resolved,
        not_resolved=not_resolved,
        by_stage=_stage_counts(session, groups),
        by_priority=dict(sorted(by_priority.items())),
        per_day=_per_day(session, f),
        workload=workload,
        leaves=[leave for leave in leaves if leave.user_id in shown],
        teams=teams,
        agents=agents,
    )


# --- drill-down: the queue behind a bar or a row ---------------------------------------


def _base(f: DashboardFilter, kind: QueueKind, **fields: Any) -> QueueQuery:
    team_ids = fields.pop("team_ids", f.team_ids)
    return QueueQuery(kind=kind, team_ids=team_ids, assignee_id=f.assignee_id, **fields)


def queue_for_open(f: DashboardFilter) -> QueueQuery:
    return _base(f, QueueKind.ALL_OPEN)


def queue_for_stage(f: DashboardFilter, team_id: str | None, stage_id: str | None) -> QueueQuery:
    """The open tickets of one bar of "by stage per team"."""
    extra: list[ColumnElement[bool]] = []
    if team_id is None:
        extra.append(Ticket.team_id.is_(None))
    if stage_id is None:
        extra.append(Ticket.stage_id.is_(None))
    return _base(
        f,
        QueueKind.ALL_OPEN,
        team_ids=(team_id,) if team_id is not None else f.team_ids,
        stage_id=stage_id,
        extra=tuple(extra),
    )


def queue_for_priority(f: DashboardFilter, priority: int) -> QueueQuery:
    return _base(f, QueueKind.ALL_OPEN, extra=(Ticket.priority == priority,))


def queue_for_overdue(f: DashboardFilter) -> QueueQuery:
    return _base(
        f,
        QueueKind.ALL_OPEN,
        sort=SortKey.SLA_DUE,
        descending=False,
        extra=(Ticket.sla_due_at.is_not(None), Ticket.sla_due_at < f.now),
    )


def queue_for_unseen(f: DashboardFilter) -> QueueQuery:
    return _base(f, QueueKind.ALL_OPEN, extra=(Ticket.staff_state == StaffState.UNREAD,))


def _day_bounds(f: DashboardFilter, day: date | None) -> tuple[datetime, datetime]:
    if day is None:
        return f.start, f.end
    return f.day_start(day), f.day_start(day + timedelta(days=1))


def queue_for_created(f: DashboardFilter, day: date | None = None) -> QueueQuery:
    """Tickets created on local `day` (None: in the whole range); the queue, like every
    queue but "archived", leaves archived tickets out."""
    start, end = _day_bounds(f, day)
    return _base(
        f,
        QueueKind.ALL,
        sort=SortKey.CREATED,
        extra=(Ticket.created_at >= start, Ticket.created_at < end),
    )


def queue_for_closed(f: DashboardFilter, day: date | None = None) -> QueueQuery:
    """Tickets closed on local `day` (None: in the whole range)."""
    start, end = _day_bounds(f, day)
    return _base(f, QueueKind.ALL, sort=SortKey.UPDATED, extra=tuple(_closed_between(start, end)))


def queue_for_agent(f: DashboardFilter, user_id: str) -> QueueQuery:
    """An agent's open tickets (a workload bar or row)."""
    return QueueQuery(kind=QueueKind.ALL_OPEN, team_ids=f.team_ids, assignee_id=user_id)
