"""Reusable text for the composer: canned replies with their placeholders filled (E2) and
knowledge-base articles found and summarised for a reply (S8)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import CannedReply, Contact, KbArticle, TeamMember, Ticket, User
from core.search import search_kb_ids

# {name} placeholders a canned reply may hold; English and Persian names for each
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "customer_name": ("customer_name", "نام_مشتری"),
    "customer_email": ("customer_email", "ایمیل_مشتری"),
    "ticket_number": ("ticket_number", "شماره_تیکت"),
    "ticket_title": ("ticket_title", "عنوان_تیکت"),
    "agent_name": ("agent_name", "نام_کارشناس"),
}
_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")
SUMMARY_CHARS = 280


@dataclass(frozen=True)
class CannedChoice:
    id: str
    title: str
    shortcut: str | None
    body: str


@dataclass(frozen=True)
class KbHit:
    id: str
    title: str
    summary: str


def canned_replies(session: Session, user_id: str | None) -> list[CannedChoice]:
    """The canned replies this agent may use (everyone's, their teams', their own), by
    title (E2)."""
    query = select(CannedReply).order_by(CannedReply.title, CannedReply.id)
    if user_id is not None:
        my_teams = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
        query = query.where(
            or_(CannedReply.owner_id.is_(None), CannedReply.owner_id == user_id),
            or_(CannedReply.team_id.is_(None), CannedReply.team_id.in_(my_teams)),
        )
    return [CannedChoice(c.id, c.title, c.shortcut, c.body) for c in session.scalars(query)]


def placeholder_values(
    session: Session, ticket_id: str, user_id: str | None, *, pending: str = ""
) -> dict[str, str]:
    """What each placeholder stands for on this ticket; `pending` names a ticket the
    server has not numbered yet."""
    ticket = session.get(Ticket, ticket_id)
    values = dict.fromkeys(PLACEHOLDERS, "")
    if ticket is not None:
        contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
        values["customer_name"] = (contact.name if contact else "") or ticket.contact_email
        values["customer_email"] = ticket.contact_email
        values["ticket_number"] = str(ticket.number) if ticket.number is not None else pending
        values["ticket_title"] = ticket.title
    agent = session.get(User, user_id) if user_id else None
    if agent is not None:
        values["agent_name"] = agent.display_name
    return values


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with every known `{placeholder}` (English or Persian name) replaced; unknown
    braces are left as written, so a reply about `{json}` survives."""
    names = {alias: key for key, aliases in PLACEHOLDERS.items() for alias in aliases}

    def replace(match: re.Match[str]) -> str:
        key = names.get(match.group(1))
        return values.get(key, match.group(0)) if key else match.group(0)

    return _PLACEHOLDER.sub(replace, text)


def _summary(body: str) -> str:
    first = next((p.strip() for p in body.split("\n\n") if p.strip()), "")
    if len(first) <= SUMMARY_CHARS:
        return first
    cut = first[:SUMMARY_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def search_kb(session: Session, query: str, *, limit: int = 20) -> list[KbHit]:
    """Published articles matching `query` (Persian-aware, E6/S8), best first; an empty
    query lists the newest published ones."""
    if query.strip():
        ids = search_kb_ids(session, query, limit=limit)
        found = {a.id: a for a in session.scalars(select(KbArticle).where(KbArticle.id.in_(ids)))}
        articles = [found[i] for i in ids if i in found]
    else:
        articles = list(
            session.scalars(
                select(KbArticle)
                .where(KbArticle.published.is_(True))
                .order_by(KbArticle.updated_at.desc())
                .limit(limit)
            )
        )
    return [KbHit(a.id, a.title, _summary(a.body)) for a in articles]


def kb_insert_text(hit: KbHit, *, reference: str) -> str:
    """The text a KB article puts into a reply: its title, a short summary and a
    reference the customer can quote (`reference` is translated by the caller)."""
    return f"{hit.title}\n{hit.summary}\n{reference}: KB-{hit.id[-8:]}"
