"""Who else is on a ticket (E3): agents announce "viewing" while its window is open and
"replying" while their composer holds unsent text; the others see it live.

Presence is short-lived and rewritten every few seconds, so it is kept in memory, never
in the database: each entry carries its expiry as a wall-clock time (the announcing
client renews it every `RENEW_SECONDS`; one that stops renewing fades after
`TTL_SECONDS`). With several worker processes on PostgreSQL every announcement is also
sent with NOTIFY on its own channel (the mechanism the change log already uses, see
sync.server.events), and every process keeps the same table of entries from what it
hears: the SSE stream of whichever worker holds an agent's connection can tell them.
A table would cost a write (and a change-log entry) per agent every ten seconds and a
poll per stream; NOTIFY costs neither. A worker that starts late learns of an entry at
its next renewal. On SQLite the server is one process and the table is that process's.

Each stream subscribes to the hub; a change (a new entry, a new state, gone, or expiry)
is offered to every subscriber except the announcer, and the stream sends it only to a
user who may see the ticket (checked on the database, as every ticket read is).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Literal

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from core.errors import DomainError
from core.models import User
from sync.server.events import ChangeNotifier
from sync.server.services.tickets import get_visible_ticket

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "helpdesk_presence"
TTL_SECONDS = 30.0
"""An announcement lasts this long unless renewed."""
RENEW_SECONDS = 10.0
"""How often clients renew (told to them in every answer)."""
SWEEP_SECONDS = 1.0

State = Literal["viewing", "replying", "gone"]
LIVE_STATES: tuple[str, ...] = ("viewing", "replying")


@dataclass(frozen=True)
class Presence:
    """One agent on one ticket; `expires_at` is a Unix time (shared by all processes)."""

    ticket_id: str
    user: str
    name: str
    state: str
    expires_at: float

    def event(self) -> dict[str, str]:
        return {
            "ticket_id": self.ticket_id,
            "user": self.user,
            "name": self.name,
            "state": self.state,
        }


@dataclass(eq=False)
class Subscriber:
    """One SSE stream's inbox of presence changes."""

    user_id: str
    inbox: list[Presence] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, p: Presence) -> None:
        if p.user != self.user_id:
            self.inbox.append(p)
            self.wake.set()

    def take(self) -> list[Presence]:
        taken, self.inbox = self.inbox, []
        self.wake.clear()
        return taken


class PresenceHub:
    """The entries of this process, and the streams to tell of changes."""

    def __init__(self, clock: Callable[[], float] = time.time, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._clock = clock
        self._entries: dict[tuple[str, str], Presence] = {}
        self._subscribers: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def now(self) -> float:
        return self._clock()

    # -- reading ---------------------------------------------------------------------

    def on_ticket(self, ticket_id: str) -> list[Presence]:
        now = self._clock()
        found = [p for (t, _u), p in list(self._entries.items()) if t == ticket_id]
        return sorted((p for p in found if p.expires_at > now), key=lambda p: p.name)

    # -- changing (on the loop's thread) -----------------------------------------------

    def apply(self, p: Presence) -> None:
        """Record `p` and tell the streams when something they would see changed: a
        renewal of the same state extends the entry silently."""
        key = (p.ticket_id, p.user)
        old = self._entries.get(key)
        if p.state == "gone":
            if self._entries.pop(key, None) is not None:
                self._tell(p)
            return
        self._entries[key] = p
        if old is None or old.state != p.state or old.name != p.name:
            self._tell(p)

    def apply_threadsafe(self, p: Presence) -> None:
        """From a request's worker thread: applied on the loop, in order."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self.apply(p)
            return
        with contextlib.suppress(RuntimeError):  # loop shutting down
            loop.call_soon_threadsafe(self.apply, p)

    def sweep(self) -> None:
        """Entries not renewed in time are gone (each process sweeps its own copy)."""
        now = self._clock()
        for key, p in list(self._entries.items()):
            if p.expires_at <= now:
                del self._entries[key]
                self._tell(Presence(p.ticket_id, p.user, p.name, "gone", now))

    def _tell(self, p: Presence) -> None:
        for sub in self._subscribers:
            sub.offer(p)

    # -- streams ---------------------------------------------------------------------

    @contextlib.contextmanager
    def subscribe(self, user_id: str) -> Iterator[Subscriber]:
        sub = Subscriber(user_id)
        self._subscribers.add(sub)
        try:
            yield sub
        finally:
            self._subscribers.discard(sub)

    # -- other processes -------------------------------------------------------------

    def payload(self, p: Presence) -> str:
        return json.dumps({"origin": self.origin, **asdict(p)})

    def heard(self, payload: str) -> None:
        """A NOTIFY from any process (our own are already applied)."""
        try:
            data = json.loads(payload)
            if data.pop("origin") == self.origin:
                return
            p = Presence(
                ticket_id=str(data["ticket_id"]),
                user=str(data["user"]),
                name=str(data["name"]),
                state=str(data["state"]),
                expires_at=float(data["expires_at"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("unreadable presence notice ignored")
            return
        self.apply(p)


def announce(
    hub: PresenceHub, session: Session, user: User, ticket_id: str, state: str
) -> list[Presence]:
    """`user` is `state` on `ticket_id` (visible to them, else NotFoundError); returns who
    else is on it. On PostgreSQL the other processes hear it through NOTIFY."""
    get_visible_ticket(session, user, ticket_id)
    expires = hub.now() + hub.ttl
    p = Presence(ticket_id, user.id, user.display_name or user.username, state, expires)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:c, :p)"), {"c": NOTIFY_CHANNEL, "p": hub.payload(p)}
        )
        session.commit()
    hub.apply_threadsafe(p)
    now = hub.now()
    return [e for e in hub.on_ticket(ticket_id) if e.user != user.id and e.expires_at > now]


def visible_events(
    factory: sessionmaker[Session], user_id: str, changes: list[Presence]
) -> list[dict[str, str]]:
    """The changes on tickets `user_id` may see, as event data (runs in a thread)."""
    out: list[dict[str, str]] = []
    seen: dict[str, bool] = {}
    with factory() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return out
        for p in changes:
            if p.ticket_id not in seen:
                try:
                    get_visible_ticket(session, user, p.ticket_id)
                    seen[p.ticket_id] = True
                except DomainError:
                    seen[p.ticket_id] = False
            if seen[p.ticket_id]:
                out.append(p.event())
    return out


def frame(data: dict[str, str]) -> str:
    return f"event: presence\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def next_news(sub: Subscriber, notifier: ChangeNotifier, seen: int, timeout: float) -> int:
    """Wait for whichever comes first: a change number past `seen`, presence news in
    `sub`'s inbox, or `timeout`. Returns the latest change number."""
    if sub.inbox:
        return notifier.latest
    changes = asyncio.ensure_future(notifier.wait_beyond(seen, timeout))
    news = asyncio.ensure_future(sub.wake.wait())
    try:
        await asyncio.wait({changes, news}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (changes, news):
            task.cancel()
        await asyncio.gather(changes, news, return_exceptions=True)
    return notifier.latest


async def sweep_forever(hub: PresenceHub, interval: float = SWEEP_SECONDS) -> None:
    while True:
        await asyncio.sleep(interval)
        hub.sweep()


async def listen_postgres(url: str, hub: PresenceHub) -> None:
    """Hear every process's announcements; reconnects after a lost link."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    delay = 0.5
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                delay = 0.5
                async for note in conn.notifies():
                    hub.heard(note.payload)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a dropped connection must not end presence
            log.warning("presence LISTEN lost (%s); retrying", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


@contextlib.asynccontextmanager
async def running(hub: PresenceHub, engine: Engine, url: str) -> AsyncIterator[None]:
    """The hub's background work for the app's lifetime: the sweep, and on PostgreSQL
    the listener."""
    hub.bind(asyncio.get_running_loop())
    tasks = [asyncio.create_task(sweep_forever(hub))]
    if engine.dialect.name == "postgresql":
        tasks.append(asyncio.create_task(listen_postgres(url, hub)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
