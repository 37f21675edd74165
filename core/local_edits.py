"""Edits made in the window: each changes the cache and queues its intent in one
transaction, so the edit shows at once and survives a crash (D6)."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.blobs import BlobStore, attach_file
from core.conversation import add_message
from core.enums import Channel, MessageKind, Status
from core.errors import DomainError, NotFoundError, ValidationError
from core.followers import follow_ticket, unfollow_ticket
from core.ids import utcnow
from core.models import Attachment, Message, Stage, Tag, Ticket
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
                # what the cache shows until the server's row comes back (sync.client.apply)
                payload={"staff_state": ticket.staff_state.value},
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


ATTACH_INTENT = "attachment.create"


def attach_locally(
    session: Session,
    blobs: BlobStore,
    ticket_id: str,
    source: Path,
    *,
    message_id: str | None = None,
    filename: str | None = None,
    mime_type: str | None = None,
) -> Attachment:
    """A file added to a cached ticket, or to one of its messages (C2, I2): the bytes are
    kept in the cache's blob store (once per hash), then the attachment row and its
    `attachment.create` intent are written in one transaction. The push uploads the
    bytes before it sends the intent. A file that cannot be read is refused with
    `file_missing` before any row is written."""
    path = Path(source)
    name = filename or path.name
    mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    with _transaction(session):
        _cached(session, ticket_id)
        if message_id is not None:
            message = session.get(Message, message_id)
            if message is None or message.ticket_id != ticket_id:
                raise ValidationError(
                    "message_id", "That message is not on this ticket.", code="not_found"
                )
        try:
            with path.open("rb") as data:
                attachment = attach_file(
                    session,
                    blobs,
                    ticket_id=ticket_id,
                    message_id=message_id,
                    filename=name,
                    data=data,
                    mime_type=mime,
                )
        except OSError as exc:
            raise ValidationError(
                "attachments", f"{path.name} cannot be read.", code="file_missing"
            ) from exc
        session.flush()
        record_intent(
            session,
            ATTACH_INTENT,
            entity_id=attachment.id,
            ticket_id=ticket_id,
            payload={
                "ticket_id": ticket_id,
                "message_id": message_id,
                "filename": attachment.filename,
                "mime_type": attachment.mime_type,
                "size": attachment.size,
                "content_hash": attachment.content_hash,
            },
        )
    session.commit()
    return attachment


# --- triage: the queue's actions (C3, E2, E4); payloads as sync/server/commands.py reads them


def _transaction(session: Session) -> Any:
    return session.begin_nested() if session.in_transaction() else session.begin()


def _cached(session: Session, ticket_id: str) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
    return ticket


class _Keep:
    """The ticket keeps its team (an assign that names no team)."""


KEEP_TEAM = _Keep()


def assign_ticket_locally(
    session: Session,
    ticket_id: str,
    *,
    assignee_id: str | None,
    team_id: str | _Keep | None = KEEP_TEAM,
    note: str = "",
    author_user_id: str | None = None,
) -> dict[str, Any]:
    """C3: refer a ticket to a colleague (and/or another team), with an optional note that
    becomes an internal note on the ticket. One transaction: the edit, the
    `ticket.assign` intent and, with a note, the note and its `message.create` intent.
    Returns what changed (empty when nothing did and there was no note)."""
    with _transaction(session):
        ticket = _cached(session, ticket_id)
        base_version = ticket.version
        changes: dict[str, Any] = {"assignee_id": assignee_id}
        base: dict[str, Any] = {"assignee_id": ticket.assignee_id}
        if not isinstance(team_id, _Keep):
            changes["team_id"] = team_id
            base["team_id"] = ticket.team_id
            if team_id != ticket.team_id:
                # a new team brings its first open stage, as the server does
                changes["stage_id"] = first_open_stage(session, team_id)
        changed = update_ticket(session, ticket, changes)
        if changed:
            payload: dict[str, Any] = {"assignee_id": assignee_id, "base": base}
            if "team_id" in changes:
                payload["team_id"] = changes["team_id"]
            record_intent(
                session,
                "ticket.assign",
                entity_id=ticket_id,
                ticket_id=ticket_id,
                payload=payload,
                base_version=base_version,
            )
        body = note.strip()
        if body:
            message = add_message(
                session,
                ticket,
                kind=MessageKind.INTERNAL_NOTE,
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
                payload={
                    "ticket_id": ticket_id,
                    "kind": MessageKind.INTERNAL_NOTE.value,
                    "body": body,
                },
            )
    session.commit()
    return changed


def set_stage_locally(session: Session, ticket_id: str, stage_id: str | None) -> dict[str, Any]:
    """Move a ticket to another stage of its team's pipeline (O1); a closed stage closes
    it. Queues `ticket.set_stage` with the stage it saw."""
    with _transaction(session):
        ticket = _cached(session, ticket_id)
        if stage_id is not None:
            stage = session.get(Stage, stage_id)
            if stage is None or stage.team_id != ticket.team_id:
                raise ValidationError(
                    "stage_id", "That stage belongs to another team.", code="stage_not_in_team"
                )
        base_version = ticket.version
        base = {"stage_id": ticket.stage_id}
        changed = update_ticket(session, ticket, {"stage_id": stage_id})
        if changed:
            record_intent(
                session,
                "ticket.set_stage",
                entity_id=ticket_id,
                ticket_id=ticket_id,
                payload={"stage_id": stage_id, "base": base},
                base_version=base_version,
            )
    session.commit()
    return changed


def _first_stage(session: Session, team_id: str | None, *, closed: bool) -> str | None:
    if team_id is None:
        return None
    return session.scalar(
        select(Stage.id)
        .where(Stage.team_id == team_id, Stage.is_closed.is_(closed))
        .order_by(Stage.sequence, Stage.id)
        .limit(1)
    )


def first_open_stage(session: Session, team_id: str | None) -> str | None:
    """Where a ticket lands in a team's pipeline: its first stage that is not closed."""
    return _first_stage(session, team_id, closed=False)


def close_ticket_locally(session: Session, ticket_id: str) -> dict[str, Any]:
    """Close: status closed, and the team's first closed stage when it is not in one."""
    ticket = _cached(session, ticket_id)
    changes: dict[str, Any] = {"status": Status.CLOSED}
    stage = session.get(Stage, ticket.stage_id) if ticket.stage_id else None
    if stage is None or not stage.is_closed:
        closed_stage = _first_stage(session, ticket.team_id, closed=True)
        if closed_stage is not None:
            changes["stage_id"] = closed_stage
    return edit_ticket_locally(session, ticket_id, changes)


def reopen_ticket_locally(session: Session, ticket_id: str) -> dict[str, Any]:
    """Reopen a closed ticket: in progress, back in the team's first open stage when it
    sat in a closed one."""
    ticket = _cached(session, ticket_id)
    changes: dict[str, Any] = {"status": Status.IN_PROGRESS}
    stage = session.get(Stage, ticket.stage_id) if ticket.stage_id else None
    if stage is not None and stage.is_closed:
        changes["stage_id"] = first_open_stage(session, ticket.team_id)
    if ticket.status is not Status.CLOSED and "stage_id" not in changes:
        return {}
    return edit_ticket_locally(session, ticket_id, changes)


def follow_ticket_locally(
    session: Session, ticket_id: str, user_id: str, *, follow: bool = True
) -> bool:
    """The agent follows (or stops following) a ticket (O4); queues `ticket.follow` or
    `ticket.unfollow`. True when something changed."""
    with _transaction(session):
        _cached(session, ticket_id)
        if follow:
            changed = follow_ticket(session, ticket_id, user_id=user_id)
        else:
            changed = unfollow_ticket(session, ticket_id, user_id=user_id)
        if changed:
            record_intent(
                session,
                "ticket.follow" if follow else "ticket.unfollow",
                entity_id=ticket_id,
                ticket_id=ticket_id,
                # the server follows its caller; the user is named so that a pull before
                # the push can put the follow back over the pulled followers
                payload={"user_id": user_id},
            )
    session.commit()
    return changed


def archive_ticket_locally(session: Session, ticket_id: str, *, archived: bool = True) -> bool:
    """Archive a ticket (or bring it back); a merged ticket stays archived. True when it
    changed."""
    with _transaction(session):
        ticket = _cached(session, ticket_id)
        if ticket.archived == archived:
            changed = False
        else:
            if not archived and ticket.merged_into_id is not None:
                raise DomainError(
                    "This ticket is merged into another and stays archived.",
                    code="already_merged",
                )
            base_version = ticket.version
            ticket.archived = archived
            ticket.updated_at = utcnow()
            ticket.version += 1
            record_intent(
                session,
                "ticket.archive",
                entity_id=ticket_id,
                ticket_id=ticket_id,
                payload={"archived": archived},
                base_version=base_version,
            )
            changed = True
    session.commit()
    return changed


@dataclass
class BulkResult:
    """What a bulk action did: the tickets it changed, left alone, or could not change."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, DomainError] = field(default_factory=dict)

    def merge(self, other: BulkResult) -> None:
        self.changed.extend(other.changed)
        self.unchanged.extend(other.unchanged)
        self.failed.update(other.failed)


def apply_to_each(
    session: Session, ticket_ids: Sequence[str], edit: Callable[[Session, str], object]
) -> BulkResult:
    """E2: run one local edit on each ticket, each in its own transaction with its outbox
    rows, so one refused ticket never undoes the others."""
    result = BulkResult()
    for ticket_id in ticket_ids:
        try:
            outcome = edit(session, ticket_id)
        except DomainError as exc:
            session.rollback()
            result.failed[ticket_id] = exc
            continue
        (result.changed if outcome else result.unchanged).append(ticket_id)
    return result


def merge_locally(
    session: Session, keep_id: str, merged_ids: Sequence[str], actor_id: str | None = None
) -> list[str]:
    """O6: merge tickets in the cache (core.merge_undo.merge_with_log, so it can be
    undone) and queue `ticket.merge` for the server. The merge's system messages are the
    server's to write: the cache drops its own and gets the server's on the next pull.
    Returns the merged tickets' ids."""
    from core.merge_undo import merge_with_log

    with _transaction(session):
        result, _log = merge_with_log(
            session, keep_id=keep_id, merged_ids=merged_ids, actor_id=actor_id
        )
        for message in session.scalars(
            select(Message).where(Message.id.in_(result.event_message_ids))
        ):
            session.delete(message)
        record_intent(
            session,
            "ticket.merge",
            entity_id=keep_id,
            ticket_id=keep_id,
            payload={"merge_ids": list(result.merged_ids)},
        )
    session.commit()
    return list(result.merged_ids)


def unmerge_locally(session: Session, keep_id: str) -> list[str]:
    """O6: undo the last merge into a cached ticket (core.merge_undo.undo_merge) and queue
    `ticket.unmerge`, which the server judges again. Returns the restored tickets' ids."""
    from core.merge_undo import undo_merge

    with _transaction(session):
        result = undo_merge(session, keep_id)
        record_intent(
            session,
            "ticket.unmerge",
            entity_id=keep_id,
            ticket_id=keep_id,
            payload={"merge_ids": list(result.restored_ids)},
        )
    session.commit()
    return list(result.restored_ids)
