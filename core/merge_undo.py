"""Merging with a record of what moved, and "Undo merge" (O6).

`merge_with_log` snapshots where every message, attachment, follower, contact and tag of
the merged tickets sat (and their archived flag and status), runs core.merge.merge_tickets
and keeps the snapshot in a `merge_log` row. `undo_merge` puts each row back. The server's
`ticket.merge` / `ticket.unmerge` commands and the client's local edits call the same two
functions, so both undos restore the same state.

An undo is refused once an agent replied on the kept ticket after the merge
(`reply_after_merge`), or when the merge is no longer the last that touched those tickets
(`not_last_merge`): a later merge into, or of, any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.enums import MessageKind, Status
from core.errors import DomainError, NotFoundError
from core.ids import utcnow
from core.merge import MergeResult, merge_tickets
from core.models import (
    Attachment,
    Contact,
    MergeLog,
    Message,
    Tag,
    Ticket,
    TicketFollower,
    ticket_contacts,
    ticket_tags,
)
from core.system_events import SystemEvent

MERGE_EVENTS = (SystemEvent.MERGED_IN.value, SystemEvent.MERGED_INTO.value)


@dataclass(frozen=True)
class MergePreview:
    """What a merge would move into the kept ticket, for the dialog."""

    messages: int
    attachments: int
    followers: int
    contacts: int


def preview(session: Session, keep_id: str, merged_ids: Sequence[str]) -> MergePreview:
    """Counts of what moves: every message and attachment of the merged tickets, and
    the followers and contacts the kept ticket does not have yet."""
    ids = [i for i in dict.fromkeys(merged_ids) if i != keep_id]
    if not ids:
        return MergePreview(0, 0, 0, 0)
    messages = session.scalar(
        select(func.count()).where(
            Message.ticket_id.in_(ids), Message.kind != MessageKind.SYSTEM_EVENT
        )
    )
    attachments = session.scalar(select(func.count()).where(Attachment.ticket_id.in_(ids)))
    kept_parties = {tuple(p) for p in _parties(session, [keep_id])[keep_id]}
    parties = {tuple(p) for lst in _parties(session, ids).values() for p in lst}
    kept_contacts = set(_linked(session, ticket_contacts.c.contact_id, ticket_contacts, [keep_id]))
    keep = session.get(Ticket, keep_id)
    if keep is not None and keep.contact_id is not None:
        kept_contacts.add(keep.contact_id)
    contacts = set(_linked(session, ticket_contacts.c.contact_id, ticket_contacts, ids))
    contacts |= {
        c
        for c in session.scalars(select(Ticket.contact_id).where(Ticket.id.in_(ids)))
        if c is not None
    }
    return MergePreview(
        messages=messages or 0,
        attachments=attachments or 0,
        followers=len(parties - kept_parties),
        contacts=len(contacts - kept_contacts),
    )


def _parties(session: Session, ids: Sequence[str]) -> dict[str, list[list[str | None]]]:
    found: dict[str, list[list[str | None]]] = {i: [] for i in ids}
    for tid, user_id, contact_id in session.execute(
        select(TicketFollower.ticket_id, TicketFollower.user_id, TicketFollower.contact_id)
        .where(TicketFollower.ticket_id.in_(ids))
        .order_by(TicketFollower.ticket_id, TicketFollower.user_id, TicketFollower.contact_id)
    ):
        found[tid].append([user_id, contact_id])
    return found


def _linked(session: Session, column: Any, table: Any, ids: Sequence[str]) -> list[str]:
    return list(session.scalars(select(column).where(table.c.ticket_id.in_(ids))))


def _origins(session: Session, model: type[Message | Attachment], ids: list[str]) -> dict[str, str]:
    rows = session.execute(select(model.id, model.ticket_id).where(model.ticket_id.in_(ids)))
    return {row[0]: row[1] for row in rows}


def _snapshot(session: Session, keep_id: str, merged_ids: Sequence[str]) -> dict[str, Any]:
    ids = list(merged_ids)
    tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
    keep = session.get(Ticket, keep_id)
    kept_contacts = _linked(session, ticket_contacts.c.contact_id, ticket_contacts, [keep_id])
    return {
        "messages": _origins(session, Message, ids),
        "attachments": _origins(session, Attachment, ids),
        "followers": _parties(session, ids),
        "kept_followers": _parties(session, [keep_id])[keep_id],
        "contacts": {
            i: _linked(session, ticket_contacts.c.contact_id, ticket_contacts, [i]) for i in ids
        },
        "kept_contacts": kept_contacts
        + ([keep.contact_id] if keep is not None and keep.contact_id else []),
        "tags": {i: _linked(session, ticket_tags.c.tag_id, ticket_tags, [i]) for i in ids},
        "kept_tags": _linked(session, ticket_tags.c.tag_id, ticket_tags, [keep_id]),
        "archived": {i: t.archived for i, t in tickets.items()},
        "status": {i: t.status.value for i, t in tickets.items()},
    }


def merge_with_log(
    session: Session, *, keep_id: str, merged_ids: Sequence[str], actor_id: str | None = None
) -> tuple[MergeResult, MergeLog]:
    """core.merge.merge_tickets, with its `merge_log` row. The caller commits."""
    ids = list(dict.fromkeys(merged_ids))
    record = _snapshot(session, keep_id, [i for i in ids if i != keep_id])
    result = merge_tickets(session, keep_id=keep_id, merged_ids=ids, actor_id=actor_id)
    record["events"] = list(result.event_message_ids)
    log = MergeLog(
        kept_id=keep_id,
        merged_ids=list(result.merged_ids),
        record=record,
        actor_id=actor_id,
        created_at=utcnow(),
    )
    session.add(log)
    session.flush()
    return result, log


def last_merge(session: Session, keep_id: str) -> MergeLog | None:
    """The latest merge into this ticket that was not undone."""
    return session.scalar(
        select(MergeLog)
        .where(MergeLog.kept_id == keep_id, MergeLog.undone_at.is_(None))
        .order_by(MergeLog.created_at.desc(), MergeLog.id.desc())
        .limit(1)
    )


def undo_blocker(session: Session, log: MergeLog) -> str | None:
    """Why this merge can no longer be undone (a code), or None when it can."""
    replied = session.scalar(
        select(Message.id)
        .where(
            Message.ticket_id == log.kept_id,
            Message.kind == MessageKind.AGENT_REPLY,
            Message.created_at > log.created_at,
            Message.id.not_in(list(log.record.get("messages", {}))),
        )
        .limit(1)
    )
    if replied is not None:
        return "reply_after_merge"
    involved = [log.kept_id, *log.merged_ids]
    for later in session.scalars(
        select(MergeLog).where(
            MergeLog.undone_at.is_(None),
            MergeLog.id != log.id,
            MergeLog.created_at >= log.created_at,
        )
    ):
        if {later.kept_id, *later.merged_ids} & set(involved):
            return "not_last_merge"
    for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(log.merged_ids))):
        if ticket.merged_into_id != log.kept_id:
            return "not_last_merge"
    keep = session.get(Ticket, log.kept_id)
    if keep is None or keep.merged_into_id is not None:
        return "not_last_merge"
    return None


UNDO_REFUSALS = {
    "reply_after_merge": "An agent replied on the kept ticket after the merge.",
    "not_last_merge": "The tickets changed by another merge since.",
    "nothing_to_undo": "There is no merge to undo on this ticket.",
}


@dataclass(frozen=True)
class UnmergeResult:
    kept_id: str
    restored_ids: tuple[str, ...]
    moved_message_ids: tuple[str, ...]
    dropped_message_ids: tuple[str, ...]

    @property
    def ticket_ids(self) -> tuple[str, ...]:
        return (self.kept_id, *self.restored_ids)


def undo_merge(
    session: Session, keep_id: str, merged_ids: Sequence[str] | None = None
) -> UnmergeResult:
    """Put back what the last merge into `keep_id` moved: messages, attachments,
    followers, contacts and tags return to their tickets, which leave the archive with
    their status; the merge's system messages go. With `merged_ids`, the last merge must
    be of exactly those tickets. Refusals change nothing. The caller commits."""
    keep = session.get(Ticket, keep_id)
    if keep is None:
        raise NotFoundError(f"Unknown ticket {keep_id}.", code="ticket_not_found")
    log = last_merge(session, keep_id)
    if log is None:
        raise DomainError(UNDO_REFUSALS["nothing_to_undo"], code="nothing_to_undo")
    if merged_ids is not None and set(merged_ids) != set(log.merged_ids):
        raise DomainError(UNDO_REFUSALS["not_last_merge"], code="not_last_merge")
    blocker = undo_blocker(session, log)
    if blocker is not None:
        raise DomainError(UNDO_REFUSALS[blocker], code=blocker)
    now = utcnow()
    dropped = _drop_events(session, log)
    moved = _move_back(session, log, set(dropped), now)
    merged = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(log.merged_ids)))}
    _restore_followers(keep, merged, log.record)
    _restore_links(session, keep, merged, log.record)
    for tid, ticket in merged.items():
        ticket.merged_into_id = None
        ticket.archived = bool(log.record.get("archived", {}).get(tid, False))
        status = log.record.get("status", {}).get(tid)
        if status is not None:
            ticket.status = Status(status)
        ticket.version += 1
        ticket.updated_at = now
    keep.version += 1
    keep.updated_at = now
    log.undone_at = now
    session.flush()
    return UnmergeResult(
        kept_id=keep_id,
        restored_ids=tuple(log.merged_ids),
        moved_message_ids=tuple(moved),
        dropped_message_ids=tuple(dropped),
    )


def _drop_events(session: Session, log: MergeLog) -> list[str]:
    """Delete the merge's system messages: this database's own, and any merge event
    written since on these tickets (the server's, synced to a client)."""
    events = set(log.record.get("events", []))
    events.update(
        session.scalars(
            select(Message.id).where(
                Message.ticket_id.in_([log.kept_id, *log.merged_ids]),
                Message.kind == MessageKind.SYSTEM_EVENT,
                Message.event.in_(MERGE_EVENTS),
                Message.created_at >= log.created_at,
            )
        )
    )
    dropped = []
    for message in session.scalars(select(Message).where(Message.id.in_(events))):
        dropped.append(message.id)
        session.delete(message)
    session.flush()
    return dropped


def _move_back(session: Session, log: MergeLog, skip: set[str], now: datetime) -> list[str]:
    """Messages and attachments still on the kept ticket go back where they came from."""
    moved: list[str] = []
    for model, key in ((Message, "messages"), (Attachment, "attachments")):
        origins: dict[str, list[str]] = {}
        for row_id, origin in log.record.get(key, {}).items():
            if row_id not in skip:
                origins.setdefault(origin, []).append(row_id)
        for origin, row_ids in origins.items():
            session.execute(
                update(model)
                .where(model.id.in_(row_ids), model.ticket_id == log.kept_id)
                .values(ticket_id=origin, version=model.version + 1, updated_at=now)
                .execution_options(synchronize_session="fetch")
            )
            if model is Message:
                moved += row_ids
    return moved


def _restore_followers(keep: Ticket, merged: dict[str, Ticket], record: dict[str, Any]) -> None:
    """The merged tickets get their followers back; the kept one loses those it gained."""
    kept_before = {tuple(p) for p in record.get("kept_followers", [])}
    returned = {tuple(p) for lst in record.get("followers", {}).values() for p in lst}
    for follower in list(keep.followers):
        party = (follower.user_id, follower.contact_id)
        if party in returned and party not in kept_before:
            keep.followers.remove(follower)
    for tid, parties in record.get("followers", {}).items():
        ticket = merged.get(tid)
        if ticket is None:
            continue
        have = {(f.user_id, f.contact_id) for f in ticket.followers}
        for user_id, contact_id in parties:
            if (user_id, contact_id) not in have:
                ticket.followers.append(TicketFollower(user_id=user_id, contact_id=contact_id))


def _restore_links(
    session: Session, keep: Ticket, merged: dict[str, Ticket], record: dict[str, Any]
) -> None:
    """Contacts and tags the merge gave the kept ticket return to their tickets."""
    kept_contacts = set(record.get("kept_contacts", []))
    returned_contacts = {c for lst in record.get("contacts", {}).values() for c in lst}
    returned_contacts |= {t.contact_id for t in merged.values() if t.contact_id}
    keep.contacts[:] = [
        c for c in keep.contacts if c.id in kept_contacts or c.id not in returned_contacts
    ]
    kept_tags = set(record.get("kept_tags", []))
    returned_tags = {t for lst in record.get("tags", {}).values() for t in lst}
    keep.tags[:] = [t for t in keep.tags if t.id in kept_tags or t.id not in returned_tags]
    for tid, ticket in merged.items():
        contact_ids = record.get("contacts", {}).get(tid, [])
        if contact_ids:
            ticket.contacts[:] = list(
                session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))
            )
        tag_ids = record.get("tags", {}).get(tid, [])
        if tag_ids:
            ticket.tags[:] = list(session.scalars(select(Tag).where(Tag.id.in_(tag_ids))))


def can_undo(session: Session, keep_id: str) -> tuple[MergeLog | None, str | None]:
    """The merge "Undo merge" would undo and, when it cannot, why (a code)."""
    log = last_merge(session, keep_id)
    if log is None:
        return None, "nothing_to_undo"
    return log, undo_blocker(session, log)


__all__ = [
    "MERGE_EVENTS",
    "UNDO_REFUSALS",
    "MergePreview",
    "UnmergeResult",
    "can_undo",
    "last_merge",
    "merge_with_log",
    "preview",
    "undo_blocker",
    "undo_merge",
]
