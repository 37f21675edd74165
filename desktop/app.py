"""The composition root: the only place that builds the application object, its language,
the cache engine and the services, and hands them to the window through constructors."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine

from core.cache import open_cache
from core.db import session_factory
from core.ids import utcnow
from core.models import User
from core.paths import APP_AUTHOR, APP_NAME
from desktop.context import WindowContext
from desktop.i18n import Language, Localization, apply_font
from desktop.notifications import NewsWatcher, Notifier
from desktop.runner import DbRunner
from desktop.sync_bridge import SyncBridge
from desktop.views.conflicts_dialog import ConflictsDialog
from desktop.views.main_window import MainWindow
from desktop.views.sync_status import SyncStatusView

LANGUAGE_KEY = "ui/language"


def init_application(argv: Sequence[str]) -> QApplication:
    """The QApplication, named first so QSettings and paths land in the right folders."""
    QCoreApplication.setOrganizationName(APP_AUTHOR)
    QCoreApplication.setApplicationName(APP_NAME)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication(list(argv))


def saved_language() -> Language:
    """The language chosen in the settings; Persian unless English was picked."""
    value = QSettings().value(LANGUAGE_KEY, Language.PERSIAN.value)
    try:
        return Language(str(value))
    except ValueError:
        return Language.PERSIAN


def setup_localization(app: QApplication, language: Language) -> Localization:
    """Locale, catalogues, layout direction and the Persian font, in that order."""
    localization = Localization(app)
    localization.apply(language)
    apply_font(app)
    return localization


@dataclass
class OpenCache:
    """One open cache with the window's services; `close()` releases them."""

    engine: Engine
    runner: DbRunner
    window: MainWindow
    sync: SyncBridge | None = None
    indicator: SyncStatusView | None = None
    notifier: Notifier | None = None
    news: NewsWatcher | None = None
    conflicts_dialog: ConflictsDialog | None = None
    signed_out: bool = False
    """The agent signed out (Account > Sign out): the window closed for the sign-in dialog."""

    def start_sync(self) -> None:
        """Sync in the background from now on (news is measured from the cache as it is
        before the engine's first round)."""
        if self.sync is None:
            return
        if self.news is not None:
            self.news.start(then=self.sync.start)
        else:
            self.sync.start()

    async def aclose(self) -> None:
        """Stop syncing (waiting for a cache write in flight), then `close()`."""
        if self.sync is not None:
            await self.sync.aclose()
        self.close()

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.hide()
        self.window.close()
        self.runner.wait_idle()
        self.engine.dispose()
        # destroyed on the GUI thread by the event loop, never by a garbage collection
        # that happens to run on a worker thread (its timers must stop on their thread)
        self.window.deleteLater()


def open_window(
    *,
    cache_path: Path,
    localization: Localization,
    user_id: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    sync: SyncBridge | None = None,
    notifier: Notifier | None = None,
) -> OpenCache:
    """Open the cache at `cache_path` (migrating it) and build the main window on it;
    with `sync`, the sync indicator, the conflicts list and notifications too (the
    engine starts with `OpenCache.start_sync()`)."""
    engine = open_cache(cache_path)
    runner = DbRunner(session_factory(engine))
    user_name = QCoreApplication.translate("App", "offline")
    if user_id is not None:
        with runner.session_factory() as session:
            user = session.get(User, user_id)
            if user is not None:
                user_name = user.display_name
    context = WindowContext(
        runner=runner,
        localization=localization,
        user_id=user_id,
        user_name=user_name,
        cache_path=cache_path,
        clock=clock,
        sync=sync,
    )
    window = MainWindow(context)
    runner.setParent(window)
    opened = OpenCache(engine=engine, runner=runner, window=window)
    if sync is not None:
        wire_sync(opened, context, sync, notifier or Notifier(window))
    return opened


def settle_heap() -> None:
    """Once the window is up: collect once, then freeze what is alive (modules, Qt
    wrappers, the window; `gc.freeze`, undone by `gc.unfreeze`): the
    collector's full passes then scan only what is made later, so they never hold the
    window for long. Without it a full pass over the started application took 180-380 ms
    on the GUI thread, in the middle of a sync."""
    gc.collect()
    gc.freeze()


def wire_sync(
    opened: OpenCache, context: WindowContext, sync: SyncBridge, notifier: Notifier
) -> None:
    """The engine's news into the window: indicator, refreshes, conflicts, notifications."""
    window = opened.window
    formatter = context.localization.formatter
    indicator = SyncStatusView(sync, context.runner, formatter, clock=context.clock)
    window.statusBar().addPermanentWidget(indicator)
    sync.synced.connect(window.refresh_after_sync)

    def show_conflicts() -> None:
        dialog = ConflictsDialog(
            context.runner, formatter, on_local_edit=context.local_edit_done, parent=window
        )
        dialog.changed.connect(indicator.refresh_counts)
        opened.conflicts_dialog = dialog
        dialog.open()

    indicator.conflicts_requested.connect(show_conflicts)

    def bring_forward() -> None:  # the agent clicked a notification
        window.showNormal()
        window.raise_()
        window.activateWindow()

    notifier.clicked.connect(bring_forward)
    opened.sync, opened.indicator, opened.notifier = sync, indicator, notifier
    if context.user_id is not None:
        news = NewsWatcher(
            runner=context.runner,
            notifier=notifier,
            formatter=formatter,
            user_id=context.user_id,
            parent=window,
        )
        sync.synced.connect(news.on_synced)
        opened.news = news
