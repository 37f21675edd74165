"""A real server on loopback: uvicorn in a thread serving the real app over a real
database, plus helpers to seed rows and talk to it as a given user."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from core.enums import Role
from core.models import User
from sync.server.app import create_app
from sync.server.auth import issue_token
from sync.server.config import ServerConfig
from tests.core.factories import make_user


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    config: ServerConfig

    @property
    def sessions(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = self.app.state.sessions
        return factory

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"

    def token_for(self, user_id: str) -> str:
        with self.sessions() as session:
            user = session.get(User, user_id)
            assert user is not None
            raw = issue_token(session, user, self.config.token_ttl, "test")
            session.commit()
        return raw

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.api, headers=headers, timeout=10, **kwargs)

    def user_client(self, role: Role = Role.AGENT, **fields: Any) -> tuple[User, httpx.Client]:
        """A new user of `role` and a client logged in as them."""
        with self.sessions() as session:
            user = make_user(session, role=role, **fields)
            session.commit()
        return user, self.client(self.token_for(user.id))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    database_url: str,
    tmp: Path,
    **overrides: Any,
) -> Iterator[LiveServer]:
    config = replace(
        ServerConfig(database_url=database_url, blob_dir=tmp / "blobs", secret=b"test-secret"),
        **overrides,
    )
    app = create_app(config, migrate_schema=True)
    sock = socket.socket()
    # accepted connections inherit it: without it Nagle and delayed ACKs hold each
    # answer on a kept-alive connection ~40 ms
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app, config=config)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
