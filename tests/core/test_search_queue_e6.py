"""A searched queue (E6 in the queue, D2): driven by its hits, and merge chains followed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from core.enums import Status
from core.models import Ticket
from core.queues import QueueKind, QueueQuery, SortKey, ids_select, ticket_ids
from core.search import search_ticket_ids
from core.tickets import create_ticket


def _ticket(session: Session, title: str) -> Ticket:
    ticket = create_ticket(session, title=title, contact_email="c@example.com")
    session.flush()
    return ticket


def _plan(session: Session, stmt: Select[Any]) -> str:
    sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    return " | ".join(row[3] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))


@pytest.mark.parametrize(
    ("kind", "sort"),
    [
        (QueueKind.ALL, SortKey.PRIORITY),
        (QueueKind.ALL_OPEN, SortKey.NUMBER),
        (QueueKind.UNASSIGNED, SortKey.UPDATED),
        (QueueKind.ARCHIVED, SortKey.TITLE),
    ],
)
def test_e6_searched_queue_reads_only_its_hits(
    session: Session, kind: QueueKind, sort: SortKey
) -> None:
    """The hits' ids drive the query, never a sort index walked over every ticket looking
    for them (150-250 ms for a first page at 1,000,000 tickets); same rows either way."""
    tickets = [_ticket(session, f"چاپگر {i}") for i in range(6)]
    tickets[1].status = Status.CLOSED
    tickets[2].archived = True
    tickets[3].priority = 5
    session.commit()
    hits = [t.id for t in tickets[:5]]
    query = QueueQuery(kind=kind, sort=sort)
    stmt = ids_select(query, text_ids=hits)
    plan = _plan(session, stmt)
    assert "(id=?)" in plan, plan
    assert "ix_tickets_queue" not in plan, plan
    # the unindexed form gives the same ids in the same order
    plain = ids_select(query).where(Ticket.id.in_(hits))
    assert list(session.scalars(stmt)) == list(session.scalars(plain))


def test_e6_searched_queue_filters_and_sorts_the_hits(session: Session) -> None:
    tickets = [_ticket(session, f"یخچال {i}") for i in range(4)]
    _ticket(session, "کولر")
    tickets[0].priority, tickets[1].priority, tickets[2].priority = 1, 5, 3
    tickets[3].status = Status.CLOSED
    session.commit()
    ids = ticket_ids(session, QueueQuery(kind=QueueKind.ALL_OPEN, text="يخچال"))
    assert ids[:3] == [tickets[1].id, tickets[2].id, tickets[0].id]
    assert tickets[3].id not in ids
    assert len(ids) == 3
    assert ticket_ids(session, QueueQuery(kind=QueueKind.ALL_OPEN, text="يخچال"), limit=1) == [
        tickets[1].id
    ]


def test_e6_merge_chain_hits_count_for_the_last_ticket_newest_first(session: Session) -> None:
    first = _ticket(session, "لپ‌تاپ خاموش")
    middle = _ticket(session, "شارژر")
    last = _ticket(session, "باتری")
    other = _ticket(session, "لپ‌تاپ روشن نمی‌شود")
    session.commit()
    first.merged_into_id, first.archived = middle.id, True
    middle.merged_into_id, middle.archived = last.id, True
    session.commit()
    session.execute(
        text("UPDATE tickets SET updated_at = '2000-01-01 00:00:00.000000' WHERE id = :i"),
        {"i": other.id},
    )
    session.commit()
    assert search_ticket_ids(session, "لپتاپ") == [last.id, other.id]
    assert search_ticket_ids(session, "لپتاپ", limit=1) == [last.id]
    assert session.scalar(select(Ticket.merged_into_id).where(Ticket.id == first.id)) == middle.id
