"""Desktop notifications (E5): after a sync brings new tickets or customer replies in the
agent's queues, a system notification through the tray icon. What to tell comes from
`sync.client.news` on the DB worker; the agent's own edits never notify."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from desktop.formatting import Formatter
from desktop.runner import DbRunner
from sync.client.news import Marks, NewsItem, current_marks, news_since

SHOW_MS = 8_000
LIST_AT_MOST = 3
"""More news than this in one sync is told as a count."""


class Notifier(QObject):
    """Shows notifications through the system tray; `shown` keeps every (title, text)
    asked for, in order, so the window (and its tests) can read back what was said."""

    clicked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shown: list[tuple[str, str]] = []
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = QApplication.windowIcon()
            if icon.isNull():
                style = QApplication.style()
                icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self._tray = QSystemTrayIcon(QIcon(icon), self)
            self._tray.setToolTip(QCoreApplication.translate("Notifier", "Helpdesk"))
            self._tray.messageClicked.connect(self.clicked)

    @property
    def has_tray(self) -> bool:
        return self._tray is not None

    def notify(self, title: str, text: str) -> None:
        self.shown.append((title, text))
        if self._tray is not None:
            self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, SHOW_MS)

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()


def _label(item: NewsItem, formatter: Formatter) -> str:
    if item.number is None:
        return item.title
    return (
        QCoreApplication.translate("Notifier", "#%1: %2")
        .replace("%1", formatter.number(item.number))
        .replace("%2", item.title)
    )


def compose(items: list[NewsItem], formatter: Formatter) -> list[tuple[str, str]]:
    """The notifications for one sync's news: one for new tickets, one for replies."""
    out: list[tuple[str, str]] = []
    tickets = [i for i in items if i.kind == "ticket"]
    replies = [i for i in items if i.kind == "reply"]
    if tickets:
        title = QCoreApplication.translate(
            "Notifier", "%Ln new ticket(s) in your queues", None, len(tickets)
        )
        out.append((title, _body(tickets, formatter)))
    if replies:
        title = QCoreApplication.translate(
            "Notifier", "%Ln new customer reply(s)", None, len(replies)
        )
        out.append((title, _body(replies, formatter)))
    return out


def _body(items: list[NewsItem], formatter: Formatter) -> str:
    lines = [_label(i, formatter) for i in items[:LIST_AT_MOST]]
    if len(items) > LIST_AT_MOST:
        more = len(items) - LIST_AT_MOST
        lines.append(QCoreApplication.translate("Notifier", "and %Ln more", None, more))
    return "\n".join(lines)


class NewsWatcher(QObject):
    """After each sync that brought something, asks the cache what is new for the agent
    and has the notifier tell it."""

    def __init__(
        self,
        *,
        runner: DbRunner,
        notifier: Notifier,
        formatter: Formatter,
        user_id: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._notifier = notifier
        self._formatter = formatter
        self._user_id = user_id
        self._marks: Marks | None = None
        self._busy = False
        self._again = False

    def start(self, then: Callable[[], None] | None = None) -> None:
        """Take the marks from the cache as it is now (nothing before is news), then
        call `then` (the engine starts after, so nothing it brings is missed)."""

        def done(marks: Marks) -> None:
            self._marks = marks
            if then is not None:
                then()

        self._runner.submit(current_marks, done)

    @Slot(bool)
    def on_synced(self, changed: bool = True) -> None:
        if not changed or self._marks is None:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        marks, user_id = self._marks, self._user_id
        self._runner.submit(
            lambda session: news_since(session, marks, user_id),
            self._told,
            on_error=self._failed,
        )

    def _told(self, result: tuple[list[NewsItem], Marks]) -> None:
        items, self._marks = result
        self._busy = False
        for title, text in compose(items, self._formatter):
            self._notifier.notify(title, text)
        if self._again:
            self._again = False
            self.on_synced(True)

    def _failed(self, _exc: BaseException) -> None:
        self._busy = False
