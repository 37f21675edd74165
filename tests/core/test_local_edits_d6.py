"""D6: a local edit and its outbox intent commit together; a refused edit leaves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import MessageKind
from core.errors import ValidationError
from core.local_edits import create_ticket_locally, edit_ticket_locally, post_message_locally
from core.models import Message, OutboxMutation, Ticket
from core.outbox import pending_count, unsynced_ticket_ids


def _outbox(session: Session) -> list[OutboxMutation]:
    return list(session.scalars(select(OutboxMutation).order_by(OutboxMutation.seq)))


def test_d6_edit_and_intent_are_written_together(session: Session, engine: object) -> None:
    ticket = create_ticket_locally(session, title="قدیمی", contact_email="a@example.com")
    changed = edit_ticket_locally(session, ticket.id, {"title": "جدید", "severity": 2})
    assert changed == {"title": "جدید", "severity": 2}
    session.expire_all()
    assert session.get(Ticket, ticket.id).title == "جدید"  # type: ignore[union-attr]
    names = [(m.name, m.seq) for m in _outbox(session)]
    assert [n for n, _ in names] == ["ticket.create", "ticket.update"]
    assert names[0][1] < names[1][1]
    update = _outbox(session)[1]
    assert update.payload == {"title": "جدید", "severity": 2}
    assert update.base_version == 1 and update.ticket_id == ticket.id
    assert pending_count(session) == 2 and unsynced_ticket_ids(session) == {ticket.id}


def test_p4_refused_edit_changes_nothing_and_queues_nothing(session: Session) -> None:
    ticket = create_ticket_locally(session, title="t", contact_email="a@example.com")
    with pytest.raises(ValidationError) as err:
        edit_ticket_locally(session, ticket.id, {"title": "x", "contact_email": "not-an-email"})
    assert err.value.field == "contact_email"
    session.expire_all()
    assert session.get(Ticket, ticket.id).title == "t"  # type: ignore[union-attr]
    assert [m.name for m in _outbox(session)] == ["ticket.create"]


def test_d6_unchanged_edit_queues_nothing(session: Session) -> None:
    ticket = create_ticket_locally(session, title="t", contact_email="a@example.com")
    assert edit_ticket_locally(session, ticket.id, {"title": "t"}) == {}
    assert pending_count(session) == 1


def test_d6_reply_written_offline_is_queued_with_its_id(session: Session) -> None:
    ticket = create_ticket_locally(session, title="t", contact_email="a@example.com")
    message = post_message_locally(
        session, ticket.id, kind=MessageKind.AGENT_REPLY, body="سلام", author_user_id=None
    )
    intent = _outbox(session)[-1]
    assert (intent.name, intent.entity_id, intent.ticket_id) == (
        "message.create",
        message.id,
        ticket.id,
    )
    assert session.scalar(select(Message.body).where(Message.id == message.id)) == "سلام"


def test_d6_local_edit_survives_a_new_connection(cache_path: object, session: Session) -> None:
    """Committed means on disk: a fresh engine (as after a crash) sees edit and intent."""
    from core.db import make_engine, session_factory, sqlite_url

    ticket = create_ticket_locally(session, title="t", contact_email="a@example.com")
    edit_ticket_locally(session, ticket.id, {"title": "after crash"})
    fresh = make_engine(sqlite_url(str(cache_path)))
    with session_factory(fresh)() as other:
        assert other.get(Ticket, ticket.id).title == "after crash"  # type: ignore[union-attr]
        assert pending_count(other) == 2
    fresh.dispose()
