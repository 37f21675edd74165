"""The sync engine in the window: `SyncBridge` runs `SyncEngine.run()` as a task on the
application's asyncio loop (qasync's QEventLoop, so it turns with Qt's event loop) and
turns the engine's state into Qt signals. Views call `poke()` after a local edit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from core.db import connect_raw
from sync.client import state as bookmarks
from sync.client.engine import EngineState, OfflineError, SyncEngine, SyncReport
from sync.client.presence import PresenceClient, parse_presence
from sync.protocol import parse_cursor

T = TypeVar("T")

log = logging.getLogger(__name__)

LONG_SYNC = 500
"""A sync further behind than this many changes shows a progress bar."""
PULL_LIMIT = 250
"""Changes per pulled page. The engine reads a page (JSON, validation) in a worker thread,
but pydantic holds the GIL for a whole page, so the GUI thread still waits that long:
~25 ms for 250 changes, against ~100 ms for the engine's default of 1000."""


class SyncBridge(QObject):
    """Engine state -> signals; one engine task, kept until `aclose()`."""

    state_changed = Signal(object)
    """The engine's new `EngineState`."""
    synced = Signal(bool)
    """A sync round ended well; True when it sent or brought anything."""
    poked = Signal()
    """A local edit asked for a sync (the outbox grew)."""
    progress = Signal(int, int)
    """Changes applied so far and in all, during a long sync (0, 0 when none)."""
    presence_heard = Signal(object)
    """Another agent's `PresenceEvent` from the event stream (E3)."""

    def __init__(
        self,
        cache_path: Path,
        server_url: str,
        token: str,
        *,
        parent: QObject | None = None,
        engine_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.server_url = server_url
        self.token = token
        """The signed-in user's bearer token (the settings window's REST calls use it too)."""
        self.presence = PresenceClient(server_url, token)  # E3: this agent's announcements
        self._cache_path = Path(cache_path)
        self._engine_options = engine_options
        self._engine = self._new_engine(token)
        self._state = self._engine.state
        self._task: asyncio.Task[None] | None = None
        self._fetches: set[asyncio.Task[Any]] = set()
        self._start_done = _cursor_position(Path(cache_path))
        self._start_pending = self._state.pending
        self._closed = False
        self._switching = False

    def _new_engine(self, token: str) -> SyncEngine:
        return SyncEngine(
            self._cache_path,
            self.server_url,
            token,
            on_state=self._on_state,
            on_presence=self._on_presence,
            **{"pull_limit": PULL_LIMIT, **(self._engine_options or {})},
        )

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def closed(self) -> bool:
        """`aclose()` was called: the engine is stopped for good."""
        return self._closed

    @property
    def needs_sign_in(self) -> bool:
        """Sync stopped because the server refused the token (`AuthError`: revoked,
        expired); it stays stopped until `use_token()` gets a new one."""
        return self._state.status == "error" and self._state.token_refused

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- the engine ------------------------------------------------------------------

    def start(self) -> None:
        """Stay in sync in the background (on the running asyncio loop)."""
        if self._task is None and not self._closed:
            self._task = asyncio.get_event_loop().create_task(self._engine.run())

    async def sync_once(self) -> SyncReport:
        """One round now (the first sync after signing in); raises `SyncError`."""
        return await self._engine.sync_once()

    @Slot()
    def poke(self) -> None:
        """Sync soon: a local edit is waiting in the outbox."""
        self._engine.poke()
        self.poked.emit()

    @Slot()
    def sync_now(self) -> None:
        self._engine.poke()

    def fetch_blob(
        self,
        content_hash: str,
        on_done: Callable[[Path], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """Bring an attachment's bytes (`SyncEngine.fetch_blob`: the local store first,
        else downloaded and checked) in a task on the loop; `on_done(path)` or
        `on_error(exc)` (a `SyncError`: `OfflineError`, `AuthError`, `BadAnswerError`)
        is then called on the GUI thread. Nothing is called when the bridge closes
        first."""
        self._in_task(lambda: self._engine.fetch_blob(content_hash), on_done, on_error)

    def fetch_conversation(
        self,
        ticket_id: str,
        on_done: Callable[[int], None],
        on_error: Callable[[Exception], None] = lambda _exc: None,
    ) -> None:
        """A ticket opened while older conversations still load: its messages now
        (`SyncEngine.fetch_conversation`); `on_done(rows added)` on the GUI thread."""
        self._in_task(lambda: self._engine.fetch_conversation(ticket_id), on_done, on_error)

    def _in_task(
        self,
        work: Callable[[], Coroutine[Any, Any, T]],
        on_done: Callable[[T], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        if self._closed or self._switching:
            on_error(OfflineError("The sync engine is closed."))
            return
        task = asyncio.get_event_loop().create_task(work())
        self._fetches.add(task)

        def finished(done: asyncio.Task[T]) -> None:
            self._fetches.discard(done)
            if done.cancelled():
                return
            exc = done.exception()
            if exc is None:
                on_done(done.result())
            elif isinstance(exc, Exception):
                on_error(exc)

        task.add_done_callback(finished)

    async def use_token(self, token: str) -> None:
        """Carry on with a new token (the agent signed in again): the engine is closed
        (waiting for a cache write in flight) and made again on the same cache, so its
        outbox is sent with the new token; it runs again if it was running. The
        collision notice's announcements move to a client with the new token."""
        if self._closed or self._switching:
            return
        self._switching = True
        try:
            running = self._task is not None
            # announcements and their listeners (the collision notices), handed over
            announced = self.presence.announcements()
            await self._stop_engine()
            if self.closed:  # closed meanwhile: stay closed
                return
            self.token = token
            self.presence = PresenceClient(self.server_url, token)
            self._engine = self._new_engine(token)
            self._on_state(self._engine.state)
            if running:
                self._task = asyncio.get_event_loop().create_task(self._engine.run())
            for ticket_id, presence, listener in announced:
                self.presence.set_state(ticket_id, presence, listener)
        finally:
            self._switching = False

    async def aclose(self) -> None:
        """Stop the task and the engine (waits for a cache write in flight)."""
        self._closed = True
        await self._stop_engine()

    async def _stop_engine(self) -> None:
        fetches, self._fetches = list(self._fetches), set()
        for fetch in fetches:
            fetch.cancel()
        for fetch in fetches:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await fetch
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.presence.aclose()
        await self._engine.aclose()

    # -- state -> signals -------------------------------------------------------------

    def _on_presence(self, data: str) -> None:
        event = parse_presence(data)
        if event is not None:
            self.presence_heard.emit(event)

    def _on_state(self, new: EngineState) -> None:
        old = self._state
        self._state = new
        if new.status == "syncing" and old.status != "syncing":
            self._start_done = max(new.done, self._start_done)
            self._start_pending = new.pending
        behind = new.total - self._start_done
        if new.status == "syncing" and behind > LONG_SYNC:
            self.progress.emit(new.done - self._start_done, behind)
        elif old.status == "syncing" and new.status != "syncing":
            self.progress.emit(0, 0)
        self.state_changed.emit(new)
        if old.status == "syncing" and new.status == "online":
            changed = new.done != self._start_done or new.pending != self._start_pending
            self.synced.emit(changed)


def _cursor_position(cache_path: Path) -> int:
    """The change number the cache has pulled up to (0 before the first sync)."""
    conn = connect_raw(cache_path)
    try:
        parsed = parse_cursor(bookmarks.get(conn, bookmarks.CURSOR))
    finally:
        conn.close()
    return parsed[1] if parsed else 0
