"""What became of an agent's reply (P7, S7, I4, S6): the server keeps a summary of the
reply's mail and SMS deliveries on the message, in step with them, so the change log brings
it to every agent's cache; a delivery a crash left `sending` is failed, never sent again.

Real things throughout: a live server on loopback (SQLite and PostgreSQL), a real SMTP
relay (aiosmtpd) that takes or refuses mail, a real HTTP SMS gateway, a real client cache
synced by the real engine, and the real Alembic migrations over an existing database."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from alembic import command
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from core.cache import open_cache
from core.db import make_engine, session_factory, sqlite_url
from core.enums import Role
from core.ids import utcnow
from core.models import Base, Change, Delivery, Message, TicketFollower
from core.models.server import DELIVERY_INTERRUPTED
from core.schema import alembic_config, upgrade
from core.thread import load_thread
from sync.client.engine import SyncEngine
from sync.server import changelog
from sync.server.config import MailConfig, ServerConfig, SmsConfig
from sync.server.mail_out import send_pending
from sync.server.sms import HttpSmsGateway, send_pending_sms
from tests.core.factories import make_contact
from tests.postgres import fresh_database
from tests.sync.mail_support import FakeSmsGateway, SmtpSink
from tests.sync.server_fixture import LiveServer

CUSTOMER = "sara@example.com"
OTHER = "omid@example.com"


class RefusingSink(SmtpSink):
    """A relay that refuses one recipient at RCPT (a mailbox that does not exist)."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address == self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def relay(server: LiveServer, port: int, **changes: object) -> ServerConfig:
    return replace(
        server.config,
        mail=MailConfig(
            group_address="support@desk.example", smtp_host="127.0.0.1", smtp_port=port
        ),
        **changes,  # type: ignore[arg-type]
    )


def reply_over_the_api(
    server: LiveServer, *emails: str, mobile: str | None = None
) -> tuple[str, str]:
    """A ticket of a customer (and followers with `emails[1:]`) answered by an agent over
    HTTP; (the agent's token, the reply's id)."""
    with server.sessions() as s:
        contact = make_contact(s, "Sara", email=emails[0], mobile=mobile)
        others = [make_contact(s, email=e) for e in emails[1:]]
        s.commit()
    _, client = server.user_client(Role.AGENT)
    with client:
        created = client.post(
            "/tickets",
            json={"title": "چاپگر", "contact_email": emails[0], "contact_id": contact.id},
        )
        assert created.status_code == 201, created.text
        tid = created.json()["id"]
        if others:
            with server.sessions() as s:  # contact followers are told too (O4)
                s.add_all(TicketFollower(ticket_id=tid, contact_id=o.id) for o in others)
                s.commit()
        note = client.post(f"/tickets/{tid}/messages", json={"kind": "internal_note", "body": "n"})
        reply = client.post(
            f"/tickets/{tid}/messages", json={"kind": "agent_reply", "body": "بررسی شد."}
        )
        assert note.status_code == reply.status_code == 201, reply.text
        token = client.headers["Authorization"].removeprefix("Bearer ")
    with server.sessions() as s:
        note_row = s.get(Message, note.json()["id"])
        assert note_row is not None and note_row.delivery_state is None  # S6: goes nowhere
    return token, str(reply.json()["id"])


def on_server(server: LiveServer, message_id: str) -> tuple[str | None, str | None, int]:
    with server.sessions() as s:
        m = s.get(Message, message_id)
        assert m is not None
        return m.delivery_state, m.delivery_error, m.version


def sync_cache(path: Path, server: LiveServer, token: str) -> None:
    """One sync of the agent's cache at `path` (made by the real migrations first)."""
    if not path.exists():
        open_cache(path).dispose()

    async def go() -> None:
        engine = SyncEngine(path, server.url, token)
        try:
            await engine.sync_once()
        finally:
            await engine.aclose()

    asyncio.run(go())


def in_cache(path: Path, message_id: str) -> tuple[str | None, str | None]:
    engine = open_cache(path)
    try:
        with session_factory(engine)() as s:
            m = s.get(Message, message_id)
            assert m is not None
            shown = next(x for x in load_thread(s, m.ticket_id).messages if x.id == message_id)
            assert (shown.delivery_state, shown.delivery_error) == (
                m.delivery_state,
                m.delivery_error,
            )
            return m.delivery_state, m.delivery_error
    finally:
        engine.dispose()


def test_s7_p7_i4_sent_reply_is_marked_sent_on_the_server_and_in_the_cache(
    server: LiveServer, tmp_path: Path
) -> None:
    """The reply is pending from the moment it is posted (its deliveries queued in the
    same transaction), sent once the relay took it; each state reaches the agent's cache
    with the next sync, through the change log."""
    token, reply_id = reply_over_the_api(server, CUSTOMER)
    state, error, version = on_server(server, reply_id)
    assert (state, error) == ("pending", None)
    cache = tmp_path / "agent.sqlite3"
    sync_cache(cache, server, token)
    assert in_cache(cache, reply_id) == ("pending", None)

    with SmtpSink() as sink:
        assert send_pending(server.sessions, relay(server, sink.port)) == 1
        assert [r.rcpt_tos for r in sink.received] == [[CUSTOMER]]
    state, error, after = on_server(server, reply_id)
    assert (state, error) == ("sent", None) and after > version
    with server.sessions() as s:
        logged = s.get(Change, ("message", reply_id))
        assert logged is not None and logged.seq == changelog.current_seq(s)
    sync_cache(cache, server, token)
    assert in_cache(cache, reply_id) == ("sent", None)


def test_s7_refused_recipient_fails_the_reply_with_the_relays_reason(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """One of two recipients refused: the other gets the mail, the reply is failed and
    the reason names the refused address and what the relay said."""
    token, reply_id = reply_over_the_api(sqlite_server, CUSTOMER, OTHER)
    with sqlite_server.sessions() as s:
        assert sorted(s.scalars(select(Delivery.recipient))) == [OTHER, CUSTOMER]
    with RefusingSink(OTHER) as sink:
        assert send_pending(sqlite_server.sessions, relay(sqlite_server, sink.port)) == 1
        assert [r.rcpt_tos for r in sink.received] == [[CUSTOMER]]
    state, error, _ = on_server(sqlite_server, reply_id)
    assert state == "failed"
    assert error is not None and error.startswith(f"{OTHER}: 550 5.1.1")
    assert "User unknown" in error and CUSTOMER not in error
    cache = tmp_path / "agent.sqlite3"
    sync_cache(cache, sqlite_server, token)
    assert in_cache(cache, reply_id) == ("failed", error)


def test_s7_delivery_left_sending_past_the_limit_fails_as_interrupted_and_never_goes(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """A sender that died mid-call left the mail `sending`: within the limit nothing
    happens (it may still be under way); past it, it is failed with the interrupted
    reason, and no later round sends it."""
    token, reply_id = reply_over_the_api(sqlite_server, CUSTOMER)
    sessions = sqlite_server.sessions
    with sessions() as s, s.begin():
        s.execute(
            update(Delivery).values(state="sending", attempts=1, claimed_at=utcnow())
        )  # what claim_delivery commits before the SMTP call
    with SmtpSink() as sink:
        config = relay(sqlite_server, sink.port, sending_timeout_seconds=600.0)
        assert send_pending(sessions, config) == 0
        assert on_server(sqlite_server, reply_id)[0] == "pending"
        with sessions() as s, s.begin():
            s.execute(update(Delivery).values(claimed_at=utcnow() - timedelta(minutes=11)))
        assert send_pending(sessions, config) == 0
        assert send_pending(sessions, config) == 0
        assert sink.received == []
    with sessions() as s:
        delivery = s.scalars(select(Delivery)).one()
        assert (delivery.state, delivery.last_error) == ("failed", DELIVERY_INTERRUPTED)
    state, error, _ = on_server(sqlite_server, reply_id)
    assert (state, error) == ("failed", f"{CUSTOMER}: {DELIVERY_INTERRUPTED}")
    cache = tmp_path / "agent.sqlite3"
    sync_cache(cache, sqlite_server, token)
    assert in_cache(cache, reply_id) == ("failed", error)


def test_i4_sms_left_sending_past_the_limit_fails_and_the_sent_mail_does_not_hide_it(
    tmp_path: Path,
) -> None:
    """The SMS sender has the same state machine: an SMS a crash left `sending` fails as
    interrupted (the gateway never called again), and the reply is failed even though
    its mail went out; a reply whose mail and SMS both went out is sent."""
    from tests.sync.server_fixture import running_server

    with FakeSmsGateway() as gateway, httpx.Client(timeout=5) as http:
        sms_on = SmsConfig(gateway_url=gateway.url)
        db = f"sqlite:///{tmp_path / 's.sqlite3'}"
        with running_server(db, tmp_path, sms=sms_on) as server, SmtpSink() as sink:
            sender = HttpSmsGateway(gateway.url, "key", http)
            config = relay(server, sink.port)
            _, first = reply_over_the_api(server, CUSTOMER, mobile="09121234567")
            assert send_pending(server.sessions, config) == 1
            assert on_server(server, first)[0] == "pending"  # its SMS is still to go
            assert send_pending_sms(server.sessions, config, sender) == 1
            assert on_server(server, first)[:2] == ("sent", None)

            _, second = reply_over_the_api(server, OTHER, mobile="09127654321")
            with server.sessions() as s, s.begin():
                s.execute(
                    update(Delivery)
                    .where(Delivery.message_id == second, Delivery.channel == "sms")
                    .values(state="sending", claimed_at=utcnow() - timedelta(hours=1))
                )
            assert send_pending(server.sessions, config) == 1  # its mail
            assert send_pending_sms(server.sessions, config, sender) == 0
            assert len(gateway.calls) == 1
            state, error, _ = on_server(server, second)
            assert (state, error) == ("failed", f"09127654321: {DELIVERY_INTERRUPTED}")


# --- the migration over an existing database ------------------------------------------


def _existing_database(engine: Engine) -> dict[str, str]:
    """A server database at 0006 with a reply sent, a reply failed, one with a mail still
    pending and a note; written with the tables as they were (no summary columns)."""
    upgrade(engine, "0006")
    migrate_counters = {"changes": 7, "epoch": 1, "purged_below": 0, "ticket_number": 1}
    t = Base.metadata.tables
    now = utcnow()
    ids = {"sent": "m-sent", "failed": "m-failed", "pending": "m-pending", "note": "m-note"}
    with engine.begin() as conn:
        conn.execute(
            t["sync_counters"].insert(),
            [{"name": k, "value": v} for k, v in migrate_counters.items()],
        )
        conn.execute(
            t["tickets"]
            .insert()
            .values(
                id="t1",
                version=1,
                created_at=now,
                updated_at=now,
                title="چاپگر",
                description="",
                contact_email=CUSTOMER,
                status="new",
                severity=0,
                impact=0,
                priority=0,
                channel="email",
                custom_values={},
                archived=False,
                staff_state="unread",
                customer_state="read",
            )
        )
        for key, mid in ids.items():
            kind = "internal_note" if key == "note" else "agent_reply"
            conn.execute(
                t["messages"]
                .insert()
                .values(
                    id=mid,
                    version=1,
                    created_at=now,
                    updated_at=now,
                    ticket_id="t1",
                    kind=kind,
                    body="x",
                    channel="agent",
                )
            )
        rows = [
            ("m-sent", CUSTOMER, "sent", None),
            ("m-failed", CUSTOMER, "sent", None),
            ("m-failed", OTHER, "failed", "550 5.1.1 no such user"),
            ("m-pending", CUSTOMER, "sending", None),
        ]
        conn.execute(
            t["deliveries"].insert(),
            [
                {
                    "message_id": m,
                    "channel": "email",
                    "recipient": r,
                    "state": st,
                    "attempts": 1,
                    "last_error": e,
                    "created_at": now,
                }
                for m, r, st, e in rows
            ],
        )
    return ids


def _check_upgrade(engine: Engine) -> None:
    ids = _existing_database(engine)
    upgrade(engine)
    with Session(engine) as s:
        got = {k: s.get(Message, mid) for k, mid in ids.items()}
        summary = {k: (m.delivery_state, m.delivery_error, m.version) for k, m in got.items() if m}
        assert summary == {
            "sent": ("sent", None, 2),
            "failed": ("failed", f"{OTHER}: 550 5.1.1 no such user", 2),
            "pending": ("pending", None, 2),
            "note": (None, None, 1),
        }
        logged = {c.entity_id: c.seq for c in s.scalars(select(Change))}
        assert set(logged) == {"m-sent", "m-failed", "m-pending"}
        assert sorted(logged.values()) == [8, 9, 10] and changelog.current_seq(s) == 10
        assert s.scalars(select(Delivery.claimed_at)).all() == [None] * 4
    # the summary rides with the message and can be undone
    command.downgrade(alembic_config(engine), "0006")
    upgrade(engine)


def test_s7_migration_summarises_an_existing_sqlite_database(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "server.sqlite3"))
    try:
        _check_upgrade(engine)
    finally:
        engine.dispose()


def test_s7_migration_summarises_an_existing_postgres_database(pg_admin_url: str) -> None:
    with fresh_database(pg_admin_url) as url:
        engine = make_engine(url)
        try:
            _check_upgrade(engine)
        finally:
            engine.dispose()


def test_s7_migration_on_a_cache_without_deliveries_changes_nothing(tmp_path: Path) -> None:
    """A client cache: no deliveries, no change counter; the columns simply appear."""
    engine = make_engine(sqlite_url(tmp_path / "cache.sqlite3"))
    try:
        upgrade(engine, "0006")
        upgrade(engine)
        with Session(engine) as s:
            assert s.scalars(select(Change)).all() == []
            assert s.scalars(select(Message.delivery_state)).all() == []
    finally:
        engine.dispose()
