"""Helpers of the mail and SMS tests: a real SMTP sink on loopback that records what it
is handed (and can drop the connection or refuse, like a crashing or busy relay), and a
real HTTP server standing in for an SMS gateway."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from sync.server.smtp_listener import AnyPortController


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class SmtpSink:
    """An aiosmtpd server that keeps every mail. `drop_after_data`: record the mail, then
    cut the connection before answering (the relay took it, the sender cannot know).
    `answer`: the reply to DATA (e.g. "451 try later"); `on_data` runs on receipt."""

    def __init__(
        self,
        *,
        drop_after_data: bool = False,
        answer: str = "250 OK",
        on_data: Callable[[EmailMessage], None] | None = None,
    ) -> None:
        self.received: list[Received] = []
        self.drop_after_data = drop_after_data
        self.answer = answer
        self.on_data = on_data
        self.errors: list[BaseException] = []
        self._controller = AnyPortController(self, hostname="127.0.0.1", port=0)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: SmtpSession, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        if self.on_data is not None:
            try:
                self.on_data(message)
            except BaseException as exc:  # reported by the test, not lost in the loop
                self.errors.append(exc)
        if self.answer.startswith("2"):
            self.received.append(Received(envelope.mail_from or "", envelope.rcpt_tos, message))
        if self.drop_after_data and isinstance(server.transport, asyncio.Transport):
            server.transport.abort()
        return self.answer

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()


@dataclass
class GatewayCall:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeSmsGateway:
    """A real HTTP server on loopback that records POSTs and answers `status`."""

    status: int = 200
    answer: dict[str, Any] = field(default_factory=lambda: {"id": "gw-1"})
    calls: list[GatewayCall] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/send"

    def __enter__(self) -> FakeSmsGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                data = self.rfile.read(length)
                gateway.calls.append(
                    GatewayCall(self.path, dict(self.headers.items()), json.loads(data or b"null"))
                )
                payload = json.dumps(gateway.answer).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.server is not None and self.thread is not None
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
