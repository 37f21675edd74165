"""E6, D6: the sync indicator says, in Persian, while the search index of a first sync is
still being built (search may miss the newest rows then), and stops saying it once the
engine has built it; real engine on qasync's loop against a real server on loopback."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

from pytestqt.qtbot import QtBot

from desktop.i18n import Localization
from sync.client import state as bookmarks
from sync.client.engine import EngineState
from tests.desktop.conftest import Desk
from tests.desktop.test_sync_indicator import close, open_synced

BUILDING = "نمایهٔ جست‌وجو در حال ساخت است"


def test_e6_d6_indicator_says_the_search_index_is_being_built(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: object
) -> None:
    # what a first sync killed while indexing leaves: the pending mark in sync_state
    with closing(sqlite3.connect(desk.cache_path)) as conn, conn:
        start = dict.fromkeys(("tickets", "messages", "contacts", "kb_articles"), 0)
        bookmarks.put(conn, bookmarks.SEARCH_PENDING, json.dumps(start))
    opened = open_synced(desk, persian, qtbot)
    indicator, bridge = opened.indicator, opened.sync
    assert indicator is not None and bridge is not None
    seen: list[tuple[EngineState, str]] = []
    bridge.state_changed.connect(lambda s: seen.append((s, indicator.status_label.toolTip())))
    try:
        initially = bridge.state
        assert initially.indexing, "the engine did not read the pending mark"
        opened.start_sync()
        qtbot.waitUntil(lambda: bridge.state.status == "online", timeout=20_000)
        building = [tip for state, tip in seen if state.indexing]
        assert building and all(BUILDING in tip for tip in building)
        assert any(s.index_total > 0 for s, _ in seen)
        assert not bridge.state.indexing and BUILDING not in indicator.status_label.toolTip()
        assert all(BUILDING not in tip for state, tip in seen if not state.indexing)
    finally:
        close(opened, qtbot)
    with closing(sqlite3.connect(desk.cache_path)) as conn:
        assert bookmarks.get(conn, bookmarks.SEARCH_PENDING) is None
