"""`helpdesk --self-test`: proves an installed client works on this computer, with no
server: a small demo cache made in a temporary folder (migrated by the bundled Alembic
scripts), the window opened on it, a queue rendered with rows, the Persian catalogue,
Qt's own Persian catalogue and the bundled Vazirmatn font in use. Prints one line per
check ("ok ..." or "FAILED ..."); the exit code is 0 only when every check passed."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop.i18n import Localization

SELF_TEST_TICKETS = 150
"""Tickets in the temporary demo cache: enough for a full first page of the queue."""
MIN_COLOURS = 16
"""Distinct colours a painted window shows at least (sampled every third pixel)."""


class SelfTest:
    """Collects the checks and prints each as it is made."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failures = 0

    def check(self, name: str, passed: bool, detail: str = "") -> bool:
        status = "ok" if passed else "FAILED"
        self.out.write(f"self-test: {status:<6} {name}{': ' + detail if detail else ''}\n")
        self.out.flush()
        if not passed:
            self.failures += 1
        return passed

    def run(self, name: str, step: Callable[[], str]) -> bool:
        """A check whose step raises on failure and returns its detail."""
        try:
            detail = step()
        except Exception as error:  # the report names it; the exit code says it failed
            return self.check(name, False, f"{type(error).__name__}: {error}")
        return self.check(name, True, detail)


def run_self_test(out: TextIO, screenshot: Path | None = None) -> int:
    """The checks, against the running QApplication (already localized in Persian by
    `desktop.main`). Returns the process exit code."""
    from PySide6.QtWidgets import QApplication

    from desktop.i18n import Localization

    test = SelfTest(out)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        test.check("application", False, "no QApplication")
        return 1
    localization = next(
        (child for child in app.children() if isinstance(child, Localization)), None
    )
    if not test.check("localization", localization is not None):
        return 1
    assert localization is not None
    _check_language(test, app, localization)
    with tempfile.TemporaryDirectory(prefix="helpdesk-self-test-") as temp:
        path = Path(temp) / "cache.sqlite3"
        if test.run("demo cache", lambda: _make_cache(path)) and test.run(
            "migrations", lambda: _check_migrations(path)
        ):
            _check_window(test, path, localization, screenshot)
    test.check("all checks", test.failures == 0, f"{test.failures} failed")
    return 0 if test.failures == 0 else 1


def _check_language(test: SelfTest, app: QApplication, localization: Localization) -> None:
    """Persian catalogues (ours and Qt's), the bundled font, right-to-left."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, Qt
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    from desktop.i18n import FONT_FAMILY, Language, catalogue_bytes

    test.check("language", localization.language is Language.PERSIAN, localization.language)
    data = catalogue_bytes(Language.PERSIAN)
    translated = QCoreApplication.translate("MainWindow", "Helpdesk")
    test.check(
        "catalogue helpdesk_fa.qm",
        data is not None and translated != "Helpdesk",
        f"{len(data) if data else 0} bytes, 'Helpdesk' -> {translated}",
    )
    qt_context = "QPlatformTheme"  # a name, not a literal: lupdate must not take Qt's string
    qt_translated = QCoreApplication.translate(qt_context, "Cancel")
    test.check(
        "Qt catalogue qtbase_fa.qm",
        qt_translated != "Cancel",
        f"'Cancel' -> {qt_translated} "
        f"({QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)})",
    )
    family = app.font().family()
    test.check(
        "font",
        family == FONT_FAMILY and FONT_FAMILY in QFontDatabase.families(),
        f"application font {family}",
    )
    test.check(
        "right-to-left",
        app.layoutDirection() == Qt.LayoutDirection.RightToLeft,
        str(app.layoutDirection().name),
    )
    test.check("platform", True, QGuiApplication.platformName())


def _make_cache(path: Path) -> str:
    from core.demo import generate

    started = time.perf_counter()
    stats = generate(path, tickets=SELF_TEST_TICKETS, messages_per_ticket=1.0, seed=3)
    return (
        f"{stats.rows.get('tickets', 0)} tickets, {stats.total_rows} rows "
        f"in {time.perf_counter() - started:.2f} s"
    )


def _check_migrations(path: Path) -> str:
    """The cache migrated itself to the newest revision the bundled scripts know."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from core.cache import open_cache
    from core.schema import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = open_cache(path)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    if head is None or version != head:
        raise RuntimeError(f"cache at {version}, migrations' head {head}")
    return f"cache at head {head}"


def _check_window(
    test: SelfTest, path: Path, localization: Localization, screenshot: Path | None
) -> None:
    """The window on the cache: a queue with rows, Persian title, painted."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from desktop.app import open_window
    from desktop.models.queue_model import Column

    opened = open_window(cache_path=path, localization=localization)
    try:
        window = opened.window
        window.resize(1280, 800)
        window.show()
        QApplication.processEvents()
        rows = window.model.rowCount()
        test.check("queue rows", rows > 0, f"{rows} rows in the open tickets' queue")
        if rows > 0:
            title = window.model.index(0, Column.TITLE).data(Qt.ItemDataRole.DisplayRole)
            test.check("queue cell", bool(title), f"first row: {title}")
        expected = QCoreApplication.translate("MainWindow", "Helpdesk")
        test.check("window title", window.windowTitle() == expected, window.windowTitle())
        image = window.grab().toImage()
        # antialiased text and the priority colours give many shades; a blank or
        # unpainted window gives a handful
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 3)
            for y in range(0, image.height(), 3)
        }
        test.check(
            "painted",
            not image.isNull() and len(colours) >= MIN_COLOURS,
            f"{image.width()}x{image.height()}, {len(colours)} colours sampled",
        )
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            test.check("screenshot", image.save(str(screenshot)), str(screenshot))
    finally:
        opened.close()
        QApplication.processEvents()
