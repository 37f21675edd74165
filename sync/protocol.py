"""Wire types of the sync protocol, shared by the server and the client engine.

Pull: `GET /api/v1/sync/pull?cursor=<epoch:seq>&limit=N` answers the changes after the
cursor in commit order, each an `upsert` (with the row), a `delete` (tombstone) or a
`leave_scope` (the user may no longer see that ticket or team: drop it, and for a ticket
its messages and attachments; for a team its stages and tickets the user cannot see any
more arrive as their own `leave_scope`). Rows may arrive before rows they point to (the
log keeps only each row's latest change): apply a page with foreign keys deferred or off.
A cursor of another epoch or older than the server keeps gets 409 `reset_required`: start
again from the empty cursor, which is a full snapshot (bootstrap), resumable page by page.

Push: `POST /api/v1/sync/push` with a client id and mutations numbered 1, 2, 3 ... per
client. A number already seen answers the stored result again (a retry after a lost
response applies nothing twice); a gap is refused; each result is applied or rejected
with a code and a reason the agent can read.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PUSH_LIMIT = 500


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Mutation(Strict):
    seq: int = Field(ge=1, description="the client's outbox number, 1, 2, 3 ...")
    id: str = Field(min_length=1, max_length=36, description="the mutation's own UUID")
    name: str = Field(min_length=1, max_length=60, examples=["ticket.update"])
    entity_id: str = Field(min_length=1, max_length=64)
    base_version: int | None = Field(default=None, ge=0)
    payload: dict[str, Any] = Field(default_factory=dict)


class PushRequest(Strict):
    client_id: str = Field(min_length=8, max_length=64)
    mutations: list[Mutation] = Field(max_length=PUSH_LIMIT)


class MutationResult(BaseModel):
    seq: int
    id: str
    status: Literal["applied", "rejected"]
    code: str | None = None
    reason: str | None = None
    field: str | None = None
    # set when this answer was stored earlier and is only being repeated
    replayed: bool = False
    # what the server now holds, for the client's row (version, number ...)
    result: dict[str, Any] = Field(default_factory=dict)
    # contested fields refused while the rest of the mutation applied
    conflicts: list[dict[str, Any]] = Field(default_factory=list)


class PushResponse(BaseModel):
    results: list[MutationResult]
    last_seq: int


class ChangeOut(BaseModel):
    op: Literal["upsert", "delete", "leave_scope"]
    entity: str
    id: str
    seq: int
    data: dict[str, Any] | None = None


class PullResponse(BaseModel):
    cursor: str
    has_more: bool
    server_seq: int
    changes: list[ChangeOut]


def make_cursor(epoch: int, seq: int) -> str:
    return f"{epoch}:{seq}"


def parse_cursor(cursor: str | None) -> tuple[int, int] | None:
    """(epoch, seq), or None for the empty cursor; ValueError when malformed."""
    if not cursor:
        return None
    epoch_text, sep, seq_text = cursor.partition(":")
    if not sep or not epoch_text.isdigit() or not seq_text.isdigit():
        raise ValueError(cursor)
    return int(epoch_text), int(seq_text)
