"""The collision notice of a ticket's window (E3): "Reza is viewing this ticket" / "Reza
is writing a reply", live from the other agents' announcements, gone when they leave
(or when the server forgets them after its TTL).

The banner also announces this agent: viewing while the window is open, replying while
the composer holds text (settled for `DEBOUNCE_MS`, so typing does not send a request
per key), gone on `leave()`. Announcing is the sync bridge's `PresenceClient` on the
asyncio loop: nothing here waits for the network. Without a server (working offline)
the banner stays hidden and announces nothing.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTextEdit, QWidget
from shiboken6 import isValid

from desktop.context import WindowContext
from desktop.views.conversation_view import isolate_latin
from sync.client.presence import PresenceEvent

DEBOUNCE_MS = 700
BANNER_STYLE = (
    "QFrame#collisionBanner { background: #fff4ce; border: 1px solid #e0a800;"
    " border-radius: 4px; }"
    " QLabel#collisionText { color: #5c4400; padding: 2px 4px; }"
)


class CollisionBanner(QFrame):
    """Who else is on this ticket; hidden when nobody is."""

    def __init__(
        self,
        context: WindowContext,
        ticket_id: str,
        editor: QTextEdit,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("collisionBanner")
        self.setStyleSheet(BANNER_STYLE)
        self.ticket_id = ticket_id
        self.others: dict[str, PresenceEvent] = {}
        """The other agents on this ticket, by user id."""
        self._heard_at: dict[str, float] = {}  # user -> time.monotonic() of their last event
        self.announced = ""
        """This agent's last announced state ("" before the first)."""
        self._user_id = context.user_id
        self._bridge = context.sync
        self._editor = editor
        self.label = QLabel()
        self.label.setObjectName("collisionText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(DEBOUNCE_MS)
        self._typing.timeout.connect(self._typing_settled)
        self.hide()
        if self._bridge is None:
            return
        self._bridge.presence_heard.connect(self._heard)
        editor.textChanged.connect(self._typing.start)
        self._announce("viewing")

    # --- this agent -------------------------------------------------------------------

    def _announce(self, state: str) -> None:
        if self._bridge is None or state == self.announced:
            return
        self.announced = state
        self._bridge.presence.set_state(self.ticket_id, state, self._listed)

    @Slot()
    def _typing_settled(self) -> None:
        if self.announced == "gone":
            return
        self._announce("replying" if self._editor.toPlainText().strip() else "viewing")

    def leave(self) -> None:
        """The window closes: this agent is gone from the ticket."""
        self._typing.stop()
        self._announce("gone")

    # --- the others -------------------------------------------------------------------

    def _listed(self, ticket_id: str, others: list[PresenceEvent], sent: float) -> None:
        """Each announcement's answer: the full list, which also corrects anything a
        dropped event stream missed. An event heard after the request left is newer
        than the list and wins (else an answer in flight would hide a colleague who
        arrived meanwhile until the next renewal)."""
        if not isValid(self) or ticket_id != self.ticket_id:
            return
        fresh = {o.user: o for o in others if o.user != self._user_id}
        for user, heard_at in self._heard_at.items():
            if heard_at > sent:
                if user in self.others:
                    fresh[user] = self.others[user]
                else:
                    fresh.pop(user, None)
        self.others = fresh
        self._show()

    @Slot(object)
    def _heard(self, event: PresenceEvent) -> None:
        if event.ticket_id != self.ticket_id or event.user == self._user_id:
            return
        self._heard_at[event.user] = time.monotonic()
        if event.state == "gone":
            self.others.pop(event.user, None)
        else:
            self.others[event.user] = event
        self._show()

    def _show(self) -> None:
        order = sorted(self.others.values(), key=lambda e: (e.state != "replying", e.name))
        lines = [
            (
                self.tr("%1 is writing a reply")
                if e.state == "replying"
                else self.tr("%1 is viewing this ticket")
            ).replace("%1", isolate_latin(e.name))
            for e in order
        ]
        self.label.setText("\n".join(lines))
        self.setVisible(bool(lines))
