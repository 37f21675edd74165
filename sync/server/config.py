"""Everything a server process is started with, in one frozen value passed to each part."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from core.paths import data_dir


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'server.sqlite3'}"


@dataclass(frozen=True)
class MailConfig:
    """Mail in and out (S7, I4). `group_address` is the desk's public address; replies
    reach a ticket through `<local>+<token>@<domain>` as reply-to (the token is an HMAC
    of the ticket id, so it cannot be guessed)."""

    group_address: str = "support@helpdesk.local"
    from_name: str = "Helpdesk"
    # where outgoing mail is handed over (an MTA or a test sink); None = keep pending
    smtp_host: str | None = None
    smtp_port: int = 25
    # where the SMTP listener for incoming mail binds; None = no listener
    listen_host: str = "127.0.0.1"
    listen_port: int | None = None
    # the team new mail tickets go to (then its assignment mode picks someone, O5/S3)
    team_id: str | None = None

    @property
    def local_part(self) -> str:
        return self.group_address.split("@", 1)[0]

    @property
    def domain(self) -> str:
        return self.group_address.split("@", 1)[1]


@dataclass(frozen=True)
class SmsConfig:
    """An HTTP SMS gateway (C4, I4); None = SMS off."""

    gateway_url: str | None = None
    api_key_name: str = "helpdesk-sms-gateway"  # keyring entry holding the gateway key


@dataclass(frozen=True)
class ServerConfig:
    database_url: str = field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = 8750
    workers: int = 1
    blob_dir: Path = field(default_factory=lambda: data_dir() / "server-blobs")
    # secret for HMAC tokens (reply-to addresses); set from the environment or keyring
    secret: bytes = b"helpdesk-dev-secret-change-me"
    token_ttl: timedelta = timedelta(days=30)
    max_body_bytes: int = 1 << 20  # JSON requests
    max_upload_bytes: int = 25 << 20  # one attachment
    pull_page_size: int = 1000
    # a bootstrap snapshot sends the messages of tickets open or changed within this
    # many days with their tickets; older conversations load after the first sync
    snapshot_recent_days: int = 30
    push_batch_limit: int = 500
    keepalive_seconds: float = 15.0
    # a mail or SMS delivery still `sending` this many seconds after its claim was
    # interrupted (a sender that died mid-call): marked failed, never sent again (it may
    # have gone). Seconds, not a timedelta, so the config travels to workers as JSON.
    sending_timeout_seconds: float = 600.0
    mail: MailConfig = field(default_factory=MailConfig)
    sms: SmsConfig = field(default_factory=SmsConfig)
