"""Mail and SMS beside the API: the SMTP listener for incoming mail and a sender loop for
pending deliveries. Started once by `helpdesk-server serve` in the parent process, so
several API workers never fight over the SMTP port or send the same mail twice (sending is
at most once anyway: each delivery is claimed before it goes)."""

from __future__ import annotations

import logging
import threading
from types import TracebackType

import httpx
from sqlalchemy import Engine

from core.blobs import BlobStore
from sync.server import sms
from sync.server.config import ServerConfig
from sync.server.database import server_sessions
from sync.server.mail_out import send_pending
from sync.server.smtp_listener import MailListener

log = logging.getLogger(__name__)


class Mailroom:
    def __init__(self, engine: Engine, config: ServerConfig, *, interval: float = 2.0) -> None:
        self.config = config
        self.interval = interval
        self.sessions = server_sessions(engine, config=config)
        self.blobs = BlobStore(config.blob_dir)
        self.listener: MailListener | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http = httpx.Client(timeout=20)
        self._gateway = sms.gateway_from_config(config.sms, self._http)

    def start(self) -> None:
        if self.config.mail.listen_port is not None:
            self.listener = MailListener(self.sessions, self.config, self.blobs)
            self.listener.start()
            log.info("mail listener on %s:%s", self.config.mail.listen_host, self.listener.port)
        if self.config.mail.smtp_host is not None or self._gateway is not None:
            self._thread = threading.Thread(target=self._send_loop, name="mailroom", daemon=True)
            self._thread.start()

    def send_once(self) -> int:
        sent = send_pending(self.sessions, self.config, blobs=self.blobs)
        if self._gateway is not None:
            sent += sms.send_pending_sms(self.sessions, self.config, self._gateway)
        return sent

    def _send_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.send_once()
            except Exception:  # a bad round must not end sending for good
                log.exception("sending pending mail and SMS failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if self.listener is not None:
            self.listener.stop()
        self._http.close()

    def __enter__(self) -> Mailroom:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
