"""Rows as JSON for pull pages: plain column values (ISO times, enum codes), plus the
children a client keeps inside its parent (a ticket's tags, contacts and followers; a
team's members and followers). Core selects, not ORM objects: pages stay fast."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, exists, select
from sqlalchemy.orm import Session

from core.models import (
    Attachment,
    SalesTeam,
    Stage,
    Team,
    TeamFollower,
    TeamMember,
    Ticket,
    TicketFollower,
    User,
    sales_team_members,
    ticket_contacts,
    ticket_tags,
)
from core.visibility import (
    visible_canned_replies_clause,
    visible_messages_clause,
    visible_teams_clause,
    visible_tickets_clause,
)
from sync.server.changelog import CLASSES, key_column

# never leaves the server
HIDDEN_COLUMNS = {"users": {"password_hash"}}


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def row_dict(
    row: Mapping[Any, Any], hidden: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    return {k: _json(v) for k, v in row.items() if k not in hidden}


def _attachments_clause(user: User) -> ColumnElement[bool]:
    return exists().where(Ticket.id == Attachment.ticket_id, visible_tickets_clause(user))


def _stages_clause(user: User) -> ColumnElement[bool]:
    return exists().where(Team.id == Stage.team_id, visible_teams_clause(user))


# the entities not everyone on the staff may receive, and the rule of each; a personal
# canned reply reaches its owner only, admins included (E2)
_CLAUSES: dict[str, Callable[[User], ColumnElement[bool]]] = {
    "ticket": visible_tickets_clause,
    "message": visible_messages_clause,
    "attachment": _attachments_clause,
    "team": visible_teams_clause,
    "stage": _stages_clause,
    "canned_reply": visible_canned_replies_clause,
}


def visibility_clause(entity: str, user: User) -> ColumnElement[bool] | None:
    """The rows of `entity` `user` may receive in pull and snapshot pages (None: all)."""
    rule = _CLAUSES.get(entity)
    return rule(user) if rule is not None else None


def load_rows(
    session: Session, entity: str, ids: Sequence[str], user: User
) -> dict[str, dict[str, Any]]:
    """The rows of `entity` among `ids` that `user` may see, keyed by id."""
    cls = CLASSES[entity]
    table: Table = cls.__table__
    key = key_column(cls)
    query = select(table).where(key.in_(ids))
    clause = visibility_clause(entity, user)
    if clause is not None:
        query = query.where(clause)
    hidden = HIDDEN_COLUMNS.get(table.name, set())
    rows = {str(r[key.name]): row_dict(r, hidden) for r in session.execute(query).mappings()}
    if rows and cls is Ticket:
        _ticket_children(session, rows)
    elif rows and cls is Team:
        _team_children(session, rows)
    elif rows and cls is SalesTeam:
        members = _grouped(
            session,
            select(sales_team_members.c.sales_team_id, sales_team_members.c.user_id).where(
                sales_team_members.c.sales_team_id.in_(rows)
            ),
        )
        for rid, row in rows.items():
            row["member_ids"] = sorted(m[0] for m in members.get(rid, []))
    return rows


def _grouped(session: Session, query: Any) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in session.execute(query):
        out[str(row[0])].append(tuple(row[1:]))
    return out


def _ticket_children(session: Session, rows: dict[str, dict[str, Any]]) -> None:
    ids = list(rows)
    tags = _grouped(
        session,
        select(ticket_tags.c.ticket_id, ticket_tags.c.tag_id).where(
            ticket_tags.c.ticket_id.in_(ids)
        ),
    )
    contacts = _grouped(
        session,
        select(ticket_contacts.c.ticket_id, ticket_contacts.c.contact_id).where(
            ticket_contacts.c.ticket_id.in_(ids)
        ),
    )
    followers = _grouped(
        session,
        select(TicketFollower.ticket_id, TicketFollower.user_id, TicketFollower.contact_id).where(
            TicketFollower.ticket_id.in_(ids)
        ),
    )
    for tid, row in rows.items():
        row["tag_ids"] = sorted(t[0] for t in tags.get(tid, []))
        row["contact_ids"] = sorted(c[0] for c in contacts.get(tid, []))
        row["followers"] = sorted(
            ({"user_id": u, "contact_id": c} for u, c in followers.get(tid, [])),
            key=lambda f: (f["user_id"] or "", f["contact_id"] or ""),
        )


def _team_children(session: Session, rows: dict[str, dict[str, Any]]) -> None:
    ids = list(rows)
    members = _grouped(
        session,
        select(TeamMember.team_id, TeamMember.user_id, TeamMember.assignable).where(
            TeamMember.team_id.in_(ids)
        ),
    )
    followers = _grouped(
        session,
        select(TeamFollower.team_id, TeamFollower.user_id, TeamFollower.contact_id).where(
            and_(TeamFollower.team_id.in_(ids))
        ),
    )
    for tid, row in rows.items():
        row["members"] = sorted(
            ({"user_id": u, "assignable": a} for u, a in members.get(tid, [])),
            key=lambda m: str(m["user_id"]),
        )
        row["followers"] = sorted(
            ({"user_id": u, "contact_id": c} for u, c in followers.get(tid, [])),
            key=lambda f: (f["user_id"] or "", f["contact_id"] or ""),
        )
