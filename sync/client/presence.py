"""The client side of the collision notice (E3): announce that this agent is viewing a
ticket or writing a reply on it, and read the other agents' announcements from the
event stream (the engine hands each `event: presence` frame to `parse_presence`).

Presence is a courtesy: announcing never blocks the caller (each call schedules a task
on the running asyncio loop, qasync's in the window) and a failed announcement is
logged and forgotten. While a ticket is announced the client renews it every few
seconds (the server forgets an announcement after its TTL); "gone" stops renewing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from sync.client.engine import _api_url

log = logging.getLogger(__name__)

STATES = ("viewing", "replying", "gone")
RENEW_SECONDS = 10.0


@dataclass(frozen=True)
class PresenceEvent:
    """Another agent's state on a ticket: viewing, replying or gone."""

    ticket_id: str
    user: str
    name: str
    state: str


def parse_presence(data: str) -> PresenceEvent | None:
    """The event in an `event: presence` frame's data, or None when it is unreadable."""
    try:
        raw = json.loads(data)
        event = PresenceEvent(
            ticket_id=str(raw["ticket_id"]),
            user=str(raw["user"]),
            name=str(raw["name"]),
            state=str(raw["state"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    return event if event.state in STATES else None


Others = Callable[[str, list[PresenceEvent], float], None]
"""(ticket id, who else is on it, `time.monotonic()` when the request was sent)"""
"""Told after each announcement: the ticket and who else is on it now."""


class PresenceClient:
    """Announces this agent's presence; one renewal task per announced ticket."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        renew_seconds: float = RENEW_SECONDS,
        timeout: float = 5.0,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=_api_url(base_url),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
        self.renew_seconds = renew_seconds
        self.states: dict[str, str] = {}
        self._renewals: dict[str, asyncio.Task[None]] = {}
        self._listeners: dict[str, Others] = {}
        self._order = asyncio.Lock()
        self._pending: set[asyncio.Task[None]] = set()
        self._closed = False

    def announcements(self) -> list[tuple[str, str, Others | None]]:
        """What this client announces now, each with who listens for the others there
        (ticket id, state, listener): for a client made with a new token to go on."""
        return [(t, state, self._listeners.get(t)) for t, state in self.states.items()]

    def set_state(self, ticket_id: str, state: str, on_others: Others | None = None) -> None:
        """Announce `state` soon (never blocks); "viewing"/"replying" are then renewed
        until "gone". `on_others` hears who else is on the ticket after each answer."""
        if self._closed or state not in STATES:
            return
        if on_others is not None:
            self._listeners[ticket_id] = on_others
        if self.states.get(ticket_id) == state:
            return
        if state == "gone":
            self.states.pop(ticket_id, None)
            self._listeners.pop(ticket_id, None)
            renewal = self._renewals.pop(ticket_id, None)
            if renewal is not None:
                renewal.cancel()
        else:
            self.states[ticket_id] = state
            if ticket_id not in self._renewals:
                self._renewals[ticket_id] = asyncio.ensure_future(self._renew(ticket_id))
        self._spawn(self._post(ticket_id, state))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _renew(self, ticket_id: str) -> None:
        while True:
            await asyncio.sleep(self.renew_seconds)
            state = self.states.get(ticket_id)
            if state is None:
                return
            await self._post(ticket_id, state)

    async def _post(self, ticket_id: str, state: str) -> None:
        async with self._order:  # announcements leave in the order they were made
            if self._http.is_closed:
                return
            sent = time.monotonic()  # the answer's list is no newer than this
            try:
                reply = await self._http.post(
                    f"/tickets/{ticket_id}/presence", json={"state": state}
                )
            except httpx.HTTPError as exc:
                log.info("presence not announced (%s)", type(exc).__name__)
                return
        if reply.status_code != 200:
            log.info("presence refused (%s)", reply.status_code)
            return
        listener = self._listeners.get(ticket_id)
        if listener is None or state == "gone":
            return
        try:
            others = [
                PresenceEvent(ticket_id, str(o["user"]), str(o["name"]), str(o["state"]))
                for o in reply.json()["others"]
            ]
        except (ValueError, KeyError, TypeError):
            return
        listener(ticket_id, others, sent)

    async def aclose(self) -> None:
        """Say "gone" on every ticket still announced, then stop."""
        for ticket_id in list(self.states):
            self.set_state(ticket_id, "gone")
        self._closed = True
        for renewal in self._renewals.values():
            renewal.cancel()
        if self._pending:
            with contextlib.suppress(Exception):
                await asyncio.wait(set(self._pending), timeout=2)
        for task in list(self._pending):
            task.cancel()
        await self._http.aclose()
