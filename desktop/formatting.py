"""Display-only formatting: Persian digits, Jalali dates and relative times from the UI
locale. Nothing formatted here is ever stored or sent; the cache keeps ASCII and UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import (
    QCalendar,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QTime,
    QTimeZone,
)

# lupdate reads only literal QCoreApplication.translate("Context", "text") calls, hence
# the spelled-out calls below instead of a helper.


class Formatter:
    """Numbers and dates as the agent reads them: `QLocale("fa_IR")` with the Jalali
    calendar by default, the English locale with the Gregorian one otherwise."""

    def __init__(self, locale: QLocale, *, jalali: bool) -> None:
        self.locale = QLocale(locale)
        self.locale.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)
        self.calendar = QCalendar(QCalendar.System.Jalali if jalali else QCalendar.System.Gregorian)

    def number(self, value: int) -> str:
        """A ticket number or count in the locale's digits, without group separators."""
        return self.locale.toString(value)

    def _local(self, moment: datetime) -> QDateTime:
        utc = moment.astimezone(UTC)
        qdt = QDateTime(
            QDate(utc.year, utc.month, utc.day),
            QTime(utc.hour, utc.minute, utc.second),
            QTimeZone.utc(),
        )
        return qdt.toLocalTime()

    def date(self, moment: datetime) -> str:
        """`1404/01/01` in the locale's digits and calendar (local time)."""
        local = self._local(moment)
        return self.calendar.dateTimeToString(
            "yyyy/MM/dd", QDateTime(), local.date(), QTime(), self.locale
        )

    def date_time(self, moment: datetime) -> str:
        """`1404/01/01 14:05` in the locale's digits and calendar (local time)."""
        local = self._local(moment)
        return self.calendar.dateTimeToString(
            "yyyy/MM/dd HH:mm", local, QDate(), QTime(), self.locale
        )

    def relative(self, moment: datetime, now: datetime) -> str:  # noqa: PLR0911 - a unit each
        """`3 hours ago` / `in 2 days`: the largest whole unit, translated with plurals."""
        seconds = int((now - moment).total_seconds())
        past = seconds >= 0
        seconds = abs(seconds)
        if seconds < 60:
            return (
                QCoreApplication.translate("Formatting", "just now")
                if past
                else QCoreApplication.translate("Formatting", "in a moment")
            )
        minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
        if past:
            if minutes < 60:
                return QCoreApplication.translate("Formatting", "%Ln minute(s) ago", None, minutes)
            if hours < 24:
                return QCoreApplication.translate("Formatting", "%Ln hour(s) ago", None, hours)
            if days < 30:
                return QCoreApplication.translate("Formatting", "%Ln day(s) ago", None, days)
            if days < 365:
                return QCoreApplication.translate(
                    "Formatting", "%Ln month(s) ago", None, days // 30
                )
            return QCoreApplication.translate("Formatting", "%Ln year(s) ago", None, days // 365)
        if minutes < 60:
            return QCoreApplication.translate("Formatting", "in %Ln minute(s)", None, minutes)
        if hours < 24:
            return QCoreApplication.translate("Formatting", "in %Ln hour(s)", None, hours)
        return QCoreApplication.translate("Formatting", "in %Ln day(s)", None, days)

    def updated(self, moment: datetime, now: datetime) -> str:
        """What the queue's "updated" column shows: how long ago within the last day
        (`3 hours ago`), the Jalali date before that (`1404/01/01`)."""
        if abs((now - moment).total_seconds()) < 86_400:
            return self.relative(moment, now)
        return self.date(moment)

    def moment(self, moment: datetime, now: datetime) -> str:
        """Date, time and how long ago, for tooltips: `1404/01/01 14:05 (3 days ago)`."""
        return (
            QCoreApplication.translate("Formatting", "%1 (%2)")
            .replace("%1", self.date_time(moment))
            .replace("%2", self.relative(moment, now))
        )
