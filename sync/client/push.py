"""The outbox side of push, on a raw connection: read pending intents in order as wire
mutations, and write the server's answers back (numbers, rejections, conflicts).

A refused intent that had changed ticket fields in the cache leaves the agent's values
there while the server keeps its own; nothing in the pull brings the server's row back
until someone changes that ticket again. So every such refusal is queued (`state.REFETCH`,
in the same transaction as the refusal) for the engine to fetch the ticket and put the
server's values back (`restore_refused`), recording a conflict with the agent's value.

A refused merge, undo of a merge or conversion to a lead (`RESHAPING`) had moved
messages, attachments and followers between tickets, or made a lead, in the cache. Its
queued item names every ticket it touched (`tickets`) and the rows it made (`leads`,
`contacts`); the engine fetches those tickets whole as the server holds them
(`POST /sync/entities`, asked for by `current_request`) and `restore_current` writes
them over the cache and deletes the rows the server does not have (unless a pending
intent makes them)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError as PydanticError

from core.ids import utcnow
from core.local_edits import ATTACH_INTENT
from core.models.base import sql_time
from sync.client import state
from sync.client.apply import apply_current, drop_rows, intent_changes, page_transaction
from sync.client.entities import ENTITY_TABLES
from sync.protocol import ChangeOut, Mutation, MutationResult

# intents that move rows between tickets or make rows of their own in the cache
RESHAPING = ("ticket.merge", "ticket.unmerge", "ticket.convert_to_lead")
# what `POST /sync/entities` is asked for, by entity
_REQUEST_KEYS = {
    "ticket": "ticket_ids",
    "message": "message_ids",
    "attachment": "attachment_ids",
    "lead": "lead_ids",
    "contact": "contact_ids",
}
# payload keys of intents that name rows they make in the cache
_MADE_IDS = ("lead_id", "new_contact_id", "event_id")


@dataclass
class Pending:
    """One pending outbox row and the wire mutation it becomes."""

    seq: int
    ticket_id: str | None
    mutation: Mutation


@dataclass
class PushOutcome:
    applied: int = 0
    rejected: int = 0
    replayed: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    # refused intents queued for `restore_refused`
    refused: list[dict[str, Any]] = field(default_factory=list)


def read_pending(conn: sqlite3.Connection, limit: int) -> list[Pending]:
    """The oldest pending intents, in `seq` order, numbered for the wire. An intent that
    is not a valid mutation (a bug that wrote it) is rejected here, never sent, so it
    cannot block the queue; the batch ends before it unless it is first."""
    while True:
        offset = state.seq_offset(conn)
        rows = conn.execute(
            "SELECT seq, mutation_id, name, entity_id, ticket_id, payload, base_version "
            "FROM outbox WHERE state IS NULL ORDER BY seq LIMIT ?",
            (limit,),
        ).fetchall()
        out: list[Pending] = []
        for seq, mutation_id, name, entity_id, ticket_id, payload, base_version in rows:
            try:
                loaded = json.loads(payload) if isinstance(payload, str) else payload
                mutation = Mutation(
                    seq=seq - offset,
                    id=mutation_id,
                    name=name,
                    entity_id=entity_id,
                    base_version=base_version,
                    payload=loaded or {},
                )
            except (ValueError, TypeError) as exc:
                if out:
                    return out
                reason = f"This change could not be sent: {_describe(exc)}"
                reject_unsent(conn, seq, reason)
                break
            out.append(Pending(seq=seq, ticket_id=ticket_id, mutation=mutation))
        else:
            return out


def _describe(exc: Exception) -> str:
    if isinstance(exc, PydanticError) and exc.errors():
        first = exc.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(exc)


def count_pending(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox WHERE state IS NULL").fetchone()[0])


def _write_back(conn: sqlite3.Connection, item: Pending, result: MutationResult) -> None:
    """What the server now holds, into the cached row: a new ticket's number, and the
    current value of each contested field the server refused."""
    m = item.mutation
    number = result.result.get("number")
    if m.name == "ticket.create" and isinstance(number, int):
        conn.execute("UPDATE tickets SET number = ? WHERE id = ?", (number, m.entity_id))
    meta = ENTITY_TABLES["ticket"]
    for conflict in result.conflicts:
        column = conflict.get("field")
        if m.name.startswith("ticket.") and column in meta.columns:
            conn.execute(
                f"UPDATE tickets SET {column} = ? WHERE id = ?",
                (meta.to_sql(column, conflict.get("current")), m.entity_id),
            )


def _local_fields(item: Pending) -> dict[str, Any]:
    """The ticket columns this intent changed in the cache (its "mine" values)."""
    return _changed_fields(item.mutation.name, item.mutation.payload)


def _changed_fields(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    columns = ENTITY_TABLES["ticket"].columns
    changes = intent_changes(name, payload)
    return {k: v for k, v in changes.items() if k in columns and k not in ("id", "updated_seq")}


def _ids(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def refusal(
    name: str,
    entity_id: str,
    mutation_id: str,
    payload: dict[str, Any],
    *,
    code: str | None,
    reason: str,
    at: str,
) -> dict[str, Any] | None:
    """The `state.REFETCH` item for a refused intent, or None when it changed nothing
    in the cache that the server must put back (a reply, a file: forgotten otherwise)."""
    fields = _changed_fields(name, payload)
    if not fields and name not in RESHAPING:
        return None
    entry: dict[str, Any] = {
        "ticket_id": entity_id,
        "mutation_id": mutation_id,
        "fields": fields,
        "code": code,
        "reason": reason,
        "at": at,
    }
    if name in RESHAPING:
        entry["name"] = name
        entry["tickets"] = list(dict.fromkeys([entity_id, *_ids(payload.get("merge_ids"))]))
        entry["merge_ids"] = _ids(payload.get("merge_ids"))
        entry["leads"] = _ids([payload.get("lead_id")])
        entry["contacts"] = _ids([payload.get("new_contact_id")])
    return entry


def current_request(conn: sqlite3.Connection, refused: dict[str, Any]) -> dict[str, list[str]]:
    """The body of `POST /sync/entities` for a queued reshaping refusal: its tickets,
    every message, attachment and lead the cache holds on them, and the rows it made."""
    tickets = _ids(refused.get("tickets"))
    marks = ",".join("?" * len(tickets))
    body: dict[str, list[str]] = {"ticket_ids": tickets}
    for entity in ("message", "attachment", "lead"):
        held = [
            str(r[0])
            for r in conn.execute(
                f"SELECT id FROM {ENTITY_TABLES[entity].table} WHERE ticket_id IN ({marks}) "
                "ORDER BY id",
                tickets,
            )
        ]
        body[_REQUEST_KEYS[entity]] = held
    body["lead_ids"] = sorted(set(body["lead_ids"]) | set(_ids(refused.get("leads"))))
    body["contact_ids"] = _ids(refused.get("contacts"))
    return body


def restore_current(
    conn: sqlite3.Connection,
    refused: dict[str, Any],
    request: dict[str, list[str]],
    changes: list[ChangeOut],
) -> list[dict[str, Any]]:
    """The server's rows of a reshaping refusal's tickets (`changes`, answering
    `request`) written over the cache; every row asked for that the server did not send
    is deleted, unless a pending intent makes it; the cache's own merge log follows
    (a refused merge's entry goes, a refused undo's merge stands again). One transaction
    with the item's removal from the queue; returns the conflicts recorded."""
    with page_transaction(conn):
        apply_current(conn, changes)
        sent = {(c.entity, c.id) for c in changes if c.op == "upsert"}
        made = _pending_ids(conn)
        for entity, key in _REQUEST_KEYS.items():
            gone = [i for i in request.get(key, []) if (entity, i) not in sent and i not in made]
            drop_rows(conn, entity, gone)
        _restore_merge_log(conn, refused)
        ticket_id = str(refused["ticket_id"])
        row = next((c.data for c in changes if c.entity == "ticket" and c.id == ticket_id), None)
        recorded = _conflicts(refused, row)
        state.add_conflicts(conn, recorded)
        state.drop_refetch(conn, str(refused.get("mutation_id")))
    return recorded


def _pending_ids(conn: sqlite3.Connection) -> set[str]:
    """Ids of rows pending intents make or act on (kept though the server lacks them)."""
    out: set[str] = set()
    for entity_id, payload in conn.execute(
        "SELECT entity_id, payload FROM outbox WHERE state IS NULL"
    ):
        out.add(str(entity_id))
        loaded = json.loads(payload) if isinstance(payload, str) else payload
        if isinstance(loaded, dict):
            out.update(str(loaded[k]) for k in _MADE_IDS if isinstance(loaded.get(k), str))
    return out


def _restore_merge_log(conn: sqlite3.Connection, refused: dict[str, Any]) -> None:
    """The cache's merge log (what "Undo merge" offers) as if the refused intent had
    never run: a refused merge's entry is deleted; a refused undo's merge stands again."""
    name = refused.get("name")
    if name not in ("ticket.merge", "ticket.unmerge"):
        return
    undone = "IS NOT NULL" if name == "ticket.unmerge" else "IS NULL"
    order = "undone_at DESC" if name == "ticket.unmerge" else "created_at DESC"
    merged = set(_ids(refused.get("merge_ids")))
    for log_id, raw in conn.execute(
        f"SELECT id, merged_ids FROM merge_log WHERE kept_id = ? AND undone_at {undone} "
        f"ORDER BY {order}, id DESC",
        (str(refused["ticket_id"]),),
    ).fetchall():
        loaded = json.loads(raw) if isinstance(raw, str) else raw
        if set(_ids(loaded)) == merged:
            if name == "ticket.merge":
                conn.execute("DELETE FROM merge_log WHERE id = ?", (log_id,))
            else:
                conn.execute("UPDATE merge_log SET undone_at = NULL WHERE id = ?", (log_id,))
            return


def _conflicts(refused: dict[str, Any], server_row: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A refusal for a conflict, per field the agent set that the server holds otherwise:
    the server's value as "current", the agent's as "mine"."""
    if server_row is None or refused.get("code") != "conflict":
        return []
    mine: dict[str, Any] = dict(refused.get("fields") or {})
    return [
        {
            "ticket_id": str(refused["ticket_id"]),
            "mutation_id": refused.get("mutation_id"),
            "field": name,
            "current": server_row.get(name),
            "mine": value,
            "message": refused.get("reason"),
            "at": refused.get("at"),
        }
        for name, value in mine.items()
        if name in server_row and server_row.get(name) != value
    ]


def restore_refused(
    conn: sqlite3.Connection, refused: dict[str, Any], server_row: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Put the server's values (`server_row`, as GET /tickets/{id} answers; None when the
    ticket is gone from sight) back into the fields a refused intent had changed, except
    those a still pending intent sets; a refusal for a conflict is recorded per field with
    the agent's value kept as "mine". Drops the item from the queue; returns the conflicts
    recorded."""
    ticket_id = str(refused["ticket_id"])
    mine: dict[str, Any] = dict(refused.get("fields") or {})
    meta = ENTITY_TABLES["ticket"]
    recorded: list[dict[str, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        if server_row is not None:
            held = _pending_fields(conn, ticket_id)
            restore = {
                k: server_row[k]
                for k in mine
                if k in server_row and k in meta.columns and k not in held
            }
            if restore:
                sets = ", ".join(f"{k} = ?" for k in restore)
                values = [meta.to_sql(k, v) for k, v in restore.items()]
                conn.execute(f"UPDATE tickets SET {sets} WHERE id = ?", (*values, ticket_id))
            recorded = _conflicts(refused, server_row)
            state.add_conflicts(conn, recorded)
        state.drop_refetch(conn, str(refused.get("mutation_id")))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return recorded


def _pending_fields(conn: sqlite3.Connection, ticket_id: str) -> set[str]:
    """Ticket fields that pending intents of this ticket set (they win locally)."""
    out: set[str] = set()
    rows = conn.execute(
        "SELECT name, payload FROM outbox WHERE state IS NULL AND entity_id = ?", (ticket_id,)
    ).fetchall()
    for name, payload in rows:
        loaded = json.loads(payload) if isinstance(payload, str) else payload
        out |= set(intent_changes(name, loaded or {}))
    return out


def record_results(
    conn: sqlite3.Connection, sent: list[Pending], results: list[MutationResult]
) -> PushOutcome:
    """Mark answered intents applied or rejected, in one transaction. Unanswered ones
    (after a gap) stay pending. Applied rows are kept as "applied" (pruned later) so
    SQLite never hands out their numbers again."""
    by_wire = {p.mutation.seq: p for p in sent}
    outcome = PushOutcome()
    now = sql_time(utcnow())
    conn.execute("BEGIN IMMEDIATE")
    try:
        for result in results:
            item = by_wire.get(result.seq)
            if item is None or result.code == "gap":
                continue
            outcome.replayed += result.replayed
            if result.status == "applied":
                outcome.applied += 1
                conn.execute(
                    "UPDATE outbox SET state = 'applied', reason = NULL WHERE seq = ?",
                    (item.seq,),
                )
                _write_back(conn, item, result)
                mine = _local_fields(item)
                for c in result.conflicts:
                    outcome.conflicts.append(
                        {
                            "ticket_id": item.ticket_id or item.mutation.entity_id,
                            "mutation_id": item.mutation.id,
                            "field": c.get("field"),
                            "current": c.get("current"),
                            "mine": mine.get(str(c.get("field"))),
                            "message": c.get("message"),
                            "at": now,
                        }
                    )
            else:
                outcome.rejected += 1
                reason = result.reason or result.code or "Refused by the server."
                conn.execute(
                    "UPDATE outbox SET state = 'rejected', reason = ? WHERE seq = ?",
                    (reason, item.seq),
                )
                _forget_refused_file(conn, item.mutation.name, item.mutation.entity_id)
                m = item.mutation
                entry = refusal(
                    m.name, m.entity_id, m.id, m.payload, code=result.code, reason=reason, at=now
                )
                if entry is not None:
                    outcome.refused.append(entry)
        state.add_conflicts(conn, outcome.conflicts)
        state.add_refetch(conn, outcome.refused)
        prune_applied(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return outcome


def _forget_refused_file(conn: sqlite3.Connection, name: str, entity_id: str) -> None:
    """A refused `attachment.create`: the server never held that file, so its cached row
    goes too (the outbox row keeps its name and the reason; the bytes stay in the blob
    store)."""
    if name == ATTACH_INTENT:
        conn.execute("DELETE FROM attachments WHERE id = ?", (entity_id,))


def reject_unsent(conn: sqlite3.Connection, seq: int, reason: str) -> None:
    """The oldest pending intent, which the server never took (invalid, a 4xx on the
    request, or a file whose bytes could not be uploaded): rejected, and the push
    numbers shift so the next one takes its number."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "UPDATE outbox SET state = 'rejected', reason = ? WHERE seq = ?", (reason, seq)
        )
        row = conn.execute(
            "SELECT name, entity_id, mutation_id, payload FROM outbox WHERE seq = ?", (seq,)
        ).fetchone()
        if row is not None:
            name, entity_id, mutation_id = str(row[0]), str(row[1]), str(row[2])
            _forget_refused_file(conn, name, entity_id)
            loaded = json.loads(row[3]) if isinstance(row[3], str) else row[3]
            entry = refusal(
                name,
                entity_id,
                mutation_id,
                loaded if isinstance(loaded, dict) else {},
                code=None,
                reason=reason,
                at=sql_time(utcnow()),
            )
            state.add_refetch(conn, [entry] if entry is not None else [])
        state.put(conn, state.SEQ_OFFSET, str(state.seq_offset(conn) + 1))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def count_attempt(conn: sqlite3.Connection, sent: list[Pending]) -> None:
    conn.executemany(
        "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", [(p.seq,) for p in sent]
    )


def prune_applied(conn: sqlite3.Connection) -> None:
    """Drop applied intents but the newest row of the outbox, which keeps SQLite's next
    `seq` above every number already sent."""
    conn.execute(
        "DELETE FROM outbox WHERE state = 'applied' AND seq < (SELECT max(seq) FROM outbox)"
    )
