"""What the window's conflicts list shows and does, over a Session on the cache.

Conflicts are kept by the engine in `sync_state` (sync/client/state.py): per field of a
pushed edit the server refused because someone else moved it first, with the server's
value ("current") and the agent's ("mine"). Refused intents stay in the outbox with
state "rejected" and the server's reason. Keeping the server's value only dismisses the
conflict; using the agent's value edits the ticket again locally (a new intent, judged
against what the server holds now) and dismisses it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db import sqlite_driver
from core.local_edits import edit_ticket_locally
from core.models import OutboxMutation, Stage, Team, Ticket, User
from sync.client import state

DISMISSED = "dismissed"
"""Outbox state of a refusal the agent has read (never deleted: its number must stay
used so the server never sees it twice)."""

# fields whose values are ids of rows the cache can name
_NAMED: dict[str, Any] = {
    "assignee_id": User.display_name,
    "team_id": Team.name,
    "stage_id": Stage.name,
}


@dataclass(frozen=True)
class ConflictRow:
    """One field of one edit the server refused, ready to show."""

    ticket_id: str
    mutation_id: str
    field: str
    ticket_number: int | None
    ticket_title: str
    current: Any
    mine: Any
    current_text: str
    mine_text: str
    message: str


@dataclass(frozen=True)
class RejectedRow:
    """A refused intent with the server's reason."""

    seq: int
    name: str
    ticket_id: str | None
    ticket_number: int | None
    ticket_title: str
    reason: str


def _raw_conflicts(session: Session) -> list[dict[str, Any]]:
    return state.conflicts(sqlite_driver(session.connection()))


def _save_conflicts(session: Session, items: list[dict[str, Any]]) -> None:
    value = json.dumps(items, ensure_ascii=False) if items else None
    state.put(sqlite_driver(session.connection()), state.CONFLICTS, value)


def value_text(session: Session, field: str, value: Any) -> str:
    """A field's value as the agent knows it: a name for ids, the value otherwise."""
    if value is None:
        return ""
    column = _NAMED.get(field)
    if column is not None:
        name = session.scalar(select(column).where(column.class_.id == value))
        return str(name) if name is not None else str(value)
    return str(value)


def load_conflicts(session: Session) -> list[ConflictRow]:
    """Every conflict not yet resolved, newest first."""
    rows: list[ConflictRow] = []
    for item in reversed(_raw_conflicts(session)):
        ticket_id = str(item.get("ticket_id") or "")
        field = str(item.get("field") or "")
        ticket = session.get(Ticket, ticket_id)
        rows.append(
            ConflictRow(
                ticket_id=ticket_id,
                mutation_id=str(item.get("mutation_id") or ""),
                field=field,
                ticket_number=ticket.number if ticket else None,
                ticket_title=ticket.title if ticket else "",
                current=item.get("current"),
                mine=item.get("mine"),
                current_text=value_text(session, field, item.get("current")),
                mine_text=value_text(session, field, item.get("mine")),
                message=str(item.get("message") or ""),
            )
        )
    return rows


def load_rejected(session: Session) -> list[RejectedRow]:
    """Refused intents the agent has not dismissed, newest first."""
    stmt = (
        select(OutboxMutation, Ticket.number, Ticket.title)
        .outerjoin(Ticket, Ticket.id == OutboxMutation.ticket_id)
        .where(OutboxMutation.state == "rejected")
        .order_by(OutboxMutation.seq.desc())
    )
    return [
        RejectedRow(
            seq=m.seq,
            name=m.name,
            ticket_id=m.ticket_id,
            ticket_number=number,
            ticket_title=title or "",
            reason=m.reason or "",
        )
        for m, number, title in session.execute(stmt)
    ]


def counts(session: Session) -> tuple[int, int]:
    """(conflicts, refused intents) waiting for the agent."""
    rejected = session.scalar(
        select(func.count()).select_from(OutboxMutation).where(OutboxMutation.state == "rejected")
    )
    return len(_raw_conflicts(session)), int(rejected or 0)


def dismiss_conflict(session: Session, mutation_id: str, field: str) -> None:
    """Keep the server's value: the conflict is gone from the list."""
    with session.begin():
        items = _raw_conflicts(session)
        left = [
            c
            for c in items
            if not (c.get("mutation_id") == mutation_id and c.get("field") == field)
        ]
        _save_conflicts(session, left)


def use_mine(session: Session, conflict: ConflictRow) -> dict[str, Any]:
    """Apply the agent's value again (a new intent on top of the server's value) and
    dismiss the conflict; returns what changed."""
    changed = edit_ticket_locally(session, conflict.ticket_id, {conflict.field: conflict.mine})
    dismiss_conflict(session, conflict.mutation_id, conflict.field)
    return changed


def dismiss_rejected(session: Session, seq: int) -> None:
    with session.begin():
        session.execute(
            update(OutboxMutation)
            .where(OutboxMutation.seq == seq, OutboxMutation.state == "rejected")
            .values(state=DISMISSED)
        )
