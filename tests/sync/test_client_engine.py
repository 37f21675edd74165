"""The client sync engine against a real server on loopback, with real cache files
(issue 4; D6 offline cache and later sync, E7 conflicts shown, nothing typed lost)."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.cache import open_cache
from core.db import session_factory
from core.enums import MessageKind, Role, Status, Visibility
from core.ids import utcnow
from core.local_edits import (
    change_tags_locally,
    create_ticket_locally,
    edit_ticket_locally,
    follow_ticket_locally,
    post_message_locally,
    set_stage_locally,
)
from core.models import (
    Message,
    OutboxMutation,
    Stage,
    SyncCounter,
    Tag,
    TeamMember,
    Ticket,
    User,
)
from sync.client import state as bookmarks
from sync.client.engine import EngineState, OfflineError, SyncEngine, SyncReport
from sync.client.push import read_pending
from sync.server.app import create_app
from sync.server.auth import issue_token
from sync.server.config import ServerConfig
from tests.core.factories import add_member, make_tag, make_team, make_ticket, make_user
from tests.sync.server_fixture import LiveServer, free_port


@contextmanager
def cache(path: Path) -> Iterator[tuple[Engine, Session]]:
    engine = open_cache(path)
    try:
        with session_factory(engine)() as session:
            yield engine, session
    finally:
        engine.dispose()


def ids(path: Path, table: str) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute(f"SELECT id FROM {table}")}


def agent(server: LiveServer, name: str) -> tuple[User, str]:
    with server.sessions() as s:
        user = make_user(s, role=Role.AGENT, username=name)
        s.commit()
    return user, server.token_for(user.id)


def seed(server: LiveServer) -> dict[str, Any]:
    """A public team with tickets, tags and messages, and a private team's ticket."""
    with server.sessions() as s:
        team = make_team(s, "Support")
        hidden_team = make_team(s, "VIP", visibility=Visibility.PRIVATE)
        tag = make_tag(s, "urgent")
        tickets = [make_ticket(s, f"Issue {n}", team=team) for n in range(5)]
        tickets[0].tags.append(tag)
        secret = make_ticket(s, "Private", team=hidden_team)
        for t in (*tickets, secret):
            s.add(Message(ticket_id=t.id, kind=MessageKind.CUSTOMER_REPLY, body="سلام"))
        s.commit()
        return {"team": team.id, "tickets": [t.id for t in tickets], "secret": secret.id}


def sync(path: Path, server: LiveServer, token: str, **kw: Any) -> Any:
    async def go() -> Any:
        engine = SyncEngine(path, server.url, token, **kw)
        try:
            return await engine.sync_once(), engine.state
        finally:
            await engine.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize("snapshot", [True, False], ids=["snapshot", "pull-from-zero"])
def test_d6_first_sync_fills_the_cache_with_what_the_agent_may_see(
    sqlite_server: LiveServer, tmp_path: Path, snapshot: bool
) -> None:
    seeded = seed(sqlite_server)
    _, token = agent(sqlite_server, "ali")
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    states: list[Any] = []
    report, final = sync(
        path,
        sqlite_server,
        token,
        pull_limit=7,
        bootstrap=snapshot,
        snapshot_limit=1,
        on_state=states.append,
    )
    pages = report.snapshot_pages if snapshot else report.pages
    assert pages > 2 and final.status == "online" and final.pending == 0
    assert final.done == final.total > 0 and final.last_sync_at is not None
    assert {s.status for s in states} >= {"syncing", "online"}
    assert ids(path, "tickets") == set(seeded["tickets"])
    assert len(ids(path, "messages")) == 5 and seeded["team"] in ids(path, "teams")
    with sqlite_server.sessions() as s:
        users = set(s.scalars(select(User.id)))
    assert ids(path, "users") == users
    with closing(sqlite3.connect(path)) as conn:
        tags = conn.execute("SELECT ticket_id FROM ticket_tags").fetchall()
        title = conn.execute(
            "SELECT title FROM tickets WHERE id = ?", (seeded["tickets"][2],)
        ).fetchone()
    assert tags == [(seeded["tickets"][0],)] and title == ("Issue 2",)
    # nothing new: a second sync pulls nothing and changes nothing
    again, _ = sync(path, sqlite_server, token)
    assert again.pulled == 0 and again.pushed == 0


def test_d6_e7_offline_edits_merge_and_conflicts_are_recorded(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """A edits offline (title, severity, status, a reply, a new ticket); B meanwhile
    changes the title and the status online. A syncs: A's title wins (last writer per
    field), severity merges, the status move is refused and recorded on A with B's
    value; A's reply and new ticket reach B's cache, the ticket with its number."""
    seeded = seed(sqlite_server)
    user_a, token_a = agent(sqlite_server, "ali")
    _, token_b = agent(sqlite_server, "bita")
    path_a, path_b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    target = seeded["tickets"][1]
    with cache(path_a), cache(path_b):
        pass
    sync(path_a, sqlite_server, token_a)
    sync(path_b, sqlite_server, token_b)
    with cache(path_a) as (_, s):
        edit_ticket_locally(
            s, target, {"title": "From A", "severity": 2, "status": Status.IN_PROGRESS}
        )
        reply = post_message_locally(
            s, target, kind=MessageKind.AGENT_REPLY, body="پاسخ A", author_user_id=user_a.id
        )
        new = create_ticket_locally(s, title="Made offline", contact_email="c@example.com")
    with sqlite_server.client(token_b) as b:
        answer = b.patch(f"/tickets/{target}", json={"title": "From B", "status": "closed"})
        assert answer.status_code == 200, answer.text
    report, _ = sync(path_a, sqlite_server, token_a)
    assert (report.applied, report.rejected) == (3, 0)
    assert [c["field"] for c in report.conflicts] == ["status"]
    with sqlite_server.sessions() as s:
        row = s.get(Ticket, target)
        assert row is not None
        assert (row.title, row.severity, row.status) == ("From A", 2, Status.CLOSED)
        number = s.scalar(select(Ticket.number).where(Ticket.id == new.id))
    assert number is not None
    with cache(path_a) as (_, s):
        mine = s.get(Ticket, target)
        assert mine is not None and (mine.title, mine.status) == ("From A", Status.CLOSED)
        assert s.get(Ticket, new.id).number == number  # type: ignore[union-attr]
        assert s.scalar(select(OutboxMutation).where(OutboxMutation.state.is_(None))) is None
    with closing(sqlite3.connect(path_a)) as conn:
        recorded = bookmarks.conflicts(conn)
    assert [(c["ticket_id"], c["field"], c["current"]) for c in recorded] == [
        (target, "status", "closed")
    ]
    sync(path_b, sqlite_server, token_b)
    with cache(path_b) as (_, s):
        theirs = s.get(Ticket, new.id)
        assert theirs is not None and theirs.number == number
        assert s.scalar(select(Message.body).where(Message.id == reply.id)) == "پاسخ A"
        assert s.get(Ticket, target).severity == 2  # type: ignore[union-attr]


def test_d6_a_pull_never_clobbers_an_unpushed_local_edit(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    seeded = seed(sqlite_server)
    _, token = agent(sqlite_server, "ali")
    path = tmp_path / "a.sqlite3"
    target = seeded["tickets"][3]
    with cache(path):
        pass
    sync(path, sqlite_server, token)
    with cache(path) as (_, s):
        edit_ticket_locally(s, target, {"title": "Mine, not pushed"})
    with sqlite_server.sessions() as s:
        row = s.get(Ticket, target)
        assert row is not None
        row.severity = 3
        s.commit()

    async def pull_only() -> None:
        engine = SyncEngine(path, sqlite_server.url, token)
        try:
            await engine._pull_all(SyncReport())
        finally:
            await engine.aclose()

    asyncio.run(pull_only())
    with cache(path) as (_, s):
        row = s.get(Ticket, target)
        assert row is not None and (row.title, row.severity) == ("Mine, not pushed", 3)


def test_d6_p4_a_pull_keeps_the_priority_of_a_pending_severity_and_impact(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """Offline, the agent raises a ticket's severity and impact (the form shows the
    priority the matrix gives); a colleague then renames it on the server, so a pull
    brings the row with the server's old priority. Must hold: after that pull (nothing
    pushed) the cache keeps the agent's severity and impact and the priority they give,
    with the colleague's title; after a full sync the server agrees."""
    seeded = seed(sqlite_server)
    _, token = agent(sqlite_server, "ali")
    _, colleague = agent(sqlite_server, "bita")
    target = seeded["tickets"][2]
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    sync(path, sqlite_server, token)
    with cache(path) as (_, s):
        edit_ticket_locally(s, target, {"severity": 2, "impact": 2})
        row = s.get(Ticket, target)
        assert row is not None
        raised = row.priority
    with sqlite_server.sessions() as s:
        server_row = s.get(Ticket, target)
        assert server_row is not None and server_row.priority != raised
    with sqlite_server.client(colleague) as c:
        assert c.patch(f"/tickets/{target}", json={"title": "B"}).status_code == 200

    async def pull_only() -> None:
        engine = SyncEngine(path, sqlite_server.url, token)
        try:
            await engine._pull_all(SyncReport())
        finally:
            await engine.aclose()

    def shown() -> tuple[Any, ...]:
        with closing(sqlite3.connect(path)) as conn:
            found = conn.execute(
                "SELECT title, severity, impact, priority FROM tickets WHERE id = ?", (target,)
            )
            return tuple(found.fetchone())

    asyncio.run(pull_only())
    assert shown() == ("B", 2, 2, raised)
    sync(path, sqlite_server, token)
    assert shown() == ("B", 2, 2, raised)
    with sqlite_server.sessions() as s:
        server_row = s.get(Ticket, target)
        assert server_row is not None and server_row.priority == raised


def test_d6_o4_e2_a_pull_keeps_a_pending_follow_tags_and_a_closing_stage(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """Offline, the agent follows one ticket, tags another and unfollows nothing, and
    moves a third to the team's closed stage; a colleague then edits each of the three on
    the server, so the next pull brings their rows with the server's followers, tags and
    status. Must hold: after that pull (nothing pushed yet) the cache still shows the
    agent following, the tag on, and the third ticket closed with a closing time; after a
    full sync the server holds the same."""
    seeded = seed(sqlite_server)
    user, token = agent(sqlite_server, "ali")
    _, colleague = agent(sqlite_server, "bita")
    followed, tagged, to_close = seeded["tickets"][1:4]
    with sqlite_server.sessions() as s:
        done = Stage(team_id=seeded["team"], name="Done", sequence=90, is_closed=True)
        s.add(done)
        s.commit()
        done_id = done.id
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    sync(path, sqlite_server, token)
    with cache(path) as (_, s):
        tag_id = s.scalars(select(Tag.id)).one()
        follow_ticket_locally(s, followed, user.id)
        change_tags_locally(s, tagged, add=[tag_id], remove=[])
        set_stage_locally(s, to_close, done_id)
    with sqlite_server.client(colleague) as c:
        for n, ticket_id in enumerate((followed, tagged, to_close)):
            assert c.patch(f"/tickets/{ticket_id}", json={"title": f"B {n}"}).status_code == 200

    async def pull_only() -> SyncReport:
        engine = SyncEngine(path, sqlite_server.url, token)
        try:
            report = SyncReport()
            await engine._pull_all(report)
            return report
        finally:
            await engine.aclose()

    assert asyncio.run(pull_only()).pulled >= 3

    def shown() -> tuple[bool, bool, str, bool, str]:
        with closing(sqlite3.connect(path)) as conn:
            following = conn.execute(
                "SELECT count(*) FROM ticket_followers WHERE ticket_id = ? AND user_id = ?",
                (followed, user.id),
            ).fetchone()[0]
            has_tag = conn.execute(
                "SELECT count(*) FROM ticket_tags WHERE ticket_id = ? AND tag_id = ?",
                (tagged, tag_id),
            ).fetchone()[0]
            status, closed_at, title = conn.execute(
                "SELECT status, closed_at, title FROM tickets WHERE id = ?", (to_close,)
            ).fetchone()
        return following == 1, has_tag == 1, status, closed_at is not None, title

    assert shown() == (True, True, "closed", True, "B 2")
    sync(path, sqlite_server, token)
    assert shown() == (True, True, "closed", True, "B 2")
    with sqlite_server.sessions() as s:
        ticket = s.get(Ticket, to_close)
        assert ticket is not None and ticket.status == Status.CLOSED
        assert ticket.stage_id == done_id
        assert {t.id for t in s.get(Ticket, tagged).tags} == {tag_id}  # type: ignore[union-attr]


def test_d6_a_push_whose_answer_was_lost_applies_nothing_twice(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    seed(sqlite_server)
    user, token = agent(sqlite_server, "ali")
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    sync(path, sqlite_server, token)
    with cache(path) as (_, s):
        new = create_ticket_locally(s, title="Once only", contact_email="c@example.com")
        post_message_locally(
            s, new.id, kind=MessageKind.AGENT_REPLY, body="once", author_user_id=user.id
        )

    async def go() -> tuple[int, int]:
        engine = SyncEngine(path, sqlite_server.url, token)
        try:
            with closing(sqlite3.connect(path)) as conn:
                batch = read_pending(conn, 200)
            body = {
                "client_id": engine.client_id,
                "mutations": [p.mutation.model_dump(mode="json") for p in batch],
            }
            # the first send reaches the server; its answer is "lost"
            async with httpx.AsyncClient(
                base_url=sqlite_server.api, headers={"Authorization": f"Bearer {token}"}
            ) as raw:
                assert (await raw.post("/sync/push", json=body)).status_code == 200

            report = SyncReport()
            await engine.push_step(report)
            return report.replayed, report.applied
        finally:
            await engine.aclose()

    assert asyncio.run(go()) == (2, 2)
    with sqlite_server.sessions() as s:
        assert len(s.scalars(select(Ticket).where(Ticket.title == "Once only")).all()) == 1
        assert len(s.scalars(select(Message).where(Message.ticket_id == new.id)).all()) == 1
        number = s.scalar(select(Ticket.number).where(Ticket.id == new.id))
    with cache(path) as (_, s):
        assert s.get(Ticket, new.id).number == number  # type: ignore[union-attr]


@contextmanager
def server_on(database_url: str, tmp: Path, port: int) -> Iterator[FastAPI]:
    """The real app on a given loopback port, so a "restarted" server keeps its address."""
    config = ServerConfig(database_url=database_url, blob_dir=tmp / "blobs", secret=b"test-secret")
    app = create_app(config, migrate_schema=True)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    try:
        yield app
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_d6_server_down_means_offline_with_every_intent_kept(tmp_path: Path) -> None:
    """The server stops: the engine says offline, keeps every outbox row, and the same
    engine succeeds once the server is back."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass

    async def go() -> None:
        with server_on(url, tmp_path, port) as app:
            with app.state.sessions() as s:
                user = make_user(s, role=Role.AGENT, username="ali")
                token = issue_token(s, user, timedelta(hours=1), "test")
                s.commit()
            engine = SyncEngine(path, base, token, retries=2, backoff=0.05)
            await engine.sync_once()
        try:
            with cache(path) as (_, s):
                t = create_ticket_locally(s, title="While down", contact_email="c@example.com")
                edit_ticket_locally(s, t.id, {"severity": 1})
            with pytest.raises(OfflineError):
                await engine.sync_once()
            assert engine.state.status == "offline" and engine.state.pending == 2
            assert engine.state.last_error and "reach" in engine.state.last_error
            with closing(sqlite3.connect(path)) as conn:
                rows = conn.execute("SELECT count(*) FROM outbox WHERE state IS NULL").fetchone()
            assert rows == (2,)
            with server_on(url, tmp_path, port):
                report = await engine.sync_once()
            back: EngineState = engine.state
            assert report.applied == 2 and back.status == "online" and back.pending == 0
        finally:
            await engine.aclose()

    asyncio.run(go())


def test_d6_event_stream_shows_an_edit_by_a_in_b_cache_within_a_second(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    seeded = seed(sqlite_server)
    _, token_a = agent(sqlite_server, "ali")
    _, token_b = agent(sqlite_server, "bita")
    path_a, path_b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    target = seeded["tickets"][0]
    with cache(path_a), cache(path_b):
        pass

    def title_in_b() -> str:
        with closing(sqlite3.connect(path_b)) as conn:
            row = conn.execute("SELECT title FROM tickets WHERE id = ?", (target,)).fetchone()
        return str(row[0]) if row else ""

    async def go() -> float:
        a = SyncEngine(path_a, sqlite_server.url, token_a)
        b = SyncEngine(path_b, sqlite_server.url, token_b)
        tasks = [asyncio.create_task(a.run()), asyncio.create_task(b.run())]
        try:
            while a.state.status != "online" or b.state.status != "online":
                await asyncio.sleep(0.02)
            assert title_in_b() == "Issue 0"
            with cache(path_a) as (_, s):
                edit_ticket_locally(s, target, {"title": "Live from A"})
            start = time.monotonic()
            a.poke()
            while title_in_b() != "Live from A":
                assert time.monotonic() - start < 5, "B never saw A's edit"
                await asyncio.sleep(0.01)
            return time.monotonic() - start
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await a.aclose()
            await b.aclose()

    elapsed = asyncio.run(go())
    assert elapsed < 1.0, f"took {elapsed:.3f} s"


def test_o3_leave_scope_and_reset_required(sqlite_server: LiveServer, tmp_path: Path) -> None:
    """Removed from a private team: its ticket leaves the cache with its messages, and
    the team with its stages. A cursor the server no longer keeps: a fresh bootstrap."""
    user, token = agent(sqlite_server, "ali")
    with sqlite_server.sessions() as s:
        team = make_team(s, "VIP", visibility=Visibility.PRIVATE)
        add_member(s, team, s.get(User, user.id))  # type: ignore[arg-type]
        secret = make_ticket(s, "Private", team=team)
        s.add(Message(ticket_id=secret.id, kind=MessageKind.INTERNAL_NOTE, body="x"))
        s.commit()
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    sync(path, sqlite_server, token)
    assert secret.id in ids(path, "tickets") and len(ids(path, "messages")) == 1
    with sqlite_server.sessions() as s:
        s.delete(s.get(TeamMember, (team.id, user.id)))
        s.commit()
    sync(path, sqlite_server, token)
    assert secret.id not in ids(path, "tickets") and not ids(path, "messages")
    assert team.id not in ids(path, "teams")
    with sqlite_server.sessions() as s:
        row = s.get(SyncCounter, "purged_below")
        if row is None:
            s.add(SyncCounter(name="purged_below", value=10**6))
        else:
            row.value = 10**6
        s.commit()
    report, _ = sync(path, sqlite_server, token)
    assert report.resets == 1


def test_d6_an_unsendable_intent_is_rejected_and_the_queue_goes_on(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """An intent the protocol cannot carry is the client's bug: marked rejected with the
    reason, and the next one still goes through (no gap in the push numbers)."""
    seed(sqlite_server)
    _, token = agent(sqlite_server, "ali")
    path = tmp_path / "a.sqlite3"
    with cache(path) as (_, s):
        s.add(OutboxMutation(name="ticket.update", entity_id="x" * 70, payload={"title": "t"}))
        s.commit()
        good = create_ticket_locally(s, title="Good one", contact_email="c@example.com")
    report, final = sync(path, sqlite_server, token)
    assert report.applied == 1 and final.pending == 0
    with cache(path) as (_, s):
        rows = s.scalars(select(OutboxMutation).order_by(OutboxMutation.seq)).all()
        assert rows[0].state == "rejected" and "entity_id" in (rows[0].reason or "")
        assert s.get(Ticket, good.id).number is not None  # type: ignore[union-attr]


def test_d6_last_sync_time_is_kept_in_the_cache_and_read_back(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """The engine writes the time of each finished sync into sync_state and a new engine
    over the same cache starts with it; a sync that fails leaves it as it was."""
    seed(sqlite_server)
    _, token = agent(sqlite_server, "ali")
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass

    async def fresh() -> EngineState:
        engine = SyncEngine(path, sqlite_server.url, token)
        await engine.aclose()
        return engine.state

    assert asyncio.run(fresh()).last_sync_at is None
    before = utcnow()
    _, first = sync(path, sqlite_server, token)
    assert first.last_sync_at is not None and before <= first.last_sync_at <= utcnow()
    with closing(sqlite3.connect(path)) as conn:
        assert bookmarks.last_sync_at(conn) == first.last_sync_at
    assert asyncio.run(fresh()).last_sync_at == first.last_sync_at

    async def down() -> EngineState:
        engine = SyncEngine(path, f"http://127.0.0.1:{free_port()}", token, retries=0)
        try:
            with pytest.raises(OfflineError):
                await engine.sync_once()
            return engine.state
        finally:
            await engine.aclose()

    failed = asyncio.run(down())
    assert failed.status == "offline" and failed.last_sync_at == first.last_sync_at
    assert asyncio.run(fresh()).last_sync_at == first.last_sync_at
    _, second = sync(path, sqlite_server, token)
    assert second.last_sync_at is not None and second.last_sync_at > first.last_sync_at
    assert asyncio.run(fresh()).last_sync_at == second.last_sync_at
