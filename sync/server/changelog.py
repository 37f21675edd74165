"""The change log: every committed change of a synced row gets a number, written in the
same transaction by session hooks, so every source (REST, push, mail, portal, rules)
logs alike without remembering to.

Numbers come from the `changes` counter row, updated just before commit: its row lock
holds every other writer back until this transaction commits, so number order is commit
order and a pull cursor can never step over a change that commits late. One row per
entity in `changes` keeps the log compact; a pull from zero is a snapshot.

When who-may-see-what moves (a ticket's team, assignee or followers; a private team's
members or any team's visibility), the affected tickets and their messages are logged
again, so each agent's next pull sends them, or a `leave_scope` for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    null,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from core.enums import Visibility
from core.ids import new_id
from core.models import (
    Attachment,
    Change,
    Message,
    Setting,
    SyncCounter,
    Synced,
    Team,
    TeamFollower,
    TeamMember,
    Ticket,
    TicketFollower,
)
from sync.entities import ENTITY_CLASSES

COUNTER = "changes"
EPOCH = "epoch"
PURGED_BELOW = "purged_below"
NOTIFY_CHANNEL = "helpdesk_changes"

# entity name of every synced class, in the order a page should apply them (parents
# first within one transaction's numbers)
ENTITIES: dict[type[Any], str] = {cls: name for name, cls in ENTITY_CLASSES.items()}
CLASSES: dict[str, type[Any]] = {name: cls for cls, name in ENTITIES.items()}
_RANK = {name: i for i, name in enumerate(ENTITIES.values())}
_INFO = "hd_changelog"

Listener = Callable[[int], None]


@dataclass
class _Pending:
    """What one transaction changed so far; turned into log rows at commit."""

    ops: dict[tuple[str, str], tuple[str, str | None]] = field(default_factory=dict)
    # rows whose version the domain stepped (or that are new) in this transaction
    stepped: set[tuple[str, str]] = field(default_factory=set)
    # rows changed without a step: stepped once, at commit
    to_step: dict[tuple[str, str], Any] = field(default_factory=dict)
    relog_tickets: set[str] = field(default_factory=set)
    relog_teams: set[str] = field(default_factory=set)
    committed_seq: int | None = None


def _pending(session: Session) -> _Pending:
    state = session.info.get(_INFO)
    if state is None:
        state = session.info[_INFO] = _Pending()
    return state


def key_column(cls: type[Any]) -> Any:
    """The column a synced class's rows are named by in the log (settings: their key)."""
    table = cls.__table__
    return table.c.key if cls is Setting else table.c.id


def entity_key(obj: Any) -> str:
    return str(obj.key if isinstance(obj, Setting) else obj.id)


def _changed(obj: Any, attr: str) -> bool:
    return bool(inspect(obj).attrs[attr].history.has_changes())


def _bump(state: _Pending, obj: Any, key: tuple[str, str], *, new: bool = False) -> None:
    """Note that the row needs one version step this transaction, unless the domain
    stepped it (or it is new). The step itself is one UPDATE per table at commit, not
    an extra flush of every row each time a child changes."""
    if not isinstance(obj, Synced | Setting):
        return
    if new or _changed(obj, "version"):
        state.stepped.add(key)
        state.to_step.pop(key, None)
    elif key not in state.stepped:
        state.to_step[key] = obj


def _note(session: Session, state: _Pending, obj: Any, op: str, *, new: bool) -> None:
    cls = type(obj)
    name = ENTITIES.get(cls)
    if name is not None:
        if new and isinstance(obj, Synced) and getattr(obj, "id", None) is None:
            obj.id = new_id()  # the column default would come too late to log it
        key = (name, entity_key(obj))
        ticket_id = getattr(obj, "ticket_id", None) if name in ("message", "attachment") else None
        if op == "delete" or state.ops.get(key, ("",))[0] != "delete":
            state.ops[key] = (op, ticket_id)
        if op == "upsert":
            _bump(state, obj, key, new=new)
        if op == "upsert" and not new:
            if isinstance(obj, Ticket) and (
                _changed(obj, "team_id")
                or (_changed(obj, "assignee_id") and _in_private_team(session, obj))
            ):
                state.relog_tickets.add(obj.id)
            if isinstance(obj, Message) and _changed(obj, "ticket_id"):
                state.relog_tickets.add(obj.ticket_id)
            if isinstance(obj, Team) and _changed(obj, "visibility"):
                state.relog_teams.add(obj.id)
        return
    if cls is TicketFollower:
        ticket = _touch(session, state, Ticket, obj.ticket_id)
        # following lets staff see a private team's ticket; elsewhere they saw it already,
        # and customers do not sync
        if obj.user_id is not None and ticket is not None and _in_private_team(session, ticket):
            state.relog_tickets.add(obj.ticket_id)
    elif cls in (TeamMember, TeamFollower):
        team = _touch(session, state, Team, obj.team_id)
        if cls is TeamMember and team is not None and team.visibility is Visibility.PRIVATE:
            state.relog_teams.add(obj.team_id)


def _in_private_team(session: Session, ticket: Ticket) -> bool:
    if ticket.team_id is None:
        return False
    team = session.get(Team, ticket.team_id)
    return team is not None and team.visibility is Visibility.PRIVATE


def _touch(session: Session, state: _Pending, cls: type[Any], ident: str | None) -> Any:
    """Log a parent whose embedded children (followers, members) changed."""
    if ident is None:
        return None
    parent = session.get(cls, ident)
    if parent is None or parent in session.deleted:
        return parent
    key = (ENTITIES[cls], ident)
    state.ops.setdefault(key, ("upsert", None))
    _bump(state, parent, key)
    return parent


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    state = _pending(session)
    with session.no_autoflush:
        for obj in list(session.new):
            _note(session, state, obj, "upsert", new=True)
        for obj in list(session.dirty):
            if session.is_modified(obj, include_collections=True):
                _note(session, state, obj, "upsert", new=False)
        for obj in list(session.deleted):
            _note(session, state, obj, "delete", new=False)


def mark_changed(session: Session, entity: str, ids: Iterable[str]) -> None:
    """Log rows changed by bulk statements, which bypass the session's hooks."""
    state = _pending(session)
    for ident in ids:
        state.ops.setdefault((entity, ident), ("upsert", None))


def relog_ticket(session: Session, ticket_id: str) -> None:
    """Log a ticket and its conversation again (after a merge moved messages, say)."""
    state = _pending(session)
    state.ops.setdefault(("ticket", ticket_id), ("upsert", None))
    state.relog_tickets.add(ticket_id)


def _expand_relogs(session: Session, state: _Pending) -> None:
    if state.relog_teams:
        team_tickets = session.scalars(
            select(Ticket.id).where(Ticket.team_id.in_(state.relog_teams))
        ).all()
        for tid in team_tickets:
            state.ops.setdefault(("ticket", tid), ("upsert", None))
        state.relog_tickets.update(team_tickets)
    if not state.relog_tickets:
        return
    ids = list(state.relog_tickets)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for mid, tid in session.execute(
            select(Message.id, Message.ticket_id).where(Message.ticket_id.in_(chunk))
        ):
            state.ops.setdefault(("message", mid), ("upsert", tid))
        for aid, tid in session.execute(
            select(Attachment.id, Attachment.ticket_id).where(Attachment.ticket_id.in_(chunk))
        ):
            state.ops.setdefault(("attachment", aid), ("upsert", tid))


def _step_versions(session: Session, state: _Pending) -> None:
    """One version step for rows changed only through their children (followers,
    members) or by rules that did not step it, one UPDATE ... RETURNING per table; the
    objects in the session learn the new version without becoming dirty."""
    by_class: dict[type[Any], dict[str, Any]] = {}
    for (name, ident), obj in state.to_step.items():
        if (name, ident) not in state.stepped and obj not in session.deleted:
            by_class.setdefault(CLASSES[name], {})[ident] = obj
    for cls, objects in by_class.items():
        table = cls.__table__
        key = key_column(cls)
        stepped = session.execute(
            update(table)
            .where(key.in_(list(objects)))
            .values(version=table.c.version + 1, updated_at=table.c.updated_at)
            .returning(key, table.c.version)
        ).all()
        for ident, version in stepped:
            set_committed_value(objects[str(ident)], "version", version)
    state.stepped.update(state.to_step)
    state.to_step.clear()


def take_numbers(session: Session, count: int) -> int:
    """Reserve `count` change numbers; returns the highest. Holds the counter row's lock
    until the transaction ends."""
    top = session.execute(
        update(SyncCounter)
        .where(SyncCounter.name == COUNTER)
        .values(value=SyncCounter.value + count)
        .returning(SyncCounter.value)
    ).scalar_one_or_none()
    if top is None:
        raise RuntimeError("The change counter is missing: run `helpdesk-server migrate`.")
    return int(top)


def _upsert_changes(session: Session, rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Change)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Change.entity, Change.entity_id],
        set_={
            "seq": stmt.excluded.seq,
            "op": stmt.excluded.op,
            "ticket_id": stmt.excluded.ticket_id,
        },
    )
    for start in range(0, len(rows), 1000):
        session.execute(stmt, rows[start : start + 1000])


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the numbers are taken once, by the real commit
    session.flush()
    state = _pending(session)
    if not state.ops:
        return
    _step_versions(session, state)
    _expand_relogs(session, state)
    keys = sorted(state.ops, key=lambda k: _RANK.get(k[0], 99))
    top = take_numbers(session, len(keys))
    base = top - len(keys) + 1
    rows = []
    for offset, key in enumerate(keys):
        op, ticket_id = state.ops[key]
        rows.append(
            {
                "entity": key[0],
                "entity_id": key[1],
                "seq": base + offset,
                "op": op,
                "ticket_id": ticket_id,
            }
        )
    _upsert_changes(session, rows)
    if session.get_bind().dialect.name == "postgresql":
        # delivered to every LISTENing process when, and only if, this commits
        session.execute(text("SELECT pg_notify(:c, :s)"), {"c": NOTIFY_CHANNEL, "s": str(top)})
    state.ops.clear()
    state.committed_seq = top


def install(factory: sessionmaker[Session], on_commit: Listener | None = None) -> None:
    """Attach the change log to every session `factory` makes; `on_commit(seq)` hears
    the highest number after each commit that logged something."""

    def after_commit(session: Session) -> None:
        state = session.info.pop(_INFO, None)
        if state is not None and state.committed_seq is not None and on_commit is not None:
            on_commit(state.committed_seq)

    def after_rollback(session: Session) -> None:
        session.info.pop(_INFO, None)

    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_soft_rollback", lambda s, _t: after_rollback(s))


def current_seq(session: Session) -> int:
    return int(session.scalar(select(SyncCounter.value).where(SyncCounter.name == COUNTER)) or 0)


def epoch(session: Session) -> int:
    return int(session.scalar(select(SyncCounter.value).where(SyncCounter.name == EPOCH)) or 0)


def purged_below(session: Session) -> int:
    return int(
        session.scalar(select(SyncCounter.value).where(SyncCounter.name == PURGED_BELOW)) or 0
    )


def relog_all(session: Session) -> int:
    """Log every row again, for data loaded by bulk writers (demo data, imports) that
    bypass the session hooks. Returns the highest number. The caller commits."""
    top = current_seq(session)
    for cls, name in ENTITIES.items():
        table = cls.__table__
        key = key_column(cls)
        count = int(session.scalar(select(func.count()).select_from(table)) or 0)
        session.execute(delete(Change).where(Change.entity == name))
        if count == 0:
            continue
        top = take_numbers(session, count)
        base = top - count
        ticket_col = table.c.ticket_id if name in ("message", "attachment") else null()
        rows = select(
            literal(name),
            key,
            literal(base) + func.row_number().over(order_by=key),
            literal("upsert"),
            ticket_col,
        )
        session.execute(
            insert(Change).from_select(["entity", "entity_id", "seq", "op", "ticket_id"], rows)
        )
    return top
