"""SMS after an answer (C4, I4, S5, S6) through a real HTTP gateway on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from core.enums import MessageKind, Role
from core.models import Delivery, Ticket
from sync.server.config import MailConfig, ServerConfig, SmsConfig
from sync.server.database import migrate, server_sessions
from sync.server.mail_out import send_pending
from sync.server.services.messages import post_message
from sync.server.services.tickets import create_ticket
from sync.server.sms import (
    HttpSmsGateway,
    SmsError,
    clean_mobile,
    queue_sms,
    send_pending_sms,
)
from tests.core.factories import make_contact, make_user
from tests.sync.mail_support import FakeSmsGateway, SmtpSink

API_KEY = "sk-test-1234567890"


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    migrate(engine)
    return server_sessions(engine)


@pytest.fixture
def gateway() -> Iterator[FakeSmsGateway]:
    with FakeSmsGateway() as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


def sms_config(tmp_path: Path, url: str | None) -> ServerConfig:
    return ServerConfig(
        database_url="sqlite://", blob_dir=tmp_path / "blobs", sms=SmsConfig(gateway_url=url)
    )


def answer(
    factory: sessionmaker[Session],
    config: ServerConfig,
    *,
    mobile: str | None = "۰۹۱۲ ۳۴۵-۶۷۸۹",
    with_contact: bool = True,
    kind: MessageKind = MessageKind.AGENT_REPLY,
    body: str = "سلام، درخواست شما انجام شد. " * 10,
) -> list[Delivery]:
    """A ticket of a contact with `mobile` and a staff post on it, queued for SMS."""
    with factory() as s, s.begin():
        agent = make_user(s, role=Role.AGENT)
        contact = make_contact(s, "Sara", email="sara@example.com", mobile=mobile)
        ticket = create_ticket(
            s,
            agent,
            title="Printer",
            contact_email="sara@example.com",
            contact_id=contact.id if with_contact else None,
        )
        message = post_message(s, agent, ticket, kind=kind, body=body)
        return queue_sms(s, message, ticket, config.sms)


def test_c4_agent_answer_sends_sms_through_http_gateway(
    factory: sessionmaker[Session], tmp_path: Path, gateway: FakeSmsGateway, client: httpx.Client
) -> None:
    """C4: the customer's mobile (typed with Persian digits) gets `[#N] <answer...>`,
    posted as JSON with the key as a bearer token; sent once."""
    config = sms_config(tmp_path, gateway.url)
    (queued,) = answer(factory, config)
    assert queued.recipient == "09123456789"
    sender = HttpSmsGateway(gateway.url, API_KEY, client)
    assert send_pending_sms(factory, config, sender) == 1
    assert send_pending_sms(factory, config, sender) == 0
    (call,) = gateway.calls
    assert call.path == "/send"
    assert call.headers["Authorization"] == f"Bearer {API_KEY}"
    with factory() as s:
        number = s.scalars(select(Ticket.number)).one()
        delivery = s.scalars(select(Delivery).where(Delivery.channel == "sms")).one()
    assert call.body["to"] == "09123456789"
    text = call.body["text"]
    assert text.startswith(f"[#{number}] سلام، درخواست شما انجام شد.")
    assert len(text) <= 140 and text.endswith("…")
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 1, None)


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("S6 internal note", {"kind": MessageKind.INTERNAL_NOTE}),
        ("S5 no contact", {"with_contact": False}),
        ("no mobile", {"mobile": None}),
        ("not a number", {"mobile": "call the office"}),
    ],
)
def test_c4_no_sms_without_a_public_answer_to_a_contact_mobile(
    factory: sessionmaker[Session], tmp_path: Path, case: str, kwargs: dict[str, object]
) -> None:
    config = sms_config(tmp_path, "http://127.0.0.1:9/send")
    assert answer(factory, config, **kwargs) == [], case  # type: ignore[arg-type]


def test_c4_sms_off_queues_and_sends_nothing(
    factory: sessionmaker[Session], tmp_path: Path, gateway: FakeSmsGateway, client: httpx.Client
) -> None:
    config = sms_config(tmp_path, None)
    assert answer(factory, config) == []
    assert send_pending_sms(factory, config, HttpSmsGateway(gateway.url, API_KEY, client)) == 0
    assert gateway.calls == []


def test_c4_gateway_error_is_clear_keeps_the_key_secret_and_is_not_resent(
    factory: sessionmaker[Session], tmp_path: Path, gateway: FakeSmsGateway, client: httpx.Client
) -> None:
    """A 5xx may or may not have sent: failed with the gateway's words, never retried."""
    config = sms_config(tmp_path, gateway.url)
    answer(factory, config)
    gateway.status, gateway.answer = 502, {"error": "upstream operator down"}
    sender = HttpSmsGateway(gateway.url, API_KEY, client)
    assert send_pending_sms(factory, config, sender) == 0
    assert send_pending_sms(factory, config, sender) == 0
    assert len(gateway.calls) == 1
    with factory() as s:
        delivery = s.scalars(select(Delivery).where(Delivery.channel == "sms")).one()
    assert delivery.state == "failed"
    assert delivery.last_error is not None
    assert "502" in delivery.last_error and "upstream operator down" in delivery.last_error
    assert API_KEY not in delivery.last_error and API_KEY not in repr(sender)


def test_c4_unreachable_gateway_is_tried_again(
    factory: sessionmaker[Session], tmp_path: Path, client: httpx.Client
) -> None:
    """Not reached = certainly not sent: the delivery goes back to pending."""
    with FakeSmsGateway() as gone:
        url = gone.url
    config = sms_config(tmp_path, url)
    answer(factory, config)
    with pytest.raises(SmsError, match="unreachable") as raised:
        HttpSmsGateway(url, API_KEY, client).send("0912", "x")
    assert raised.value.retry
    assert send_pending_sms(factory, config, HttpSmsGateway(url, API_KEY, client)) == 0
    with factory() as s:
        delivery = s.scalars(select(Delivery).where(Delivery.channel == "sms")).one()
    assert (delivery.state, delivery.attempts) == ("pending", 1)


def test_c4_http_gateway_refusal_raises_a_clear_error(
    gateway: FakeSmsGateway, client: httpx.Client
) -> None:
    gateway.status, gateway.answer = 401, {"error": "bad key"}
    with pytest.raises(SmsError, match=r"answered 401: .*bad key") as raised:
        HttpSmsGateway(gateway.url, API_KEY, client).send("+989123456789", "سلام")
    assert not raised.value.retry
    assert gateway.calls[0].body == {"to": "+989123456789", "text": "سلام"}


def test_c4_mobile_numbers_are_folded_or_refused() -> None:
    assert clean_mobile("+98 (912) 345 6789") == "+989123456789"
    assert clean_mobile("٠٩١٢٣٤٥٦٧٨٩") == "09123456789"
    assert clean_mobile("12") is None
    assert clean_mobile("") is None


def test_c4_mail_and_sms_senders_each_take_only_their_channel(
    factory: sessionmaker[Session], tmp_path: Path, gateway: FakeSmsGateway, client: httpx.Client
) -> None:
    """I4: one answer makes one mail and one SMS; the two senders share the deliveries
    table and each sends only its own."""
    with SmtpSink() as sink:
        config = replace(
            sms_config(tmp_path, gateway.url),
            mail=MailConfig(smtp_host="127.0.0.1", smtp_port=sink.port),
        )
        answer(factory, config)
        assert send_pending(factory, config) == 1
        assert gateway.calls == []
        assert send_pending_sms(factory, config, HttpSmsGateway(gateway.url, API_KEY, client)) == 1
        assert len(sink.received) == 1 and len(gateway.calls) == 1
    with factory() as s:
        states = {(d.channel, d.state) for d in s.scalars(select(Delivery))}
    assert states == {("email", "sent"), ("sms", "sent")}


def test_c4_i4_an_agent_reply_over_the_api_queues_an_sms(tmp_path: Path) -> None:
    """The running server knows its SMS config: a reply posted over HTTP queues the SMS
    beside the mail, and an internal note queues neither."""
    from tests.sync.server_fixture import running_server

    sms_on = SmsConfig(gateway_url="http://127.0.0.1:9/send")
    with running_server(f"sqlite:///{tmp_path / 's.sqlite3'}", tmp_path, sms=sms_on) as server:
        with server.sessions() as s:
            contact = make_contact(s, "Sara", email="sara@example.com", mobile="۰۹۱۲۱۲۳۴۵۶۷")
            s.commit()
        _, client = server.user_client(Role.AGENT)
        with client:
            created = client.post(
                "/tickets",
                json={
                    "title": "SMS panel",
                    "contact_email": "sara@example.com",
                    "contact_id": contact.id,
                },
            )
            assert created.status_code == 201, created.text
            tid = created.json()["id"]
            for kind in ("internal_note", "agent_reply"):
                reply = client.post(f"/tickets/{tid}/messages", json={"kind": kind, "body": "x"})
                assert reply.status_code == 201, reply.text
        with server.sessions() as s:
            channels = sorted(d.channel for d in s.scalars(select(Delivery)))
    assert channels == ["email", "sms"]
