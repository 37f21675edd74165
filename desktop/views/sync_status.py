"""The sync indicator in the status bar (E7, D6): online / offline / syncing / error with
the reason, changes not yet sent, when the last sync finished, a progress bar during a
long sync, "Sync now", and a badge that opens the conflicts list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget
from sqlalchemy.orm import Session

from core.ids import utcnow
from core.outbox import pending_count
from desktop.formatting import Formatter
from desktop.runner import DbRunner
from desktop.sync_bridge import SyncBridge
from sync.client import conflicts
from sync.client.engine import EngineState

TICK_MS = 30_000
STATUS_COLOURS = {
    "online": "#2e7d32",
    "offline": "#757575",
    "syncing": "#1565c0",
    "error": "#c62828",
}


def _older_label() -> QLabel:
    """After a first sync: how far the conversations of old tickets have come."""
    label = QLabel()
    label.setObjectName("syncOlder")
    label.setStyleSheet("color: #757575;")
    label.hide()
    return label


def _sign_in_button(view: SyncStatusView) -> QToolButton:
    """While the server refuses the token (revoked, expired): sign in again from here."""
    button = QToolButton()
    button.setObjectName("syncSignIn")
    button.setAutoRaise(True)
    button.setStyleSheet("color: #c62828; text-decoration: underline;")
    button.setText(QCoreApplication.translate("SyncStatusView", "Sign in again…"))
    button.setToolTip(
        QCoreApplication.translate(
            "SyncStatusView",
            "The server ended your session. Sign in again to send your changes and sync.",
        )
    )
    button.hide()
    button.clicked.connect(view.sign_in_requested)
    return button


class SyncStatusView(QWidget):
    """Reads the bridge's signals; never touches the network or the cache itself (the
    counts come from the DB worker)."""

    conflicts_requested = Signal()
    sign_in_requested = Signal()
    """The agent asked to sign in again (shown only while the server refuses the token)."""

    def __init__(
        self,
        bridge: SyncBridge,
        runner: DbRunner,
        formatter: Formatter,
        *,
        clock: Callable[[], datetime] = utcnow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self._bridge = bridge
        self._runner = runner
        self._formatter = formatter
        self._clock = clock
        self._counting = False
        self._count_again = False
        self.conflict_count = 0
        self.rejected_count = 0

        self.status_label = QLabel()
        self.status_label.setObjectName("syncState")
        self.pending_label = QLabel()
        self.pending_label.setObjectName("syncPending")
        self.last_label = QLabel()
        self.last_label.setObjectName("syncLast")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("syncProgress")
        self.progress_bar.setMaximumWidth(140)
        self.progress_bar.setMaximumHeight(14)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        self.older_label = _older_label()
        self.conflicts_button = QToolButton()
        self.conflicts_button.setObjectName("syncConflicts")
        self.conflicts_button.setAutoRaise(True)
        self.conflicts_button.setStyleSheet("color: #c62828; font-weight: bold;")
        self.conflicts_button.hide()
        self.conflicts_button.clicked.connect(self.conflicts_requested)
        self.sync_button = QToolButton()
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setAutoRaise(True)
        self.sync_button.setText(self.tr("Sync now"))
        self.sync_button.setToolTip(self.tr("Send your changes and fetch the latest now"))
        self.sync_button.clicked.connect(bridge.sync_now)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for widget in (
            self.status_label,
            self.progress_bar,
            self.older_label,
            self.pending_label,
            self.conflicts_button,
            self.last_label,
            self.sync_button,
        ):
            layout.addWidget(widget)

        self.sign_in_button = _sign_in_button(self)
        layout.insertWidget(1, self.sign_in_button)  # beside the "Sync error" it answers

        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._show_last)
        self._tick.start()

        bridge.state_changed.connect(self.show_state)
        bridge.progress.connect(self.show_progress)
        bridge.poked.connect(self.refresh_counts)
        self.show_state(bridge.state)
        self.refresh_counts()

    # -- what is shown ----------------------------------------------------------------

    @Slot(object)
    def show_state(self, state: EngineState) -> None:
        texts = {
            "online": self.tr("Online"),
            "offline": self.tr("Offline"),
            "syncing": self.tr("Syncing…"),
            "error": self.tr("Sync error"),
        }
        self.status_label.setText("● " + texts[state.status])
        colour = STATUS_COLOURS[state.status]
        self.status_label.setStyleSheet(f"color: {colour};")
        if state.status == "offline":
            tip = self.tr(
                "The server cannot be reached. Your changes are kept and sent when it is back."
            )
        elif state.status == "error":
            tip = self.tr("Sync stopped: %1").replace("%1", state.last_error or "")
        else:
            tip = ""
        if state.last_error and state.status == "offline":
            tip += "\n" + state.last_error
        if state.indexing:  # a first sync's rows are still being indexed for search
            tip = (tip + "\n" if tip else "") + self.tr(
                "Building the search index: the newest rows may not be found yet."
            )
        self.status_label.setToolTip(tip)
        self.sign_in_button.setVisible(self._bridge.needs_sign_in)
        self._show_older(state)
        if state.status != "syncing":  # the engine counts the outbox again as a round ends
            self._show_pending(state.pending)
        self._state = state
        self._show_last()
        if state.status != "syncing":
            self.refresh_counts()

    def _show_older(self, state: EngineState) -> None:
        if not state.loading_older:
            self.older_label.hide()
            return
        if state.older_total > 0:
            share = min(100, 100 * state.older_done // state.older_total)
            text = self.tr("Older conversations: %1%").replace("%1", self._formatter.number(share))
        else:
            text = self.tr("Older conversations loading…")
        self.older_label.setText(text)
        self.older_label.setToolTip(
            self.tr(
                "Tickets are all here; the messages of old tickets are still being fetched."
                " A ticket you open gets its conversation at once."
            )
        )
        self.older_label.show()

    def _show_pending(self, pending: int) -> None:
        if pending:
            self.pending_label.setText(self.tr("%Ln change(s) not yet sent", None, pending))
            self.pending_label.show()
        else:
            self.pending_label.setText("")
            self.pending_label.hide()

    @Slot()
    def _show_last(self) -> None:
        state: EngineState | None = getattr(self, "_state", None)
        when = state.last_sync_at if state is not None else None
        if when is None:
            self.last_label.setText(self.tr("Not synced yet"))
            self.last_label.setToolTip("")
            return
        now = self._clock()
        self.last_label.setText(
            self.tr("Synced %1").replace("%1", self._formatter.relative(when, now))
        )
        self.last_label.setToolTip(self._formatter.moment(when, now))

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.progress_bar.hide()
            return
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(min(done, total))
        self.progress_bar.setToolTip(
            self.tr("%1 of %2 changes")
            .replace("%1", self._formatter.number(done))
            .replace("%2", self._formatter.number(total))
        )
        self.progress_bar.show()

    # -- counts from the cache --------------------------------------------------------

    @Slot()
    def refresh_counts(self) -> None:
        """Pending intents, conflicts and refusals, read on the DB worker."""
        if self._counting:
            self._count_again = True  # what is counting now may predate the change
            return
        self._counting = True
        self._count_again = False

        def work(session: Session) -> tuple[int, int, int]:
            waiting, refused = conflicts.counts(session)
            return pending_count(session), waiting, refused

        self._runner.submit(work, self._show_counts, on_error=self._count_failed)

    def _count_failed(self, _exc: BaseException) -> None:
        self._counting = False

    def _show_counts(self, counts: tuple[int, int, int]) -> None:
        self._counting = False
        if self._count_again:
            self.refresh_counts()
        pending, self.conflict_count, self.rejected_count = counts
        if self._bridge.state.status != "syncing":
            self._show_pending(pending)
        total = self.conflict_count + self.rejected_count
        if total:
            self.conflicts_button.setText(self.tr("%Ln conflict(s)", None, total))
            self.conflicts_button.setToolTip(
                self.tr("Changes the server did not take: open the list")
            )
            self.conflicts_button.show()
        else:
            self.conflicts_button.hide()
