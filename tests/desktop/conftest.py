"""Widget-test fixtures: the Persian application set up once per run (as desktop/app.py
does it), a DB runner over the per-test cache, and a small demo cache for screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine

from core.db import session_factory
from desktop.app import setup_localization
from desktop.i18n import Language, Localization
from desktop.runner import DbRunner

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
