"""Edits made in the window: each changes the cache and queues its intent in one
transaction, so the edit shows at once and survives a crash (D6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.conversation import add_message
from core.enums import Channel, MessageKind
from core.errors import NotFoundError
from core.models import Message, Tag, Ticket
from core.outbox import record_intent
from core.read_state import mark_opened_by_staff
from core.tickets import create_ticket, update_ticket

# workflow fields the server refuses to change when they moved since the client saw them
CONTESTED = ("assignee_id", "team_id", "stage_id", "status")


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if hasattr(v, "value") else v) for k, v in changes.items()}


def create_ticket_locally(session: Session, **fields: Any) -> Ticket:
    """A ticket made offline: shown as "pending" until the server numbers it."""
    with session.begin_nested() if session.in_transaction() else session.begin():
        ticket = create_ticket(session, **fields)
        payload = {k: v for k, v in fields.items() if k != "channel"}
        record_intent(
            session,
            "ticket.create",
            entity_id=ticket.id,
            ticket_id=ticket.id,
            payload=_jsonable(payload),
        )
    session.commit()
    return ticket


def edit_ticket_locally(
    session: Session, ticket_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change fields of a cached ticket and queue the intent; returns what changed.

    The intent's payload is the changed fields, or `{"changes": ..., "base": ...}` when
    a contested workflow field changed, `base` holding its values before the edit."""
    with session.begin_nested() if session.in_transaction() else session.begin():
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
        base_version = ticket.version
        before = {f: getattr(ticket, f) for f in CONTESTED}
        changed = update_ticket(session, ticket, changes)
        if changed:
            base = {f: before[f] for f in CONTESTED if f in changed}
            payload = _jsonable(changed)
            if base:
                # the values this edit saw: the server judges a contested move by them
                payload = {"changes": payload, "base": _jsonable(base)}
            record_intent(
                session,
                "ticket.update",
                entity_id=ticket_id,
                ticket_id=ticket_id,
                payload=payload,
                base_version=base_version,
            )
    session.commit()
    return changed


def post_message_locally(
    session: Session,
    ticket_id: str,
    *,
    kind: MessageKind,
    body: str,
    author_user_id: str | None,
) -> Message:
    """A reply or note written offline; it keeps its id when the server accepts it."""
    with session.begin_nested() if session.in_transaction() else session.begin():
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
        message = add_message(
            session,
            ticket,
            kind=kind,
            body=body,
            author_user_id=author_user_id,
            channel=Channel.AGENT,
        )
        session.flush()
        record_intent(
            session,
            "message.create",
            entity_id=message.id,
            ticket_id=ticket_id,
            payload={"ticket_id": ticket_id, "kind": kind.value, "body": body},
        )
    session.commit()
    return message


def mark_opened_locally(session: Session, ticket_id: str) -> bool:
    """The agent opened the ticket (I6): unread becomes under review, and the intent is
    queued so the server and other agents see it. False (and nothing queued) when the
    ticket was not unread."""
    with session.begin_nested() if session.in_transaction() else session.begin():
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
        changed = mark_opened_by_staff(ticket)
        if changed:
            record_intent(
                session,
                "ticket.mark_opened",
                entity_id=ticket_id,
                ticket_id=ticket_id,
                payload={},
            )
    session.commit()
    return changed


def change_tags_locally(
    session: Session, ticket_id: str, *, add: list[str], remove: list[str]
) -> tuple[list[str], list[str]]:
    """Add and remove tags of a cached ticket (E2) and queue `ticket.tags`; a set, so
    adding one already there or removing one absent does nothing. Returns what moved."""
    with session.begin_nested() if session.in_transaction() else session.begin():
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
        current = {t.id for t in ticket.tags}
        added = sorted(set(add) - current)
        removed = sorted(set(remove) & current)
        if added:
            ticket.tags.extend(session.scalars(select(Tag).where(Tag.id.in_(added))))
        if removed:
            ticket.tags[:] = [t for t in ticket.tags if t.id not in removed]
        if added or removed:
            record_intent(
                session,
                "ticket.tags",
                entity_id=ticket_id,
                ticket_id=ticket_id,
                payload={"add": added, "remove": removed},
            )
    session.commit()
    return added, removed


# --- triage: the queue's actions (C3, E2, E4); payloads as sync/server/commands.py reads them
