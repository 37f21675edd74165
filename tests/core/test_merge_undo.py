"""O6: a merge keeps a record of what it moved, and "Undo merge" puts every row back;
refused after an agent's reply on the kept ticket or when another merge came since."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import make_engine, session_factory
from core.enums import MessageKind, Status
from core.errors import DomainError
from core.local_edits import merge_locally, post_message_locally, unmerge_locally
from core.merge_undo import can_undo, merge_with_log, preview, undo_merge
from core.models import (
    Message,
    OutboxMutation,
    Ticket,
    TicketFollower,
)
from tests.core.factories import make_contact, make_tag, make_ticket, make_user


def _state(session: Session, ids: list[str]) -> dict[str, Any]:
    """Everything a merge touches, per ticket, comparable before and after."""
    session.expire_all()
    out: dict[str, Any] = {}
    for tid in ids:
        ticket = session.get(Ticket, tid)
        assert ticket is not None
        out[tid] = {
            "messages": sorted(
                session.scalars(
                    select(Message.id).where(
                        Message.ticket_id == tid, Message.kind != MessageKind.SYSTEM_EVENT
                    )
                )
            ),
            "events": sorted(
                session.scalars(
                    select(Message.id).where(
                        Message.ticket_id == tid, Message.kind == MessageKind.SYSTEM_EVENT
                    )
                )
            ),
            "followers": sorted((f.user_id or "", f.contact_id or "") for f in ticket.followers),
            "contacts": sorted(c.id for c in ticket.contacts),
            "tags": sorted(t.id for t in ticket.tags),
            "archived": ticket.archived,
            "merged_into": ticket.merged_into_id,
            "status": ticket.status,
        }
    return out


@pytest.fixture
def db(db_url: str) -> Iterator[Session]:
    """A session on SQLite (the cache) and on PostgreSQL (the server): both undo alike."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


@pytest.fixture
def three(db: Session) -> tuple[list[str], str]:
    session = db
    agent = make_user(session, "Sara")
    other = make_user(session, "Omid")
    reza = make_contact(session, "Reza")
    ali = make_contact(session, "Ali")
    vip = make_tag(session, "vip")
    bug = make_tag(session, "bug")
    keep = make_ticket(session, "ورود", number=1, contact_id=reza.id)
    two = make_ticket(session, "ورود!", number=2, status=Status.IN_PROGRESS, contact_id=ali.id)
    three = make_ticket(session, "ورود؟", number=3, archived=False)
    keep.tags.append(vip)
    two.tags.extend([vip, bug])
    keep.followers.append(TicketFollower(user_id=agent.id))
    two.followers.append(TicketFollower(user_id=agent.id))
    three.followers.append(TicketFollower(user_id=other.id))
    three.contacts.append(ali)
    for ticket, body, kind in (
        (keep, "سلام", MessageKind.CUSTOMER_REPLY),
        (two, "باز هم سلام", MessageKind.CUSTOMER_REPLY),
        (two, "یادداشت داخلی", MessageKind.INTERNAL_NOTE),
        (three, "سوم", MessageKind.CUSTOMER_REPLY),
    ):
        session.add(Message(ticket_id=ticket.id, kind=kind, body=body))
    session.commit()
    return [keep.id, two.id, three.id], agent.id


def test_o6_preview_counts_what_moves(db: Session, three: tuple[list[str], str]) -> None:
    session = db
    (keep, two, third), _agent = three
    counts = preview(session, keep, [two, third])
    assert (counts.messages, counts.attachments) == (3, 0)
    assert counts.followers == 1  # the agent already follows the kept one; Omid moves
    assert counts.contacts == 1  # Ali (two's contact and three's linked contact)


def test_o6_undo_restores_exactly_what_the_merge_moved(
    db: Session, three: tuple[list[str], str]
) -> None:
    session = db
    ids, agent = three
    before = _state(session, ids)
    merge_with_log(session, keep_id=ids[0], merged_ids=ids[1:], actor_id=agent)
    session.commit()
    merged = _state(session, ids)
    assert len(merged[ids[0]]["messages"]) == 4
    assert merged[ids[1]]["archived"] and merged[ids[1]]["merged_into"] == ids[0]
    assert merged[ids[1]]["followers"] == [] and merged[ids[2]]["tags"] == []

    undo_merge(session, ids[0])
    session.commit()
    assert _state(session, ids) == before
    assert can_undo(session, ids[0]) == (None, "nothing_to_undo")


def test_o6_undo_refused_after_a_reply_on_the_kept_ticket(
    db: Session, three: tuple[list[str], str]
) -> None:
    session = db
    ids, agent = three
    merge_locally(session, ids[0], ids[1:], agent)
    log, blocker = can_undo(session, ids[0])
    assert log is not None and blocker is None
    # an internal note does not stop the undo; a reply does
    post_message_locally(
        session, ids[0], kind=MessageKind.INTERNAL_NOTE, body="یادداشت", author_user_id=agent
    )
    assert can_undo(session, ids[0])[1] is None
    post_message_locally(
        session, ids[0], kind=MessageKind.AGENT_REPLY, body="پاسخ", author_user_id=agent
    )
    assert can_undo(session, ids[0])[1] == "reply_after_merge"
    merged_state = _state(session, ids)
    with pytest.raises(DomainError) as refused:
        unmerge_locally(session, ids[0])
    assert refused.value.code == "reply_after_merge"
    session.rollback()
    assert _state(session, ids) == merged_state


def test_o6_undo_refused_when_another_merge_came_since(
    db: Session, three: tuple[list[str], str]
) -> None:
    session = db
    ids, agent = three
    merge_with_log(session, keep_id=ids[0], merged_ids=[ids[1]], actor_id=agent)
    fourth = make_ticket(session, "چهارم", number=4)
    merge_with_log(session, keep_id=fourth.id, merged_ids=[ids[0]], actor_id=agent)
    session.commit()
    assert can_undo(session, ids[0])[1] == "not_last_merge"
    with pytest.raises(DomainError) as refused:
        undo_merge(session, ids[0])
    assert refused.value.code == "not_last_merge"
    # the later merge can itself be undone, and then the first one again
    undo_merge(session, fourth.id)
    undo_merge(session, ids[0])
    session.commit()
    assert _state(session, [ids[1]])[ids[1]]["merged_into"] is None


def test_o6_local_merge_and_undo_queue_their_intents(
    db: Session, three: tuple[list[str], str]
) -> None:
    session = db
    ids, agent = three
    before = _state(session, ids)
    assert sorted(merge_locally(session, ids[0], ids[1:], agent)) == sorted(ids[1:])
    # the cache leaves the merge's system messages to the server
    assert all(not s["events"] for s in _state(session, ids).values())
    unmerge_locally(session, ids[0])
    assert _state(session, ids) == before
    intents = session.execute(
        select(OutboxMutation.name, OutboxMutation.entity_id, OutboxMutation.payload).order_by(
            OutboxMutation.seq
        )
    ).all()
    assert [(n, e) for n, e, _ in intents] == [
        ("ticket.merge", ids[0]),
        ("ticket.unmerge", ids[0]),
    ]
    assert sorted(intents[0][2]["merge_ids"]) == sorted(ids[1:])
