"""The client sync engine: push the outbox, pull changes into the cache, and stay live
on the server's event stream (long-poll when the stream is unavailable).

Runs on the window's asyncio loop; every cache write happens in a worker thread on one
raw SQLite connection, so the loop never stalls. One sync runs at a time.

Faults: no reply, a 5xx or an answer this client cannot read leave every outbox intent
pending and the cursor where the last applied page put it (each page commits with its
cursor), and end the round with `OfflineError` / `BadAnswerError` (the live loop tries
again with backoff); 401/403 end it with `AuthError` (sign in again). A request the
server refuses whole (4xx) rejects only its culprit intent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticError

from core.blobs import BlobStore
from core.db import connect_raw
from core.errors import ValidationError
from core.ids import utcnow
from sync.client import bootstrap as snap
from sync.client import push as outbox
from sync.client import state as bookmarks
from sync.client import uploads
from sync.client.apply import apply_page, build_search_step, search_backlog, search_pending
from sync.protocol import ChangeOut, PullResponse, PushResponse, parse_cursor

log = logging.getLogger(__name__)

Status = Literal["online", "offline", "syncing", "error"]
M = TypeVar("M", bound=BaseModel)
API_PREFIX = "/api/v1"
PUSH_BATCH = 200
_CHANGES = TypeAdapter(list[ChangeOut])
# changes still to pull after a page from which a sync defers search indexing to its end
DEFER_INDEX_MIN = 5000
# rows indexed per transaction when the deferred search index is built
INDEX_CHUNK = 20_000
# rows of an entity per bootstrap page (a ticket page brings its recent messages too)
SNAPSHOT_LIMIT = 5000
# tickets whose older conversations one page brings after a bootstrap
OLDER_LIMIT = 1000


@dataclass(frozen=True)
class EngineState:
    """What the window shows about sync."""

    status: Status = "offline"
    pending: int = 0
    last_sync_at: datetime | None = None
    last_error: str | None = None
    done: int = 0
    total: int = 0
    # the search index is being built for rows a first sync stored (search may miss them)
    indexing: bool = False
    index_done: int = 0
    index_total: int = 0
    # older conversations still loading after a first sync (messages in of the total)
    loading_older: bool = False
    older_done: int = 0
    older_total: int = 0
    # the server refused this client's token (401/403: revoked, expired): nothing syncs
    # until the agent signs in again
    token_refused: bool = False


@dataclass
class SyncReport:
    """What one `sync_once` did."""

    pushed: int = 0
    applied: int = 0
    rejected: int = 0
    replayed: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    pulled: int = 0
    pages: int = 0
    cursor: str | None = None
    resets: int = 0
    # rows a bootstrap (snapshot pages) stored, and its pages
    snapshot_rows: int = 0
    snapshot_pages: int = 0


class SyncError(Exception):
    """Sync could not finish; the message is for the agent."""


class OfflineError(SyncError):
    """The server could not be reached (or kept failing with 5xx) after retries."""


class AuthError(SyncError):
    """The server refused our token or this client (401/403): sign in again."""


class BadAnswerError(SyncError):
    """The server answered something this client cannot read (broken JSON, or a body
    that is not what the protocol says); nothing of it was applied."""


class _NoStream(Exception):
    """The event stream is not offered here: fall back to long-polling."""


def _api_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base if base.endswith(API_PREFIX) else base + API_PREFIX


class SyncEngine:
    """Push then pull, on demand (`sync_once`) or live (`run`)."""

    def __init__(
        self,
        cache_path: Path,
        base_url: str,
        token: str,
        *,
        client_id: str | None = None,
        on_state: Callable[[EngineState], None] | None = None,
        on_presence: Callable[[str], None] | None = None,
        push_batch: int = PUSH_BATCH,
        pull_limit: int = 1000,
        bootstrap: bool = True,
        snapshot_limit: int = SNAPSHOT_LIMIT,
        older_limit: int = OLDER_LIMIT,
        defer_index_min: int = DEFER_INDEX_MIN,
        index_chunk: int = INDEX_CHUNK,
        retries: int = 4,
        backoff: float = 0.25,
        max_backoff: float = 30.0,
        timeout: float = 30.0,
        poll_timeout: float = 25.0,
        blob_dir: Path | None = None,
    ) -> None:
        self.cache_path = Path(cache_path)
        # attachment bytes, as the window keeps them: beside the cache file, one per hash
        self.blobs = BlobStore(
            blob_dir if blob_dir is not None else self.cache_path.parent / "blobs"
        )
        self._uploaded: set[str] = set()
        self._upload_limit: int | None = None  # the server's, from /health, once asked
        self._limit_asked = False
        self._on_state = on_state
        self._on_presence = on_presence  # E3: the data of each `event: presence`
        self._push_batch = push_batch
        self._pull_limit = pull_limit
        # False: an empty cache pulls from cursor zero (as after a reset) instead
        self._use_snapshot = bootstrap
        self._snapshot_limit = snapshot_limit
        self._older_limit = older_limit
        self._defer_index_min = defer_index_min
        self._index_chunk = index_chunk
        self._retries = retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._poll_timeout = poll_timeout
        self._http = httpx.AsyncClient(
            base_url=_api_url(base_url),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
        self._conn: sqlite3.Connection = connect_raw(self.cache_path)
        self.client_id = bookmarks.client_id(self._conn, client_id)
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._server_seq = 0
        self._state = EngineState(
            pending=outbox.count_pending(self._conn),
            last_sync_at=bookmarks.last_sync_at(self._conn),
            indexing=bool(search_pending(self._conn)),
        )
        older = snap.marker(self._conn, snap.OLDER)
        if older is not None:  # a first sync's older conversations are still to come
            self._state = replace(
                self._state,
                loading_older=True,
                older_done=int(older.get("done", 0)),
                older_total=int(older.get("total", 0)),
            )
        self._closed = False

    # -- state ---------------------------------------------------------------------

    @property
    def state(self) -> EngineState:
        return self._state

    def _set(self, **changes: Any) -> None:
        self._state = replace(self._state, **changes)
        if self._on_state is not None:
            self._on_state(self._state)

    async def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Cache work off the event loop, one call at a time on the engine's connection.

        A thread cannot be stopped: when the caller is cancelled (the window closes, a
        test ends) this waits for the thread to finish before passing the cancellation
        on, so nothing else (the next call, `aclose`) touches the connection while the
        thread still uses it (sqlite3 crashes on a connection closed under it)."""
        work = asyncio.ensure_future(asyncio.to_thread(fn, self._conn, *args))
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            while not work.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait({work})
            raise

    # -- HTTP with retries ---------------------------------------------------------

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Retries connection errors and 5xx with exponential backoff, never a 4xx."""
        delay = self._backoff
        for attempt in range(self._retries + 1):
            try:
                reply = await self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                problem = f"Cannot reach the server ({type(exc).__name__})."
            else:
                if reply.status_code < 500:
                    if reply.status_code in (401, 403):
                        raise AuthError(_auth_message(reply))
                    return reply
                problem = f"The server failed ({reply.status_code})."
            if attempt == self._retries:
                raise OfflineError(problem)
            await asyncio.sleep(delay * (1 + random.random() / 4))
            delay = min(delay * 2, self._max_backoff)
        raise AssertionError("unreachable")

    # -- one round -----------------------------------------------------------------

    async def sync_once(self) -> SyncReport:
        """Push every pending intent, then pull until the server has nothing more."""
        async with self._lock:
            self._set(status="syncing", last_error=None)
            report = SyncReport()
            try:
                while await self.push_step(report):
                    pass
                await self._restore_refused(report)
                await self._pull_all(report)
            except OfflineError as exc:
                await self._refresh_pending()
                self._set(status="offline", last_error=str(exc))
                raise
            except SyncError as exc:
                await self._refresh_pending()
                refused = isinstance(exc, AuthError)
                self._set(status="error", last_error=str(exc), token_refused=refused)
                raise
            except Exception as exc:
                # our bug or a broken cache file: say so instead of "syncing" forever
                log.exception("sync failed")
                self._set(status="error", last_error=f"Sync failed: {type(exc).__name__}: {exc}")
                raise
            await self._refresh_pending()
            finished = utcnow()
            await self._db(bookmarks.put_last_sync_at, finished)
            self._set(status="online", last_sync_at=finished, token_refused=False)
            return report

    async def _refresh_pending(self) -> None:
        self._set(pending=await self._db(outbox.count_pending))

    async def push_step(self, report: SyncReport | None = None) -> bool:
        """Send one batch of pending intents; True while more may be waiting."""
        report = report if report is not None else SyncReport()
        batch: list[outbox.Pending] = await self._db(outbox.read_pending, self._push_batch)
        if not batch:
            return False
        batch, cut = await self._upload_files(batch, report)
        if not batch:
            return True
        body = {
            "client_id": self.client_id,
            "mutations": [p.mutation.model_dump(mode="json") for p in batch],
        }
        await self._db(outbox.count_attempt, batch)
        reply = await self._request("POST", "/sync/push", json=body)
        if reply.status_code >= 400:
            await self._refused_batch(batch, reply, report)
            return True
        answer = _read(reply, PushResponse)
        done: outbox.PushOutcome = await self._db(outbox.record_results, batch, answer.results)
        _count(report, len(batch), done)
        if done.applied + done.rejected == 0:
            gap = next((r for r in answer.results if r.code == "gap"), None)
            raise SyncError(gap.reason if gap and gap.reason else "The server took no change.")
        return cut or len(batch) == self._push_batch or done.applied + done.rejected < len(batch)

    async def _upload_files(
        self, batch: list[outbox.Pending], report: SyncReport
    ) -> tuple[list[outbox.Pending], bool]:
        """Upload the bytes of every file the batch names before the batch goes: the
        server refuses an `attachment.create` whose bytes it lacks. A file whose bytes are
        gone from this computer, or which the server refuses (over its size limit: its
        413 message), rejects only its own intent: the batch is cut before it, and once
        it is the head it is rejected unsent. Returns what to send, and whether it was
        cut (more is waiting)."""
        for ref in uploads.file_refs(batch):
            if ref.content_hash in self._uploaded:
                continue
            refusal = await self._upload(ref)
            if refusal is None:
                self._uploaded.add(ref.content_hash)
                continue
            if ref.index > 0:
                return batch[: ref.index], True
            await self._db(outbox.reject_unsent, batch[0].seq, refusal)
            report.pushed += 1
            report.rejected += 1
            return [], True
        return batch, False

    async def _upload(self, ref: uploads.FileRef) -> str | None:
        """PUT one file's bytes; None when the server has them, else why not."""
        data = await asyncio.to_thread(uploads.read_blob, self.blobs, ref.content_hash)
        if data is None:
            return f"The file {ref.filename} is no longer on this computer; it was not sent."
        url = f"/attachments/{ref.content_hash}"
        files = {"file": (ref.filename, data, ref.mime_type)}
        size = int(self._http.build_request("PUT", url, files=files).headers["content-length"])
        limit = await self._server_upload_limit()
        if limit is not None and size > limit:
            # the server's own 413 words (sync.server.errors): a body it will not read can
            # reach us as a reset connection instead of its answer, so it is not sent
            return f"The request body is larger than {limit} bytes."
        reply = await self._request("PUT", url, files=files)
        if reply.status_code in (404, 405):
            # a server without the upload endpoint: keep the file pending, say why
            raise SyncError("This server does not take files sent later; update the server.")
        if reply.status_code >= 400:
            return _message(reply)
        return None

    async def _server_upload_limit(self) -> int | None:
        """How large a request body the server takes for a file (`GET /health`), asked
        once per engine; None when the server does not say."""
        if not self._limit_asked:
            reply = await self._request("GET", "/health")
            answer = _read_json(reply) if reply.status_code < 400 else None
            limit = answer.get("max_upload_bytes") if isinstance(answer, dict) else None
            self._upload_limit = limit if isinstance(limit, int) and limit > 0 else None
            self._limit_asked = True
        return self._upload_limit

    async def fetch_blob(self, content_hash: str) -> Path:
        """The local file holding an attachment's bytes, for the conversation view to
        open: from the cache's blob store, else downloaded once from the server
        (`GET /attachments/{hash}`), checked against its hash and kept. Raises
        `SyncError` when the server has no such file for this agent (or it is not a
        file's hash), `OfflineError` when the server cannot be reached."""
        try:
            path = self.blobs.path_for(content_hash)
        except ValidationError as exc:
            raise SyncError(exc.message) from exc
        if await asyncio.to_thread(path.is_file):
            return path
        reply = await self._request("GET", f"/attachments/{content_hash}")
        if reply.status_code >= 400:
            raise SyncError(_message(reply))
        if not await asyncio.to_thread(
            uploads.keep_verified, self.blobs, content_hash, reply.content
        ):
            raise BadAnswerError(_unreadable("the file's bytes do not match its hash"))
        return path

    async def _refused_batch(
        self, batch: list[outbox.Pending], reply: httpx.Response, report: SyncReport
    ) -> None:
        """A 4xx on the whole request is our bug: find the culprit by sending the head
        alone, and reject it with the server's reason (the rest go again)."""
        if len(batch) > 1:
            single = {
                "client_id": self.client_id,
                "mutations": [batch[0].mutation.model_dump(mode="json")],
            }
            reply = await self._request("POST", "/sync/push", json=single)
            if reply.status_code < 400:
                answer = _read(reply, PushResponse)
                done = await self._db(outbox.record_results, batch[:1], answer.results)
                _count(report, 1, done)
                return
        await self._db(outbox.reject_unsent, batch[0].seq, _message(reply))
        report.pushed += 1
        report.rejected += 1

    async def _restore_refused(self, report: SyncReport) -> None:
        """The server's current values back into the fields of refused ticket intents
        (queued by `record_results`, so a crash or a lost connection here only delays
        it to the next round); a refusal for a conflict is recorded with the agent's
        value."""
        waiting: list[dict[str, Any]] = await self._db(bookmarks.refetch)
        for item in waiting:
            if item.get("tickets") and await self._restore_current(item, report):
                continue
            reply = await self._request("GET", f"/tickets/{item['ticket_id']}")
            if reply.status_code == 404:
                row = None  # gone from sight: the pull drops it (leave_scope)
            elif reply.status_code >= 400:
                raise SyncError(_message(reply))
            else:
                row = _read_json(reply)
                if not isinstance(row, dict):
                    raise BadAnswerError(_unreadable("not a ticket"))
            report.conflicts += await self._db(outbox.restore_refused, item, row)

    async def _restore_current(self, item: dict[str, Any], report: SyncReport) -> bool:
        """A refused merge, undo of a merge or conversion to a lead: every ticket it
        touched, with its messages, attachments, followers and leads, as the server holds
        them now (`POST /sync/entities`), written over the cache, and the rows the server
        does not have deleted. False when the server does not offer that request (an
        older server: only the ticket's fields are put back)."""
        request: dict[str, list[str]] = await self._db(outbox.current_request, item)
        rows = await self._current_rows(request)
        if rows is None:
            return False
        report.conflicts += await self._db(outbox.restore_current, item, request, rows)
        return True

    async def _current_rows(self, request: dict[str, list[str]]) -> list[ChangeOut] | None:
        """Rows as the server holds them now (`POST /sync/entities`); None from a server
        that does not offer that request."""
        reply = await self._request("POST", "/sync/entities", json=request)
        if reply.status_code in (404, 405):
            return None
        if reply.status_code >= 400:
            raise SyncError(_message(reply))
        answer = _read_json(reply)
        changes = answer.get("changes") if isinstance(answer, dict) else None
        try:
            return _CHANGES.validate_python(changes)
        except PydanticError as exc:
            raise BadAnswerError(_unreadable("not a list of rows")) from exc

    async def _fetch_page(self, cursor: str | None) -> PullResponse | None:
        """One page after `cursor`, read off the loop; None when the server asks for a
        fresh sync (409 `reset_required`)."""
        params: dict[str, Any] = {"limit": self._pull_limit}
        if cursor:
            params["cursor"] = cursor
        reply = await self._request("GET", "/sync/pull", params=params)
        if reply.status_code == 409 and _code(reply) == "reset_required":
            return None
        if reply.status_code >= 400:
            raise SyncError(_message(reply))
        page: PullResponse = await asyncio.to_thread(_read, reply, PullResponse)
        return page

    async def _pull_all(self, report: SyncReport) -> None:
        """Pull pages until the server has no more, applying each in the worker thread
        while the next one downloads (one page in flight; the cursor still moves only in
        each applied page's transaction). A first sync, or one with many pages to go,
        (`defer_index_min` changes or more after a page that is not the last) stores
        rows without their search index and builds it at the end."""
        cursor: str | None = await self._db(bookmarks.get, bookmarks.CURSOR)
        if cursor is None and self._use_snapshot and await self._bootstrap(report):
            cursor = await self._db(bookmarks.get, bookmarks.CURSOR)
        pending: bool = bool(await self._db(search_pending))
        fetch: asyncio.Task[PullResponse | None] | None = None
        try:
            fetch = asyncio.ensure_future(self._fetch_page(cursor))
            while True:
                assert fetch is not None
                page = await fetch
                fetch = None
                if page is None:
                    if report.resets:
                        raise SyncError("The server asked for a fresh sync twice in a row.")
                    report.resets += 1
                    await self._db(bookmarks.put, bookmarks.CURSOR, None)
                    cursor = None
                    fetch = asyncio.ensure_future(self._fetch_page(None))
                    continue
                parsed = parse_cursor(page.cursor)
                done = parsed[1] if parsed else 0
                to_go = page.server_seq - done
                defer = pending or (page.has_more and to_go >= self._defer_index_min)
                if page.has_more:
                    fetch = asyncio.ensure_future(self._fetch_page(page.cursor))
                await self._db(_apply, page.changes, page.cursor, defer)
                pending = pending or defer
                cursor = page.cursor
                report.pulled += len(page.changes)
                report.pages += 1
                report.cursor = page.cursor
                self._server_seq = max(self._server_seq, page.server_seq)
                self._set(done=done, total=max(page.server_seq, done), indexing=pending)
                if not page.has_more:
                    break
        finally:
            if fetch is not None and not fetch.done():
                fetch.cancel()
                await asyncio.gather(fetch, return_exceptions=True)
        # after a bootstrap the window opens first: `background_step` builds the index
        if pending and not report.snapshot_pages:
            await self._build_search_index()

    # -- bootstrap ----------------------------------------------------------------

    async def _snapshot(self, entity: str, after: str, limit: int) -> snap.Page | None:
        """One snapshot page, read off the loop; None from a server without snapshots."""
        params = {"entity": entity, "after": after, "limit": limit}
        reply = await self._request("GET", "/sync/snapshot", params=params)
        if reply.status_code in (404, 405):
            return None
        if reply.status_code >= 400:
            raise SyncError(_message(reply))
        page: snap.Page = await asyncio.to_thread(_read_snapshot, reply)
        return page

    async def _bootstrap(self, report: SyncReport) -> bool:
        """Fill a cache that never synced from snapshot pages (`sync.client.bootstrap`),
        or go on with one a crash stopped: one page in flight while the one before is
        written. The state says done of total tickets. False when there was nothing to
        do or the server offers no snapshot (then the pull starts from zero)."""
        where: dict[str, Any] | None = await self._db(snap.wanted)
        if where is None:
            return False
        entity, after = str(where["entity"]), str(where.get("after") or "")
        fetch: asyncio.Task[snap.Page | None] | None = None
        finished = False
        await self._db(snap.bulk_writes, True)
        try:
            fetch = asyncio.ensure_future(self._snapshot(entity, after, self._snapshot_limit))
            while True:
                assert fetch is not None
                page = await fetch
                fetch = None
                if page is None:
                    return False
                coming = entity if page.next is not None else snap.following(entity)
                if coming is not None:
                    fetch = asyncio.ensure_future(
                        self._snapshot(coming, page.next or "", self._snapshot_limit)
                    )
                where = await self._db(snap.load_page, entity, page, where)
                report.snapshot_rows += sum(len(t.rows) for t in page.tables)
                report.snapshot_pages += 1
                self._set(done=int(where["done"]), total=int(where["total"]), indexing=True)
                if where.get("finished") or coming is None:
                    finished = True
                    self._set(loading_older=True)  # older conversations come next
                    return True
                entity = coming
        finally:
            if fetch is not None and not fetch.done():
                fetch.cancel()
                await asyncio.gather(fetch, return_exceptions=True)
            await self._db(snap.bulk_writes, False)
            if not finished:
                await self._db(snap.restore_indexes)

    async def background_step(self) -> bool:
        """One piece of what a first sync leaves for later, in this order: a chunk of the
        search index of the rows it stored (so search finds every ticket soon), then a
        page of older conversations (every message of the next tickets; those the cache
        has are kept), whose search index the next steps build. Each step holds the
        engine for one chunk or page only, so a local edit's push waits little. True
        while more is waiting."""
        async with self._lock:
            if await self._db(search_pending):
                await self._index_step()
                return True
            if self._state.indexing:
                self._set(indexing=False, index_done=0, index_total=0)
            where: dict[str, Any] | None = await self._db(snap.marker, snap.OLDER)
            if where is None:
                if self._state.loading_older:
                    self._set(loading_older=False, older_done=0, older_total=0)
                return False
            if not self._state.loading_older:
                self._set(loading_older=True)
            page = await self._snapshot(snap.MESSAGE, str(where["after"]), self._older_limit)
            if page is None:
                where = await self._db(snap.forget_older)
            else:
                where = await self._db(snap.load_older, page, where)
            finished = bool(where.get("finished"))
            self._set(
                loading_older=not finished,
                older_done=0 if finished else int(where.get("done", 0)),
                older_total=0 if finished else int(where.get("total", 0)),
                # the page's messages wait for their search index: the next steps' work
                indexing=page is not None,
                index_done=0,
                index_total=0,
            )
            return True

    async def finish_background(self) -> None:
        """Everything `background_step` has waiting (the CLI's `sync`, tests, benches;
        the window's live loop runs the steps between syncs)."""
        while await self.background_step():
            pass

    async def _index_step(self) -> None:
        """One chunk of the deferred search index; the state says `indexing` with
        `index_done` of `index_total` meanwhile."""
        if not self._state.indexing or not self._state.index_total:
            total: int = await self._db(search_backlog)
            self._set(indexing=True, index_done=0, index_total=total)
        step: int | None = await self._db(build_search_step, self._index_chunk)
        if step is None:
            self._set(indexing=False, index_done=0, index_total=0)
        else:
            done = self._state.index_done + step
            self._set(index_done=min(done, self._state.index_total))

    async def fetch_conversation(self, ticket_id: str) -> int:
        """A ticket opened while older conversations are still loading: its messages and
        attachments now (`POST /sync/entities`), those the cache lacks stored. Returns
        how many rows were added (0, without asking the server, when the ticket's
        conversation is already in)."""
        if not self._state.loading_older:
            return 0
        async with self._lock:
            where: dict[str, Any] | None = await self._db(snap.marker, snap.OLDER)
            if where is None or ticket_id <= str(where.get("after") or ""):
                return 0
            rows = await self._current_rows({"ticket_ids": [ticket_id]})
            if rows is None:
                return 0
            added: int = await self._db(snap.keep_conversation, rows)
            return added

    async def _build_search_index(self) -> None:
        """Index the rows a long pull stored without search, in chunks that each commit
        with the pending mark (a crash resumes where the last one stopped)."""
        self._set(indexing=False, index_total=0)
        await self._index_step()
        while self._state.indexing:
            await self._index_step()

    # -- live ----------------------------------------------------------------------

    def poke(self) -> None:
        """Sync soon (after a local edit)."""
        self._wake.set()

    async def run(self) -> None:
        """Stay in sync until cancelled: a sync on every server event and every poke,
        reconnecting with backoff; long-poll when the event stream is not offered."""
        worker = asyncio.create_task(self._worker())
        try:
            await self._listen_forever()
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)

    async def _worker(self) -> None:
        delay = self._backoff
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.sync_once()
                # older conversations after a first sync, a page at a time while nothing
                # else asks for a sync
                while not self._wake.is_set() and await self.background_step():
                    pass
                delay = self._backoff
            except OfflineError:
                # retry on our own too: the stream may be up while pushes fail
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff)
                self._wake.set()
            except BadAnswerError:
                # a broken proxy or a server mid-upgrade: try again later, not at once
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff)
                self._wake.set()
            except SyncError:
                pass
            except Exception:
                # logged and shown by sync_once; the loop lives on for the next poke
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff)

    async def _listen_forever(self) -> None:
        delay = self._backoff
        use_stream = True
        while not self._closed:
            try:
                if use_stream:
                    await self._listen_stream()
                else:
                    await self._long_poll()
                delay = self._backoff
            except _NoStream:
                use_stream = False
                continue
            except AuthError as exc:
                self._set(status="error", last_error=str(exc), token_refused=True)
            except OfflineError as exc:
                self._set(status="offline", last_error=str(exc))
            except httpx.TransportError as exc:
                self._set(
                    status="offline", last_error=f"Cannot reach the server ({type(exc).__name__})."
                )
            except BadAnswerError as exc:
                self._set(status="error", last_error=str(exc))
            await asyncio.sleep(delay * (1 + random.random() / 4))
            delay = min(delay * 2, self._max_backoff)

    async def _listen_stream(self) -> None:
        """Read `event: changes` frames; each newer number wakes the worker, and so does
        each (re)connection (what was missed while away)."""
        timeout = httpx.Timeout(self._http.timeout.connect, read=60.0)
        async with self._http.stream("GET", "/sync/events", timeout=timeout) as reply:
            if reply.status_code in (401, 403):
                await reply.aread()
                raise AuthError(_auth_message(reply))
            kind = reply.headers.get("content-type", "")
            if reply.status_code != 200 or not kind.startswith("text/event-stream"):
                raise _NoStream
            self._wake.set()
            event, data = "message", ""
            async for line in reply.aiter_lines():
                if line == "":
                    if event == "changes" and data:
                        self._on_event(data)
                    elif event == "presence" and data and self._on_presence is not None:
                        self._on_presence(data)
                    event, data = "message", ""
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()

    def _on_event(self, data: str) -> None:
        try:
            seq = int(json.loads(data).get("seq", 0))
        except (ValueError, AttributeError):
            return
        if seq > self._server_seq or self._state.status != "online":
            self._wake.set()

    async def _long_poll(self) -> None:
        """`GET /sync/wait` answers when the change number passes `after` (or at its
        timeout): each newer number wakes the worker."""
        self._wake.set()
        seen = self._server_seq
        timeout = httpx.Timeout(self._http.timeout.connect, read=self._poll_timeout + 30)
        while not self._closed:
            after = max(seen, self._server_seq)
            reply = await self._request(
                "GET",
                "/sync/wait",
                params={"after": after, "timeout": self._poll_timeout},
                timeout=timeout,
            )
            if reply.status_code >= 400:
                raise OfflineError(_message(reply))
            answer = _read_json(reply)
            seq = answer.get("seq") if isinstance(answer, dict) else None
            if not isinstance(seq, int):
                raise BadAnswerError(_unreadable("no change number"))
            if seq > after:
                seen = seq
                self._wake.set()

    async def aclose(self) -> None:
        self._closed = True
        async with self._lock:
            await self._http.aclose()
            self._conn.close()


def _apply(conn: sqlite3.Connection, changes: list[ChangeOut], cursor: str, defer: bool) -> None:
    apply_page(conn, changes, cursor, defer_search=defer)


def _read_snapshot(reply: httpx.Response) -> snap.Page:
    try:
        return snap.read_page(_read_json(reply))
    except snap.PageError as exc:
        raise BadAnswerError(_unreadable(str(exc))) from exc


def _count(report: SyncReport, sent: int, done: outbox.PushOutcome) -> None:
    report.pushed += sent
    report.applied += done.applied
    report.rejected += done.rejected
    report.replayed += done.replayed
    report.conflicts += done.conflicts


def _unreadable(detail: str) -> str:
    return f"The server sent an answer this app cannot read ({detail}); nothing was lost."


def _read_json(reply: httpx.Response) -> Any:
    """The body as JSON, or `BadAnswerError` (never a raw decoding error)."""
    try:
        return reply.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadAnswerError(_unreadable(f"broken JSON, {type(exc).__name__}")) from exc


def _read(reply: httpx.Response, model: type[M]) -> M:
    """The body as a protocol type, or `BadAnswerError` naming the first bad field."""
    data = _read_json(reply)
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0] if exc.errors() else None
        where = ".".join(map(str, first["loc"])) if first else ""
        what = f"{where}: {first['msg']}" if first else str(exc)
        raise BadAnswerError(_unreadable(f"{model.__name__} {what}".strip())) from exc


def _auth_message(reply: httpx.Response) -> str:
    """The server's refusal with what to do about it."""
    text = _message(reply)
    return text if "sign in again" in text.lower() else f"{text} Sign in again."


def _code(reply: httpx.Response) -> str | None:
    try:
        code = reply.json().get("error", {}).get("code")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return None
    return code if isinstance(code, str) else None


def _message(reply: httpx.Response) -> str:
    try:
        error = reply.json().get("error", {})
        text = error.get("message")
    except (ValueError, AttributeError, UnicodeDecodeError):
        text = None
    return text if isinstance(text, str) and text else f"The server answered {reply.status_code}."
