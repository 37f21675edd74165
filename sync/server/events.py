"""Live "changes up to N" news for the SSE stream and long-poll.

Each process keeps the highest change number it has heard of. Commits in this process
publish at once; commits in other processes arrive by PostgreSQL LISTEN/NOTIFY (sent in
the committing transaction by the change log), or, on SQLite, by polling the counter
row. Waiters are woken on the event loop, wherever the commit ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sync.server import changelog

log = logging.getLogger(__name__)


class ChangeNotifier:
    def __init__(self) -> None:
        self.latest = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()

    def publish(self, seq: int) -> None:
        """Thread-safe: called after commits on worker threads."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self.latest = max(self.latest, seq)
            return
        with contextlib.suppress(RuntimeError):  # loop shutting down
            loop.call_soon_threadsafe(self.advance, seq)

    def advance(self, seq: int) -> None:
        """On the loop's thread: record `seq` and wake every waiter."""
        if seq <= self.latest:
            return
        self.latest = seq
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    async def wait_beyond(self, seq: int, timeout: float) -> int:
        """The latest number once it passes `seq`, or the current one after `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.latest <= seq:
            remaining = deadline - loop.time()
            if remaining <= 0 or self._event is None:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)
        return self.latest


async def listen_postgres(url: str, notifier: ChangeNotifier) -> None:
    """Forward NOTIFYs of every process to this one; reconnects after a lost link."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    delay = 0.5
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                await conn.execute(f"LISTEN {changelog.NOTIFY_CHANNEL}")
                delay = 0.5
                async for note in conn.notifies():
                    with contextlib.suppress(ValueError):
                        notifier.advance(int(note.payload))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a dropped connection must not end live updates
            log.warning("LISTEN connection lost (%s); retrying", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def poll_counter(engine: Engine, notifier: ChangeNotifier, interval: float = 0.25) -> None:
    """SQLite has no NOTIFY: other processes' commits are seen by reading the counter."""
    while True:
        try:
            seq = await asyncio.to_thread(_read_seq, engine)
            notifier.advance(seq)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("counter poll failed (%s)", type(exc).__name__)
        await asyncio.sleep(interval)


def _read_seq(engine: Engine) -> int:
    with Session(engine) as session:
        return changelog.current_seq(session)
