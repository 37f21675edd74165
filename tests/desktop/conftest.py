"""Widget-test fixtures: the Persian application set up once per run (as desktop/app.py
does it), a DB runner over the per-test cache, a small demo cache for screenshots, and `desk`: a
real server on loopback with demo data and an agent's cache synced from it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from core.cache import open_cache
from core.db import session_factory, sqlite_url
from core.queues import QueueKind
from desktop.app import OpenCache, open_window, setup_localization
from desktop.demo import first_agent
from desktop.i18n import Language, Localization
from desktop.runner import DbRunner
from sync.client.engine import SyncEngine, SyncReport
from sync.server.demo import load_demo
from tests.desktop.sync_helpers import aio  # noqa: F401 - qasync's loop for sync tests
from tests.sync.server_fixture import LiveServer, running_server

DEMO_NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def localization(qapp: QApplication) -> Localization:
    """Persian, right-to-left, Vazirmatn: what an agent sees by default."""
    QStandardPaths.setTestModeEnabled(True)  # never touch the tester's real settings
    return setup_localization(qapp, Language.PERSIAN)


@pytest.fixture
def persian(localization: Localization) -> Iterator[Localization]:
    """Persian for this test, restored afterwards even if the test switched language."""
    localization.apply(Language.PERSIAN)
    yield localization
    localization.apply(Language.PERSIAN)


@pytest.fixture
def runner(engine: Engine) -> Iterator[DbRunner]:
    worker = DbRunner(session_factory(engine))
    yield worker
    worker.wait_idle()


@pytest.fixture(scope="session")
def demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo cache of 600 tickets from core.demo (deterministic: fixed seed and now)."""
    from core.demo import generate

    path = tmp_path_factory.mktemp("demo") / "cache.sqlite3"
    generate(path, tickets=600, messages_per_ticket=1.0, seed=7, now=DEMO_NOW)
    return path


@dataclass
class Desk:
    """A real server on loopback holding demo data, and an agent's cache synced from it:
    what the window works against. `sync()` pushes the cache's outbox and pulls."""

    server: LiveServer
    cache_path: Path
    token: str
    user_id: str
    user_name: str

    def sync(
        self, path: Path | None = None, token: str | None = None, *, older: bool = True
    ) -> SyncReport:
        """One sync; after a first one also the older conversations it left for later
        (as the window's engine loads them), unless `older` is off."""

        async def go() -> SyncReport:
            engine = SyncEngine(path or self.cache_path, self.server.url, token or self.token)
            try:
                report = await engine.sync_once()
                if older:
                    await engine.finish_background()
                return report
            finally:
                await engine.aclose()

        return asyncio.run(go())

    def api(self, token: str | None = None) -> httpx.Client:
        """An HTTP client as this agent (or as `token`), to check what the server holds."""
        return self.server.client(token or self.token)

    def engine(self) -> Engine:
        """The cache's SQLAlchemy engine (dispose it when done)."""
        return open_cache(self.cache_path)


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated server SQLite file with 80 demo tickets, made once per run."""
    folder = tmp_path_factory.mktemp("desk-template")
    path = folder / "server.sqlite3"
    load_demo(sqlite_url(path), tickets=80, seed=11, password="demo-pass", tmp=str(folder))
    return path


@pytest.fixture
def desk(desk_template: Path, tmp_path: Path) -> Iterator[Desk]:
    """A fresh copy of the demo server, running on loopback, and the first demo agent's
    cache after a first sync."""
    server_db = tmp_path / "server.sqlite3"
    shutil.copy(desk_template, server_db)
    with running_server(sqlite_url(server_db), tmp_path) as server:
        with server.sessions() as session:
            agent = first_agent(session)
            assert agent is not None
            user_id, user_name = agent.id, agent.display_name
        cache_path = tmp_path / "cache.sqlite3"
        open_cache(cache_path).dispose()  # created and migrated, as signing in does
        desk = Desk(server, cache_path, server.token_for(user_id), user_id, user_name)
        desk.sync()
        yield desk


@pytest.fixture
def opened(desk: Desk, persian: Localization, qtbot: QtBot) -> Iterator[OpenCache]:
    """The main window over `desk`'s cache, 1280x800, showing every ticket, loaded."""
    handle = open_window(cache_path=desk.cache_path, localization=persian, user_id=desk.user_id)
    window = handle.window
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.sidebar.select(QueueKind.ALL)
    qtbot.waitUntil(lambda: window.model.is_complete and not handle.runner.busy())
    try:
        yield handle
    finally:
        handle.runner.wait_idle()
        handle.engine.dispose()
