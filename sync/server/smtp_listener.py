"""The SMTP listener of the group mailbox (S7, P7): mail for the desk's address (and its
`+token` reply addresses) is taken in by `mail_in`; other recipients are refused, so it
never turns into a relay. Meant to sit behind the office MTA on loopback.

The SMTP conversation runs on aiosmtpd's own thread and loop; the database work of each
mail runs on one worker thread, so mails are applied one at a time (no two mails race
to create the same contact) without stalling other SMTP sessions."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy.orm import Session, sessionmaker

from core.blobs import BlobStore
from sync.server.config import ServerConfig
from sync.server.mail_in import MailIgnored, MailRefused, receive_mail
from sync.server.mail_out import is_desk_address

log = logging.getLogger("helpdesk.server.mail_in")

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"


class MailHandler:
    """aiosmtpd handler: RCPT checks the mailbox, DATA applies the mail."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        config: ServerConfig,
        blobs: BlobStore,
        executor: ThreadPoolExecutor,
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.blobs = blobs
        self.executor = executor

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not is_desk_address(address, self.config.mail):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: SmtpSession, envelope: Envelope
    ) -> str:
        raw = envelope.original_content
        if raw is None:
            content = envelope.content
            raw = content.encode("utf-8") if isinstance(content, str) else (content or b"")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.deliver, raw, envelope.rcpt_tos)

    def deliver(self, raw: bytes, recipients: list[str]) -> str:
        """Apply one mail in its own transaction; the SMTP answer says what came of it."""
        try:
            with self.session_factory() as session:
                result = receive_mail(
                    session, raw, self.config, self.blobs, envelope_recipients=recipients
                )
                session.commit()
        except MailRefused as exc:
            log.info("mail refused: %s", exc.reply)
            return exc.reply
        except MailIgnored:
            log.info("automatic mail dropped")
            return "250 2.0.0 OK, automatic mail not taken in"
        except Exception:  # the database is away, a disk is full: let the sender retry
            log.exception("mail could not be applied")
            return TEMPORARY_FAILURE
        number = "pending" if result.ticket_number is None else result.ticket_number
        what = "duplicate of" if result.duplicate else "taken into"
        return f"250 2.0.0 OK, {what} ticket #{number}"


class AnyPortController(Controller):
    """aiosmtpd's controller, able to bind port 0 (a free port picked by the OS)."""

    def _trigger_server(self) -> None:
        if isinstance(self.server, asyncio.Server) and self.port == 0:
            self.port = int(self.server.sockets[0].getsockname()[1])
        super()._trigger_server()  # type: ignore[no-untyped-call]


class MailListener:
    """Start and stop the listener on `config.mail.listen_host`/`listen_port` (0 = any
    free port; read `.port` after start). Mails over `max_message_bytes` get 552."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        config: ServerConfig,
        blobs: BlobStore,
        *,
        max_message_bytes: int | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.blobs = blobs
        # one attachment may be max_upload_bytes; base64 makes it 4/3 bigger, plus text
        self.max_message_bytes = max_message_bytes or config.max_upload_bytes * 4 // 3 + 2**20
        self._controller: AnyPortController | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def port(self) -> int:
        if self._controller is None:
            raise RuntimeError("The mail listener is not running.")
        return int(self._controller.port)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        mail = self.config.mail
        if mail.listen_port is None:
            raise RuntimeError("No mail listener port is configured (mail.listen_port).")
        if self._controller is not None:
            return
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-in")
        controller = AnyPortController(
            MailHandler(self.session_factory, self.config, self.blobs, executor),
            hostname=mail.listen_host,
            port=mail.listen_port,
            server_hostname=mail.domain,
            data_size_limit=self.max_message_bytes,
        )
        try:
            controller.start()
        except BaseException:
            controller.stop(no_assert=True)
            if not controller.loop.is_closed():  # a failed bind leaves the loop open
                controller.loop.close()
            executor.shutdown(wait=True)
            raise
        self._controller, self._executor = controller, executor
        log.info("mail listener on %s:%s", mail.listen_host, controller.port)

    def stop(self) -> None:
        """Stop listening; a mail being applied is finished first."""
        controller, self._controller = self._controller, None
        executor, self._executor = self._executor, None
        if controller is not None:
            controller.stop()
        if executor is not None:
            executor.shutdown(wait=True)

    def __enter__(self) -> MailListener:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state: Any = self._controller.port if self._controller else "stopped"
        return f"<MailListener {self.config.mail.listen_host}:{state}>"
