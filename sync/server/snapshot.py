"""The bootstrap snapshot (`GET /sync/snapshot`): a user's visible rows as column lists,
in key order, page by page, for a client with an empty cache.

Why not a pull from cursor zero: a pull page names each row in the change log, loads it
by id, turns it into a dict and into a pydantic model, and the client turns it back into
a tuple; for 100,000 tickets that is most of a minute. A snapshot page is one ordered
SELECT per table whose values are already in the cache's storage form (times as the
`UTCDateTime` text SQLite keeps, JSON as its text, `updated_seq` as a literal), sent as
lists and inserted by the client with plain `executemany`.

Consistency without a pinned read: every page carries the change number read *before*
its rows (`seq`) and stamps it as each row's `updated_seq`. A change committed later has
a larger number, so the pull that follows the bootstrap (from the first page's cursor)
brings it and "apply only if newer" takes it; a change the page already shows is skipped
or harmlessly applied again.

Messages of tickets that are neither open nor touched within `recent_days` do not come
with their ticket pages: the client loads them after the first sync (`entity=message`
pages, by ticket id range), so an agent works after the headers and recent
conversations are in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Enum,
    Integer,
    Select,
    String,
    Table,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from core.models import (
    Attachment,
    Message,
    SalesTeam,
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
from sync.server.changelog import CLASSES, key_column
from sync.server.serialize import HIDDEN_COLUMNS, visibility_clause

MESSAGE = "message"
# entities a bootstrap walks, in order (parents first); attachments and recent messages
# come with their tickets, the other messages after the bootstrap
ENTITIES: tuple[str, ...] = tuple(e for e in CLASSES if e not in (MESSAGE, "attachment"))
_PG_TIME = "YYYY-MM-DD HH24:MI:SS.US"


@dataclass
class TableRows:
    table: str
    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass
class Page:
    """One snapshot page: rows of one entity (and what travels with them) after `after`."""

    seq: int
    next: str | None
    cursor: str = ""
    tables: list[TableRows] = field(default_factory=list)
    total: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "cursor": self.cursor,
            "next": self.next,
            "total": self.total,
            "tables": [
                {"table": t.table, "columns": t.columns, "rows": t.rows} for t in self.tables
            ],
        }


def _stored(col: Any, dialect: str) -> ColumnElement[Any]:
    """A column as the cache stores it, computed by the database, not by Python: on
    SQLite the stored text as is (no datetime, JSON or enum processing), on PostgreSQL
    cast to the same text."""
    impl = getattr(col.type, "impl", col.type)
    sqlite = dialect == "sqlite"
    if isinstance(impl, DateTime):
        if sqlite:
            return type_coerce(col, String).label(col.name)
        return func.to_char(col, _PG_TIME).label(col.name)
    if isinstance(impl, Date | JSON):
        return (type_coerce(col, String) if sqlite else cast(col, String)).label(col.name)
    if isinstance(impl, Enum):
        return type_coerce(col, String).label(col.name)
    if isinstance(impl, Boolean) and sqlite:
        return type_coerce(col, Integer).label(col.name)
    column: ColumnElement[Any] = col
    return column


def _columns(table: Table, seq: int, dialect: str) -> tuple[list[str], list[ColumnElement[Any]]]:
    hidden = HIDDEN_COLUMNS.get(table.name, set())
    names: list[str] = []
    exprs: list[ColumnElement[Any]] = []
    for col in table.columns:
        if col.name in hidden:
            continue
        names.append(col.name)
        if col.name == "updated_seq":
            exprs.append(literal(seq, Integer).label("updated_seq"))
        else:
            exprs.append(_stored(col, dialect))
    return names, exprs


def _rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(query)]


def _table_rows(
    session: Session, table: Table, seq: int, where: list[ColumnElement[bool]], order: Any
) -> TableRows:
    names, exprs = _columns(table, seq, _dialect(session))
    query = select(*exprs).select_from(table).where(*where).order_by(order)
    return TableRows(table.name, names, _rows(session, query))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _key(entity: str) -> ColumnClause[Any]:
    column: ColumnClause[Any] = key_column(CLASSES[entity])
    return column


def _keys(
    session: Session, entity: str, user: User, after: str, limit: int
) -> tuple[list[str], bool]:
    """The next `limit` keys of `entity` after `after` that `user` may see."""
    key = _key(entity)
    query = select(key).where(key > after).order_by(key).limit(limit + 1)
    clause = visibility_clause(entity, user)
    if clause is not None:
        query = query.where(clause)
    keys = [str(k) for k in session.scalars(query)]
    return keys[:limit], len(keys) > limit


def count_visible(session: Session, entity: str, user: User) -> int:
    table: Table = CLASSES[entity].__table__
    query = select(func.count()).select_from(table)
    clause = visibility_clause(entity, user)
    if clause is not None:
        query = query.where(clause)
    return int(session.scalar(query) or 0)


def entity_page(
    session: Session,
    entity: str,
    user: User,
    *,
    after: str,
    limit: int,
    seq: int,
    recent_since: datetime | None,
) -> Page:
    """Rows of `entity` after key `after` that `user` may see: at most `limit` of them,
    in key order, with what the client keeps beside them (a ticket's tags, contacts,
    followers, attachments and, when it is open or changed since `recent_since`, its
    messages; a team's members and followers; a sales team's members)."""
    keys, more = _keys(session, entity, user, after, limit)
    page = Page(seq=seq, next=keys[-1] if more and keys else None)
    if not keys:
        return page
    cls = CLASSES[entity]
    table: Table = cls.__table__
    key = _key(entity)
    in_range = [key > after, key <= keys[-1]]
    clause = visibility_clause(entity, user)
    where = [*in_range, clause] if clause is not None else in_range
    page.tables.append(_table_rows(session, table, seq, where, key))
    if cls is Ticket:
        _ticket_children(session, page, user, after=after, last=keys[-1], recent_since=recent_since)
    elif cls is Team:
        _team_children(session, page, user, after, keys[-1])
    elif cls is SalesTeam:
        members = select(sales_team_members.c.sales_team_id, sales_team_members.c.user_id).where(
            sales_team_members.c.sales_team_id > after,
            sales_team_members.c.sales_team_id <= keys[-1],
        )
        page.tables.append(
            TableRows("sales_team_members", ["sales_team_id", "user_id"], _rows(session, members))
        )
    return page


def _ticket_children(
    session: Session,
    page: Page,
    user: User,
    *,
    after: str,
    last: str,
    recent_since: datetime | None,
) -> None:
    visible = visibility_clause("ticket", user)
    assert visible is not None

    def of_visible(column: Any) -> list[ColumnElement[bool]]:
        return [
            column > after,
            column <= last,
            column.in_(select(Ticket.id).where(Ticket.id > after, Ticket.id <= last, visible)),
        ]

    for table, names in (
        (ticket_tags, ["ticket_id", "tag_id"]),
        (ticket_contacts, ["ticket_id", "contact_id"]),
    ):
        query = select(*(table.c[n] for n in names)).where(*of_visible(table.c.ticket_id))
        page.tables.append(TableRows(table.name, names, _rows(session, query)))
    followers = select(TicketFollower.ticket_id, TicketFollower.user_id, TicketFollower.contact_id)
    page.tables.append(
        TableRows(
            "ticket_followers",
            ["ticket_id", "user_id", "contact_id"],
            _rows(session, followers.where(*of_visible(TicketFollower.ticket_id))),
        )
    )
    attachments: Table = Attachment.__table__  # type: ignore[assignment]
    page.tables.append(
        _table_rows(
            session,
            attachments,
            page.seq,
            of_visible(attachments.c.ticket_id),
            attachments.c.id,
        )
    )
    if recent_since is not None:
        recent = select(Ticket.id).where(
            Ticket.id > after,
            Ticket.id <= last,
            visible,
            or_(Ticket.closed_at.is_(None), Ticket.updated_at >= recent_since),
        )
        page.tables.append(
            _messages(session, user, seq=page.seq, after=after, last=last, tickets=recent)
        )


def _messages(
    session: Session, user: User, *, seq: int, after: str, last: str, tickets: Select[Any]
) -> TableRows:
    messages: Table = Message.__table__  # type: ignore[assignment]
    clause = visibility_clause(MESSAGE, user)
    where = [
        messages.c.ticket_id > after,
        messages.c.ticket_id <= last,
        messages.c.ticket_id.in_(tickets),
    ]
    if clause is not None:
        where.append(clause)
    return _table_rows(session, messages, seq, where, messages.c.id)


def message_page(session: Session, user: User, *, after: str, limit: int, seq: int) -> Page:
    """Every message `user` may see of the next `limit` visible tickets after ticket id
    `after`: what a client loads after its bootstrap (it keeps the ones it has)."""
    keys, more = _keys(session, "ticket", user, after, limit)
    page = Page(seq=seq, next=keys[-1] if more and keys else None)
    if keys:
        visible = visibility_clause("ticket", user)
        assert visible is not None
        tickets = select(Ticket.id).where(Ticket.id > after, Ticket.id <= keys[-1], visible)
        page.tables.append(
            _messages(session, user, seq=seq, after=after, last=keys[-1], tickets=tickets)
        )
    return page


def _team_children(session: Session, page: Page, user: User, after: str, last: str) -> None:
    visible = visibility_clause("team", user)
    assert visible is not None
    teams = select(Team.id).where(Team.id > after, Team.id <= last, visible)
    assignable = _stored(TeamMember.assignable, _dialect(session))
    members = select(TeamMember.team_id, TeamMember.user_id, assignable).where(
        TeamMember.team_id.in_(teams)
    )
    page.tables.append(
        TableRows("team_members", ["team_id", "user_id", "assignable"], _rows(session, members))
    )
    followers = select(TeamFollower.team_id, TeamFollower.user_id, TeamFollower.contact_id).where(
        TeamFollower.team_id.in_(teams)
    )
    page.tables.append(
        TableRows("team_followers", ["team_id", "user_id", "contact_id"], _rows(session, followers))
    )
