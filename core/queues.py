"""Queues (D2, C3, I3): which tickets a queue holds and in what order, decided in SQL.

A queue is a filter plus a sort key that an index serves, so the first page of a queue
over 1,000,000 cached tickets is a short index walk. The window's table model holds the
ordered ids and loads rows for the visible part only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from core.enums import Status
from core.models import (
    Contact,
    OutboxMutation,
    Stage,
    Team,
    TeamMember,
    Ticket,
    TicketFollower,
    User,
)


class QueueKind(StrEnum):
    """The sidebar's queues."""

    MINE = "mine"
    UNASSIGNED = "unassigned"
    MY_TEAMS = "my_teams"
    FOLLOWED = "followed"
    ALL_OPEN = "all_open"
    ALL = "all"
    ARCHIVED = "archived"
    UNSYNCED = "unsynced"


class SortKey(StrEnum):
    """Columns a queue sorts by; each has an index (core/models/ticket.py)."""

    PRIORITY = "priority"  # priority, then last update
    UPDATED = "updated"
    CREATED = "created"
    NUMBER = "number"
    TITLE = "title"
    SEVERITY = "severity"
    IMPACT = "impact"
    SLA_DUE = "sla_due"
    STATUS = "status"


_SORT_COLUMNS: dict[SortKey, tuple[Any, ...]] = {
    SortKey.PRIORITY: (Ticket.priority, Ticket.updated_at),
    SortKey.UPDATED: (Ticket.updated_at,),
    SortKey.CREATED: (Ticket.created_at,),
    SortKey.NUMBER: (Ticket.number,),
    SortKey.TITLE: (Ticket.title,),
    SortKey.SEVERITY: (Ticket.severity, Ticket.updated_at),
    SortKey.IMPACT: (Ticket.impact, Ticket.updated_at),
    SortKey.SLA_DUE: (Ticket.sla_due_at,),
    SortKey.STATUS: (Ticket.status, Ticket.updated_at),
}


@dataclass(frozen=True)
class QueueQuery:
    """One queue as the window asks for it: kind, extra filters, search text and sort."""

    kind: QueueKind = QueueKind.ALL_OPEN
    user_id: str | None = None
    team_ids: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = ()
    stage_id: str | None = None
    assignee_id: str | None = None
    text: str = ""
    sort: SortKey = SortKey.PRIORITY
    descending: bool = True
    extra: tuple[ColumnElement[bool], ...] = field(default=(), compare=False)


def _where(query: QueueQuery) -> list[ColumnElement[bool]]:
    kind = query.kind
    clauses: list[ColumnElement[bool]] = (
        [Ticket.archived.is_(kind is QueueKind.ARCHIVED)]
        if kind not in (QueueKind.UNSYNCED,)
        else []
    )
    if kind is QueueKind.MINE:
        clauses += [Ticket.assignee_id == query.user_id, Ticket.status != Status.CLOSED]
    elif kind is QueueKind.UNASSIGNED:
        clauses += [Ticket.assignee_id.is_(None), Ticket.status != Status.CLOSED]
    elif kind is QueueKind.MY_TEAMS:
        my_teams = select(TeamMember.team_id).where(TeamMember.user_id == query.user_id)
        clauses += [Ticket.team_id.in_(my_teams), Ticket.status != Status.CLOSED]
    elif kind is QueueKind.FOLLOWED:
        clauses.append(
            exists().where(
                TicketFollower.ticket_id == Ticket.id, TicketFollower.user_id == query.user_id
            )
        )
    elif kind is QueueKind.ALL_OPEN:
        clauses.append(Ticket.status != Status.CLOSED)
    elif kind is QueueKind.UNSYNCED:
        clauses.append(
            Ticket.id.in_(select(OutboxMutation.ticket_id).where(OutboxMutation.state.is_(None)))
        )
    if query.team_ids:
        clauses.append(Ticket.team_id.in_(query.team_ids))
    if query.statuses:
        clauses.append(Ticket.status.in_(query.statuses))
    if query.stage_id is not None:
        clauses.append(Ticket.stage_id == query.stage_id)
    if query.assignee_id is not None:
        clauses.append(Ticket.assignee_id == query.assignee_id)
    clauses.extend(query.extra)
    return clauses


def _order(query: QueueQuery) -> list[Any]:
    columns = [*_SORT_COLUMNS[query.sort], Ticket.id]
    return [c.desc() if query.descending else c.asc() for c in columns]


def ids_select(query: QueueQuery, *, text_ids: Sequence[str] | None = None) -> Select[str]:
    """The SELECT of a queue's ordered ids; `text_ids` narrows it to search hits."""
    if text_ids is None:
        return select(Ticket.id).where(*_where(query)).order_by(*_order(query))
    # the few search hits drive the query (SQLite, like the search): the queue's filters
    # are made unindexable with a unary +, or the planner walks a whole sort index of
    # 1,000,000 tickets looking for the hits (150-250 ms for a first page, not 5)
    filters = (
        UnaryExpression(c.self_group(), operator=custom_op("+"), type_=Boolean)
        for c in _where(query)
    )
    return select(Ticket.id).where(Ticket.id.in_(text_ids), *filters).order_by(*_order(query))


def _text_ids(session: Session, query: QueueQuery) -> list[str] | None:
    if not query.text.strip():
        return None
    from core.search import search_ticket_ids

    return search_ticket_ids(session, query.text, limit=1000)


def ticket_ids(
    session: Session, query: QueueQuery, *, limit: int | None = None, offset: int = 0
) -> list[str]:
    """The queue's ticket ids in display order."""
    stmt = ids_select(query, text_ids=_text_ids(session, query))
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return list(session.scalars(stmt))


def count(session: Session, query: QueueQuery) -> int:
    """How many tickets the queue holds (the sidebar's badge)."""
    stmt = select(func.count()).select_from(Ticket).where(*_where(query))
    text_ids = _text_ids(session, query)
    if text_ids is not None:
        stmt = stmt.where(Ticket.id.in_(text_ids))
    return session.scalar(stmt) or 0


@dataclass(frozen=True)
class QueueRow:
    """What one queue line shows; plain values, ready for a table model."""

    id: str
    number: int | None
    title: str
    customer: str
    status: Status
    stage: str | None
    priority: int
    severity: int
    impact: int
    team: str | None
    assignee: str | None
    sla_due_at: datetime | None
    updated_at: datetime
    staff_state: str
    customer_state: str
    unsynced: bool


def load_rows(session: Session, ids: Sequence[str]) -> dict[str, QueueRow]:
    """The display rows of `ids` (one page), in one query."""
    if not ids:
        return {}
    assignee = aliased(User)
    pending = (
        exists()
        .where(OutboxMutation.ticket_id == Ticket.id, OutboxMutation.state.is_(None))
        .correlate(Ticket)
    )
    stmt = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.title,
            func.coalesce(Contact.name, Ticket.contact_email),
            Ticket.status,
            Stage.name,
            Ticket.priority,
            Ticket.severity,
            Ticket.impact,
            Team.name,
            assignee.display_name,
            Ticket.sla_due_at,
            Ticket.updated_at,
            Ticket.staff_state,
            Ticket.customer_state,
            pending,
        )
        .outerjoin(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(Stage, Stage.id == Ticket.stage_id)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(Ticket.id.in_(list(ids)))
    )
    rows: dict[str, QueueRow] = {}
    for r in session.execute(stmt):
        rows[r[0]] = QueueRow(
            id=r[0],
            number=r[1],
            title=r[2],
            customer=r[3],
            status=Status(r[4]),
            stage=r[5],
            priority=r[6],
            severity=r[7],
            impact=r[8],
            team=r[9],
            assignee=r[10],
            sla_due_at=r[11],
            updated_at=r[12],
            staff_state=str(r[13]),
            customer_state=str(r[14]),
            unsynced=bool(r[15]),
        )
    return rows
