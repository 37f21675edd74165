"""Files added in the agent's window reach the server (C2, I2, D6): a ticket filed offline
with a file and a reply with a file are pushed with their bytes, another agent downloads
them and gets the rows on sync, fetching the bytes when opened; a note's file never
reaches the customer (S6); a file gone from this computer or over the server's size
limit rejects only its own intent, with the reason. Real server on loopback (SQLite and
PostgreSQL), real cache files, real engine."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.blobs import BlobStore
from core.cache import open_cache
from core.db import session_factory
from core.drafts import send_draft
from core.enums import MessageKind, Visibility
from core.local_edits import attach_locally, edit_ticket_locally, post_message_locally
from core.models import Attachment, Message, Team, Ticket
from core.ticket_form import TicketDraft, save_draft
from sync.client.engine import SyncEngine, SyncError, SyncReport
from sync.server.config import ServerConfig
from tests.core.factories import add_member, make_team, make_ticket, make_user
from tests.sync.server_fixture import LiveServer, running_server
from tests.sync.test_portal_s9_c4_c5 import client_of, new_ticket
from tests.sync.test_portal_s9_c4_c5 import seed as seed_portal


@dataclass
class Agent:
    id: str
    token: str
    cache: Path

    @property
    def blobs(self) -> BlobStore:
        # where the window keeps them (desktop.views.ticket_form.attachment_store)
        return BlobStore(self.cache.parent / "blobs")


def make_agent(server: LiveServer, tmp: Path, name: str, team_id: str | None = None) -> Agent:
    with server.sessions() as s:
        user = make_user(s, username=name)
        if team_id is not None:
            team = s.get(Team, team_id)
            assert team is not None
            add_member(s, team, user)
        s.commit()
        user_id = user.id
    folder = tmp / name
    folder.mkdir()
    engine = open_cache(folder / "cache.sqlite3")
    engine.dispose()
    return Agent(user_id, server.token_for(user_id), folder / "cache.sqlite3")


@contextmanager
def cache(agent: Agent) -> Iterator[Session]:
    engine = open_cache(agent.cache)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def sync(agent: Agent, server: LiveServer | str) -> SyncReport:
    url = server if isinstance(server, str) else server.url

    async def go() -> SyncReport:
        engine = SyncEngine(agent.cache, url, agent.token, retries=1, backoff=0.01)
        try:
            return await engine.sync_once()
        finally:
            await engine.aclose()

    return asyncio.run(go())


def fetch(agent: Agent, url: str, content_hash: str) -> Path:
    async def go() -> Path:
        engine = SyncEngine(agent.cache, url, agent.token, retries=0, backoff=0.01)
        try:
            return await engine.fetch_blob(content_hash)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def outbox(agent: Agent) -> list[tuple[str, str | None, str | None]]:
    with closing(sqlite3.connect(agent.cache)) as conn:
        rows = conn.execute("SELECT name, state, reason FROM outbox ORDER BY seq").fetchall()
    return [(str(n), s, r) for n, s, r in rows]


def cached_attachments(agent: Agent) -> dict[str, tuple[str, str | None, str]]:
    with closing(sqlite3.connect(agent.cache)) as conn:
        rows = conn.execute(
            "SELECT id, filename, message_id, content_hash FROM attachments"
        ).fetchall()
    return {i: (f, m, h) for i, f, m, h in rows}


def server_attachments(server: LiveServer) -> dict[str, tuple[str, str, str | None, str]]:
    with server.sessions() as s:
        rows = s.scalars(select(Attachment)).all()
        return {a.id: (a.filename, a.ticket_id, a.message_id, a.content_hash) for a in rows}


def seed_desk(server: LiveServer) -> tuple[str, str]:
    """A public team with one ticket the customer wrote; returns (team id, ticket id)."""
    with server.sessions() as s:
        team = make_team(s, "Support", visibility=Visibility.PUBLIC)
        ticket = make_ticket(s, "چاپگر کار نمی‌کند", team=team)
        s.add(Message(ticket_id=ticket.id, kind=MessageKind.CUSTOMER_REPLY, body="سلام"))
        s.commit()
        return team.id, ticket.id


def test_c2_i2_d6_files_made_offline_reach_the_server_and_another_agent(
    server: LiveServer, tmp_path: Path
) -> None:
    team_id, ticket_id = seed_desk(server)
    ali = make_agent(server, tmp_path, "ali", team_id)
    sara = make_agent(server, tmp_path, "sara", team_id)
    sync(ali, server)
    receipt = tmp_path / "رسید‌خرید.png"  # a ZWNJ in the name, as Persian names have
    receipt.write_bytes(b"\x89PNG receipt " * 500)
    log = tmp_path / "log.txt"
    log.write_bytes(b"printer error 0x42\n" * 50)

    # offline: a new ticket with a file (the ticket form), a reply with a file (composer)
    with cache(ali) as session:
        draft = TicketDraft(
            title="فاکتور اشتباه",
            contact_email="maryam@example.com",
            team_id=team_id,
            attachments=[receipt],
        )
        saved = save_draft(session, draft, blobs=ali.blobs)
        assert saved.problems == [] and saved.ticket_id is not None and saved.attached == 1
        new_id = saved.ticket_id
        reply_id = send_draft(
            session,
            ticket_id,
            kind=MessageKind.AGENT_REPLY,
            body="لاگ چاپگر پیوست است.",
            user_id=ali.id,
            files=[log],
            blobs=ali.blobs,
        )
    local = cached_attachments(ali)
    assert len(local) == 2
    assert not server_attachments(server)

    report = sync(ali, server)
    assert report.rejected == 0 and report.applied == 4
    assert [(n, s) for n, s, _ in outbox(ali)][-1] == ("attachment.create", "applied")
    on_server = server_attachments(server)
    assert set(on_server) == set(local)  # the client's ids are kept
    by_name = {v[0]: v for v in on_server.values()}
    assert by_name["رسید‌خرید.png"][1:3] == (new_id, None)
    assert by_name["log.txt"][1:3] == (ticket_id, reply_id)
    with server.sessions() as s:
        created = s.get(Ticket, new_id)
        assert created is not None and created.number is not None

    # another agent downloads the bytes from the server by their hash
    receipt_hash = hashlib.sha256(receipt.read_bytes()).hexdigest()
    log_hash = hashlib.sha256(log.read_bytes()).hexdigest()
    with server.client(sara.token) as http:
        got = http.get(f"/attachments/{receipt_hash}")
        assert got.status_code == 200 and got.content == receipt.read_bytes()
        got = http.get(f"/attachments/{log_hash}")
        assert got.status_code == 200 and got.content == log.read_bytes()

    # and her cache gets the rows on sync; the bytes come when she opens one
    sync(sara, server)
    assert set(cached_attachments(sara)) == set(local)
    assert cached_attachments(sara)[next(iter(local))] == local[next(iter(local))]
    assert not sara.blobs.exists(log_hash)
    path = fetch(sara, server.url, log_hash)
    assert path.read_bytes() == log.read_bytes() and sara.blobs.exists(log_hash)
    # once kept, opening it again needs no server at all
    dead = "http://127.0.0.1:9"
    assert fetch(sara, dead, log_hash) == path
    with pytest.raises(SyncError):
        fetch(sara, server.url, "0" * 64)  # no such file on the server


def test_s6_a_notes_file_never_reaches_the_customer(server: LiveServer, tmp_path: Path) -> None:
    desk = seed_portal(server)
    ali = make_agent(server, tmp_path, "ali")
    with client_of(server, desk.customer_id) as customer:
        tid = new_ticket(customer, desk)["id"]
    sync(ali, server)
    secret = tmp_path / "watch-list.txt"
    secret.write_bytes(b"internal only")
    public = tmp_path / "refund.txt"
    public.write_bytes(b"refund receipt")
    with cache(ali) as session:
        send_draft(
            session,
            tid,
            kind=MessageKind.INTERNAL_NOTE,
            body="SECRET",
            user_id=ali.id,
            files=[secret],
            blobs=ali.blobs,
        )
        send_draft(
            session,
            tid,
            kind=MessageKind.AGENT_REPLY,
            body="Refunded.",
            user_id=ali.id,
            files=[public],
            blobs=ali.blobs,
        )
    report = sync(ali, server)
    assert report.rejected == 0 and len(server_attachments(server)) == 2
    secret_hash = hashlib.sha256(b"internal only").hexdigest()
    public_hash = hashlib.sha256(b"refund receipt").hexdigest()
    with client_of(server, desk.customer_id) as customer:
        detail = customer.get(f"/portal/tickets/{tid}")
        hidden = customer.get(f"/attachments/{secret_hash}")
        shown = customer.get(f"/attachments/{public_hash}")
    assert detail.status_code == 200
    assert [a["filename"] for a in detail.json()["attachments"]] == ["refund.txt"]
    assert "watch-list" not in detail.text
    assert hidden.status_code == 404
    assert shown.status_code == 200 and shown.content == b"refund receipt"
    with server.client(ali.token) as http:  # staff see the note's file
        assert http.get(f"/attachments/{secret_hash}").content == b"internal only"


def test_c2_a_file_gone_from_this_computer_rejects_only_its_own_intent(
    server: LiveServer, tmp_path: Path
) -> None:
    team_id, ticket_id = seed_desk(server)
    ali = make_agent(server, tmp_path, "ali", team_id)
    sync(ali, server)
    gone = tmp_path / "gone.pdf"
    gone.write_bytes(b"%PDF soon deleted")
    kept = tmp_path / "kept.txt"
    kept.write_bytes(b"still here")
    with cache(ali) as session:
        message = post_message_locally(
            session, ticket_id, kind=MessageKind.AGENT_REPLY, body="دو فایل", author_user_id=ali.id
        )
        lost = attach_locally(session, ali.blobs, ticket_id, gone, message_id=message.id)
        attach_locally(session, ali.blobs, ticket_id, kept, message_id=message.id)
        edit_ticket_locally(session, ticket_id, {"title": "چاپگر طبقه دوم"})
        lost_id, lost_hash = lost.id, lost.content_hash
    ali.blobs.path_for(lost_hash).unlink()  # the agent's disk lost it before the sync

    report = sync(ali, server)
    assert report.rejected == 1
    states = outbox(ali)
    assert [s for _, s, _ in states if s != "applied"] == ["rejected"]
    assert all(s is not None for _, s, _ in states)  # nothing left pending
    (reason,) = [r for _, s, r in states if s == "rejected"]
    assert reason is not None and "gone.pdf" in reason and "no longer on this computer" in reason
    assert lost_id not in cached_attachments(ali)  # the server never had it
    assert [v[0] for v in server_attachments(server).values()] == ["kept.txt"]
    with server.sessions() as s:
        row = s.get(Ticket, ticket_id)
        assert row is not None and row.title == "چاپگر طبقه دوم"
        assert s.get(Message, message.id) is not None


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server that takes files up to 64 KiB."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    with running_server(url, tmp_path, max_upload_bytes=64 * 1024) as live:
        yield live


def test_c2_a_file_over_the_servers_limit_is_rejected_with_its_413_message(
    small_server: LiveServer, tmp_path: Path
) -> None:
    assert small_server.config.max_upload_bytes < ServerConfig().max_upload_bytes
    team_id, ticket_id = seed_desk(small_server)
    ali = make_agent(small_server, tmp_path, "ali", team_id)
    sync(ali, small_server)
    big = tmp_path / "scan.tiff"
    big.write_bytes(b"\x00" * (100 * 1024))
    small = tmp_path / "note.txt"
    small.write_bytes(b"small")
    with cache(ali) as session:
        attach_locally(session, ali.blobs, ticket_id, big)
        attach_locally(session, ali.blobs, ticket_id, small)
    with small_server.client(ali.token) as http:  # what the server says about it
        refused = http.put(
            f"/attachments/{hashlib.sha256(big.read_bytes()).hexdigest()}",
            files={"file": ("scan.tiff", big.read_bytes(), "image/tiff")},
        )
    assert refused.status_code == 413
    said = refused.json()["error"]["message"]

    report = sync(ali, small_server)
    assert report.rejected == 1 and report.applied == 1
    assert [(s, r) for _, s, r in outbox(ali)] == [("rejected", said), ("applied", None)]
    assert [v[0] for v in server_attachments(small_server).values()] == ["note.txt"]
    assert [v[0] for v in cached_attachments(ali).values()] == ["note.txt"]


def test_c2_o3_attachment_create_obeys_the_servers_rules(server: LiveServer) -> None:
    """The push command on its own: a ticket the agent may not see, a message of another
    ticket, bytes never uploaded, bytes that do not match their hash."""
    with server.sessions() as s:
        open_team = make_team(s, "Open", visibility=Visibility.PUBLIC)
        private = make_team(s, "VIP", visibility=Visibility.PRIVATE)
        mine = make_ticket(s, "Mine", team=open_team)
        other = make_ticket(s, "Other", team=open_team)
        hidden = make_ticket(s, "Hidden", team=private)
        elsewhere = Message(ticket_id=other.id, kind=MessageKind.CUSTOMER_REPLY, body="x")
        s.add(elsewhere)
        s.commit()
        ids = {"mine": mine.id, "hidden": hidden.id, "elsewhere": elsewhere.id}
    _, http = server.user_client()
    data = b"agent file"
    digest = hashlib.sha256(data).hexdigest()
    with http:
        bad = http.put(f"/attachments/{digest}", files={"file": ("a.txt", b"other bytes")})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "hash_mismatch"
        assert not BlobStore(server.config.blob_dir).exists(digest)

        def push(seq: int, **payload: Any) -> dict[str, Any]:
            body = {
                "client_id": "attach-rules-client",
                "mutations": [
                    {
                        "seq": seq,
                        "id": f"00000000-0000-4000-8000-00000000000{seq}",
                        "name": "attachment.create",
                        "entity_id": f"10000000-0000-4000-8000-00000000000{seq}",
                        "payload": {"filename": "a.txt", "content_hash": digest, **payload},
                    }
                ],
            }
            reply: httpx.Response = http.post("/sync/push", json=body)
            assert reply.status_code == 200, reply.text
            result: dict[str, Any] = reply.json()["results"][0]
            return result

        missing = push(1, ticket_id=ids["mine"])
        assert (missing["status"], missing["code"]) == ("rejected", "blob_missing")
        up = http.put(f"/attachments/{digest}", files={"file": ("a.txt", data)})
        assert up.status_code == 201 and up.json() == {"content_hash": digest, "size": len(data)}
        unseen = push(2, ticket_id=ids["hidden"])
        assert (unseen["status"], unseen["code"]) == ("rejected", "not_found")
        astray = push(3, ticket_id=ids["mine"], message_id=ids["elsewhere"])
        assert (astray["status"], astray["field"]) == ("rejected", "message_id")
        done = push(4, ticket_id=ids["mine"], filename="C:\\Users\\ali\\گزارش.txt")
        assert done["status"] == "applied"
    assert list(server_attachments(server).values()) == [("گزارش.txt", ids["mine"], None, digest)]
