"""SMS to customers (C4, I4): after an agent's answer, a short notice to each customer
contact with a mobile, through a pluggable sender (an HTTP gateway here). Like mail, a
delivery is marked `sending` and committed before the gateway call, so no SMS is sent
twice; only a gateway that was not reached (or said "too many requests") is tried again.
One left `sending` too long is marked failed as interrupted, and the message's delivery
summary follows every change, as for mail (sync.server.mail_out)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from typing import Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.followers import customer_contacts
from core.ids import utcnow
from core.models import Contact, Delivery, Message, Ticket
from core.textnorm import fold
from sync.server.config import ServerConfig, SmsConfig
from sync.server.mail_out import claim_delivery, fail_interrupted, update_summary

log = logging.getLogger("helpdesk.server.sms")

SMS = "sms"
API_KEY_ENV = "HELPDESK_SMS_API_KEY"
KEYRING_SERVICE = "helpdesk-server"
MAX_ATTEMPTS = 5
TEXT_LIMIT = 140  # two UCS-2 segments hold 134-140 Persian characters
_MOBILE = re.compile(r"\+?\d{7,15}")


class SmsError(Exception):
    """The gateway did not take a message. `retry`: it certainly did not send it."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


class SmsSender(Protocol):
    """Sends one text; returns the gateway's id for it ("" when it gives none)."""

    def send(self, to: str, text: str) -> str: ...


class HttpSmsGateway:
    """POSTs `{"to": ..., "text": ...}` as JSON with `Authorization: Bearer <key>` and
    expects a 2xx answer, optionally `{"id": ...}`. The key never appears in errors."""

    def __init__(self, url: str, api_key: str, client: httpx.Client) -> None:
        self.url = url
        self._api_key = api_key
        self.client = client

    def send(self, to: str, text: str) -> str:
        try:
            response = self.client.post(
                self.url,
                json={"to": to, "text": text},
                headers={"Authorization": f"Bearer {self._api_key}"},
            )
        except httpx.ConnectError as exc:
            raise SmsError(f"SMS gateway unreachable: {exc}", retry=True) from exc
        except httpx.HTTPError as exc:  # sent, but the answer was lost: maybe delivered
            raise SmsError(f"SMS gateway error: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            detail = response.text[:200].strip()
            raise SmsError(
                f"SMS gateway answered {response.status_code}: {detail or response.reason_phrase}",
                retry=response.status_code == 429,
            )
        try:
            data = response.json()
        except ValueError:
            return ""
        return str(data.get("id") or "") if isinstance(data, dict) else ""

    def __repr__(self) -> str:
        return f"<HttpSmsGateway {self.url}>"


def load_api_key(config: SmsConfig) -> str | None:
    """The gateway key from the environment, else the OS keyring; never from a file."""
    key = os.environ.get(API_KEY_ENV)
    if key:
        return key
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, config.api_key_name)
    except Exception:  # no keyring backend on this machine
        return None


def gateway_from_config(config: SmsConfig, client: httpx.Client) -> HttpSmsGateway | None:
    """The configured gateway, or None when SMS is off or its key is missing."""
    if config.gateway_url is None:
        return None
    key = load_api_key(config)
    if not key:
        log.warning("SMS gateway configured but no key (%s or keyring)", API_KEY_ENV)
        return None
    return HttpSmsGateway(config.gateway_url, key, client)


def clean_mobile(value: str | None) -> str | None:
    """A mobile number as ASCII digits with an optional leading +, or None when it is
    not one (Persian digits, spaces, dashes and brackets are allowed in the input)."""
    if not value:
        return None
    text = re.sub(r"[\s\-().\u200c\u200e\u200f]", "", fold(value))
    return text if _MOBILE.fullmatch(text) else None


def queue_sms(
    session: Session,
    message: Message,
    ticket: Ticket,
    config: SmsConfig,
    contacts: Sequence[Contact] | None = None,
) -> list[Delivery]:
    """Pending SMS deliveries of an agent's public reply to the ticket's customer
    contacts with a mobile (`contacts`, from core.followers.customer_contacts when not
    given); none when SMS is off, for internal posts (S6) or without a contact (S5).
    The caller commits."""
    if config.gateway_url is None or not message.is_public or message.author_user_id is None:
        return []
    if contacts is None:
        contacts = customer_contacts(session, ticket, exclude_contact_id=message.author_contact_id)
    mobiles = sorted({number for c in contacts if (number := clean_mobile(c.mobile))})
    deliveries = [Delivery(message_id=message.id, channel=SMS, recipient=n) for n in mobiles]
    session.add_all(deliveries)
    if deliveries:
        update_summary(session, message.id)
    return deliveries


def sms_text(ticket: Ticket, message: Message) -> str:
    """`[#N] <the answer, shortened>`: the number to find it under "my interactions"
    (C4) and enough of the answer to know what it says."""
    number = "pending" if ticket.number is None else str(ticket.number)
    prefix = f"[#{number}] "
    body = " ".join(message.body.split())
    room = TEXT_LIMIT - len(prefix)
    if len(body) > room:
        body = body[: room - 1].rstrip() + "…"
    return prefix + body


def send_pending_sms(
    session_factory: sessionmaker[Session],
    config: ServerConfig,
    sender: SmsSender,
    *,
    limit: int = 100,
) -> int:
    """Send up to `limit` pending SMS deliveries, oldest first; returns how many the
    gateway took. Nothing happens while SMS is off. First marks failed the deliveries an
    earlier sender left `sending` too long."""
    fail_interrupted(session_factory, config, SMS)
    if config.sms.gateway_url is None:
        return 0
    with session_factory() as session:
        ids = list(
            session.scalars(
                select(Delivery.id)
                .where(Delivery.state == "pending", Delivery.channel == SMS)
                .order_by(Delivery.created_at, Delivery.id)
                .limit(limit)
            )
        )
    return sum(_send_one(session_factory, sender, delivery_id) for delivery_id in ids)


def _send_one(session_factory: sessionmaker[Session], sender: SmsSender, delivery_id: int) -> bool:
    with session_factory() as session:
        if not claim_delivery(session, delivery_id):
            session.rollback()
            return False
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        session.refresh(delivery)
        message = session.get(Message, delivery.message_id)
        ticket = session.get(Ticket, message.ticket_id) if message is not None else None
        if message is None or ticket is None or not message.is_public:
            delivery.state, delivery.last_error = "failed", "no public message to send"
            update_summary(session, delivery.message_id)
            session.commit()
            return False
        to, text, attempts = delivery.recipient, sms_text(ticket, message), delivery.attempts
        session.commit()  # 'sending' is durable before the gateway call: at most once
    state, error = "sent", None
    try:
        sender.send(to, text)
    except SmsError as exc:
        state = "pending" if exc.retry and attempts < MAX_ATTEMPTS else "failed"
        error = str(exc)[:1000]
        log.warning("SMS delivery %s %s: %s", delivery_id, state, error)
    except Exception as exc:  # a sender bug: the call may have gone out, so never again
        state, error = "failed", f"{type(exc).__name__}: {exc}"[:1000]
        log.exception("SMS delivery %s failed", delivery_id)
    with session_factory() as session, session.begin():
        delivery = session.get(Delivery, delivery_id)
        if delivery is not None:
            delivery.state, delivery.last_error = state, error
            if state == "sent":
                delivery.sent_at = utcnow()
            update_summary(session, delivery.message_id)
    return state == "sent"
