"""Collision notice on the server (E3): agents announce viewing / replying / gone on a
ticket; the others who may see that ticket hear it on /sync/events (`event: presence`),
nobody else does; an announcement not renewed fades after its TTL. Real server on
loopback (SQLite and PostgreSQL), and PostgreSQL with two worker processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.cache import open_cache
from core.enums import Visibility
from core.models import TeamMember
from sync.client.engine import SyncEngine
from sync.client.presence import PresenceClient, PresenceEvent, parse_presence
from sync.server.auth import issue_token
from sync.server.config import ServerConfig
from sync.server.database import server_engine, server_sessions
from tests.core.factories import make_portal_user, make_team, make_ticket, make_user
from tests.sync.server_fixture import LiveServer, running_server
from tests.sync.test_workers_postgres import two_workers  # noqa: F401 - a fixture

Event = dict[str, str]


@pytest.fixture
def live(server_db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The server on SQLite and PostgreSQL; streams notice a closed client quickly (a
    short keep-alive), so none outlives its test."""
    with running_server(server_db_url, tmp_path, keepalive_seconds=0.3) as server:
        yield server


@pytest.fixture
def live_sqlite(tmp_path: Path) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    with running_server(url, tmp_path, keepalive_seconds=0.3) as server:
        yield server


@dataclass
class Floor:
    """Two tickets: one of a company team (everyone sees it), one of a private team
    only `a` belongs to; three agents: a (member), b (outside), c (outside)."""

    open_ticket: str
    private_ticket: str
    a: tuple[str, httpx.Client]
    b: tuple[str, httpx.Client]
    c: tuple[str, httpx.Client]
    tokens: dict[str, str]


@contextmanager
def _floor(server: LiveServer) -> Iterator[Floor]:
    with server.sessions() as s:
        a = make_user(s, "Reza", username="reza")
        b = make_user(s, "Sara", username="sara")
        c = make_user(s, "Nima", username="nima")
        shared = make_team(s, "Shared", visibility=Visibility.COMPANY)
        private = make_team(s, "Private", visibility=Visibility.PRIVATE)
        s.flush()
        s.add(TeamMember(team_id=private.id, user_id=a.id))
        t1 = make_ticket(s, "Printer jammed", team=shared)
        t2 = make_ticket(s, "Salary question", team=private)
        s.commit()
        ids = {"a": a.id, "b": b.id, "c": c.id}
        t1_id, t2_id = t1.id, t2.id
    tokens = {k: server.token_for(v) for k, v in ids.items()}
    clients = {k: server.client(t) for k, t in tokens.items()}
    try:
        yield Floor(
            t1_id,
            t2_id,
            (ids["a"], clients["a"]),
            (ids["b"], clients["b"]),
            (ids["c"], clients["c"]),
            tokens,
        )
    finally:
        for client in clients.values():
            client.close()


@contextmanager
def listening(base: str, token: str) -> Iterator[queue.Queue[Event]]:
    """B's event stream, read in a thread: presence events arrive in the queue."""
    got: queue.Queue[Event] = queue.Queue()
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.Client(base_url=base, headers=headers, timeout=30)
    ctx = client.stream("GET", "/sync/events")
    lines = ctx.__enter__().iter_lines()
    assert next(x for x in lines if x.startswith("data:"))  # the stream is open

    def read() -> None:
        event = ""
        with contextlib.suppress(httpx.HTTPError, RuntimeError, ValueError):
            for line in lines:
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "presence":
                    got.put(json.loads(line[5:]))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        ctx.__exit__(None, None, None)
        client.close()


def _next(got: queue.Queue[Event], timeout: float = 5) -> Event:
    return got.get(timeout=timeout)


def _none(got: queue.Queue[Event], wait: float = 0.8) -> None:
    with pytest.raises(queue.Empty):
        got.get(timeout=wait)


def test_e3_presence_reaches_who_may_see_the_ticket_and_nobody_else(live: LiveServer) -> None:
    with _floor(live) as floor:
        a_id, a = floor.a
        _b_id, b = floor.b
        with listening(live.api, floor.tokens["b"]) as heard:
            # A is on the private ticket: B may not see it, so B hears nothing
            assert a.post(
                f"/tickets/{floor.private_ticket}/presence", json={"state": "viewing"}
            ).is_success
            _none(heard)
            # ...and B may neither announce nor read presence there (404, as if it did not exist)
            hidden = b.post(f"/tickets/{floor.private_ticket}/presence", json={"state": "viewing"})
            assert hidden.status_code == 404
            assert b.get(f"/tickets/{floor.private_ticket}/presence").status_code == 404

            # A opens the shared ticket, then types: B hears both, with A's name
            reply = a.post(f"/tickets/{floor.open_ticket}/presence", json={"state": "viewing"})
            assert reply.status_code == 200
            assert reply.json()["others"] == []
            assert _next(heard) == {
                "ticket_id": floor.open_ticket, "user": a_id, "name": "Reza", "state": "viewing"
            }  # fmt: skip
            # a renewal of the same state tells nobody again
            assert a.post(
                f"/tickets/{floor.open_ticket}/presence", json={"state": "viewing"}
            ).is_success
            _none(heard, 0.5)
            a.post(f"/tickets/{floor.open_ticket}/presence", json={"state": "replying"})
            assert _next(heard)["state"] == "replying"

            # the current list: B sees A replying; B's own announcement answers with A
            listed = b.get(f"/tickets/{floor.open_ticket}/presence").json()["others"]
            assert [(p["name"], p["state"]) for p in listed] == [("Reza", "replying")]
            assert 0 < listed[0]["expires_in"] <= 30
            mine = b.post(
                f"/tickets/{floor.open_ticket}/presence", json={"state": "viewing"}
            ).json()
            assert [p["name"] for p in mine["others"]] == ["Reza"]
            # B never hears its own announcement
            a.post(f"/tickets/{floor.open_ticket}/presence", json={"state": "gone"})
            gone = _next(heard)
            assert (gone["user"], gone["state"]) == (a_id, "gone")
            _none(heard, 0.5)
            assert b.get(f"/tickets/{floor.open_ticket}/presence").json()["others"] == []


def test_e3_unrenewed_presence_fades_after_its_ttl(live_sqlite: LiveServer) -> None:
    live_sqlite.app.state.presence.ttl = 1.0
    with _floor(live_sqlite) as floor:
        a_id, a = floor.a
        _b, b = floor.b
        with listening(live_sqlite.api, floor.tokens["b"]) as heard:
            answer = a.post(f"/tickets/{floor.open_ticket}/presence", json={"state": "replying"})
            assert answer.json()["ttl_seconds"] == 1.0
            started = time.monotonic()
            assert _next(heard)["state"] == "replying"
            faded = _next(heard, 5)
            waited = time.monotonic() - started
        assert (faded["user"], faded["state"]) == (a_id, "gone")
        assert 0.5 < waited < 3.5, waited
        assert b.get(f"/tickets/{floor.open_ticket}/presence").json()["others"] == []


def test_e3_bad_presence_is_refused_clearly(live_sqlite: LiveServer) -> None:
    with _floor(live_sqlite) as floor:
        _a_id, a = floor.a
        bad = a.post(f"/tickets/{floor.open_ticket}/presence", json={"state": "dancing"})
        assert bad.status_code == 422
        assert "state" in bad.text
        assert (
            a.post("/tickets/no-such-ticket/presence", json={"state": "viewing"}).status_code == 404
        )
        with live_sqlite.sessions() as s:
            customer = make_portal_user(s)
            s.commit()
            customer_id = customer.id
        # a customer is not staff: the portal has no presence
        with live_sqlite.client(live_sqlite.token_for(customer_id)) as portal:
            said = portal.post(f"/tickets/{floor.open_ticket}/presence", json={"state": "viewing"})
            assert said.status_code == 403
        # nothing was recorded by the refused calls
        _b, b = floor.b
        assert b.get(f"/tickets/{floor.open_ticket}/presence").json()["others"] == []


def _next_presence(lines: Iterator[str]) -> Event:
    event = ""
    for line in lines:
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:") and event == "presence":
            return dict(json.loads(line[5:]))
    raise AssertionError("stream ended")


def test_e3_presence_crosses_worker_processes(
    two_workers: str,  # noqa: F811 - the fixture imported above
    pg_url: str,
) -> None:
    """B holds a stream on each of two worker processes; A announces through whichever
    worker takes the request: both streams hear it (NOTIFY), and every worker lists it."""
    engine = server_engine(pg_url)
    factory = server_sessions(engine)
    with factory() as s:
        a = make_user(s, "Reza", username="reza")
        b = make_user(s, "Sara", username="sara")
        team = make_team(s, "Shared", visibility=Visibility.COMPANY)
        ticket = make_ticket(s, "Printer jammed", team=team)
        ttl = ServerConfig().token_ttl
        tokens = {"a": issue_token(s, a, ttl), "b": issue_token(s, b, ttl)}
        s.commit()
        ticket_id = ticket.id
    streams: dict[int, Iterator[str]] = {}
    opened: list[tuple[httpx.Client, Any]] = []
    b_headers = {"Authorization": f"Bearer {tokens['b']}"}
    try:
        for _ in range(40):  # new connections until both workers hold one of B's
            client = httpx.Client(base_url=two_workers, headers=b_headers, timeout=10)
            ctx = client.stream("GET", "/sync/events")
            lines = ctx.__enter__().iter_lines()
            opened.append((client, ctx))
            first = next(x for x in lines if x.startswith("data:"))
            streams.setdefault(json.loads(first[5:])["worker"], lines)
            if len(streams) == 2:
                break
        assert len(streams) == 2, "the kernel never gave a connection to the second worker"
        heard: dict[int, Event] = {}

        def listen(worker: int, lines: Iterator[str]) -> None:
            heard[worker] = _next_presence(lines)

        threads = [threading.Thread(target=listen, args=kv, daemon=True) for kv in streams.items()]
        for t in threads:
            t.start()
        a_headers = {"Authorization": f"Bearer {tokens['a']}"}
        said = httpx.post(
            f"{two_workers}/tickets/{ticket_id}/presence",
            json={"state": "replying"},
            headers=a_headers,
        )
        assert said.status_code == 200
        for t in threads:
            t.join(5)
        assert set(heard) == set(streams)
        assert all((e["name"], e["state"]) == ("Reza", "replying") for e in heard.values())
        for _ in range(6):  # fresh connections land on both workers: each lists A
            listed = httpx.get(f"{two_workers}/tickets/{ticket_id}/presence", headers=b_headers)
            assert [p["state"] for p in listed.json()["others"]] == ["replying"]
    finally:
        for client, ctx in opened:
            ctx.__exit__(None, None, None)
            client.close()
        engine.dispose()


def test_e3_client_announces_renews_and_hears_through_the_engine(
    live_sqlite: LiveServer, tmp_path: Path
) -> None:
    """sync.client: A's PresenceClient announces and keeps renewing past the server's
    TTL; B's SyncEngine stream hands each presence frame to `on_presence`, none of B's
    own; A's close says gone."""
    live_sqlite.app.state.presence.ttl = 1.0
    with _floor(live_sqlite) as floor:
        a_id, _a = floor.a
        _b_id, b = floor.b
        cache = tmp_path / "b.sqlite3"
        open_cache(cache).dispose()
        heard: list[PresenceEvent] = []
        others_seen: list[list[PresenceEvent]] = []

        def on_presence(data: str) -> None:
            event = parse_presence(data)
            assert event is not None
            heard.append(event)

        async def until(check: Callable[[], bool], timeout: float = 5) -> None:
            deadline = time.monotonic() + timeout
            while not check():
                assert time.monotonic() < deadline, "timed out"
                await asyncio.sleep(0.05)

        async def go() -> None:
            engine = SyncEngine(cache, live_sqlite.url, floor.tokens["b"], on_presence=on_presence)
            runner = asyncio.create_task(engine.run())
            a_side = PresenceClient(live_sqlite.url, floor.tokens["a"], renew_seconds=0.3)
            b_side = PresenceClient(live_sqlite.url, floor.tokens["b"], renew_seconds=0.3)
            try:
                await until(lambda: engine.state.status == "online")
                a_side.set_state(floor.open_ticket, "viewing")
                await until(lambda: len(heard) == 1)
                # B announces too: B's answer lists A; B's stream never tells B of B
                b_side.set_state(
                    floor.open_ticket, "viewing", lambda _t, o, _sent: others_seen.append(o)
                )
                await until(lambda: bool(others_seen))
                assert [o.name for o in others_seen[0]] == ["Reza"]
                a_side.set_state(floor.open_ticket, "replying")
                await until(lambda: len(heard) == 2)
                # three TTLs pass: the renewals keep A there, nothing more is heard
                await asyncio.sleep(3.0)
                assert [(e.user, e.state) for e in heard] == [
                    (a_id, "viewing"),
                    (a_id, "replying"),
                ]
                await a_side.aclose()  # says gone
                await until(lambda: len(heard) == 3)
                assert heard[-1].state == "gone"
            finally:
                runner.cancel()
                await asyncio.gather(runner, return_exceptions=True)
                await b_side.aclose()
                await engine.aclose()

        asyncio.run(go())
        assert b.get(f"/tickets/{floor.open_ticket}/presence").json()["others"] == []
    assert parse_presence("not json") is None
    assert parse_presence('{"ticket_id": "t", "user": "u", "name": "n", "state": "x"}') is None
