"""Faults the client sync engine meets, each against a real server on loopback (issue 4;
D6 offline cache and later sync, E7 conflicts kept). Faults in answers come from a real
proxy in front of the server (tests/sync/fault_proxy.py), the stopped server from
stopping its uvicorn, the killed client from SIGKILL on a real process. Each test's
docstring states what must hold."""

from __future__ import annotations

import asyncio
import json
import math
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core.enums import MessageKind, Role
from core.local_edits import create_ticket_locally, edit_ticket_locally, post_message_locally
from core.models import Change, Message, Ticket, User
from core.visibility import visible_messages_clause, visible_tickets_clause
from sync.client import state as bookmarks
from sync.client.engine import (
    AuthError,
    BadAnswerError,
    EngineState,
    OfflineError,
    SyncEngine,
    SyncError,
    SyncReport,
)
from sync.protocol import PullResponse, parse_cursor
from sync.server.auth import issue_token
from sync.server.demo import load_demo
from tests.core.factories import add_member, make_team, make_ticket, make_user
from tests.sync.engine_child import engine_child, send_job
from tests.sync.fault_proxy import running_proxy
from tests.sync.server_fixture import LiveServer, free_port, running_server
from tests.sync.test_client_engine import agent, cache, ids, seed, server_on, sync

ROOT = Path(__file__).resolve().parents[2]
SERVER_ERROR = json.dumps({"error": {"code": "internal", "message": "Something broke."}})


def bookmark(path: Path, key: str) -> str | None:
    with closing(sqlite3.connect(path)) as conn:
        return bookmarks.get(conn, key)


def outbox_states(path: Path) -> list[tuple[str, str | None, str | None]]:
    """(mutation id, state, reason) of every outbox row, oldest first."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT mutation_id, state, reason FROM outbox ORDER BY seq")
        return [(str(m), s, r) for m, s, r in rows]


def column(path: Path, table: str, name: str, row_id: str) -> Any:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute(f"SELECT {name} FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return None if row is None else row[0]


def raw_pull(base: str, token: str, limit: int, cursor: str | None = None) -> PullResponse:
    params: dict[str, Any] = {"limit": limit}
    if cursor:
        params["cursor"] = cursor
    with httpx.Client(base_url=base + "/api/v1", headers={"Authorization": f"Bearer {token}"}) as c:
        reply = c.get("/sync/pull", params=params)
        assert reply.status_code == 200, reply.text
        return PullResponse.model_validate(reply.json())


def run_engine(path: Path, url: str, token: str, fn: Any, **kw: Any) -> Any:
    """`fn(engine)` on a fresh engine, closed afterwards; returns what fn returned."""

    async def go() -> Any:
        engine = SyncEngine(path, url, token, **kw)
        try:
            return await fn(engine)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def failing_sync(
    path: Path, url: str, token: str, expected: type[SyncError], **kw: Any
) -> tuple[SyncError, EngineState]:
    async def fn(engine: SyncEngine) -> tuple[SyncError, EngineState]:
        with pytest.raises(expected) as caught:
            await engine.sync_once()
        return caught.value, engine.state

    result: tuple[SyncError, EngineState] = run_engine(path, url, token, fn, **kw)
    return result


def offline_edits(path: Path, target: str, author: str) -> str:
    """A title edit, a reply and a new ticket made offline; returns the new ticket's id."""
    with cache(path) as (_, s):
        edit_ticket_locally(s, target, {"title": "Edited offline"})
        post_message_locally(
            s, target, kind=MessageKind.AGENT_REPLY, body="پاسخ آفلاین", author_user_id=author
        )
        return create_ticket_locally(s, title="Made offline", contact_email="c@example.com").id


def server_titles(server: LiveServer, title: str) -> int:
    with server.sessions() as s:
        return int(s.scalar(select(func.count()).where(Ticket.title == title)) or 0)


# -- the server stops in the middle of a pull ------------------------------------------


def every_page(base: str, token: str, limit: int, first: PullResponse) -> list[PullResponse]:
    """`first` and the pages after it, as the server answers them now."""
    pages = [first]
    while pages[-1].has_more:
        pages.append(raw_pull(base, token, limit, pages[-1].cursor))
    return pages


def page_ids(pages: list[PullResponse], entity: str) -> set[str]:
    return {c.id for p in pages for c in p.changes if c.entity == entity and c.op == "upsert"}


def committed_pages(path: Path, pages: list[PullResponse]) -> list[PullResponse]:
    """The pages up to the cache's committed cursor, after checking that the cache holds
    exactly their rows and that they are the first page or the first two (the page
    applied, and at most the one downloaded meanwhile)."""
    committed = bookmark(path, bookmarks.CURSOR)
    assert committed is not None, "no page was applied"
    held = [p.cursor for p in pages].index(committed) + 1
    assert held in (1, 2), "more than the one page in flight was applied"
    assert ids(path, "tickets") == page_ids(pages[:held], "ticket")
    assert ids(path, "messages") == page_ids(pages[:held], "message")
    return pages[:held]


def thirty_tickets(app: Any) -> str:
    """30 tickets with a message each, and an agent; returns the agent's token."""
    with app.state.sessions() as s:
        team = make_team(s, "Support")
        for n in range(30):
            t = make_ticket(s, f"Issue {n}", team=team)
            s.add(Message(ticket_id=t.id, kind=MessageKind.CUSTOMER_REPLY, body=f"پیام {n}"))
        user = make_user(s, role=Role.AGENT, username="ali")
        token = issue_token(s, user, timedelta(hours=1), "test")
        s.commit()
    return token


def test_d6_server_stopped_mid_pull_keeps_the_applied_pages_and_resumes(tmp_path: Path) -> None:
    """The server stops once the first page of a first sync is applied (the next page
    may already be on its way: one is downloaded while one is applied). Must hold: the
    engine says offline; the cache holds exactly the rows of the pages up to its
    committed cursor, which is the first or the second page's (never more); after a
    restart the next sync pulls exactly the pages after it (no page twice) and the cache
    then holds every row the server has, once."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    limit = 20
    stack = ExitStack()
    token = thirty_tickets(stack.enter_context(server_on(url, tmp_path, port)))
    first = raw_pull(base, token, limit)
    pages = every_page(base, token, limit, first)
    assert len(pages) >= 3
    stopped: list[str | None] = []

    def on_state(state: EngineState) -> None:
        if state.done and not stopped:
            stopped.append(bookmark(path, bookmarks.CURSOR))
            stack.close()  # the server process goes away after the first page

    applied: list[PullResponse] = []

    async def go() -> tuple[EngineState, SyncReport, EngineState]:
        engine = SyncEngine(
            path,
            base,
            token,
            pull_limit=limit,
            bootstrap=False,  # the pull from zero (a reset); the bootstrap's own test below
            retries=1,
            backoff=0.01,
            on_state=on_state,
        )
        try:
            with pytest.raises(OfflineError):
                await engine.sync_once()
            down = engine.state
            assert stopped[0] == first.cursor
            applied.extend(committed_pages(path, pages))
            with server_on(url, tmp_path, port):
                report = await engine.sync_once()
            return down, report, engine.state
        finally:
            await engine.aclose()

    try:
        down, report, up = asyncio.run(go())
    finally:
        stack.close()
    assert down.status == "offline" and down.last_error and "reach" in down.last_error
    assert up.status == "online"
    with server_on(url, tmp_path, port) as app:
        every = raw_pull(base, token, 5000)
        with app.state.sessions() as s:
            tickets = set(s.scalars(select(Ticket.id)))
            messages = set(s.scalars(select(Message.id)))
    assert report.pages == len(pages) - len(applied)
    assert report.pulled == sum(len(p.changes) for p in pages[len(applied) :])
    assert report.cursor == every.cursor == bookmark(path, bookmarks.CURSOR)
    assert ids(path, "tickets") == tickets and len(tickets) == 30
    assert ids(path, "messages") == messages and len(messages) == 30


# -- the client process is killed while it applies pages -------------------------------


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    """The client process, started early so its imports overlap the seeding."""
    with engine_child() as process:
        yield process


def kill_once_the_cursor_moves(
    child: subprocess.Popen[bytes], path: Path, url: str, token: str, limit: int
) -> None:
    """The child's first sync, SIGKILLed as soon as a page is committed."""
    send_job(child, path, url, token, pull_limit=limit, bootstrap=False)
    deadline = time.monotonic() + 30
    moved = None
    while moved is None:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the child never pulled a page"
        try:
            moved = bookmark(path, bookmarks.CURSOR)
        except sqlite3.OperationalError:  # schema being read while it writes
            moved = None
        time.sleep(0.002)
    child.send_signal(signal.SIGKILL)
    out, _ = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL and b"finished" not in out


def test_d6_client_killed_during_apply_resumes_from_the_last_committed_cursor(
    tmp_path: Path, child: subprocess.Popen[bytes]
) -> None:
    """A first sync of a few thousand changes in small pages runs in its own process,
    after pushing three intents queued offline; it is SIGKILLed once its cursor has
    moved and before it is done. Must hold: the cache opens with a cursor of a committed
    page; a new engine resumes from it (it pulls only the pages after it); afterwards the
    cache holds exactly the tickets and messages the agent may see on the server, and
    each queued intent was applied once on the server and in the cache."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    (tmp_path / "demo").mkdir()
    load_demo(url, tickets=300, seed=3, password="demo-password", tmp=str(tmp_path / "demo"))
    limit = 25
    with running_server(url, tmp_path) as live:
        with live.sessions() as s:
            user = s.scalars(select(User).where(User.role == Role.AGENT).order_by(User.id)).first()
            assert user is not None
        token = live.token_for(user.id)
        path = tmp_path / "a.sqlite3"
        with cache(path) as (_, s):
            made = [
                create_ticket_locally(s, title=f"Queued {n}", contact_email="c@example.com").id
                for n in range(2)
            ]
            post_message_locally(
                s, made[0], kind=MessageKind.AGENT_REPLY, body="یک بار", author_user_id=None
            )
        kill_once_the_cursor_moves(child, path, live.url, token, limit)
        committed = bookmark(path, bookmarks.CURSOR)
        parsed = parse_cursor(committed)
        assert parsed is not None
        with live.sessions() as s:
            server_seq = int(s.scalar(select(func.max(Change.seq))) or 0)
            after = int(s.scalar(select(func.count()).where(Change.seq > parsed[1])) or 0)
        assert 0 < parsed[1] < server_seq, "killed before the first or after the last page"

        report: SyncReport = run_engine(
            path, live.url, token, lambda e: e.sync_once(), pull_limit=limit
        )
        assert report.pushed == 0, "the intents went in the first run, not again"
        assert report.pages == math.ceil(after / limit), "it did not resume from the cursor"
        with live.sessions() as s:
            viewer = s.get(User, user.id)
            assert viewer is not None
            tickets = set(s.scalars(select(Ticket.id).where(visible_tickets_clause(viewer))))
            messages = set(s.scalars(select(Message.id).where(visible_messages_clause(viewer))))
            for n in range(2):
                assert s.scalar(select(func.count()).where(Ticket.title == f"Queued {n}")) == 1
            assert s.scalar(select(func.count()).where(Message.body == "یک بار")) == 1
            numbers = {t.id: t.number for t in s.scalars(select(Ticket).where(Ticket.id.in_(made)))}
    assert ids(path, "tickets") == tickets and len(tickets) > 100
    assert ids(path, "messages") == messages
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM outbox WHERE state IS NULL").fetchone() == (0,)
        for ticket_id, number in numbers.items():
            row = conn.execute("SELECT number FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            assert row == (number,) and number is not None


# -- answers broken on the way: 500, unreadable bodies -----------------------------------


def test_d6_a_500_keeps_every_intent_and_the_cursor(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """The server fails with 500, first on push, then on pull. Must hold: the engine says
    offline with the status in its message; while push fails every intent stays pending
    and nothing reaches the server; while pull fails the cursor stays where it was and
    nothing of the new changes is applied; once the fault clears one sync completes and
    each intent is on the server once."""
    seeded = seed(sqlite_server)
    user, token = agent(sqlite_server, "ali")
    _, token_b = agent(sqlite_server, "bita")
    path = tmp_path / "a.sqlite3"
    target, other = seeded["tickets"][0], seeded["tickets"][1]
    with cache(path):
        pass
    with running_proxy(sqlite_server.url) as proxy:
        sync(path, sqlite_server, token)
        cursor = bookmark(path, bookmarks.CURSOR)
        new_id = offline_edits(path, target, user.id)
        with sqlite_server.client(token_b) as b:
            assert b.patch(f"/tickets/{other}", json={"title": "From B"}).status_code == 200

        proxy.inject("/sync/push", 500, SERVER_ERROR)
        error, state = failing_sync(path, proxy.url, token, OfflineError, retries=2, backoff=0.01)
        assert "500" in str(error) and state.status == "offline" and state.last_error == str(error)
        assert state.pending == 3 and proxy.hits("/sync/push", faulty=True) == 3
        assert [s for _, s, _ in outbox_states(path)] == [None, None, None]
        assert server_titles(sqlite_server, "Made offline") == 0
        assert bookmark(path, bookmarks.CURSOR) == cursor

        proxy.clear()
        proxy.inject("/sync/pull", 500, SERVER_ERROR)
        error, state = failing_sync(path, proxy.url, token, OfflineError, retries=1, backoff=0.01)
        assert state.status == "offline" and "500" in (state.last_error or "")
        assert bookmark(path, bookmarks.CURSOR) == cursor
        assert column(path, "tickets", "title", other) == "Issue 1"
        assert column(path, "tickets", "title", target) == "Edited offline"

        proxy.clear()
        report, state = sync(path, sqlite_server, token)
    assert state.status == "online" and state.pending == 0 and report.pushed == 0
    assert column(path, "tickets", "title", other) == "From B"
    assert bookmark(path, bookmarks.CURSOR) != cursor
    assert server_titles(sqlite_server, "Made offline") == 1
    assert column(path, "tickets", "number", new_id) is not None
    with sqlite_server.sessions() as s:
        assert s.scalar(select(func.count()).where(Message.body == "پاسخ آفلاین")) == 1


def test_d6_unreadable_answers_are_a_sync_error_and_lose_nothing(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """Answers the client cannot read: broken JSON and bodies that are not a
    PushResponse / PullResponse, after the server did the work (the answer garbled on
    the way). Must hold: each ends the round with BadAnswerError (a SyncError with a
    message for the agent, never a raw JSON or pydantic error), state "error"; a push
    whose answer was unreadable leaves its intents pending, and the retry applies nothing
    twice; a pull whose answer was unreadable applies nothing and keeps the cursor; the
    next sync after the fault clears completes."""
    seeded = seed(sqlite_server)
    user, token = agent(sqlite_server, "ali")
    _, token_b = agent(sqlite_server, "bita")
    path = tmp_path / "a.sqlite3"
    target, other = seeded["tickets"][0], seeded["tickets"][1]
    with cache(path):
        pass
    sync(path, sqlite_server, token)
    cursor = bookmark(path, bookmarks.CURSOR)
    new_id = offline_edits(path, target, user.id)
    with sqlite_server.client(token_b) as b:
        assert b.patch(f"/tickets/{other}", json={"title": "From B"}).status_code == 200
    with running_proxy(sqlite_server.url) as proxy:
        for body in ('{"results": [{"seq": 1, ', '{"results": [{"seq": "one"}], "last_seq": 1}'):
            proxy.inject("/sync/push", 200, body, forward=True)
            error, state = failing_sync(path, proxy.url, token, BadAnswerError)
            assert type(error.__cause__).__name__ in ("JSONDecodeError", "ValidationError")
            assert "cannot read" in str(error) and state.status == "error"
            assert state.last_error == str(error) and state.pending == 3
            assert [s for _, s, _ in outbox_states(path)] == [None, None, None]
            assert bookmark(path, bookmarks.CURSOR) == cursor
        assert "PushResponse" in str(error)
        # the server took them the first time; the retries only repeated its answers
        assert server_titles(sqlite_server, "Made offline") == 1

        for body in ("<html>Bad gateway</html>", '{"cursor": 7, "has_more": "maybe"}'):
            proxy.clear()
            proxy.inject("/sync/pull", 200, body, forward=True)
            error, state = failing_sync(path, proxy.url, token, BadAnswerError)
            assert "cannot read" in str(error) and state.status == "error"
            assert state.pending == 0, "the push itself went through"
            assert bookmark(path, bookmarks.CURSOR) == cursor
            assert column(path, "tickets", "title", other) == "Issue 1"
        assert "PullResponse" in str(error)
        proxy.clear()
        report: SyncReport = run_engine(path, proxy.url, token, lambda e: e.sync_once())
    assert report.pulled > 0 and column(path, "tickets", "title", other) == "From B"
    assert server_titles(sqlite_server, "Made offline") == 1
    assert column(path, "tickets", "number", new_id) is not None
    assert [s for _, s, _ in outbox_states(path)][-1] == "applied"
    with sqlite_server.sessions() as s:
        assert s.scalar(select(func.count()).where(Message.body == "پاسخ آفلاین")) == 1


# -- refusals --------------------------------------------------------------------------


def test_d6_401_and_403_ask_to_sign_in_again_and_keep_every_intent(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """A revoked token (401) and an account that may not sync (a portal customer, 403).
    Must hold: AuthError, state "error" with a message that says to sign in again; every
    intent stays pending and the cursor stays; with a valid token the same cache syncs."""
    seeded = seed(sqlite_server)
    user, token = agent(sqlite_server, "ali")
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    sync(path, sqlite_server, token)
    cursor = bookmark(path, bookmarks.CURSOR)
    offline_edits(path, seeded["tickets"][0], user.id)
    with sqlite_server.client(token) as c:
        assert c.post("/auth/logout").status_code == 204
    with sqlite_server.sessions() as s:
        customer = make_user(s, role=Role.PORTAL, username="customer")
        s.commit()
    portal_token = sqlite_server.token_for(customer.id)
    for refused, said in ((token, "revoked"), (portal_token, "Your role may not")):
        error, state = failing_sync(path, sqlite_server.url, refused, AuthError)
        assert said in str(error), str(error)
        assert state.status == "error" and state.last_error == str(error)
        assert "sign in again" in str(error).lower(), str(error)
        assert state.token_refused  # what the window offers "sign in again" on
        assert state.pending == 3 and bookmark(path, bookmarks.CURSOR) == cursor
        assert [s for _, s, _ in outbox_states(path)] == [None, None, None]
    report, state = sync(path, sqlite_server, sqlite_server.token_for(user.id))
    assert report.applied == 3 and state.status == "online" and state.pending == 0
    assert not state.token_refused


def test_d6_a_push_refused_whole_rejects_only_its_culprit(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """The server refuses a whole push request (422) for as long as it carries one bad
    intent (the second of three). Must hold: the culprit is rejected locally with the
    server's reason; the intents before and after it are applied (renumbered, no gap)."""
    seed(sqlite_server)
    _, token = agent(sqlite_server, "ali")
    path = tmp_path / "a.sqlite3"
    with cache(path) as (_, s):
        for n in range(3):
            create_ticket_locally(s, title=f"Batch {n}", contact_email="c@example.com")
    culprit = outbox_states(path)[1][0]
    reason = "mutations.0.payload: This server cannot take this change."
    with running_proxy(sqlite_server.url) as proxy:
        proxy.inject(
            "/sync/push",
            422,
            json.dumps({"error": {"code": "invalid", "message": reason}}),
            when=lambda body: culprit.encode() in body,
        )
        report: SyncReport = run_engine(path, proxy.url, token, lambda e: e.sync_once())
        # [first, culprit, third] refused; [first] alone goes; [culprit, third] refused;
        # [culprit] alone refused: rejected; then [third] goes
        assert proxy.hits("/sync/push", faulty=True) == 3
    assert (report.pushed, report.applied, report.rejected) == (3, 2, 1)
    # applied rows are pruned but the newest; the rejected one stays with its reason
    left = {m: (s, r) for m, s, r in outbox_states(path)}
    assert left.pop(culprit) == ("rejected", reason)
    assert list(left.values()) == [("applied", None)]
    assert [server_titles(sqlite_server, f"Batch {n}") for n in range(3)] == [1, 0, 1]


# -- live: long-poll when the event stream is not offered --------------------------------


def test_d6_long_poll_brings_an_edit_when_the_event_stream_is_not_offered(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """The proxy answers 404 to /sync/events. Must hold: `run()` falls back to
    /sync/wait and an edit another client makes online reaches this cache."""
    seeded = seed(sqlite_server)
    _, token = agent(sqlite_server, "ali")
    _, token_b = agent(sqlite_server, "bita")
    path = tmp_path / "a.sqlite3"
    target = seeded["tickets"][2]
    with cache(path):
        pass

    async def go(proxy_url: str) -> float:
        engine = SyncEngine(path, proxy_url, token, poll_timeout=1.0)
        task = asyncio.create_task(engine.run())
        try:
            while engine.state.status != "online":
                assert not task.done()
                await asyncio.sleep(0.02)
            assert column(path, "tickets", "title", target) == "Issue 2"
            await asyncio.sleep(0.1)  # the long-poll is waiting now
            with sqlite_server.client(token_b) as b:
                answer = await asyncio.to_thread(
                    b.patch, f"/tickets/{target}", json={"title": "Polled"}
                )
                assert answer.status_code == 200
            start = time.monotonic()
            while column(path, "tickets", "title", target) != "Polled":
                assert time.monotonic() - start < 5, "the edit never arrived"
                await asyncio.sleep(0.01)
            return time.monotonic() - start
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await engine.aclose()

    with running_proxy(sqlite_server.url) as proxy:
        proxy.inject("/sync/events", 404, json.dumps({"error": {"code": "not_found"}}))
        elapsed = asyncio.run(go(proxy.url))
        assert proxy.hits("/sync/events", faulty=True) == 1
        assert proxy.hits("/sync/wait") >= 2
    assert elapsed < 1.0, f"took {elapsed:.3f} s"


# -- E7: a change refused whole shows the server's value -------------------------------


def test_e7_a_refused_reassignment_shows_the_server_value_and_keeps_the_agents(
    server: LiveServer, tmp_path: Path
) -> None:
    """B reassigns T online; A, offline, reassigns T to someone else, and A's cache pulls
    B's row while A's intent still waits (so no later pull brings T again). A syncs.
    Must hold: the server keeps B's assignee; A's intent is rejected with the server's
    reason; A's cache shows B's assignee; the conflict is recorded with the server's
    value and A's own value saved."""
    user_a, token_a = agent(server, "ali")
    user_b, token_b = agent(server, "bita")
    with server.sessions() as s:
        team = make_team(s, "Network")
        x = make_user(s, "Xerxes", role=Role.AGENT)
        y = make_user(s, "Yasmin", role=Role.AGENT)
        for member in (x, y, s.get(User, user_a.id), s.get(User, user_b.id)):
            assert member is not None
            add_member(s, team, member, assignable=True)
        target = make_ticket(s, "VPN down", team=team).id
        s.commit()
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    sync(path, server, token_a)
    with server.client(token_b) as b:
        answer = b.post(f"/tickets/{target}/assign", json={"assignee_id": x.id})
        assert answer.status_code == 200, answer.text
    with cache(path) as (_, s):
        edit_ticket_locally(s, target, {"assignee_id": y.id})
    run_engine(path, server.url, token_a, lambda e: e._pull_all(SyncReport()))
    assert column(path, "tickets", "assignee_id", target) == y.id  # the intent still waits

    report, state = sync(path, server, token_a)
    assert report.rejected == 1 and state.status == "online" and report.pulled == 0
    with server.sessions() as s:
        assert s.scalar(select(Ticket.assignee_id).where(Ticket.id == target)) == x.id
    [(_, status, reason)] = outbox_states(path)
    assert status == "rejected" and reason and "Xerxes" in reason
    assert column(path, "tickets", "assignee_id", target) == x.id
    with closing(sqlite3.connect(path)) as conn:
        recorded = bookmarks.conflicts(conn)
        assert bookmarks.refetch(conn) == []
    assert [(c["ticket_id"], c["field"], c["current"], c["mine"]) for c in recorded] == [
        (target, "assignee_id", x.id, y.id)
    ]
    assert report.conflicts == recorded


def test_d6_an_unexpected_failure_is_shown_and_the_live_loop_lives_on(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """A failure that is not a sync error (here a cache table gone, so apply raises
    sqlite3.OperationalError). Must hold: the state says "error" with the failure's name
    (never "syncing" forever), and `run()`'s loop survives it: once the cache is whole
    again a poke syncs."""
    seeded = seed(sqlite_server)
    _, token = agent(sqlite_server, "ali")
    path = tmp_path / "a.sqlite3"
    with cache(path):
        pass
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("ALTER TABLE tags RENAME TO tags_away")
        conn.commit()

    async def fn(engine: SyncEngine) -> tuple[EngineState, EngineState]:
        task = asyncio.create_task(engine.run())
        try:
            for _ in range(200):
                if engine.state.status == "error":
                    break
                await asyncio.sleep(0.02)
            broken = engine.state
            with closing(sqlite3.connect(path)) as conn:
                conn.execute("ALTER TABLE tags_away RENAME TO tags")
                conn.commit()
            for _ in range(400):
                engine.poke()
                if engine.state.status == "online":
                    break
                await asyncio.sleep(0.02)
            assert not task.done()
            return broken, engine.state
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    broken, healed = run_engine(path, sqlite_server.url, token, fn, backoff=0.05)
    assert broken.status == "error" and "OperationalError" in (broken.last_error or "")
    assert healed.status == "online" and healed.last_sync_at is not None
    assert ids(path, "tickets") == set(seeded["tickets"])
