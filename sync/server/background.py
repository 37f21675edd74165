"""What runs beside the request handlers, chosen from the config: the SMTP listener for
incoming mail and the senders of pending mail and SMS."""

from __future__ import annotations

from sync.server.app import Background
from sync.server.config import ServerConfig


def default_background(config: ServerConfig) -> list[Background]:
    parts: list[Background] = []
    return parts
