"""The composition root: the only place that builds the application object, its language,
the cache engine and the services, and hands them to the window through constructors."""

from __future__ import annotations

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
from desktop.runner import DbRunner
from desktop.views.main_window import MainWindow

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

    def close(self) -> None:
        self.window.close()
        self.runner.wait_idle()
        self.engine.dispose()


def open_window(
    *,
    cache_path: Path,
    localization: Localization,
    user_id: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> OpenCache:
    """Open the cache at `cache_path` (migrating it) and build the main window on it."""
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
    )
    window = MainWindow(context)
    runner.setParent(window)
    return OpenCache(engine=engine, runner=runner, window=window)
