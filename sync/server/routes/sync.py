"""Sync endpoints: pull by cursor, push of numbered mutations, and live news of new
changes (server-sent events, with long-poll as the fallback). Staff only."""

from __future__ import annotations

import asyncio
import json
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import DomainError, PermissionDenied, ValidationError
from core.ids import utcnow
from core.models import Attachment, AuthToken, Change, Lead, Message, PushClient, PushResult, User
from sync.protocol import (
    ChangeOut,
    Mutation,
    MutationResult,
    PullResponse,
    PushRequest,
    PushResponse,
    make_cursor,
    parse_cursor,
)
from sync.server import changelog, commands, presence, snapshot
from sync.server.deps import Config, Db, Staff
from sync.server.errors import Conflict
from sync.server.serialize import load_rows
from sync.server.services.tickets import check_id

router = APIRouter(prefix="/sync", tags=["sync"])

# entities whose disappearance from a user's sight is told as leave_scope; the others
# (messages, attachments, stages) go with their ticket or team. A canned reply leaves
# the others' caches when it becomes someone's personal one (E2)
_SCOPED = ("ticket", "team", "canned_reply")


class ResetRequired(Conflict):
    code = "reset_required"


@router.get("/pull")
def pull(
    user: Staff,
    session: Db,
    config: Config,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
) -> PullResponse:
    """The changes after `cursor` that this user may see, oldest first."""
    epoch = changelog.epoch(session)
    try:
        parsed = parse_cursor(cursor)
    except ValueError as exc:
        raise ValidationError(
            "cursor", "Not a cursor from this server.", code="bad_cursor"
        ) from exc
    after = 0
    if parsed is not None:
        if parsed[0] != epoch or parsed[1] < changelog.purged_below(session):
            raise ResetRequired("This cursor is no longer valid; start a fresh sync.")
        after = parsed[1]
    page = limit or config.pull_page_size
    # read before the rows: a change committed between the two statements (PostgreSQL
    # reads committed per statement) must not be counted as seen by this page, or the
    # client would take its event for one it already has and miss it
    known = changelog.current_seq(session)
    rows = session.execute(
        select(Change.entity, Change.entity_id, Change.seq, Change.op)
        .where(Change.seq > after)
        .order_by(Change.seq)
        .limit(page + 1)
    ).all()
    has_more = len(rows) > page
    rows = rows[:page]
    wanted: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r.op == "upsert" and r.entity in changelog.CLASSES:
            wanted[r.entity].append(r.entity_id)
    loaded = {entity: load_rows(session, entity, ids, user) for entity, ids in wanted.items()}
    changes: list[ChangeOut] = []
    for r in rows:
        if r.op == "delete":
            changes.append(ChangeOut(op="delete", entity=r.entity, id=r.entity_id, seq=r.seq))
            continue
        data = loaded.get(r.entity, {}).get(r.entity_id)
        if data is not None:
            changes.append(
                ChangeOut(op="upsert", entity=r.entity, id=r.entity_id, seq=r.seq, data=data)
            )
        elif r.entity in _SCOPED:
            changes.append(ChangeOut(op="leave_scope", entity=r.entity, id=r.entity_id, seq=r.seq))
    last = rows[-1].seq if rows else after
    return PullResponse(
        cursor=make_cursor(epoch, last),
        has_more=has_more,
        server_seq=max(known, last),
        changes=changes,
    )


@router.get("/snapshot")
def snapshot_page(
    *,
    user: Staff,
    session: Db,
    config: Config,
    entity: Annotated[str, Query(max_length=40)],
    after: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=20000)] = 5000,
) -> Response:
    """A bootstrap page (`sync.server.snapshot`): the rows of `entity` after key `after`
    that this user may see, as column lists in the cache's storage form, with the change
    number read before them and its cursor (where the client's pull starts after the
    bootstrap). `entity=message`: every message of the next `limit` tickets after ticket
    id `after`. `next` is the `after` of the next page, null after the last; `total` (on
    a first page) is how many rows of the entity this user may see."""
    if entity not in snapshot.ENTITIES and entity != snapshot.MESSAGE:
        raise ValidationError("entity", "Not a synced entity.", code="bad_entity")
    seq = changelog.current_seq(session)
    if entity == snapshot.MESSAGE:
        page = snapshot.message_page(session, user, after=after, limit=limit, seq=seq)
    else:
        since = utcnow() - timedelta(days=config.snapshot_recent_days)
        page = snapshot.entity_page(
            session, entity, user, after=after, limit=limit, seq=seq, recent_since=since
        )
    page.cursor = make_cursor(changelog.epoch(session), seq)
    if not after:
        page.total = snapshot.count_visible(session, entity, user)
    body = json.dumps(page.as_json(), ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode(), media_type="application/json")


class EntitiesRequest(BaseModel):
    """Rows a client wants as the server holds them now (`POST /sync/entities`)."""

    ticket_ids: list[str] = Field(default_factory=list, max_length=200)
    message_ids: list[str] = Field(default_factory=list, max_length=20000)
    attachment_ids: list[str] = Field(default_factory=list, max_length=20000)
    lead_ids: list[str] = Field(default_factory=list, max_length=200)
    contact_ids: list[str] = Field(default_factory=list, max_length=200)


class EntitiesResponse(BaseModel):
    server_seq: int
    changes: list[ChangeOut]


_CHUNK = 900


@router.post("/entities")
def entities(body: EntitiesRequest, user: Staff, session: Db) -> EntitiesResponse:
    """The current rows, as pull pages carry them, of the tickets named (with every
    message, attachment and lead of theirs) and of the other rows named, that this user
    may see: what a client needs to put a ticket back as the server holds it after the
    server refused an edit its cache had already made (a merge, a conversion to a lead).
    A row not in the answer is not on the server, or not for this user."""
    for field, values in body.model_dump().items():
        for value in values:
            check_id(field, value)
    tickets = _load(session, "ticket", body.ticket_ids, user)
    shown = list(tickets)
    wanted: dict[str, set[str]] = {
        "message": set(body.message_ids),
        "attachment": set(body.attachment_ids),
        "lead": set(body.lead_ids)
        | {str(t["lead_id"]) for t in tickets.values() if t.get("lead_id")},
        "contact": set(body.contact_ids),
    }
    for entity, model in (("message", Message), ("attachment", Attachment), ("lead", Lead)):
        for chunk in _chunks(shown):
            wanted[entity].update(
                session.scalars(select(model.id).where(model.ticket_id.in_(chunk)))
            )
    rows = {"ticket": tickets} | {e: _load(session, e, sorted(i), user) for e, i in wanted.items()}
    changes: list[ChangeOut] = []
    for entity in ("contact", "ticket", "lead", "message", "attachment"):
        seqs = _seqs(session, entity, list(rows[entity]))
        changes += [
            ChangeOut(op="upsert", entity=entity, id=i, seq=seqs.get(i, 0), data=data)
            for i, data in rows[entity].items()
        ]
    return EntitiesResponse(server_seq=changelog.current_seq(session), changes=changes)


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _load(session: Session, entity: str, ids: list[str], user: User) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        out.update(load_rows(session, entity, chunk, user))
    return out


def _seqs(session: Session, entity: str, ids: list[str]) -> dict[str, int]:
    """Each row's number in the change log (0 when the log holds none)."""
    out: dict[str, int] = {}
    for chunk in _chunks(ids):
        found = session.execute(
            select(Change.entity_id, Change.seq).where(
                Change.entity == entity, Change.entity_id.in_(chunk)
            )
        )
        out.update((str(i), int(n)) for i, n in found)
    return out


def _replay(stored: PushResult) -> MutationResult:
    return MutationResult.model_validate({**stored.result, "replayed": True})


class _Refused(Exception):
    """A mutation of an optimistic batch was refused: redo the batch with savepoints."""


def _apply_batch(
    factory: sessionmaker[Session], user_id: str, client_id: str, batch: list[Mutation]
) -> tuple[list[MutationResult], int]:
    """Apply mutations in order in one transaction; the client's bookmark and every
    result commit with them. Stops at a gap (a missing earlier number).

    Refusals are rare, so the batch first runs without savepoints (two statements and a
    flush fewer per mutation); if one is refused, that attempt is rolled back and the
    batch runs again with a savepoint per mutation, so a refusal undoes only itself."""
    try:
        return _apply_batch_once(factory, user_id, client_id, batch, careful=False)
    except _Refused:
        return _apply_batch_once(factory, user_id, client_id, batch, careful=True)


def _apply_batch_once(
    factory: sessionmaker[Session],
    user_id: str,
    client_id: str,
    batch: list[Mutation],
    *,
    careful: bool,
) -> tuple[list[MutationResult], int]:
    results: list[MutationResult] = []
    with factory() as session:
        client = session.get(PushClient, client_id, with_for_update=True)
        if client is None:
            client = PushClient(client_id=client_id, user_id=user_id, last_seq=0)
            session.add(client)
            session.flush()
        elif client.user_id != user_id:
            raise PermissionDenied("This client id belongs to another user.")
        actor = session.get(User, user_id)
        assert actor is not None
        last = client.last_seq
        stored: list[PushResult] = []
        for m in batch:
            if m.seq <= last:
                results.append(_replayed(session, client_id, m))
                continue
            if m.seq != last + 1:
                results.append(_gap(m))
                break
            result = _apply_one(session, actor, m) if careful else _apply_fast(session, actor, m)
            stored.append(
                PushResult(
                    client_id=client_id,
                    seq=m.seq,
                    mutation_id=m.id,
                    status=result.status,
                    result=result.model_dump(mode="json", exclude={"replayed"}),
                )
            )
            last = m.seq
            results.append(result)
        # the bookmark and the stored answers are written once, with the changes
        session.add_all(stored)
        client.last_seq = last
        session.commit()
    return results, last


def _apply_fast(session: Session, actor: User, m: Mutation) -> MutationResult:
    try:
        outcome = commands.run(session, actor, m)
        session.flush()
    except (DomainError, IntegrityError) as exc:
        session.rollback()
        raise _Refused from exc
    return _applied(m, outcome)


def _applied(m: Mutation, outcome: dict[str, Any]) -> MutationResult:
    conflicts = outcome.pop("conflicts", [])
    return MutationResult(seq=m.seq, id=m.id, status="applied", result=outcome, conflicts=conflicts)


def _replayed(session: Session, client_id: str, m: Mutation) -> MutationResult:
    stored = session.get(PushResult, (client_id, m.seq))
    if stored is None:
        return MutationResult(
            seq=m.seq,
            id=m.id,
            status="rejected",
            code="forgotten",
            replayed=True,
            reason="This change was received long ago; its result is no longer kept.",
        )
    return _replay(stored)


def _gap(m: Mutation) -> MutationResult:
    return MutationResult(
        seq=m.seq,
        id=m.id,
        status="rejected",
        code="gap",
        reason="An earlier change has not arrived yet; send from the oldest.",
    )


def _apply_one(session: Session, actor: User, m: Mutation) -> MutationResult:
    try:
        with session.begin_nested():
            outcome = commands.run(session, actor, m)
    except DomainError as exc:
        return MutationResult(
            seq=m.seq,
            id=m.id,
            status="rejected",
            code=exc.code,
            reason=exc.message,
            field=getattr(exc, "field", None),
        )
    except IntegrityError:
        return MutationResult(
            seq=m.seq,
            id=m.id,
            status="rejected",
            code="refused",
            reason="The change contradicts data on the server (a missing or duplicate row).",
        )
    return _applied(m, outcome)


@router.post("/push")
def push(body: PushRequest, user: Staff, request: Request) -> PushResponse:
    """Apply the mutations in order. One transaction carries the batch (one commit, one
    change-log number block); a refusal undoes only its own savepoint."""
    factory: sessionmaker[Session] = request.app.state.sessions
    batch = sorted(body.mutations, key=lambda x: x.seq)
    try:
        results, last = _apply_batch(factory, user.id, body.client_id, batch)
    except IntegrityError:
        # a concurrent push of the same client took these numbers first: answer from
        # what is stored now, one by one
        results = []
        for m in batch:
            one, last = _apply_batch(factory, user.id, body.client_id, [m])
            results += one
            if one[-1].code == "gap":
                break
    return PushResponse(results=results, last_seq=last)


@router.get("/wait")
async def wait(
    request: Request,
    user: Staff,
    after: Annotated[int, Query(ge=0)] = 0,
    timeout: Annotated[float, Query(gt=0, le=60)] = 25,
) -> dict[str, int]:
    """Long-poll: answers as soon as the change number passes `after`, or at `timeout`."""
    seq = await request.app.state.notifier.wait_beyond(after, timeout)
    return {"seq": seq}


def _token_alive(factory: sessionmaker[Session], token_id: str) -> bool:
    with factory() as session:
        token = session.get(AuthToken, token_id)
        if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
            return False
        user = session.get(User, token.user_id)
        return user is not None and user.active


def _frame(seq: int) -> str:
    # the process id tells operators (and the multi-worker test) which worker spoke
    data = json.dumps({"seq": seq, "worker": os.getpid()})
    return f"id: {seq}\nevent: changes\ndata: {data}\n\n"


@router.get("/events", response_class=StreamingResponse)
async def events(
    request: Request,
    user: Staff,
    config: Config,
    after: Annotated[int | None, Query(ge=0)] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: `event: changes` with `{"seq": N}` whenever changes up to N
    are committed, `event: presence` when another agent starts or stops viewing or
    replying on a ticket this user can see (E3), and a keep-alive comment every
    `keepalive_seconds`."""
    notifier = request.app.state.notifier
    factory: sessionmaker[Session] = request.app.state.sessions
    token_id: str = request.state.token.id
    start = after
    if start is None and last_event_id and last_event_id.isdigit():
        start = int(last_event_id)

    hub: presence.PresenceHub = request.app.state.presence
    user_id = user.id

    async def stream() -> AsyncIterator[str]:
        seen = notifier.latest if start is None else start
        # at once: a (re)connected client pulls what it missed while away
        yield "retry: 2000\n" + _frame(notifier.latest)
        with hub.subscribe(user_id) as sub:
            while not await request.is_disconnected():
                seq = await presence.next_news(sub, notifier, seen, config.keepalive_seconds)
                news = sub.take()  # E3: who else is on a ticket this user can see
                if news:
                    shown = await asyncio.to_thread(presence.visible_events, factory, user_id, news)
                    for data in shown:
                        yield presence.frame(data)
                if seq > seen:
                    seen = seq
                    yield _frame(seq)
                elif news:
                    pass
                elif await asyncio.to_thread(_token_alive, factory, token_id):
                    yield ": keep-alive\n\n"
                else:
                    # logged out, revoked or expired: the stream ends with the session
                    yield "event: unauthorized\ndata: {}\n\n"
                    return
                await asyncio.sleep(0)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
