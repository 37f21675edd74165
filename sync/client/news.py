"""What a sync brought that the agent should hear about (E5): new tickets and customer
replies in the agent's own queues (mine, my teams, followed), never the agent's own work.

"New" is measured against marks taken before: the highest change number and the highest
ticket number the cache held. The server numbers tickets in the order they reach it, so a
ticket numbered above the mark is one the agent has not seen, whoever made it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.enums import MessageKind
from core.models import Message, Ticket
from core.queues import QueueKind, QueueQuery, ids_select

MY_QUEUES = (QueueKind.MINE, QueueKind.MY_TEAMS, QueueKind.FOLLOWED)


@dataclass(frozen=True)
class Marks:
    """How far the agent has been told: change number and ticket number."""

    seq: int = 0
    number: int = 0


@dataclass(frozen=True)
class NewsItem:
    kind: Literal["ticket", "reply"]
    ticket_id: str
    number: int | None
    title: str


def current_marks(session: Session) -> Marks:
    seq = max(
        session.scalar(select(func.max(Ticket.updated_seq))) or 0,
        session.scalar(select(func.max(Message.updated_seq))) or 0,
    )
    return Marks(seq=int(seq), number=int(session.scalar(select(func.max(Ticket.number))) or 0))


def _in_my_queues(session: Session, user_id: str, *extra: object) -> list[str]:
    found: dict[str, None] = {}
    for kind in MY_QUEUES:
        query = QueueQuery(kind=kind, user_id=user_id, extra=extra)  # type: ignore[arg-type]
        found.update(dict.fromkeys(session.scalars(ids_select(query))))
    return list(found)


def news_since(session: Session, marks: Marks, user_id: str) -> tuple[list[NewsItem], Marks]:
    """New tickets and customer replies in the agent's queues since `marks`, and the
    marks to use next time."""
    now = current_marks(session)
    if now.seq < marks.seq or now.number < marks.number:
        return [], now  # the cache was rebuilt from a fresh snapshot: start again from here
    new_ids = _in_my_queues(
        session,
        user_id,
        Ticket.number > marks.number,
        or_(Ticket.created_by_id.is_(None), Ticket.created_by_id != user_id),
    )
    replied = select(Message.ticket_id).where(
        Message.updated_seq > marks.seq, Message.kind == MessageKind.CUSTOMER_REPLY
    )
    reply_ids = [
        i for i in _in_my_queues(session, user_id, Ticket.id.in_(replied)) if i not in new_ids
    ]
    items: list[NewsItem] = []
    for kind, ids in (("ticket", new_ids), ("reply", reply_ids)):
        if not ids:
            continue
        rows = session.execute(
            select(Ticket.id, Ticket.number, Ticket.title)
            .where(Ticket.id.in_(ids))
            .order_by(Ticket.number)
        )
        items += [NewsItem(kind, i, n, t) for i, n, t in rows]  # type: ignore[arg-type]
    return items, now
