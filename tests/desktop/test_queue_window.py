"""D1, D2, I3, E1, E6, I6: the queue table model and the main window, through real
widgets (offscreen) over a real migrated cache."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from core.enums import CustomerState, Priority, StaffState, Status
from core.local_edits import edit_ticket_locally
from core.queues import QueueKind, QueueQuery, SortKey, ticket_ids
from desktop.app import open_window
from desktop.context import WindowContext
from desktop.demo import first_agent
from desktop.i18n import Language, Localization
from desktop.models.queue_model import (
    OVERDUE_COLOUR,
    Column,
    OverdueRole,
    QueueTableModel,
    TicketIdRole,
)
from desktop.runner import DbRunner
from desktop.views.main_window import MainWindow
from tests.core.factories import make_ticket
from tests.desktop.conftest import DEMO_NOW

NOW = datetime(2025, 3, 21, 15, 0, tzinfo=UTC)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _model(runner: DbRunner, loc: Localization, *, page_size: int = 200) -> QueueTableModel:
    return QueueTableModel(
        runner=runner, formatter=loc.formatter, clock=lambda: NOW, page_size=page_size
    )


def _load(qtbot: QtBot, model: QueueTableModel, query: QueueQuery) -> None:
    with qtbot.waitSignal(model.loading_finished, timeout=10_000):
        model.set_query(query)


def _ids(model: QueueTableModel) -> list[str]:
    return [model.index(r, 0).data(TicketIdRole) for r in range(model.rowCount())]


def _text(model: QueueTableModel, ticket_id: str, column: Column) -> str:
    row = _ids(model).index(ticket_id)
    return str(model.index(row, column).data(Qt.ItemDataRole.DisplayRole))


def _many(session: Session, n: int) -> None:
    for i in range(n):
        make_ticket(
            session,
            f"ticket {i:03d} {'ابرکوه' if i % 3 else 'zeta'}",
            priority=i % 3,
            severity=i % 3,
            impact=(i // 3) % 3,
            number=1000 + i,
            updated_at=NOW - timedelta(minutes=7 * i),
            sla_due_at=NOW + timedelta(hours=i - 10),
        )
    session.commit()


def _window(runner: DbRunner, loc: Localization, cache: Path, qtbot: QtBot) -> MainWindow:
    context = WindowContext(
        runner=runner,
        localization=loc,
        user_id=None,
        user_name="آزمون",
        cache_path=cache,
        clock=lambda: NOW,
    )
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.model.is_complete and not runner.busy(), timeout=10_000)
    return window


def test_d2_queue_model_passes_qt_model_tester(
    qtmodeltester: object, qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization
) -> None:
    _many(session, 30)
    model = _model(runner, persian, page_size=8)  # the worker path: 8 now, 22 later
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    _load(qtbot, model, QueueQuery(kind=QueueKind.ALL_OPEN))
    assert model.rowCount() == 30
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount(model.index(0, 0)) == 0  # flat: no children
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole + 99) is None
    assert model.data(QModelIndex()) is None


def test_d2_rest_of_ids_come_from_worker_and_stale_loads_are_dropped(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization
) -> None:
    _many(session, 30)
    model = _model(runner, persian, page_size=5)
    by_title = QueueQuery(kind=QueueKind.ALL_OPEN, sort=SortKey.TITLE, descending=False)
    model.set_query(QueueQuery(kind=QueueKind.ALL_OPEN))  # its full list will be stale
    assert model.rowCount() == 5 and not model.is_complete
    _load(qtbot, model, by_title)
    runner.wait_idle()
    qtbot.waitUntil(lambda: not runner.busy())
    assert model.generation == 2
    assert _ids(model) == ticket_ids(session, by_title)


def test_i3_header_click_sorts_in_sql(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization, cache_path: Path
) -> None:
    _many(session, 40)
    window = _window(runner, persian, cache_path, qtbot)
    header = window.table.horizontalHeader()
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    for column, key in ((Column.TITLE, SortKey.TITLE), (Column.SLA_DUE, SortKey.SLA_DUE)):
        header.setSectionHidden(column, False)
        window.table.scrollTo(window.model.index(0, column))
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        with qtbot.waitSignal(window.model.loading_finished, timeout=10_000):
            QTest.mouseClick(
                header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
            )
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        assert header.sortIndicatorSection() == column
        assert window.model.query.sort is key
        expected = ticket_ids(
            session, QueueQuery(kind=QueueKind.ALL_OPEN, sort=key, descending=descending)
        )
        assert _ids(window.model) == expected


def test_i3_unsortable_column_keeps_the_current_order(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization, cache_path: Path
) -> None:
    _many(session, 6)
    window = _window(runner, persian, cache_path, qtbot)
    before = _ids(window.model)
    window.table.sortByColumn(Column.TEAM, Qt.SortOrder.AscendingOrder)
    assert _ids(window.model) == before
    assert window.table.horizontalHeader().sortIndicatorSection() == Column.PRIORITY


def test_e6_search_box_filters_with_persian_folding(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization, cache_path: Path
) -> None:
    keyboard = make_ticket(session, "کیبورد لپ‌تاپ کار نمی‌کند")
    make_ticket(session, "چاپگر روشن نمی‌شود")
    make_ticket(session, "Invoice copy")
    session.commit()
    window = _window(runner, persian, cache_path, qtbot)
    assert window.model.rowCount() == 3
    window.search_box.setText("كيبورد")  # Arabic kaf and yeh must match Persian ones
    with qtbot.waitSignal(window.model.loading_finished, timeout=10_000):
        window.apply_search()
    assert _ids(window.model) == [keyboard.id]
    assert window.model.query.text == "كيبورد"
    with qtbot.waitSignal(window.model.loading_finished, timeout=10_000):
        window.search_box.clear()  # the pause timer runs the empty search
    assert window.model.rowCount() == 3


def test_e6_ctrl_f_focuses_search(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization, cache_path: Path
) -> None:
    window = _window(runner, persian, cache_path, qtbot)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitActive(window)
    window.table.setFocus()
    assert not window.search_box.hasFocus()
    # through the QWindow, as real key presses arrive, so the shortcut map sees it
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_box.hasFocus, timeout=2_000)


def test_d1_right_to_left_and_persian_by_default(
    qtbot: QtBot, runner: DbRunner, persian: Localization, cache_path: Path
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = _window(runner, persian, cache_path, qtbot)
    assert app.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.isRightToLeft() and window.table.isRightToLeft()
    assert window.windowTitle() == "میز پشتیبانی"
    title = window.model.headerData(Column.TITLE, Qt.Orientation.Horizontal)
    assert title == "عنوان"
    assert window.sidebar.label(QueueKind.MINE).startswith("درخواست‌های من")
    assert window.sidebar.label(QueueKind.ALL_OPEN) == "همهٔ باز  (۰)"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)  # Qt's own catalogue
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "تأیید"
    assert persian.formatter.number(1234) == "۱۲۳۴"


def test_d1_english_from_settings_is_left_to_right(
    qtbot: QtBot, runner: DbRunner, persian: Localization, cache_path: Path
) -> None:
    persian.apply(Language.ENGLISH)
    window = _window(runner, persian, cache_path, qtbot)
    assert not window.isRightToLeft()
    assert window.model.headerData(Column.TITLE, Qt.Orientation.Horizontal) == "Title"
    assert persian.formatter.number(1234) == "1234"


def test_d1_updated_column_shows_jalali_date_and_how_long_ago(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization
) -> None:
    nowruz = make_ticket(session, "نوروز", updated_at=datetime(2025, 3, 21, 12, 0, tzinfo=UTC))
    later = NOW + timedelta(days=3)
    recent = make_ticket(session, "تازه", updated_at=later - timedelta(hours=3))
    session.commit()
    model = QueueTableModel(runner=runner, formatter=persian.formatter, clock=lambda: later)
    _load(qtbot, model, QueueQuery(kind=QueueKind.ALL_OPEN))
    assert _text(model, nowruz.id, Column.UPDATED) == "۱۴۰۴/۰۱/۰۱"  # 2025-03-21
    row = _ids(model).index(nowruz.id)
    tooltip = model.index(row, Column.UPDATED).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("۱۴۰۴/۰۱/۰۱ ") and tooltip.endswith("(۳ روز پیش)")
    assert _text(model, recent.id, Column.UPDATED) == "۳ ساعت پیش"


def test_e1_overdue_sla_is_red(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization
) -> None:
    late = make_ticket(session, "late", sla_due_at=NOW - timedelta(hours=2))
    on_time = make_ticket(session, "on time", sla_due_at=NOW + timedelta(hours=2))
    closed = make_ticket(
        session, "closed late", sla_due_at=NOW - timedelta(hours=2), status=Status.CLOSED
    )
    session.commit()
    model = _model(runner, persian)
    _load(qtbot, model, QueueQuery(kind=QueueKind.ALL))
    rows = _ids(model)

    def cell(ticket_id: str, role: int) -> object:
        return model.index(rows.index(ticket_id), Column.SLA_DUE).data(role)

    brush = cell(late.id, Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color() == QColor(OVERDUE_COLOUR)  # type: ignore[attr-defined]
    assert cell(late.id, OverdueRole) is True
    assert cell(late.id, Qt.ItemDataRole.DisplayRole) == "۲ ساعت پیش"
    assert cell(on_time.id, Qt.ItemDataRole.ForegroundRole) is None
    assert cell(on_time.id, Qt.ItemDataRole.DisplayRole) == "۲ ساعت دیگر"
    assert cell(closed.id, OverdueRole) is False


def test_i6_staff_and_customer_read_states_and_priority_colour(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization
) -> None:
    ticket = make_ticket(
        session,
        "وضعیت",
        staff_state=StaffState.ANSWERED_FOLLOWING_UP,
        customer_state=CustomerState.UNREAD,
        priority=Priority.HIGH,
    )
    session.commit()
    model = _model(runner, persian)
    _load(qtbot, model, QueueQuery(kind=QueueKind.ALL_OPEN))
    assert _text(model, ticket.id, Column.STAFF_STATE) == "در حال پیگیری"
    assert _text(model, ticket.id, Column.CUSTOMER_STATE) == "نخوانده"
    assert _text(model, ticket.id, Column.PRIORITY) == "زیاد"
    background = model.index(0, Column.PRIORITY).data(Qt.ItemDataRole.BackgroundRole)
    assert background.color() == QColor("#fde0dc")


def test_d6_pending_number_and_unsynced_marker(
    qtbot: QtBot, session: Session, runner: DbRunner, persian: Localization
) -> None:
    offline = make_ticket(session, "offline", number=None)
    synced = make_ticket(session, "synced", number=1234)
    session.commit()
    edit_ticket_locally(session, offline.id, {"title": "offline, edited"})
    model = _model(runner, persian)
    _load(qtbot, model, QueueQuery(kind=QueueKind.ALL_OPEN))
    assert _text(model, offline.id, Column.NUMBER) == "در انتظار"
    assert _text(model, synced.id, Column.NUMBER) == "۱۲۳۴"
    assert _text(model, offline.id, Column.UNSYNCED) == "●"
    assert _text(model, synced.id, Column.UNSYNCED) == ""


def test_d1_screenshot_of_main_window_with_demo_data(
    qtbot: QtBot, persian: Localization, demo_cache: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.sqlite3"
    shutil.copy(demo_cache, cache)
    from core.cache import open_cache
    from core.db import session_factory

    engine = open_cache(cache)
    with session_factory(engine)() as s:
        agent = first_agent(s)
        assert agent is not None
        agent_id = agent.id
    engine.dispose()
    opened = open_window(
        cache_path=cache, localization=persian, user_id=agent_id, clock=lambda: DEMO_NOW
    )
    window = opened.window
    qtbot.addWidget(window)
    try:
        window.sidebar.select(QueueKind.ALL_OPEN)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.model.is_complete and not opened.runner.busy())
        assert window.model.rowCount() > 10
        assert window.isRightToLeft()
        # the sidebar sits on the right under right-to-left
        assert window.sidebar.mapTo(window, QPoint(0, 0)).x() > window.width() // 2
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "main_window_fa.png"
        assert window.grab().save(str(target))
        assert target.stat().st_size > 20_000
    finally:
        opened.runner.wait_idle()
        opened.engine.dispose()


def _run_helpdesk(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HELPDESK_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    exe = Path(sys.executable).parent / "helpdesk"
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_d1_helpdesk_smoke_and_demo_start(tmp_path: Path) -> None:
    done = _run_helpdesk("--smoke", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    # --demo: an embedded server with demo data, signed in, synced, then the window
    done = _run_helpdesk("--demo", "--demo-tickets", "200", "--smoke", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "demo" / "server.sqlite3").exists()
    cache = sqlite3.connect(tmp_path / "demo" / "cache.sqlite3")
    try:
        tickets = cache.execute("SELECT count(*) FROM tickets").fetchone()[0]
        cursor = cache.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
    finally:
        cache.close()
    assert tickets > 50 and cursor is not None  # pulled from the demo server
    url = done.stdout.split("demo server at ", 1)[1].split()[0]
    with pytest.raises(httpx.TransportError):  # stopped when the window closed
        httpx.get(f"{url}/api/v1/health", timeout=2)


def test_d1_persian_catalogue_is_complete_and_compiled(tmp_path: Path) -> None:
    folder = Path(__file__).resolve().parents[2] / "desktop" / "resources" / "translations"
    tools = Path(sys.executable).parent
    ts = tmp_path / "helpdesk_fa.ts"
    shutil.copy(folder / "helpdesk_fa.ts", ts)
    sources = sorted(str(p) for p in (folder.parents[1]).rglob("*.py"))
    subprocess.run(
        [str(tools / "pyside6-lupdate"), *sources, "-ts", str(ts)],
        check=True,
        capture_output=True,
    )
    text = ts.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text, "untranslated strings: run lupdate and translate"
    qm = tmp_path / "helpdesk_fa.qm"
    subprocess.run(
        [str(tools / "pyside6-lrelease"), str(folder / "helpdesk_fa.ts"), "-qm", str(qm)],
        check=True,
        capture_output=True,
    )
    assert qm.read_bytes() == (folder / "helpdesk_fa.qm").read_bytes(), "recompile the .qm"
