"""The bootstrap of an empty cache from snapshot pages (`GET /sync/snapshot`), and the
older conversations loaded after it (issue 4; D6 offline cache, O3 visibility, S6
internal notes), against a real server on loopback. The reference every test compares
with is the pull from cursor zero: what a cache holds after it is what the server says
this agent may see. Faults come from stopping the real server, a real proxy and SIGKILL
on a real client process; each test's docstring states what must hold."""

from __future__ import annotations

import asyncio
import json
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
from sqlalchemy import select, update

from core.enums import MessageKind, Role, Status, Visibility
from core.ids import utcnow
from core.models import Attachment, Message, Ticket, User
from sync.client import bootstrap
from sync.client import state as bookmarks
from sync.client.engine import BadAnswerError, EngineState, OfflineError, SyncEngine, SyncReport
from sync.server.auth import issue_token
from tests.core.factories import add_member, make_tag, make_team, make_ticket, make_user
from tests.sync.engine_child import engine_child, send_job
from tests.sync.fault_proxy import running_proxy
from tests.sync.server_fixture import LiveServer, free_port
from tests.sync.test_client_engine import agent, cache, ids, server_on
from tests.sync.test_client_faults import bookmark
from tests.sync.test_client_faults import run_engine as run

ROOT = Path(__file__).resolve().parents[2]
# every table a sync fills, compared row by row (`updated_seq` aside: a snapshot row
# carries its page's change number, a pulled one its own)
SYNCED_TABLES = (
    "users",
    "teams",
    "team_members",
    "team_followers",
    "stages",
    "tags",
    "contacts",
    "tickets",
    "ticket_tags",
    "ticket_contacts",
    "ticket_followers",
    "messages",
    "attachments",
    "settings",
)


def seed(app_sessions: Any, count: int = 12) -> dict[str, Any]:
    """A company-wide team with `count` tickets (tags, followers, contacts, an attachment,
    an internal note), half of them closed two months ago (their conversations are
    "older"), and a private team's ticket the agent may not see."""
    with app_sessions() as s:
        team = make_team(s, "Support")
        hidden = make_team(s, "VIP", visibility=Visibility.PRIVATE)
        tag = make_tag(s, "urgent")
        watcher = make_user(s, role=Role.AGENT, username="watcher")
        tickets = [
            make_ticket(s, f"مشکل چاپگر {n}", team=team, contact_email=f"c{n}@example.com")
            for n in range(count)
        ]
        for n, t in enumerate(tickets):
            if n % 3 == 0:
                t.tags.append(tag)
            for k in range(3):
                kind = MessageKind.INTERNAL_NOTE if k == 2 else MessageKind.CUSTOMER_REPLY
                s.add(Message(ticket_id=t.id, kind=kind, body=f"پیام {n}-{k} كتابخانه"))
        s.flush()
        add_member(s, hidden, watcher)
        secret = make_ticket(s, "محرمانه", team=hidden)
        s.add(Message(ticket_id=secret.id, kind=MessageKind.CUSTOMER_REPLY, body="سری"))
        s.add(
            Attachment(
                ticket_id=tickets[0].id,
                filename="log.txt",
                mime_type="text/plain",
                size=3,
                content_hash="a" * 64,
            )
        )
        s.commit()
        old = [t.id for t in tickets[: count // 2]]
        long_ago = utcnow() - timedelta(days=60)
        s.execute(
            update(Ticket)
            .where(Ticket.id.in_(old))
            .values(status=Status.CLOSED, closed_at=long_ago, updated_at=long_ago)
        )
        s.commit()
        return {"tickets": [t.id for t in tickets], "old": old, "secret": secret.id}


def rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    """A table's rows, sorted; follower rows without their cache-local numbering."""
    left_out = {"updated_seq"} | ({"id"} if table.endswith("_followers") else set())
    with closing(sqlite3.connect(path)) as conn:
        names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        cols = ", ".join(n for n in names if n not in left_out)
        return sorted(conn.execute(f"SELECT {cols} FROM {table}").fetchall(), key=repr)


def schema(path: Path) -> set[tuple[str, str]]:
    """Every index and trigger of a cache (a bootstrap drops some for its writes)."""
    with closing(sqlite3.connect(path)) as conn:
        found = conn.execute(
            "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type IN ('index', 'trigger')"
        )
        return set(found.fetchall())


def same_caches(a: Path, b: Path) -> None:
    for table in SYNCED_TABLES:
        assert rows(a, table) == rows(b, table), table
    assert schema(a) == schema(b) and len(schema(a)) > 40


async def full(engine: SyncEngine) -> SyncReport:
    report = await engine.sync_once()
    await engine.finish_background()
    return report


def empty(path: Path) -> Path:
    with cache(path):
        pass
    return path


def reference(tmp_path: Path, url: str, token: str) -> Path:
    """A cache filled by the pull from cursor zero."""
    path = empty(tmp_path / "pulled.sqlite3")
    run(path, url, token, lambda e: e.sync_once(), bootstrap=False)
    return path


def search_hits(path: Path) -> dict[str, list[str]]:
    from core.search import search_message_ids, search_ticket_ids

    with cache(path) as (_, s):
        out = {q: sorted(search_ticket_ids(s, q, limit=100)) for q in ("چاپگر", "چاپگر 3")}
        out |= {f"m:{q}": sorted(search_message_ids(s, q, limit=100)) for q in ("کتابخانه",)}
        return out


def test_d6_o3_bootstrap_fills_what_the_pull_from_zero_fills(
    server: LiveServer, tmp_path: Path
) -> None:
    """A first sync by snapshot pages of 2 rows, SQLite and PostgreSQL. Must hold: after
    `sync_once` the tickets are all in, the recent tickets with their conversations and
    the old (closed two months ago) ones without; the state said `indexing` and
    `loading_older` until `finish_background` ran; afterwards every synced table holds
    exactly what the pull from zero brings (values, times, JSON and booleans in the same
    stored form), the private team's ticket and message are in neither (O3), search
    finds the same rows for an Arabic spelling, and a later small pull applies on top
    as usual."""
    seeded = seed(server.sessions)
    _, token = agent(server, "ali")
    path = empty(tmp_path / "boot.sqlite3")
    states: list[EngineState] = []

    async def first(engine: SyncEngine) -> tuple[SyncReport, set[str]]:
        report = await engine.sync_once()
        held = ids(path, "messages")
        assert engine.state.loading_older and engine.state.status == "online"
        # the window opens before the search index is built: that is background work
        assert engine.state.indexing and bookmark(path, bookmarks.SEARCH_PENDING)
        await engine.finish_background()
        assert not engine.state.indexing and not engine.state.loading_older
        return report, held

    report, after_first = run(
        path, server.url, token, first, snapshot_limit=2, older_limit=2, on_state=states.append
    )
    assert report.snapshot_pages > 8 and report.snapshot_rows > 30
    assert ids(path, "tickets") == set(seeded["tickets"])
    with server.sessions() as s:
        old_messages = set(
            s.scalars(select(Message.id).where(Message.ticket_id.in_(seeded["old"])))
        )
        recent = set(
            s.scalars(
                select(Message.id).where(
                    Message.ticket_id.in_(seeded["tickets"]),
                    Message.ticket_id.notin_(seeded["old"]),
                )
            )
        )
    assert old_messages and not old_messages & after_first
    assert recent and recent <= after_first
    assert any(s.loading_older for s in states) and not states[-1].loading_older
    # progress of the older conversations counts messages against the server's count
    older = [(s.older_done, s.older_total) for s in states if s.older_total]
    assert older and all(0 < done <= total for done, total in older)
    assert older[0][1] == len(old_messages | recent)  # what this agent may see
    assert bookmark(path, bootstrap.OLDER) is None and bookmark(path, bootstrap.BOOTSTRAP) is None
    assert bookmark(path, bookmarks.SEARCH_PENDING) is None

    pulled = reference(tmp_path, server.url, token)
    same_caches(path, pulled)
    assert seeded["secret"] not in ids(path, "tickets")
    assert search_hits(path) == search_hits(pulled) and search_hits(path)["m:کتابخانه"]

    with server.client(token) as c:
        assert c.patch(f"/tickets/{seeded['old'][0]}", json={"title": "تازه"}).status_code == 200
    again: SyncReport = run(path, server.url, token, lambda e: e.sync_once())
    assert again.snapshot_pages == 0 and again.pulled >= 1
    with closing(sqlite3.connect(path)) as conn:
        title = conn.execute("SELECT title FROM tickets WHERE id = ?", (seeded["old"][0],))
        assert title.fetchone() == ("تازه",)


def test_d6_changes_while_the_pages_are_read_are_not_lost(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """While the bootstrap reads its pages (after the first ticket page is stored) a
    colleague renames a stored ticket, replies on an old ticket whose conversation is
    not in yet, opens a new ticket, and an admin moves a stored ticket into the private
    team. Must hold: once `sync_once` and `finish_background` are done the cache is exactly
    what a pull from zero brings now: the rename, the reply (once), the new ticket, and
    the moved ticket gone with its messages."""
    seeded = seed(sqlite_server.sessions)
    _, token = agent(sqlite_server, "ali")
    _, colleague = agent(sqlite_server, "bita")
    with sqlite_server.sessions() as s:
        admin = make_user(s, role=Role.ADMIN, username="boss")
        admin_token = issue_token(s, admin, timedelta(hours=1), "test")
        secret = s.get(Ticket, seeded["secret"])
        assert secret is not None
        hidden_team = secret.team_id
        s.commit()
    first_ticket, moved, old = seeded["tickets"][-1], seeded["tickets"][-2], seeded["old"][0]
    path = empty(tmp_path / "boot.sqlite3")
    done: list[bool] = []

    def meddle(state: EngineState) -> None:
        if done or not ({first_ticket, moved} <= ids(path, "tickets")):
            return
        done.append(True)
        with httpx.Client(base_url=sqlite_server.url + "/api/v1") as c:
            me = {"Authorization": f"Bearer {colleague}"}
            boss = {"Authorization": f"Bearer {admin_token}"}
            renamed = c.patch(f"/tickets/{first_ticket}", json={"title": "نام نو"}, headers=me)
            assert renamed.status_code == 200, renamed.text
            reply = {"kind": "agent_reply", "body": "پاسخ دیرهنگام"}
            assert c.post(f"/tickets/{old}/messages", json=reply, headers=me).status_code < 300
            new = {"title": "تیکت تازه", "contact_email": "n@example.com"}
            assert c.post("/tickets", json=new, headers=me).status_code < 300
            to_team = {"assignee_id": None, "team_id": hidden_team}
            moved_to = c.post(f"/tickets/{moved}/assign", json=to_team, headers=boss)
            assert moved_to.status_code < 300, moved_to.text

    run(path, sqlite_server.url, token, full, snapshot_limit=3, on_state=meddle)
    assert done, "the pages went by before the edits"
    same_caches(path, reference(tmp_path, sqlite_server.url, token))
    assert moved not in ids(path, "tickets")
    with closing(sqlite3.connect(path)) as conn:
        late = conn.execute("SELECT count(*) FROM messages WHERE body = 'پاسخ دیرهنگام'")
        assert late.fetchone() == (1,)


def test_d6_server_stopped_mid_bootstrap_resumes_at_the_next_page(tmp_path: Path) -> None:
    """The server process stops once the first bootstrap page is stored. Must hold: the
    engine says offline; the cache has no pull cursor yet, a bookmark naming the next page
    and every index a fresh cache has; after a restart the next sync reads only the pages
    after it and the cache is then exactly what a pull from zero brings."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    path = empty(tmp_path / "boot.sqlite3")
    stack = ExitStack()
    app = stack.enter_context(server_on(url, tmp_path, port))
    seed(app.state.sessions)
    with app.state.sessions() as s:
        user = make_user(s, role=Role.AGENT, username="ali")
        token = issue_token(s, user, timedelta(hours=1), "test")
        s.commit()
    stored: list[int] = []

    def on_state(state: EngineState) -> None:
        if state.done and not stored:
            stored.append(state.done)
            stack.close()

    async def go() -> tuple[EngineState, dict[str, Any] | None, SyncReport]:
        engine = SyncEngine(
            path, base, token, snapshot_limit=2, retries=1, backoff=0.01, on_state=on_state
        )
        try:
            with pytest.raises(OfflineError):
                await engine.sync_once()
            down = engine.state
            where = json.loads(bookmark(path, bootstrap.BOOTSTRAP) or "null")
            assert bookmark(path, bookmarks.CURSOR) is None
            # the indexes it dropped for its writes are back while it waits
            assert schema(path) == schema(empty(tmp_path / "fresh.sqlite3"))
            with server_on(url, tmp_path, port):
                report = await full(engine)
            return down, where, report
        finally:
            await engine.aclose()

    try:
        down, where, report = asyncio.run(go())
    finally:
        stack.close()
    assert down.status == "offline" and where is not None and where["cursor"]
    with server_on(url, tmp_path, port):
        whole = run(empty(tmp_path / "whole.sqlite3"), base, token, full, snapshot_limit=2)
        pulled = reference(tmp_path, base, token)
    assert 0 < report.snapshot_pages < whole.snapshot_pages
    assert bookmark(path, bootstrap.BOOTSTRAP) is None and bookmark(path, bookmarks.CURSOR)
    same_caches(path, pulled)


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    with engine_child() as process:
        yield process


def test_d6_client_killed_mid_bootstrap_resumes_without_loss_or_duplicates(
    sqlite_server: LiveServer, tmp_path: Path, child: subprocess.Popen[bytes]
) -> None:
    """A bootstrap in pages of one row runs in its own process and is SIGKILLed as soon
    as its bookmark shows a ticket page stored. Must hold: the cache opens with that
    bookmark and no pull cursor; a new engine goes on from it; afterwards the cache is
    exactly what a pull from zero brings (no row twice: association rows included)."""
    seed(sqlite_server.sessions, count=30)
    _, token = agent(sqlite_server, "ali")
    path = empty(tmp_path / "boot.sqlite3")
    send_job(child, path, sqlite_server.url, token, snapshot_limit=1)
    deadline = time.monotonic() + 60
    where: dict[str, Any] | None = None
    while where is None or where.get("entity") != "ticket" or not where.get("done"):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the child never stored a ticket page"
        try:
            where = json.loads(bookmark(path, bootstrap.BOOTSTRAP) or "null")
        except sqlite3.OperationalError:
            where = None
        time.sleep(0.002)
    child.send_signal(signal.SIGKILL)
    out, _ = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL and b"finished" not in out
    kept = json.loads(bookmark(path, bootstrap.BOOTSTRAP) or "null")
    assert kept is not None and kept["done"] >= 1 and bookmark(path, bookmarks.CURSOR) is None
    # the queue's indexes are away while the bootstrap writes; the bookmark keeps them
    assert len(kept["indexes"]) > 10 and not {s for _, s in schema(path)} >= set(kept["indexes"])

    report: SyncReport = run(path, sqlite_server.url, token, full, snapshot_limit=1)
    assert report.snapshot_pages > 0
    same_caches(path, reference(tmp_path, sqlite_server.url, token))


def test_d6_an_unreadable_snapshot_page_stores_nothing_and_a_server_without_them_is_pulled(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """Snapshot answers garbled on the way (broken JSON, rows that do not match their
    columns), then a server that offers no snapshots (404). Must hold: a garbled page
    ends the round with BadAnswerError and stores nothing of it (no ticket, no bookmark
    moved past it); against the 404 the engine pulls from zero instead; both caches end
    as the pull from zero."""
    seed(sqlite_server.sessions)
    _, token = agent(sqlite_server, "ali")
    path = empty(tmp_path / "boot.sqlite3")
    broken = '{"seq": 1, "cursor": "1:1", "next": null, "tables": [{"table": "tickets", '
    mismatched = json.dumps(
        {
            "seq": 1,
            "cursor": "1:1",
            "next": None,
            "tables": [{"table": "tickets", "columns": ["id", "title"], "rows": [["x"]]}],
        }
    )
    with running_proxy(sqlite_server.url) as proxy:
        for body in (broken, mismatched):
            proxy.clear()
            proxy.inject("/sync/snapshot", 200, body, forward=True)

            async def fails(engine: SyncEngine) -> EngineState:
                with pytest.raises(BadAnswerError):
                    await engine.sync_once()
                return engine.state

            state = run(path, proxy.url, token, fails)
            assert state.status == "error" and "cannot read" in (state.last_error or "")
            assert ids(path, "tickets") == set()
            assert bookmark(path, bookmarks.CURSOR) is None
        proxy.clear()
        run(path, proxy.url, token, full)

        without = empty(tmp_path / "old-server.sqlite3")
        proxy.inject("/sync/snapshot", 404, '{"detail": "Not Found"}')
        report: SyncReport = run(without, proxy.url, token, full)
        assert report.snapshot_pages == 0 and report.pages >= 1
    pulled = reference(tmp_path, sqlite_server.url, token)
    same_caches(path, pulled)
    same_caches(without, pulled)


def test_o3_s6_snapshot_pages_list_only_what_the_user_may_see(sqlite_server: LiveServer) -> None:
    """Straight over HTTP, as an agent outside the private team. Must hold: no page of any
    entity names the private team's ticket, its message or its followers; the private
    team's members are not listed; user rows never carry a password hash; a member of
    the private team does get the ticket and its message."""
    seeded = seed(sqlite_server.sessions)
    _, token = agent(sqlite_server, "ali")
    with sqlite_server.sessions() as s:
        member = s.scalars(select(User).where(User.username == "watcher")).one()
        member_token = issue_token(s, member, timedelta(hours=1), "test")
        s.commit()

    def everything(bearer: str) -> str:
        text = []
        with sqlite_server.client(bearer) as c:
            for entity in (*bootstrap.entities(), "message"):
                after = ""
                while True:
                    reply = c.get("/sync/snapshot", params={"entity": entity, "after": after})
                    assert reply.status_code == 200, reply.text
                    text.append(reply.text)
                    page = bootstrap.read_page(reply.json())
                    if page.next is None:
                        break
                    after = page.next
        return "\n".join(text)

    seen = everything(token)
    assert seeded["secret"] not in seen and "سری" not in seen and "password_hash" not in seen
    assert seeded["tickets"][0] in seen
    assert seeded["secret"] in everything(member_token) and "سری" in everything(member_token)
    with sqlite_server.client(token) as c:
        bad = c.get("/sync/snapshot", params={"entity": "outbox"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_entity"
