"""`helpdesk --demo`: a real server on this computer with demo data, so the first command
shows a working product whose edits really sync.

The server is `helpdesk-server` in a child process (`python -m sync.server.main`) on
127.0.0.1 and a free port, over a SQLite file in the demo data folder. Its demo data is
loaded once (`helpdesk-server demo`, i.e. `sync.server.demo.load_demo`) with a known
password, and the window signs in as the first demo agent. The child is stopped when the
window closes (and, on Linux, by the kernel if this process dies first).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import make_engine, sqlite_url
from core.enums import Role
from core.models import User
from core.paths import data_dir

DEMO_TICKETS = 5_000
DEMO_PASSWORD = "demo-pass"
"""Every demo user's password (printed in the README; demo data only)."""
DEMO_SECRET = "helpdesk-demo-secret"
START_TIMEOUT = 60.0


def demo_folder() -> Path:
    return data_dir() / "demo"


def demo_cache_path() -> Path:
    return demo_folder() / "cache.sqlite3"


def first_agent(session: Session) -> User | None:
    """The demo agent to sign in as: the first active agent by user name."""
    stmt = (
        select(User)
        .where(User.role == Role.AGENT, User.active.is_(True))
        .order_by(User.username)
        .limit(1)
    )
    return session.scalars(stmt).first()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM when this process dies, so no server is orphaned."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class DemoServer:
    """The embedded demo server: `prepare()` (blocking: run it off the GUI thread), then
    `start()`, `wait_ready()`, and `stop()` on exit."""

    def __init__(self, folder: Path, *, tickets: int = DEMO_TICKETS) -> None:
        self.folder = folder
        self.tickets = tickets
        self.url: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def database(self) -> Path:
        return self.folder / "server.sqlite3"

    @property
    def cache_path(self) -> Path:
        return self.folder / "cache.sqlite3"

    def _command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "sync.server.main", *args]

    def _env(self) -> dict[str, str]:
        # the demo never touches the OS keyring for the server's secret
        return {**os.environ, "HELPDESK_SERVER_SECRET": DEMO_SECRET}

    def prepare(self) -> bool:
        """Load the demo data once; True when it was loaded now. A cache synced from an
        earlier demo server (or the old cache-only demo) is removed with it."""
        if self.database.exists():
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / "server.sqlite3.part"
        part.unlink(missing_ok=True)
        done = subprocess.run(
            self._command(
                "demo",
                "--database",
                sqlite_url(part),
                "--tickets",
                str(self.tickets),
                "--password",
                DEMO_PASSWORD,
            ),
            env=self._env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            part.unlink(missing_ok=True)
            raise RuntimeError(done.stderr.strip() or "the demo data could not be loaded")
        for stale in self.folder.glob("cache.sqlite3*"):
            stale.unlink()
        part.rename(self.database)
        return True

    def agent_username(self) -> str:
        engine = make_engine(sqlite_url(self.database))
        try:
            with Session(engine) as session:
                agent = first_agent(session)
                if agent is None:
                    raise RuntimeError("the demo data has no agent")
                return agent.username
        finally:
            engine.dispose()

    def start(self) -> str:
        port = _free_port()
        self._process = subprocess.Popen(
            self._command(
                "serve",
                "--database",
                sqlite_url(self.database),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--blob-dir",
                str(self.folder / "blobs"),
                "--log-level",
                "warning",
            ),
            env=self._env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Until the health check answers; raises RuntimeError if the child died."""
        assert self.url is not None and self._process is not None
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                if self._process.poll() is not None:
                    raise RuntimeError("the demo server stopped while starting")
                with contextlib.suppress(httpx.HTTPError):
                    reply = await client.get(f"{self.url}/api/v1/health")
                    if reply.status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError("the demo server did not start in time")
                await asyncio.sleep(0.1)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
