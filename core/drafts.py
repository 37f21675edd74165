"""Reply drafts and the stale-reply guard (issue 5 item 7): nothing an agent types is lost,
and a reply never goes out blind to what arrived while it was written.

A draft is local-only (core.models.drafts): saved as typed, kept through crashes and
syncs (sync never touches the table), and when its ticket is merged into another the
draft follows to the kept ticket (folded after the kept ticket's own draft, never lost).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.blobs import BlobStore
from core.enums import MessageKind
from core.errors import ValidationError
from core.ids import utcnow
from core.local_edits import attach_locally, post_message_locally
from core.models import Message, Ticket
from core.models.drafts import Draft

# the kinds a composer writes
DRAFT_KINDS = (MessageKind.AGENT_REPLY, MessageKind.INTERNAL_NOTE)
# what makes a reply stale when it arrives unseen: the customer spoke, or a colleague did
_STALE_KINDS = (MessageKind.CUSTOMER_REPLY, MessageKind.AGENT_REPLY)
MERGED_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class DraftData:
    """A draft as the window shows it (plain values, safe across threads)."""

    ticket_id: str
    kind: MessageKind
    body: str
    seen_message_ids: frozenset[str]
    updated_at: datetime
    # tickets merged into this one whose drafts were folded into this draft
    merged_from: tuple[str, ...] = ()


def _data(draft: Draft, merged_from: tuple[str, ...] = ()) -> DraftData:
    return DraftData(
        ticket_id=draft.ticket_id,
        kind=MessageKind(draft.kind),
        body=draft.body,
        seen_message_ids=frozenset(draft.seen_message_ids or ()),
        updated_at=draft.updated_at,
        merged_from=merged_from,
    )


def save_draft(
    session: Session,
    ticket_id: str,
    *,
    body: str,
    kind: MessageKind = MessageKind.AGENT_REPLY,
    user_id: str | None = None,
    seen_message_ids: Collection[str] = (),
) -> DraftData | None:
    """Keep what the agent typed and commit; blank text removes the draft (None).

    `seen_message_ids` is recorded only when the draft starts: the guard then compares
    against what the agent had seen when they began writing, not when they last typed."""
    if kind not in DRAFT_KINDS:
        raise ValueError(f"a draft is a reply or an internal note, not {kind}")
    draft = session.get(Draft, ticket_id)
    if not body.strip():
        if draft is not None:
            session.delete(draft)
            session.commit()
        return None
    now = utcnow()
    if draft is None:
        draft = Draft(
            ticket_id=ticket_id,
            user_id=user_id,
            seen_message_ids=sorted(seen_message_ids),
            created_at=now,
        )
        session.add(draft)
    draft.body = body
    draft.kind = kind
    draft.updated_at = now
    session.commit()
    return _data(draft)


def _merged_into(session: Session, ticket_id: str) -> list[str]:
    """Every ticket merged (directly or through others) into `ticket_id`."""
    found: list[str] = []
    frontier = [ticket_id]
    while frontier:
        children = list(
            session.scalars(select(Ticket.id).where(Ticket.merged_into_id.in_(frontier)))
        )
        children = [c for c in children if c not in found and c != ticket_id]
        found.extend(children)
        frontier = children
    return found


def load_draft(session: Session, ticket_id: str) -> DraftData | None:
    """The draft of `ticket_id`, with the drafts of tickets merged into it folded in
    (moved to this ticket and committed, so they follow the merge). None when nothing."""
    own = session.get(Draft, ticket_id)
    merged = [
        d
        for d in (session.get(Draft, t) for t in _merged_into(session, ticket_id))
        if d is not None
    ]
    if not merged:
        return _data(own) if own is not None else None
    merged.sort(key=lambda d: d.created_at)
    if own is None:
        first = merged.pop(0)
        own = Draft(
            ticket_id=ticket_id,
            user_id=first.user_id,
            kind=first.kind,
            body=first.body,
            seen_message_ids=list(first.seen_message_ids or ()),
            created_at=first.created_at,
            updated_at=first.updated_at,
        )
        session.delete(first)
        session.flush()
        session.add(own)
        sources = [first.ticket_id]
    else:
        sources = []
    seen = set(own.seen_message_ids or ())
    bodies = [own.body]
    for draft in merged:
        bodies.append(draft.body)
        seen.update(draft.seen_message_ids or ())
        sources.append(draft.ticket_id)
        session.delete(draft)
    own.body = MERGED_SEPARATOR.join(b for b in bodies if b.strip())
    own.seen_message_ids = sorted(seen)
    own.updated_at = utcnow()
    session.commit()
    return _data(own, tuple(sources))


def discard_draft(session: Session, ticket_id: str) -> bool:
    """Remove the draft (after sending); True when there was one."""
    draft = session.get(Draft, ticket_id)
    if draft is None:
        return False
    session.delete(draft)
    session.commit()
    return True


@dataclass(frozen=True)
class NewMessage:
    """A message that arrived after the agent's baseline."""

    id: str
    kind: MessageKind
    body: str
    author: str
    created_at: datetime


def news_since(
    session: Session, ticket_id: str, *, seen: Collection[str], user_id: str | None
) -> list[NewMessage]:
    """Customer replies and other agents' replies on `ticket_id` (and tickets merged into
    it) that are not in `seen`, oldest first: what a reply would ignore if sent now."""
    from core.models import Contact, User

    ids = [ticket_id, *_merged_into(session, ticket_id)]
    rows = session.execute(
        select(Message, User.display_name, Contact.name)
        .outerjoin(User, User.id == Message.author_user_id)
        .outerjoin(Contact, Contact.id == Message.author_contact_id)
        .where(Message.ticket_id.in_(ids), Message.kind.in_(_STALE_KINDS))
        .order_by(Message.created_at, Message.id)
    ).all()
    seen_ids = set(seen)
    news = []
    for message, user_name, contact_name in rows:
        if message.id in seen_ids:
            continue
        if message.kind is MessageKind.AGENT_REPLY and (
            user_id is not None and message.author_user_id == user_id
        ):
            continue
        news.append(
            NewMessage(
                id=message.id,
                kind=message.kind,
                body=message.body,
                author=user_name or contact_name or "",
                created_at=message.created_at,
            )
        )
    return news


def rebase_draft(session: Session, ticket_id: str, seen_message_ids: Collection[str]) -> None:
    """The agent reviewed what was new: the draft's baseline becomes what they see now."""
    draft = session.get(Draft, ticket_id)
    if draft is not None:
        draft.seen_message_ids = sorted(seen_message_ids)
        session.commit()


def send_draft(
    session: Session,
    ticket_id: str,
    *,
    kind: MessageKind,
    body: str,
    user_id: str | None,
    files: Sequence[Path] = (),
    blobs: BlobStore | None = None,
) -> str:
    """Post the reply or note through core.local_edits (message + outbox intent), keep its
    files in the blob store, and drop the draft only once all of that committed. Returns
    the new message's id. A missing file raises before anything is posted."""
    if kind not in DRAFT_KINDS:
        raise ValidationError("kind", "Only replies and internal notes are sent.", code="invalid")
    text = body.strip()
    if not text:
        raise ValidationError("body", "The message is empty.", code="required")
    for path in files:
        if not Path(path).is_file():
            raise ValidationError("attachments", f"{path} is not a file.", code="file_missing")
    if files and blobs is None:
        raise ValidationError("attachments", "No place to keep attachments.", code="no_store")
    message = post_message_locally(session, ticket_id, kind=kind, body=text, author_user_id=user_id)
    message_id = message.id
    for path in files:
        assert blobs is not None
        # the row and its attachment.create intent together, so the file reaches the server
        attach_locally(session, blobs, ticket_id, Path(path), message_id=message_id)
    draft = session.get(Draft, ticket_id)
    if draft is not None:
        session.delete(draft)
    session.commit()
    return message_id
