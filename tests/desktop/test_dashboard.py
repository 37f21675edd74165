"""D7: the supervisors' dashboard through real widgets (offscreen) over a real cache: the
figures shown, the Jalali range, a click on a bar or a row opening that queue in the main
window, the menu only supervisors see, CSV content, the PDF report read back and
rendered, and the screenshots."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
import shiboken6
from PySide6.QtCharts import QBarCategoryAxis
from PySide6.QtCore import QCalendar, QDate, QObject, QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.cache import open_cache
from core.db import session_factory
from core.enums import Role
from core.models import User
from desktop.context import WindowContext
from desktop.i18n import Localization
from desktop.runner import DbRunner
from desktop.views.dashboard import DashboardWindow, FigureTile
from desktop.views.dashboard_export import csv_rows
from desktop.views.main_window import MainWindow
from tests.core.test_dashboard import FIRST, LAST, NOW, TEHRAN, Desk
from tests.desktop.conftest import DEMO_NOW

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _context(
    runner: DbRunner, loc: Localization, cache: Path, user_id: str | None
) -> WindowContext:
    return WindowContext(
        runner=runner,
        localization=loc,
        user_id=user_id,
        user_name="آزمون",
        cache_path=cache,
        clock=lambda: NOW,
    )


@pytest.fixture
def desk_rows(session: Session) -> Desk:
    return Desk(session)


def _dashboard(qtbot: QtBot, context: WindowContext) -> DashboardWindow:
    window = DashboardWindow(context, utc_offset=TEHRAN)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.dashboard is not None, timeout=10_000)
    return window


def _ids(main: MainWindow) -> list[str]:
    return [main.model.ticket_id(r) for r in range(main.model.rowCount())]


def _set_range(qtbot: QtBot, window: DashboardWindow, first: date, last: date) -> None:
    with qtbot.waitSignal(window.refreshed, timeout=10_000):
        window.set_range(first, last)


def test_d7_dashboard_shows_the_figures_in_persian_with_a_jalali_range(
    qtbot: QtBot, persian: Localization, runner: DbRunner, cache_path: Path, desk_rows: Desk
) -> None:
    window = _dashboard(qtbot, _context(runner, persian, cache_path, None))
    assert window.isRightToLeft()
    # the default range: the last 30 local days up to today
    assert window.last_edit.date().toPython() == date(2025, 3, 21)
    assert window.first_edit.date().toPython() == date(2025, 2, 20)
    # the date boxes speak Jalali: 2025-03-21 is 1404/01/01
    assert window.last_edit.calendar().name() == QCalendar(QCalendar.System.Jalali).name()
    assert window.last_edit.text() == "۱۴۰۴/۰۱/۰۱"
    _set_range(qtbot, window, FIRST, LAST)
    text = {key: tile.value.text() for key, tile in window.tiles.items()}
    assert text["open"] == "۵"
    assert text["overdue"] == "۲"
    assert text["unseen"] == "۴"
    assert text["created"] == "۷"
    assert text["first_response"] == "۲۵ دقیقه"  # median 1,500 s
    assert text["reopen"] == "۳۳٪"
    assert window.workload_table.rowCount() == 4
    first = window.workload_table.item(0, 0)
    assert first is not None and first.text() == "Ali"
    # changing the range in the date box recounts: only 03-19 .. 03-21
    with qtbot.waitSignal(window.refreshed, timeout=10_000):
        window.first_edit.setDate(QDate(2025, 3, 19))
    assert window.tiles["created"].value.text() == "۴"  # t1 t2 t8 t9
    assert window.dashboard.per_day[0].day == date(2025, 3, 19)  # type: ignore[union-attr]
    runner.wait_idle()


def test_d7_every_widget_belongs_to_its_qt_parent_alone(
    qtbot: QtBot, persian: Localization, runner: DbRunner, cache_path: Path, desk_rows: Desk
) -> None:
    """A widget Python owns while Qt parents it is deleted twice when the window goes (the
    bench's crash on exit: "shared QObject was deleted directly", then a segfault)."""
    window = _dashboard(qtbot, _context(runner, persian, cache_path, None))
    _set_range(qtbot, window, FIRST, LAST)  # the charts built a second time
    # walked by children(): findChildren() would hand each widget to its parent itself
    widgets: list[QObject] = []
    todo: list[QObject] = [window]
    while todo:
        children = todo.pop().children()
        widgets += [c for c in children if isinstance(c, QWidget)]
        todo += children
    assert sum(isinstance(w, FigureTile) for w in widgets) == len(window.tiles)
    owned = [f"{type(w).__name__} {w.objectName()}" for w in widgets if shiboken6.ownedByPython(w)]
    assert owned == []
    runner.wait_idle()


def test_d7_click_on_a_bar_and_a_row_opens_that_queue_in_the_main_window(
    qtbot: QtBot, persian: Localization, runner: DbRunner, cache_path: Path, desk_rows: Desk
) -> None:
    context = _context(runner, persian, cache_path, None)
    main = MainWindow(context)
    qtbot.addWidget(main)
    qtbot.waitUntil(lambda: main.model.is_complete and not runner.busy(), timeout=10_000)
    window = _dashboard(qtbot, context)
    window.queue_requested.connect(main.show_query)
    _set_range(qtbot, window, FIRST, LAST)
    window.resize(1280, 1000)
    window.show()
    qtbot.waitExposed(window)
    chart = window.priority_chart
    assert chart.categories == ["زیاد", "عادی"]  # high, normal: the open tickets' priorities
    # a real mouse click in the middle of the "high" bar (t1 and t6)
    where = chart.bar_centre(0, 0).toPoint()
    with qtbot.waitSignal(main.model.loading_finished, timeout=10_000):
        QTest.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: main.model.is_complete and main.model.rowCount() == 2)
    assert set(_ids(main)) == {desk_rows.t1.id, desk_rows.t6.id}
    assert main.sidebar.current_kind() is None
    # a workload row: Sara's open tickets
    names = [window.workload_table.item(r, 0) for r in range(4)]
    row = [item.text() if item else "" for item in names].index("Sara")
    sara = names[row]
    assert sara is not None
    rect = window.workload_table.visualItemRect(sara)
    with qtbot.waitSignal(main.model.loading_finished, timeout=10_000):
        QTest.mouseClick(
            window.workload_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    qtbot.waitUntil(lambda: main.model.is_complete and main.model.rowCount() == 1)
    assert _ids(main) == [desk_rows.t3.id]
    # a stacked bar: Support's "Doing" stage
    stage = window.stage_chart
    team = stage.categories.index("Support")
    doing = [s.label() for s in stage.series.barSets()].index("Doing")  # type: ignore[union-attr]
    where = stage.bar_centre(doing, team).toPoint()
    with qtbot.waitSignal(main.model.loading_finished, timeout=10_000):
        QTest.mouseClick(stage.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: main.model.is_complete and main.model.rowCount() == 2)
    assert set(_ids(main)) == {desk_rows.t2.id, desk_rows.t3.id}
    # a figure tile: overdue, soonest due first
    tile = window.tiles["overdue"]
    with qtbot.waitSignal(main.model.loading_finished, timeout=10_000):
        QTest.mouseClick(tile, Qt.MouseButton.LeftButton, pos=tile.rect().center())
    qtbot.waitUntil(lambda: main.model.is_complete and main.model.rowCount() == 2)
    assert _ids(main) == [desk_rows.t3.id, desk_rows.t1.id]
    runner.wait_idle()


def test_d7_only_supervisors_and_admins_get_the_dashboard_menu(
    qtbot: QtBot, persian: Localization, runner: DbRunner, cache_path: Path, desk_rows: Desk
) -> None:
    for user, allowed in ((desk_rows.ali, False), (desk_rows.boss, True)):
        main = MainWindow(_context(runner, persian, cache_path, user.id))
        qtbot.addWidget(main)
        qtbot.waitUntil(lambda: not runner.busy(), timeout=10_000)
        assert (main.dashboards.action is not None) is allowed
        if allowed:
            assert main.dashboards.action is not None
            main.dashboards.action.trigger()
            dashboard = main.dashboards.dashboard
            assert dashboard is not None
            qtbot.waitUntil(lambda: dashboard.dashboard is not None, timeout=10_000)  # noqa: B023
            assert dashboard.isVisible()
            dashboard.close()
    runner.wait_idle()


def test_d7_refreshes_when_a_sync_changed_the_cache(
    qtbot: QtBot,
    *,
    persian: Localization,
    runner: DbRunner,
    cache_path: Path,
    engine: Engine,
    desk_rows: Desk,
) -> None:
    window = _dashboard(qtbot, _context(runner, persian, cache_path, None))
    _set_range(qtbot, window, FIRST, LAST)
    with session_factory(engine)() as s:
        from tests.core.factories import make_ticket

        make_ticket(s, "new one", created_at=NOW - timedelta(hours=1))
        s.commit()
    with qtbot.waitSignal(window.refreshed, timeout=10_000):
        window.refresh_after_sync(True)
    assert window.tiles["open"].value.text() == "۶"
    assert window.tiles["new_today"].value.text() == "۲"
    runner.wait_idle()


def test_d7_csv_and_pdf_exports(
    qtbot: QtBot,
    *,
    persian: Localization,
    runner: DbRunner,
    cache_path: Path,
    desk_rows: Desk,
    tmp_path: Path,
) -> None:
    window = _dashboard(qtbot, _context(runner, persian, cache_path, None))
    _set_range(qtbot, window, FIRST, LAST)
    window.resize(1280, 1000)
    window.show()
    qtbot.waitExposed(window)
    target = tmp_path / "dashboard.csv"
    assert window.export_csv(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read Persian
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    by_label = {r[0]: r[1:] for r in rows if r}
    assert by_label["تیکت‌های باز"][0] == "5"
    assert by_label["دیرکرد (SLA)"][0] == "2"
    assert by_label["اولین پاسخ (میانه)، ثانیه"] == ["1500", "3060"]
    assert by_label["حل (میانه)، ثانیه"] == ["86400", "771840"]
    assert ["Ali", "2", "4", ""] in rows  # workload: open, total, on leave now
    assert ["Sara", "1", "2", "بله"] in rows
    assert by_label["2025-03-19"] == ["۱۴۰۳/۱۲/۲۹", "2", "0"]
    assert rows == csv_rows(window.dashboard, persian.formatter)  # type: ignore[arg-type]

    pdf = tmp_path / "dashboard.pdf"
    assert window.export_pdf(pdf)
    text = _pdf_text(pdf)
    # Qt shaped the Persian and embedded Vazirmatn itself; its text layer maps most shaped
    # glyphs back to letters (not every contextual form: "پ" in a word's middle is lost),
    # so the check reads words that map back whole, and the page is looked at as a picture
    for words in ("تیکت‌های باز", "جزئیات", "شاخص", "جدید امروز", "۱۴۰۳/۱۲/۲۹", "Sara"):
        assert _plain(words) in _plain(text)
    # an unwritable place is a translated message, not a crash, and nothing is lost
    assert not window.export_csv(tmp_path / "missing" / "x.csv")
    assert "missing" in window.status.text()
    box = window.export_message
    assert box is not None and box.isVisible() and "missing" in box.text()
    box.accept()
    assert window.dashboard is not None
    runner.wait_idle()


def _plain(text: str) -> str:
    return "".join(text.replace("\u200c", "").split())


def _pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def _render_first_page(pdf: Path, png: Path) -> QImage:
    """Page 1 of `pdf` as a PNG, drawn by PDFium (not by Qt, which wrote it)."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        bitmap = document[0].render(scale=1.5)
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        data = bytes(bitmap.buffer)
        shape = (
            QImage.Format.Format_BGR888 if bitmap.n_channels == 3 else QImage.Format.Format_RGB32
        )
        image = QImage(data, width, height, stride, shape).copy()
        bitmap.close()
    finally:
        document.close()
    assert image.save(str(png))
    return image


@pytest.fixture
def demo_copy(demo_cache: Path, tmp_path: Path) -> Iterator[tuple[Path, Engine]]:
    cache = tmp_path / "demo.sqlite3"
    shutil.copy(demo_cache, cache)
    engine = open_cache(cache)
    yield cache, engine
    engine.dispose()


def test_d7_screenshots_of_the_dashboard_and_its_pdf_report(
    qtbot: QtBot, persian: Localization, demo_copy: tuple[Path, Engine], tmp_path: Path
) -> None:
    cache, engine = demo_copy
    runner = DbRunner(session_factory(engine))
    with session_factory(engine)() as s:
        boss = s.scalars(select(User).where(User.role == Role.SUPERVISOR).limit(1)).first()
        boss_id = boss.id if boss is not None else None
    context = WindowContext(
        runner=runner,
        localization=persian,
        user_id=boss_id,
        user_name="سرپرست",
        cache_path=cache,
        clock=lambda: DEMO_NOW + timedelta(hours=9),
    )
    try:
        window = DashboardWindow(context, utc_offset=TEHRAN)
        qtbot.addWidget(window)
        window.resize(1280, 1150)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.dashboard is not None, timeout=10_000)
        d = window.dashboard
        assert d is not None and d.open > 10 and d.created > 10
        assert window.isRightToLeft()
        # tiles run right to left: "open tickets" is the rightmost of the first row
        first = window.tiles["open"].mapTo(window, QPoint(0, 0)).x()
        assert first > window.width() // 2
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / "dashboard_fa.png"
        assert window.grab().save(str(shot))
        assert shot.stat().st_size > 40_000
        pdf = tmp_path / "dashboard.pdf"
        assert window.export_pdf(pdf)
        text = _pdf_text(pdf)
        assert _plain("تیکت‌های باز") in _plain(text)
        page = _render_first_page(pdf, SCREENSHOTS / "dashboard_pdf_fa.png")
        assert page.width() > 800 and page.height() > page.width()  # A4 portrait
    finally:
        runner.wait_idle()


def test_d7_every_day_of_a_long_range_keeps_its_bar(
    qtbot: QtBot, persian: Localization, runner: DbRunner, cache_path: Path, desk_rows: Desk
) -> None:
    """Qt's category axis drops a repeated category (and its bars): the days are labelled
    by their day of the month until a day number comes round again, then month/day, and
    in full over more than a year."""
    window = _dashboard(qtbot, _context(runner, persian, cache_path, None))
    for days, label in ((7, "۲۷"), (30, "۲۷"), (40, "۱۲/۲۷"), (365, "۱۲/۲۷"), (400, "۱۴۰۳/۱۲/۲۷")):
        _set_range(qtbot, window, LAST - timedelta(days=days - 1), LAST)
        axis = window.day_chart.chart().axes(Qt.Orientation.Horizontal)[0]
        assert isinstance(axis, QBarCategoryAxis)
        assert axis.count() == days == len(set(window.day_chart.categories))
        assert window.day_chart.categories[-5] == label  # 2025-03-17 is 1403/12/27
        assert [s.count() for s in window.day_chart.series.barSets()] == [days, days]  # type: ignore[union-attr]
    runner.wait_idle()
