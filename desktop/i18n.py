"""The window's language: Persian (right-to-left, Jalali) by default, English on request.
Loads our compiled catalogue and Qt's own `qtbase` one, sets the default locale and the
layout direction, and registers the bundled Vazirmatn font."""

from __future__ import annotations

import logging
from enum import StrEnum
from importlib.resources import files

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from desktop.formatting import Formatter

log = logging.getLogger(__name__)

RESOURCES = "desktop.resources"
FONT_FILES = ("Vazirmatn-Regular.ttf", "Vazirmatn-Bold.ttf")
FONT_FAMILY = "Vazirmatn"
FALLBACK_FAMILIES = ("Vazirmatn", "Noto Sans Arabic", "Tahoma", "Segoe UI", "DejaVu Sans")
FONT_POINT_SIZE = 9


class Language(StrEnum):
    """UI languages; the value is the catalogue suffix and the settings value."""

    PERSIAN = "fa"
    ENGLISH = "en"


LOCALES = {Language.PERSIAN: "fa_IR", Language.ENGLISH: "en_US"}


def catalogue_bytes(language: Language) -> bytes | None:
    """Our compiled catalogue (`helpdesk_<lang>.qm`), or None when the language is the
    source language (English) or the file is missing."""
    # one name per joinpath: Python 3.11's MultiplexedPath (a frozen bundle) takes one
    resource = files(RESOURCES).joinpath("translations").joinpath(f"helpdesk_{language.value}.qm")
    return resource.read_bytes() if resource.is_file() else None


class Localization(QObject):
    """Owns the installed translators (Qt only borrows them) and the display formatter."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self._app = app
        self._translators: list[QTranslator] = []
        self._data: list[bytes] = []  # QTranslator.load(bytes) reads this buffer in place
        self.language = Language.PERSIAN
        self.formatter = Formatter(QLocale(LOCALES[Language.PERSIAN]), jalali=True)

    def apply(self, language: Language) -> None:
        """Switch the whole application to `language` (locale, catalogues, direction)."""
        for translator in self._translators:
            self._app.removeTranslator(translator)
        self._translators.clear()
        self._data.clear()
        locale = QLocale(LOCALES[language])
        QLocale.setDefault(locale)
        if language is not Language.ENGLISH:
            self._install_qt_catalogue(locale)
            data = catalogue_bytes(language)
            if data is None:
                log.warning("no catalogue for %s; showing English", language.value)
            else:
                translator = QTranslator(self)
                if translator.load(data):
                    self._data.append(data)
                    self._install(translator)
        self.language = language
        self.formatter = Formatter(locale, jalali=language is Language.PERSIAN)
        if isinstance(self._app, QGuiApplication):
            # explicit, so English (no translator) goes back to left-to-right as well
            self._app.setLayoutDirection(
                Qt.LayoutDirection.RightToLeft
                if locale.textDirection() == Qt.LayoutDirection.RightToLeft
                else Qt.LayoutDirection.LeftToRight
            )

    def _install_qt_catalogue(self, locale: QLocale) -> None:
        # qt_fa.qm is a meta catalogue naming modules Essentials lacks; qtbase loads alone
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        translator = QTranslator(self)
        if translator.load(locale, "qtbase", "_", folder):
            self._install(translator)
        else:
            log.info("Qt's own %s catalogue not found in %s", locale.name(), folder)

    def _install(self, translator: QTranslator) -> None:
        self._app.installTranslator(translator)
        self._translators.append(translator)


def register_fonts() -> str:
    """Register the bundled Vazirmatn (after QApplication exists) and return the family
    to use; falls back to an installed font with Persian glyphs."""
    fonts = files(RESOURCES).joinpath("fonts")
    for name in FONT_FILES:
        resource = fonts.joinpath(name)
        if not resource.is_file():
            log.warning("bundled font %s is missing", name)
            continue
        if QFontDatabase.addApplicationFontFromData(resource.read_bytes()) < 0:
            log.warning("could not register font %s", name)
    available = set(QFontDatabase.families())
    for family in FALLBACK_FAMILIES:
        if family in available:
            return family
    return QGuiApplication.font().family()


def apply_font(app: QGuiApplication) -> str:
    family = register_fonts()
    app.setFont(QFont(family, FONT_POINT_SIZE))
    return family
