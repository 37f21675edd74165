"""Recording local edits as outbox intents, in the caller's transaction (D6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import OutboxMutation


def record_intent(
    session: Session,
    name: str,
    *,
    entity_id: str,
    ticket_id: str | None = None,
    payload: dict[str, Any],
    base_version: int | None = None,
) -> OutboxMutation:
    """Queue one intent (`ticket.update`, `message.create`, ...) for the next push."""
    mutation = OutboxMutation(
        name=name,
        entity_id=entity_id,
        ticket_id=ticket_id,
        payload=payload,
        base_version=base_version,
    )
    session.add(mutation)
    return mutation


def pending_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(OutboxMutation).where(OutboxMutation.state.is_(None))
        )
        or 0
    )


def unsynced_ticket_ids(session: Session) -> set[str]:
    """Tickets with unsynced edits, for the queue's "not yet synced" marker."""
    return set(
        session.scalars(
            select(OutboxMutation.ticket_id)
            .where(OutboxMutation.state.is_(None), OutboxMutation.ticket_id.is_not(None))
            .distinct()
        )
    )
