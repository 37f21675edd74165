"""The outbox side of push, on a raw connection: read pending intents in order as wire
mutations, and write the server's answers back (numbers, rejections, conflicts).

A refused intent that had changed ticket fields in the cache leaves the agent's values
there while the server keeps its own; nothing in the pull brings the server's row back
until someone changes that ticket again. So every such refusal is queued (`state.REFETCH`,
in the same transaction as the refusal) for the engine to fetch the ticket and put the
server's values back (`restore_refused`), recording a conflict with the agent's value."""

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
from sync.client.apply import intent_changes
from sync.client.entities import ENTITY_TABLES
from sync.protocol import Mutation, MutationResult


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
    columns = ENTITY_TABLES["ticket"].columns
    changes = intent_changes(item.mutation.name, item.mutation.payload)
    return {k: v for k, v in changes.items() if k in columns and k not in ("id", "updated_seq")}


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
            if refused.get("code") == "conflict":
                for name, value in mine.items():
                    current = server_row.get(name)
                    if name in server_row and current != value:
                        recorded.append(
                            {
                                "ticket_id": ticket_id,
                                "mutation_id": refused.get("mutation_id"),
                                "field": name,
                                "current": current,
                                "mine": value,
                                "message": refused.get("reason"),
                                "at": refused.get("at"),
                            }
                        )
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
                fields = _local_fields(item)
                if fields:
                    outcome.refused.append(
                        {
                            "ticket_id": item.mutation.entity_id,
                            "mutation_id": item.mutation.id,
                            "fields": fields,
                            "code": result.code,
                            "reason": reason,
                            "at": now,
                        }
                    )
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
        row = conn.execute("SELECT name, entity_id FROM outbox WHERE seq = ?", (seq,)).fetchone()
        if row is not None:
            _forget_refused_file(conn, str(row[0]), str(row[1]))
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
