"""The view of one ticket (D4, I6, C5, issue 5 item 7): a header with its number, title,
status and read states, the ticket form (desktop.views.ticket_form, in edit mode) on one
side, and the conversation with its composer on the other.

Each ticket opens in its own window (`TicketWindows`): an agent keeps the queue in view
while answering, puts two tickets side by side, and opening the same ticket again raises
its window instead of making a second editor over the same draft.

From a queue, "Next ticket" / "Previous ticket" (E4: Alt+Left / Alt+Right, mirrored under
right-to-left where the next one is to the left, and Ctrl+. / Ctrl+,) show the queue's
next or previous ticket in the window's place, in the queue's current order; the draft of
the one left is saved as when its window closes. At either end of the queue they are off.

Opening marks the ticket seen by staff (I6, a local edit that syncs). Sending checks
first whether a customer message or a colleague's reply arrived since the agent opened
the ticket or started the draft (the stale-reply guard) and asks before sending.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from core.drafts import NewMessage, news_since, rebase_draft, send_draft
from core.enums import MessageKind, Resolution
from core.errors import DomainError
from core.leads import LeadSummary, ticket_lead
from core.local_edits import mark_opened_locally
from core.thread import TicketHeader
from desktop.context import WindowContext
from desktop.models.conversation_model import ConversationModel, Loaded
from desktop.models.queue_model import (
    CUSTOMER_LABELS,
    STAFF_TOOLTIPS,
    STATUS_LABELS,
    QueueTableModel,
)
from desktop.shortcuts import with_persian_twins
from desktop.views.collision_banner import CollisionBanner
from desktop.views.composer import Composer
from desktop.views.conversation_view import ConversationView, isolate_latin
from desktop.views.ticket_form import TicketForm, attachment_store

HEADER_STYLE = "QLabel#ticketTitle { font-size: 15pt; font-weight: bold; }"


class StaleReplyDialog(QDialog):
    """What arrived since the agent started: send anyway, or go back and review."""

    def __init__(
        self, news: list[NewMessage], context: WindowContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staleReplyDialog")
        self.setWindowTitle(self.tr("New messages since you started"))
        formatter = context.localization.formatter
        intro = QLabel(
            self.tr(
                "%1 new message(s) arrived on this ticket since you opened it or started"
                " this reply. Send anyway, or review them first?"
            ).replace("%1", formatter.number(len(news)))
        )
        intro.setWordWrap(True)
        listing = QTextBrowser()
        listing.setObjectName("staleNews")
        parts = []
        for n in news:
            who = (
                self.tr("Customer")
                if n.kind is MessageKind.CUSTOMER_REPLY
                else self.tr("Colleague's reply")
            )
            head = f"<b>{html.escape(isolate_latin(n.author))}</b> · {html.escape(who)}"
            when = html.escape(formatter.date_time(n.created_at))
            body = html.escape(isolate_latin(n.body[:600])).replace("\n", "<br>")
            parts.append(f"<p>{head} · {when}<br>{body}</p>")
        listing.setHtml("".join(parts))
        buttons = QDialogButtonBox()
        self.send_button = QPushButton(self.tr("Send anyway"))
        self.send_button.setObjectName("sendAnyway")
        self.review_button = QPushButton(self.tr("Review"))
        self.review_button.setObjectName("review")
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.review_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.review_button.setDefault(True)  # the safe choice is the default
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(listing, 1)
        layout.addWidget(buttons)
        self.resize(480, 320)


class TicketView(QWidget):
    """One ticket: header, form, conversation and composer."""

    sent = Signal(str)
    """A reply or note was posted locally (its message id)."""
    opened = Signal(bool)
    """The open was recorded (True when the ticket went from unread to under review)."""
    converted = Signal(str)
    """The ticket was converted to a lead here (the ticket's id; it is now archived)."""
    navigate = Signal(str)
    """Next / previous asked for this ticket of the queue, to be shown in this one's place."""

    def __init__(
        self,
        context: WindowContext,
        ticket_id: str,
        parent: QWidget | None = None,
        *,
        queue: QueueTableModel | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ticketView")
        self.setStyleSheet(HEADER_STYLE)
        self._context = context
        self.ticket_id = ticket_id
        self.header: TicketHeader | None = None
        self.stale_dialog: StaleReplyDialog | None = None
        self._sending = False
        formatter = context.localization.formatter

        self.title_label = QLabel()
        self.title_label.setObjectName("ticketTitle")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts = self._build_facts()

        self.model = ConversationModel(context.runner, ticket_id, self)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._load_failed)
        # first in the worker's queue, before the form's lists: record the open (I6), then
        # read the conversation, whose header then shows the ticket as seen
        self._mark_opened()
        self.model.reload(with_draft=True)
        self.form = TicketForm(context, ticket_id=ticket_id)
        self.form.saved.connect(self.refresh)
        self.conversation = ConversationView(
            formatter, attachment_store(context), fetcher=context.sync
        )
        self.composer = Composer(
            context.runner, ticket_id, context.user_id, pending_label=self.tr("pending")
        )

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.conversation)
        right.addWidget(self.composer)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([520, 200])
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.form)
        body.addWidget(right)
        body.setStretchFactor(1, 1)
        body.setSizes([500, 700])

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_navigation(queue))  # the title, then next / previous
        layout.addLayout(facts)
        self.collision = CollisionBanner(context, ticket_id, self.composer.editor)  # E3
        layout.addWidget(self.collision)
        layout.addWidget(body, 1)

        self.composer.send_requested.connect(self._send_requested)
        bridge = context.sync
        if bridge is not None:
            bridge.synced.connect(self._after_sync)
            # after a first sync an old ticket's conversation may not be here yet
            bridge.fetch_conversation(ticket_id, self._conversation_fetched)
        self.resize(1200, 780)

    def _build_facts(self) -> QHBoxLayout:
        self.status_label = QLabel()
        self.status_label.setObjectName("ticketStatus")
        self.read_label = QLabel()
        self.read_label.setObjectName("readStates")
        self.rating_label = QLabel()
        self.rating_label.setObjectName("satisfaction")
        # O7: the lead this ticket became opens from here; an open ticket converts
        self.lead_button = QPushButton()
        self.lead_button.setObjectName("openLead")
        self.lead_button.hide()
        self.lead_button.clicked.connect(self.open_lead)
        self.convert_button = QPushButton(self.tr("Convert to lead…"))
        self.convert_button.setObjectName("convertToLead")
        self.convert_button.hide()
        self.convert_button.clicked.connect(self.convert_to_lead)
        self.lead: LeadSummary | None = None
        facts = QHBoxLayout()
        facts.addWidget(self.status_label)
        facts.addWidget(self.read_label)
        facts.addWidget(self.rating_label)
        facts.addStretch(1)
        facts.addWidget(self.lead_button)
        facts.addWidget(self.convert_button)
        return facts

    # --- next / previous in the queue (E4) ---------------------------------------------

    def _build_navigation(self, queue: QueueTableModel | None) -> QHBoxLayout:
        """The title row: the title, where the ticket is in the queue, previous and next
        (logical order; right-to-left puts previous at the right and next at the left)."""
        self._queue = queue
        self._queue_row = -1
        self.previous_action = QAction(self.tr("Previous ticket"), self)
        self.previous_action.setObjectName("previousTicket")
        self.next_action = QAction(self.tr("Next ticket"), self)
        self.next_action.setObjectName("nextTicket")
        self.previous_action.triggered.connect(self.go_previous)
        self.next_action.triggered.connect(self.go_next)
        self.position_label = QLabel()
        self.position_label.setObjectName("queuePosition")
        row = QHBoxLayout()
        row.addWidget(self.title_label, 1)
        row.addWidget(self.position_label)
        buttons = []
        for action in (self.previous_action, self.next_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
            button = QToolButton()
            button.setObjectName(f"{action.objectName()}Button")
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            button.setVisible(queue is not None)
            row.addWidget(button)
            buttons.append(button)
        self._next_button = buttons[1]
        self._set_navigation_keys()
        if queue is not None:
            queue.row_count_changed.connect(self.update_navigation)
            queue.layoutChanged.connect(self.update_navigation)
        self.update_navigation()
        return row

    def _set_navigation_keys(self) -> None:
        """Keys and arrows that follow the reading direction: under right-to-left the next
        ticket is to the left (Alt+Left), the previous one to the right."""
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        back, forward = ("Alt+Right", "Alt+Left") if rtl else ("Alt+Left", "Alt+Right")
        # both arrows on the outer side: "◀ Previous  Next ▶", mirrored in Persian
        self._next_button.setLayoutDirection(
            Qt.LayoutDirection.LeftToRight if rtl else Qt.LayoutDirection.RightToLeft
        )
        style = self.style()
        for action, keys, icon in (
            (self.previous_action, [back, "Ctrl+,"], QStyle.StandardPixmap.SP_ArrowBack),
            (self.next_action, [forward, "Ctrl+."], QStyle.StandardPixmap.SP_ArrowForward),
        ):
            action.setShortcuts(with_persian_twins(keys))  # Ctrl+, is Ctrl+و under Persian
            action.setIcon(style.standardIcon(icon, None, self))
            shown = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{action.text()} ({shown})")

    def _queue_live(self) -> QueueTableModel | None:
        queue = self._queue
        return queue if queue is not None and isValid(queue) else None

    @Slot()
    def update_navigation(self) -> None:
        """Previous / next on where the ticket is in the queue now (off at the ends, and
        when it is not in the queue any more)."""
        queue = self._queue_live()
        row = queue.row_of(self.ticket_id, self._queue_row) if queue is not None else -1
        self._queue_row = row
        rows = queue.rowCount() if queue is not None else 0
        self.previous_action.setEnabled(row > 0)
        self.next_action.setEnabled(0 <= row < rows - 1)
        formatter = self._context.localization.formatter
        self.position_label.setText(
            self.tr("%1 of %2")
            .replace("%1", formatter.number(row + 1))
            .replace("%2", formatter.number(rows))
            if row >= 0
            else ""
        )

    def neighbour(self, step: int) -> str | None:
        """The ticket `step` rows away in the queue (1: the next, -1: the previous)."""
        queue = self._queue_live()
        if queue is None:
            return None
        return queue.neighbour_id(self.ticket_id, step, self._queue_row)

    @Slot()
    def go_next(self) -> None:
        self._go(1)

    @Slot()
    def go_previous(self) -> None:
        self._go(-1)

    def _go(self, step: int) -> None:
        target = self.neighbour(step)
        if target is not None:
            self.navigate.emit(target)
        else:
            self.update_navigation()  # the queue changed under the window: say so

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LayoutDirectionChange:
            self._set_navigation_keys()  # the language changed: so do left and right
        super().changeEvent(event)

    # --- loading ----------------------------------------------------------------------

    def _mark_opened(self) -> None:
        ticket_id = self.ticket_id

        def work(session: Session) -> bool:
            return mark_opened_locally(session, ticket_id)

        def done(changed: bool) -> None:
            if changed:
                self._context.local_edit_done()
            if isValid(self):
                self.opened.emit(changed)

        self._context.runner.submit(work, done)

    @Slot(object)
    def _loaded(self, result: Loaded) -> None:
        thread = result.thread
        self.conversation.set_thread(thread, self._context.clock())
        self._show_header(thread.header)
        if result.with_draft:
            self.composer.restore(result.draft, thread.message_ids)

    @Slot(object)
    def _load_failed(self, exc: BaseException) -> None:
        self.title_label.setText(self.tr("This ticket is no longer in the cache."))

    def _conversation_fetched(self, added: int) -> None:
        if added and isValid(self):
            self.refresh()

    @Slot(bool)
    def _after_sync(self, changed: bool) -> None:
        if changed:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Read the thread again (after a sync or an edit elsewhere); the draft stays."""
        self.model.reload()

    def _show_header(self, h: TicketHeader) -> None:
        f = self._context.localization.formatter
        self.header = h
        number = f"#{f.number(h.number)}" if h.number is not None else self.tr("pending")
        self.title_label.setText(f"{number} — {isolate_latin(h.title)}")
        self.setWindowTitle(f"{number} — {h.title}")
        status = self.tr_queue(STATUS_LABELS[h.status])
        if h.stage:
            status = f"{status} ({h.stage})"
        if h.merged_into_number is not None:
            status += " · " + self.tr("merged into #%1").replace(
                "%1", f.number(h.merged_into_number)
            )
        self.status_label.setText(status)
        self.read_label.setText(
            f"{self.tr_queue(STAFF_TOOLTIPS[h.staff_state])} · "
            + self.tr("Customer: %1").replace(
                "%1", self.tr_queue(CUSTOMER_LABELS[h.customer_state])
            )
        )
        self.rating_label.setText(self._satisfaction(h))
        self._load_lead(h)

    def _load_lead(self, h: TicketHeader) -> None:
        ticket_id = self.ticket_id

        def done(lead: LeadSummary | None) -> None:
            if not isValid(self):
                return
            self.lead = lead
            if lead is not None:
                self.lead_button.setText(
                    self.tr("Lead: %1").replace("%1", isolate_latin(lead.title))
                )
            self.lead_button.setVisible(lead is not None)
            self.convert_button.setVisible(lead is None and not h.archived)

        self._context.runner.submit(lambda s: ticket_lead(s, ticket_id), done)

    @Slot()
    def open_lead(self) -> None:
        from desktop.views.lead_view import open_lead_view

        if self.lead is not None:
            self.lead_view = open_lead_view(self._context, self, self.lead.id)

    @Slot()
    def convert_to_lead(self) -> None:
        from desktop.views.lead_dialog import open_lead_dialog

        self.lead_dialog = open_lead_dialog(self._context, self, self.ticket_id)
        self.lead_dialog.converted.connect(self._converted)

    def _converted(self, _lead_id: str) -> None:
        self.refresh()
        self.converted.emit(self.ticket_id)

    def _satisfaction(self, h: TicketHeader) -> str:
        f = self._context.localization.formatter
        if h.resolution is Resolution.RESOLVED:
            text = self.tr("Resolved by the customer")
        elif h.resolution is Resolution.NOT_RESOLVED:
            text = self.tr("Customer says not resolved")
        else:
            return ""
        if h.rating is not None:
            text += " · " + self.tr("satisfaction %1 of 5").replace("%1", f.number(h.rating))
        if h.rating_comment:
            text += f" · «{isolate_latin(h.rating_comment)}»"
        return text

    @staticmethod
    def tr_queue(text: str) -> str:
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate("QueueTableModel", text)

    # --- sending ----------------------------------------------------------------------

    @Slot(object, str, object)
    def _send_requested(self, kind: MessageKind, text: str, files: list[Path]) -> None:
        if self._sending:
            return
        if not text.strip():
            QMessageBox.information(
                self, self.tr("Nothing to send"), self.tr("Write the message first.")
            )
            return
        if kind is not MessageKind.AGENT_REPLY:
            self._send(kind, text, files)  # a note reaches no customer: nothing to guard
            return
        ticket_id, seen = self.ticket_id, self.composer.seen_message_ids
        user_id = self._context.user_id
        self._sending = True

        def work(session: Session) -> list[NewMessage]:
            return news_since(session, ticket_id, seen=seen, user_id=user_id)

        def checked(news: list[NewMessage]) -> None:
            self._sending = False
            if news:
                self._ask(news, kind, text, files)
            else:
                self._send(kind, text, files)

        self._context.runner.submit(work, checked, on_error=self._send_failed)

    def _ask(self, news: list[NewMessage], kind: MessageKind, text: str, files: list[Path]) -> None:
        dialog = StaleReplyDialog(news, self._context, self)
        self.stale_dialog = dialog

        def finished(result: int) -> None:
            self.stale_dialog = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted:
                self._send(kind, text, files)
            else:
                self._review(news)

        dialog.finished.connect(finished)
        dialog.open()

    def _review(self, news: list[NewMessage]) -> None:
        """Show the new messages; the draft's baseline now includes them."""
        seen = frozenset(self.composer.seen_message_ids | {n.id for n in news})
        self.composer.seen_message_ids = seen
        ticket_id = self.ticket_id

        def work(session: Session) -> None:
            rebase_draft(session, ticket_id, seen)

        self._context.runner.submit(work, lambda _none: None)
        self.model.reload()
        self.composer.editor.setFocus()

    def _send(self, kind: MessageKind, text: str, files: list[Path]) -> None:
        self._sending = True
        self.composer.send_button.setEnabled(False)
        ticket_id, user_id = self.ticket_id, self._context.user_id
        blobs = attachment_store(self._context)

        def work(session: Session) -> tuple[str, frozenset[str]]:
            message_id = send_draft(
                session,
                ticket_id,
                kind=kind,
                body=text,
                user_id=user_id,
                files=files,
                blobs=blobs,
            )
            from core.thread import load_thread

            return message_id, load_thread(session, ticket_id).message_ids

        def done(result: tuple[str, frozenset[str]]) -> None:
            message_id, seen = result
            self._sending = False
            self.composer.send_button.setEnabled(True)
            self.composer.cleared_after_send(seen)
            self._context.local_edit_done()
            self.model.reload()
            self.sent.emit(message_id)

        self._context.runner.submit(work, done, on_error=self._send_failed)

    def _send_failed(self, exc: BaseException) -> None:
        """Nothing is lost: the text and files stay in the composer (and the draft)."""
        self._sending = False
        self.composer.send_button.setEnabled(True)
        reason = str(exc) if isinstance(exc, DomainError) else self.tr("An unexpected error.")
        QMessageBox.warning(
            self,
            self.tr("Not sent"),
            self.tr("The message was not sent; your text is kept.\n%1").replace("%1", reason),
        )

    # --- closing ----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.composer.flush_draft(closing=True)
        self.collision.leave()
        super().closeEvent(event)


class TicketWindows(QObject):
    """One window per open ticket; opening it again raises the one already open. With a
    `queue` (the main window's), each window goes to the queue's next / previous ticket."""

    ticket_changed = Signal(str)
    """A ticket window changed its ticket beyond its own form (a conversion to a lead)."""

    def __init__(
        self,
        context: WindowContext,
        parent: QObject | None = None,
        *,
        queue: QueueTableModel | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._queue = queue
        self.views: dict[str, TicketView] = {}

    def open(self, ticket_id: str) -> TicketView:
        view = self.views.get(ticket_id)
        if view is None:
            view = self._make(ticket_id)
        view.show()
        view.raise_()
        view.activateWindow()
        return view

    def _make(self, ticket_id: str) -> TicketView:
        view = TicketView(self._context, ticket_id, queue=self._queue)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.destroyed.connect(lambda _obj=None, t=ticket_id, v=view: self._forget(t, v))
        view.converted.connect(self.ticket_changed)
        view.navigate.connect(lambda target, v=view: self.replace(v, target))
        self.views[ticket_id] = view
        return view

    def _forget(self, ticket_id: str, view: TicketView) -> None:
        if self.views.get(ticket_id) is view:  # not a newer window of the same ticket
            del self.views[ticket_id]

    def replace(self, view: TicketView, ticket_id: str) -> TicketView:
        """Show `ticket_id` in `view`'s place (next / previous in the queue): `view` closes
        as when the agent closes it (its draft saved, on the DB worker before the next one
        is read), and the ticket shows at its position and size, raised if already open."""
        if ticket_id == view.ticket_id:
            return view
        geometry, state = view.geometry(), view.windowState()
        self._forget(view.ticket_id, view)  # gone now, though deleted only later
        view.close()
        target = self.views.get(ticket_id)
        if target is None:
            target = self._make(ticket_id)
        target.setGeometry(geometry)
        target.setWindowState(state)  # maximized stays maximized
        return self.open(ticket_id)
