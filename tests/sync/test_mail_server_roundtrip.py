"""The mail round trip through a real `helpdesk-server serve` process (S7, P7, I4): a
customer's mail becomes a ticket, the agent's reply (sent through the API) leaves by SMTP
with the ticket's reply-to, the internal note never leaves, and the customer's answer to
that reply-to lands in the same ticket."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from core.enums import Role
from sync.server.auth import issue_token
from sync.server.config import ServerConfig
from sync.server.database import server_engine, server_sessions
from tests.core.factories import make_user
from tests.sync.mail_support import SmtpSink
from tests.sync.server_fixture import free_port

BIN = Path(sys.executable).parent
DESK = "support@desk.test"
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float = 15) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[str, int, SmtpSink, str]]:
    """(api base, SMTP listener port, outgoing sink, agent token)."""
    db = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    port, smtp_in = free_port(), free_port()
    with SmtpSink() as sink:
        proc = subprocess.Popen(
            [
                BIN / "helpdesk-server",
                "serve",
                "--database",
                db,
                "--port",
                str(port),
                "--smtp-listen-port",
                str(smtp_in),
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                str(sink.port),
                "--group-address",
                DESK,
                "--log-level",
                "warning",
                "--blob-dir",
                str(tmp_path / "blobs"),
            ],
            env={**os.environ, "HELPDESK_DATA_DIR": str(tmp_path), "HELPDESK_SERVER_SECRET": "t"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/api/v1"
        try:
            eventually(lambda: _up(base), timeout=30)
            engine = server_engine(db)
            with server_sessions(engine)() as s:
                agent = make_user(s, role=Role.AGENT)
                token = issue_token(s, agent, ServerConfig().token_ttl)
                s.commit()
            engine.dispose()
            yield base, smtp_in, sink, token
        finally:
            proc.terminate()
            proc.wait(15)


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _send(port: int, mail: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(mail)


def test_s7_p7_mail_round_trip_through_the_server(desk: tuple[str, int, SmtpSink, str]) -> None:
    base, smtp_in, sink, token = desk
    first = EmailMessage()
    first["From"] = "Maryam Hosseini <maryam@example.com>"
    first["To"] = DESK
    first["Subject"] = "پیامک‌ها ارسال نمی‌شوند"
    first["Message-ID"] = "<first@example.com>"
    first.set_content("از صبح امروز پیامک‌ها با خطا مواجه می‌شوند.")
    _send(smtp_in, first)

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:

        def find_ticket() -> dict[str, Any] | None:
            items = api.get("/tickets").json()["items"]
            return next((t for t in items if t["channel"] == "email"), None)

        ticket = eventually(find_ticket)
        assert ticket["number"] is not None
        assert ticket["contact_email"] == "maryam@example.com"
        tid = ticket["id"]
        note = api.post(
            f"/tickets/{tid}/messages", json={"kind": "internal_note", "body": "SECRET note"}
        )
        reply = api.post(
            f"/tickets/{tid}/messages", json={"kind": "agent_reply", "body": "بررسی شد."}
        )
        assert note.status_code == reply.status_code == 201, (note.text, reply.text)

        sent = eventually(lambda: sink.messages)
        time.sleep(0.5)  # give a wrong second mail (the note) the chance to show up
        assert len(sink.messages) == 1
        out = sent[0]
        assert out["To"] == "maryam@example.com"
        assert DESK in out["From"]
        reply_to = str(out["Reply-To"])
        assert reply_to.startswith("support+") and reply_to.endswith("@desk.test")
        assert "SECRET" not in out.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

        answer = EmailMessage()
        answer["From"] = "maryam@example.com"
        answer["To"] = reply_to
        answer["Subject"] = "Re: " + str(out["Subject"])
        answer["In-Reply-To"] = str(out["Message-ID"])
        answer.set_content("ممنون، درست شد.")
        _send(smtp_in, answer)

        def answered() -> list[dict[str, Any]] | None:
            messages = api.get(f"/tickets/{tid}/messages").json()
            items = messages["items"] if isinstance(messages, dict) else messages
            return [m for m in items if "درست شد" in m["body"]] or None

        landed = eventually(answered)
        assert landed[0]["kind"] == "customer_reply"
        tickets = [t for t in api.get("/tickets").json()["items"] if t["channel"] == "email"]
        assert len(tickets) == 1  # the answer did not open a second ticket
