"""Collision notice (E3): announce and read who else is on a ticket. Staff only; a
ticket the caller may not see answers 404 here as everywhere (O3). Changes reach the
other agents as `event: presence` on /sync/events (sync.server.presence)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel

from sync.server import presence
from sync.server.deps import Db, Staff
from sync.server.services.tickets import get_visible_ticket


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Each app (each worker process) has its own hub, swept and, on PostgreSQL,
    listening for the other processes' announcements."""
    hub = presence.PresenceHub()
    app.state.presence = hub
    async with presence.running(hub, app.state.engine, app.state.config.database_url):
        yield


router = APIRouter(prefix="/tickets", tags=["presence"], lifespan=lifespan)


class PresenceIn(BaseModel):
    state: Literal["viewing", "replying", "gone"]


class PresenceEntry(BaseModel):
    user: str
    name: str
    state: str
    expires_in: float


class PresenceList(BaseModel):
    ticket_id: str
    others: list[PresenceEntry]
    ttl_seconds: float
    renew_seconds: float


def _answer(
    hub: presence.PresenceHub, ticket_id: str, found: list[presence.Presence]
) -> PresenceList:
    now = hub.now()
    return PresenceList(
        ticket_id=ticket_id,
        others=[
            PresenceEntry(
                user=p.user, name=p.name, state=p.state, expires_in=round(p.expires_at - now, 1)
            )
            for p in found
        ],
        ttl_seconds=hub.ttl,
        renew_seconds=min(presence.RENEW_SECONDS, hub.ttl / 3),
    )


@router.post("/{ticket_id}/presence")
def announce(
    ticket_id: str, body: PresenceIn, session: Db, user: Staff, request: Request
) -> PresenceList:
    """The caller is `viewing` (the ticket's window is open) or `replying` (unsent text in
    the composer) for the next `ttl_seconds`, or `gone`. Renew every `renew_seconds`.
    Answers with the others on the ticket."""
    hub: presence.PresenceHub = request.app.state.presence
    others = presence.announce(hub, session, user, ticket_id, body.state)
    return _answer(hub, ticket_id, others)


@router.get("/{ticket_id}/presence")
def current(ticket_id: str, session: Db, user: Staff, request: Request) -> PresenceList:
    """The other agents viewing or replying on the ticket now."""
    hub: presence.PresenceHub = request.app.state.presence
    get_visible_ticket(session, user, ticket_id)
    return _answer(hub, ticket_id, [p for p in hub.on_ticket(ticket_id) if p.user != user.id])
