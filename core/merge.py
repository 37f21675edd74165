"""Merging duplicate tickets (O6): how alike the selected tickets are, for the dialog, and
the merge itself, which moves everything into the kept ticket and archives the rest.

Similarity compares folded text (core.textnorm.fold), so Arabic and Persian spellings of
the same words (yeh, kaf, digits, diacritics, half-spaces) score as identical.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.conversation import add_system_event
from core.enums import Status
from core.errors import DomainError, NotFoundError, ValidationError
from core.ids import utcnow
from core.models import Attachment, Contact, Message, Ticket, TicketFollower, User
from core.system_events import SystemEvent
from core.textnorm import fold

# how much each part of a ticket weighs in its similarity to another
TITLE_WEIGHT = 0.5
DESCRIPTION_WEIGHT = 0.3
CUSTOMER_WEIGHT = 0.2
# the same account but another person is a weaker sign of a duplicate than the same person
SAME_ACCOUNT_SCORE = 0.6

_ZWNJ = "\u200c"
_NON_WORD = re.compile(r"[\W_]+")


def _words(text: str) -> str:
    """Folded text reduced to its words: punctuation and half-spaces do not count."""
    return " ".join(_NON_WORD.sub(" ", fold(text).replace(_ZWNJ, "")).split())


def text_similarity(a: str, b: str) -> float | None:
    """How alike two texts are in [0, 1]; None when either is empty (nothing to compare).

    The mean of a word-order-free ratio and a word-set ratio: a reworded or extended
    duplicate scores high, while a short text is not taken as equal to any longer one.
    """
    x, y = _words(a), _words(b)
    if not x or not y:
        return None
    return (fuzz.token_sort_ratio(x, y) + fuzz.token_set_ratio(x, y)) / 200.0


def customer_similarity(a: Ticket, b: Ticket) -> float:
    """1 for the same contact or contact email, less for the same account, else 0."""
    if a.contact_id is not None and a.contact_id == b.contact_id:
        return 1.0
    email_a, email_b = (
        (a.contact_email or "").strip().casefold(),
        (b.contact_email or "").strip().casefold(),
    )
    if email_a and email_a == email_b:
        return 1.0
    if a.account_id is not None and a.account_id == b.account_id:
        return SAME_ACCOUNT_SCORE
    return 0.0


def similarity(a: Ticket, b: Ticket) -> float:
    """How likely two tickets are duplicates, in [0, 1], from title, description and
    customer. A text part empty on either side is left out and the weights renormalised."""
    parts: list[tuple[float, float]] = [(CUSTOMER_WEIGHT, customer_similarity(a, b))]
    for weight, score in (
        (TITLE_WEIGHT, text_similarity(a.title, b.title)),
        (DESCRIPTION_WEIGHT, text_similarity(a.description, b.description)),
    ):
        if score is not None:
            parts.append((weight, score))
    total = sum(w for w, _ in parts)
    return min(1.0, max(0.0, sum(w * s for w, s in parts) / total))


@dataclass(frozen=True)
class TicketSimilarity:
    """One line of the merge dialog: a ticket and how alike it is to the others."""

    ticket_id: str
    number: int | None
    title: str
    best: float
    best_match_id: str | None
    average: float
    # similarity to each other selected ticket, by id
    scores: Mapping[str, float]


def ticket_label(ticket: Ticket) -> str:
    """How a ticket is named in system messages: its number, or "pending" before sync."""
    return f"#{ticket.number}" if ticket.number is not None else "pending"


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _load(session: Session, ids: Sequence[str]) -> dict[str, Ticket]:
    found = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"Unknown tickets: {', '.join(missing)}.", code="ticket_not_found")
    return found


def similarity_report(session: Session, ticket_ids: Sequence[str]) -> list[TicketSimilarity]:
    """For the merge dialog: each selected ticket, in the order given, with its best and
    average similarity to the others and every pairwise score. Needs two tickets or more."""
    ids = _unique(ticket_ids)
    if len(ids) < 2:
        raise ValidationError("ticket_ids", "Select at least two tickets.", code="too_few")
    tickets = _load(session, ids)
    scores: dict[str, dict[str, float]] = {i: {} for i in ids}
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            scores[a][b] = scores[b][a] = similarity(tickets[a], tickets[b])
    report = []
    for i in ids:
        mine = scores[i]
        best_id = max(mine, key=mine.__getitem__)
        ticket = tickets[i]
        report.append(
            TicketSimilarity(
                ticket_id=i,
                number=ticket.number,
                title=ticket.title,
                best=mine[best_id],
                best_match_id=best_id,
                average=sum(mine.values()) / len(mine),
                scores=mine,
            )
        )
    return report


@dataclass(frozen=True)
class MergeResult:
    """What a merge changed, for the one "changes applied" broadcast."""

    kept_id: str
    merged_ids: tuple[str, ...]
    moved_message_ids: tuple[str, ...]
    moved_attachment_ids: tuple[str, ...]
    event_message_ids: tuple[str, ...]

    @property
    def ticket_ids(self) -> tuple[str, ...]:
        """Every ticket touched: the kept one first."""
        return (self.kept_id, *self.merged_ids)

    @property
    def message_ids(self) -> tuple[str, ...]:
        """Every message touched: moved ones and the new system messages."""
        return (*self.moved_message_ids, *self.event_message_ids)


def _check_mergeable(ticket: Ticket) -> None:
    label = ticket_label(ticket)
    if ticket.merged_into_id is not None:
        raise DomainError(f"Ticket {label} is already merged.", code="already_merged")
    if ticket.archived:
        raise DomainError(f"Ticket {label} is archived.", code="archived")


def _checked(
    session: Session, keep_id: str, merged_ids: Sequence[str], actor_id: str | None
) -> tuple[Ticket, list[Ticket]]:
    """The kept and merged tickets, or the refusal; reads only."""
    others = _unique(merged_ids)
    if keep_id in others:
        raise ValidationError(
            "merged_ids", "A ticket cannot be merged into itself.", code="merge_into_self"
        )
    if not others:
        raise ValidationError("merged_ids", "Select at least two tickets to merge.", code="too_few")
    tickets = _load(session, [keep_id, *others])
    keep, merged = tickets[keep_id], [tickets[i] for i in others]
    for ticket in (keep, *merged):
        _check_mergeable(ticket)
    if actor_id is not None and session.get(User, actor_id) is None:
        raise ValidationError("actor_id", "That user does not exist.", code="not_found")
    return keep, merged


def _move_rows(
    session: Session, keep: Ticket, merged_ids: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Messages and attachments change ticket in two statements; returns their ids."""
    now = utcnow()
    messages = tuple(
        session.scalars(
            select(Message.id)
            .where(Message.ticket_id.in_(merged_ids))
            .order_by(Message.created_at, Message.id)
        )
    )
    attachments = tuple(
        session.scalars(select(Attachment.id).where(Attachment.ticket_id.in_(merged_ids)))
    )
    for model in (Message, Attachment):
        session.execute(
            update(model)
            .where(model.ticket_id.in_(merged_ids))
            .values(ticket_id=keep.id, version=model.version + 1, updated_at=now)
            .execution_options(synchronize_session="fetch")
        )
    return messages, attachments


def _move_followers(keep: Ticket, merged: Sequence[Ticket]) -> None:
    """Followers move once each: a party already following the kept ticket is not added
    again (the unique constraint does not catch NULL halves on every database)."""
    following = {(f.user_id, f.contact_id) for f in keep.followers}
    for ticket in merged:
        for follower in list(ticket.followers):
            ticket.followers.remove(follower)  # delete-orphan removes the row
            party = (follower.user_id, follower.contact_id)
            if party not in following:
                following.add(party)
                keep.followers.append(
                    TicketFollower(user_id=follower.user_id, contact_id=follower.contact_id)
                )


def _move_links(session: Session, keep: Ticket, merged: Sequence[Ticket]) -> None:
    """Linked contacts (and each merged ticket's own contact) and tags join the kept
    ticket's, without duplicates; the merged tickets keep their own `contact_id` (P6)."""
    kept_contacts = {c.id for c in keep.contacts}
    if keep.contact_id is not None:
        kept_contacts.add(keep.contact_id)
    kept_tags = {t.id for t in keep.tags}
    for ticket in merged:
        contacts = list(ticket.contacts)
        if ticket.contact_id is not None:
            primary = session.get(Contact, ticket.contact_id)
            if primary is not None:
                contacts.append(primary)
        for contact in contacts:
            if contact.id not in kept_contacts:
                kept_contacts.add(contact.id)
                keep.contacts.append(contact)
        ticket.contacts.clear()
        for tag in ticket.tags:
            if tag.id not in kept_tags:
                kept_tags.add(tag.id)
                keep.tags.append(tag)
        ticket.tags.clear()


def merge_tickets(
    session: Session, *, keep_id: str, merged_ids: Sequence[str], actor_id: str | None = None
) -> MergeResult:
    """Merge `merged_ids` into `keep_id`: their messages, attachments, followers, contacts
    and tags move to the kept ticket, they are archived with `merged_into_id` set, and each
    ticket gets a system message. Every check runs before any change, so a refusal
    changes nothing. The caller commits."""
    keep, merged = _checked(session, keep_id, merged_ids, actor_id)
    others = [t.id for t in merged]
    moved_messages, moved_attachments = _move_rows(session, keep, others)
    _move_followers(keep, merged)
    _move_links(session, keep, merged)
    for ticket in merged:
        ticket.archived = True
        ticket.merged_into_id = keep.id

    # each event also bumps its ticket's version and updated_at
    events = [
        add_system_event(
            session,
            keep,
            SystemEvent.MERGED_IN,
            tickets=", ".join(ticket_label(t) for t in merged),
        )
    ]
    events += [
        add_system_event(session, t, SystemEvent.MERGED_INTO, ticket=ticket_label(keep))
        for t in merged
    ]
    for message in events:
        message.author_user_id = actor_id
    session.flush()  # gives the new messages their ids
    return MergeResult(
        kept_id=keep.id,
        merged_ids=tuple(others),
        moved_message_ids=moved_messages,
        moved_attachment_ids=moved_attachments,
        event_message_ids=tuple(m.id for m in events),
    )


# "Find duplicates" reads at most this many candidates before scoring them
DUPLICATE_CANDIDATES = 200
# title words shorter than this are too common to find candidates by
_KEY_WORD = 4


def likely_duplicates(
    session: Session, ticket_id: str, *, limit: int = 8, min_score: float = 0.45
) -> list[tuple[str, float]]:
    """O6 "Find duplicates": the open, unmerged tickets likeliest to duplicate this one,
    best first, as (id, similarity). Candidates are cheap to find: the same contact,
    email or account, or a title sharing one of its two longest words; at most
    DUPLICATE_CANDIDATES are scored."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(f"Unknown ticket {ticket_id}.", code="ticket_not_found")
    clauses = []
    if ticket.contact_id is not None:
        clauses.append(Ticket.contact_id == ticket.contact_id)
    if ticket.contact_email:
        clauses.append(Ticket.contact_email == ticket.contact_email)
    if ticket.account_id is not None:
        clauses.append(Ticket.account_id == ticket.account_id)
    words = sorted({w for w in ticket.title.split() if len(w) >= _KEY_WORD}, key=len)[-2:]
    clauses += [Ticket.title.contains(w, autoescape=True) for w in words]
    if not clauses:
        return []
    candidates = session.scalars(
        select(Ticket)
        .where(
            Ticket.id != ticket.id,
            Ticket.archived.is_(False),
            Ticket.merged_into_id.is_(None),
            Ticket.status != Status.CLOSED,
            or_(*clauses),
        )
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(DUPLICATE_CANDIDATES)
    )
    scored = sorted(
        ((c.id, similarity(ticket, c)) for c in candidates), key=lambda p: (-p[1], p[0])
    )
    return [(i, s) for i, s in scored if s >= min_score][:limit]
