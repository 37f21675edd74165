"""A ticket's conversation (D4, S6, I5): customer replies, agent replies, internal notes
(lock icon, amber), system events and attachments, built once into a QTextBrowser so 200
messages lay out in one pass and the agent can select and copy any text.

Mixed Persian and Latin text: each message takes its direction from its first strong
character, and Latin runs (emails, codes, URLs) are wrapped in Unicode isolates (LRI ...
PDI) for display only, so an address at the end of a Persian sentence keeps its shape and
place. Nothing shown here is stored.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, QUrl, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QCursor,
    QDesktopServices,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu, QMessageBox, QTextBrowser, QWidget
from shiboken6 import isValid

from core.blobs import BlobStore
from core.enums import MessageKind
from core.errors import NotFoundError, ValidationError
from core.models.server import DELIVERY_INTERRUPTED
from core.system_events import SystemEvent, render
from core.thread import AttachmentInfo, Thread, ThreadMessage
from desktop.formatting import Formatter
from sync.client.engine import AuthError, BadAnswerError, OfflineError, SyncError

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
LOCK_URL = QUrl("hd-image:lock")
ATTACHMENT_SCHEME = "hd-attachment"

# (background, border) per kind: notes amber so they are never mistaken for replies (S6)
COLOURS: dict[MessageKind, tuple[str, str]] = {
    MessageKind.CUSTOMER_REPLY: ("#ffffff", "#c9ced6"),
    MessageKind.AGENT_REPLY: ("#e7f0fd", "#9bbcf0"),
    MessageKind.INTERNAL_NOTE: ("#fff3d1", "#e0a800"),
    MessageKind.SYSTEM_EVENT: ("#f3f4f6", "#f3f4f6"),
}

# a run of Latin words, digits and the punctuation of addresses and codes
_LATIN_RUN = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-/:@#?=&~]*(?:[ ]+[A-Za-z0-9][A-Za-z0-9._%+\-/:@#?=&~]*)*"
)
_TRAILING = ".,:;!?)"
# the mark on a reply that goes to the customer (S7, I4): delivery state -> colour
DELIVERY_COLOURS = {"pending": "#6b7280", "sent": "#15803d", "failed": "#b91c1c"}
_LETTER = re.compile(r"[A-Za-z]")


def first_strong_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of the first strong character (UAX #9 rule P2), None if none."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
    return None


def isolate_latin(text: str) -> str:
    """`text` with each Latin run inside LRI ... PDI (display only), sentence punctuation
    after a run left outside it so it stays at the end of the Persian sentence."""

    def wrap(match: re.Match[str]) -> str:
        run = match.group(0)
        core_run = run.rstrip(_TRAILING)
        if not _LETTER.search(core_run):
            return run  # plain numbers are already right under the bidi algorithm
        return f"{LRI}{core_run}{PDI}{run[len(core_run) :]}"

    return _LATIN_RUN.sub(wrap, text)


def lock_image(size: int = 14, colour: str = "#9a6b00") -> QImage:
    """A padlock drawn in code (no emoji font needed), for internal notes."""
    image = QImage(size * 2, size * 2, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(2.0)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(colour), size / 8)
    painter.setPen(pen)
    s = float(size)
    shackle = QPainterPath()
    shackle.moveTo(QPointF(s * 0.3, s * 0.5))
    shackle.lineTo(QPointF(s * 0.3, s * 0.32))
    shackle.arcTo(QRectF(s * 0.3, s * 0.1, s * 0.4, s * 0.4), 180, -180)
    shackle.lineTo(QPointF(s * 0.7, s * 0.5))
    painter.drawPath(shackle)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(QRectF(s * 0.18, s * 0.45, s * 0.64, s * 0.48), s * 0.08, s * 0.08)
    painter.end()
    return image


def _kind_label(kind: MessageKind) -> str:
    if kind is MessageKind.CUSTOMER_REPLY:
        return QCoreApplication.translate("ConversationView", "Customer")
    if kind is MessageKind.AGENT_REPLY:
        return QCoreApplication.translate("ConversationView", "Reply")
    if kind is MessageKind.INTERNAL_NOTE:
        return QCoreApplication.translate("ConversationView", "Internal note")
    return QCoreApplication.translate("ConversationView", "System")


def _event_text(message: ThreadMessage) -> str:
    """A system event in the agent's language when its code is known."""
    templates = {
        SystemEvent.ASSIGNED: QCoreApplication.translate(
            "ConversationView", "Assigned to {assignee} automatically ({mode})."
        ),
        SystemEvent.MERGED_IN: QCoreApplication.translate(
            "ConversationView", "Merged {tickets} into this ticket."
        ),
        SystemEvent.MERGED_INTO: QCoreApplication.translate(
            "ConversationView", "Merged into {ticket}."
        ),
        SystemEvent.CONVERTED_TO_LEAD: QCoreApplication.translate(
            "ConversationView",
            'Converted to lead "{lead}" (sales team: {team}, salesperson: {salesperson});'
            " the ticket is archived.",
        ),
        SystemEvent.RESOLVED: QCoreApplication.translate(
            "ConversationView", "The customer marked it resolved (rating {rating} of 5)."
        ),
    }
    try:
        event = SystemEvent(message.event or "")
    except ValueError:
        return message.body
    return render(event, dict(message.event_params or {}), templates[event])


def delivery_mark(state: str | None) -> str:
    """The short word shown on a reply for what became of its mail or SMS."""
    if state == "pending":
        return QCoreApplication.translate("ConversationView", "sending…")
    if state == "sent":
        return QCoreApplication.translate("ConversationView", "sent")
    if state == "failed":
        return QCoreApplication.translate("ConversationView", "failed")
    return ""


def delivery_reasons(error: str | None) -> list[str]:
    """Why a delivery failed, one line per recipient (`recipient: reason` as the server
    writes it), the reasons the server words itself in the agent's language."""
    interrupted = QCoreApplication.translate(
        "ConversationView",
        "interrupted while sending; it may or may not have reached the customer",
    )
    lines = [line for line in (error or "").split("\n") if line.strip()]
    return [line.replace(DELIVERY_INTERRUPTED, interrupted) for line in lines]


def _reason_html(line: str, colour: str) -> str:
    """One failure line, directed by its reason (not the Latin address before it), so a
    Persian reason reads right to left with the address isolated at its start."""
    recipient, sep, reason = line.partition(": ")
    direction = first_strong_direction(reason if sep else line)
    attr = ' dir="rtl" align="right"'
    if direction is Qt.LayoutDirection.LeftToRight:
        attr = ' dir="ltr" align="left"'
    body = html.escape(isolate_latin(line))
    if sep and direction is Qt.LayoutDirection.RightToLeft:
        body = f"{LRI}{html.escape(recipient)}{PDI}: {html.escape(isolate_latin(reason))}"
    return f"<p{attr} style='margin:0; color:{colour}'>{body}</p>"


def _paragraphs(text: str) -> str:
    """Escaped paragraphs, each with the direction of its own first strong character."""
    parts = []
    for line in text.split("\n"):
        direction = first_strong_direction(line)
        attr = ""
        if direction is Qt.LayoutDirection.RightToLeft:
            attr = ' dir="rtl" align="right"'
        elif direction is Qt.LayoutDirection.LeftToRight:
            attr = ' dir="ltr" align="left"'
        body = html.escape(isolate_latin(line)) or "&nbsp;"
        parts.append(f"<p{attr} style='margin:0'>{body}</p>")
    return "".join(parts)


class BlobFetcher(Protocol):
    """Brings an attachment's bytes from the server (desktop.sync_bridge.SyncBridge)."""

    def fetch_blob(
        self,
        content_hash: str,
        on_done: Callable[[Path], None],
        on_error: Callable[[Exception], None],
    ) -> None: ...


class ConversationView(QTextBrowser):
    """The thread, newest at the bottom. `set_thread` rebuilds it in one pass."""

    attachment_activated = Signal(object)
    """The agent clicked an attachment (an AttachmentInfo)."""
    attachment_opened = Signal(object)
    """An attachment was handed to the system to open (the Path of its copy)."""
    attachment_saved = Signal(object)
    """An attachment whose bytes had to be fetched first was saved (the target Path)."""
    fetch_failed = Signal(object, object)
    """Fetching an attachment's bytes failed (the AttachmentInfo, the SyncError)."""

    def __init__(
        self,
        formatter: Formatter,
        blobs: BlobStore,
        parent: QWidget | None = None,
        *,
        fetcher: BlobFetcher | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversationView")
        self._formatter = formatter
        self._blobs = blobs
        self._fetcher = fetcher
        self._attachments: dict[str, AttachmentInfo] = {}
        self._fetching: dict[str, list[Callable[[], object]]] = {}
        self.launch = True
        """False in tests: `_launch` records the URL and stops short of the OS."""
        self.launched: list[QUrl] = []
        """Every URL this view asked the system to open, oldest first."""
        self.messages_told: list[str] = []
        """Every message this view showed about attachments, oldest first."""
        self.attachment_menu: QMenu | None = None
        self.save_dialog: QFileDialog | None = None
        self.message: QMessageBox | None = None
        self.fetch_note = QLabel(self)
        self.fetch_note.setObjectName("fetchNote")
        self.fetch_note.setStyleSheet(
            "QLabel#fetchNote { background: #fff8e1; color: #5f4b00;"
            " border: 1px solid #e0c060; border-radius: 4px; padding: 3px 8px; }"
        )
        self.fetch_note.hide()
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.document().setDocumentMargin(8)
        self.document().addResource(
            QTextDocument.ResourceType.ImageResource, LOCK_URL, lock_image()
        )
        self.anchorClicked.connect(self._anchor)
        self.attachment_activated.connect(self._offer_attachment)
        self.shown: Thread | None = None

    # --- building ---------------------------------------------------------------------

    def set_thread(self, thread: Thread, now: datetime) -> None:
        """Show `thread` (one setHtml for the whole conversation) and scroll to the end."""
        self.shown = thread
        self._attachments = {a.id: a for m in thread.messages for a in m.attachments}
        blocks = [self._message_html(m, now) for m in thread.messages]
        if not blocks:
            empty = html.escape(self.tr("No messages yet."))
            blocks.append(f"<p align='center' style='color:#6b7280'>{empty}</p>")
        self.setHtml("".join(blocks))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _message_html(self, m: ThreadMessage, now: datetime) -> str:
        f = self._formatter
        when = html.escape(f.date_time(m.created_at))
        if m.kind is MessageKind.SYSTEM_EVENT:
            text = html.escape(isolate_latin(_event_text(m)))
            return (
                "<table width='100%' cellpadding='2' style='margin-bottom:6px'><tr>"
                f"<td align='center' style='color:#6b7280'>{text} · {when}</td></tr></table>"
            )
        background, border = COLOURS[m.kind]
        lock = ""
        if m.kind is MessageKind.INTERNAL_NOTE:
            lock = f"<img src='{LOCK_URL.toString()}' width='14' height='14'> "
        author = html.escape(isolate_latin(m.author or self.tr("Unknown")))
        label = html.escape(_kind_label(m.kind))
        pending = ""
        failure = ""
        if m.pending:
            note = html.escape(self.tr("not yet sent"))
            pending = f" · <span style='color:#b45309'>{note}</span>"
        elif m.delivery_state in DELIVERY_COLOURS:
            colour = DELIVERY_COLOURS[m.delivery_state]
            mark = html.escape(delivery_mark(m.delivery_state))
            weight = "; font-weight:bold" if m.delivery_state == "failed" else ""
            pending = f" · <span style='color:{colour}{weight}'>{mark}</span>"
            if m.delivery_state == "failed":
                title = html.escape(self.tr("Not sent to the customer:"))
                failure = f"<p style='margin:4px 0 0 0; color:{colour}'>{title}</p>" + "".join(
                    _reason_html(line, colour) for line in delivery_reasons(m.delivery_error)
                )
        head = (
            f"{lock}<b>{author}</b> · <span style='color:#4b5563'>{label}</span>"
            f" · <span style='color:#6b7280'>{when}</span>{pending}"
        )
        files = ""
        if m.attachments:
            links = []
            for a in m.attachments:
                size = html.escape(self._size(a.size))
                name = html.escape(isolate_latin(a.filename))
                links.append(
                    f"<a href='{ATTACHMENT_SCHEME}:{a.id}'>{name}</a>"
                    f" <span style='color:#6b7280'>({size})</span>"
                )
            title = html.escape(self.tr("Attachments:"))
            files = f"<p style='margin-top:4px'>{title} " + " · ".join(links) + "</p>"
        return (
            f"<table width='100%' cellpadding='8' cellspacing='0' border='1'"
            f" style='border-color:{border}; border-style:solid; margin-bottom:8px'"
            f" bgcolor='{background}'><tr><td>"
            f"<p style='margin:0 0 4px 0'>{head}</p>{_paragraphs(m.body)}{files}{failure}"
            "</td></tr></table>"
        )

    def _size(self, size: int) -> str:
        f = self._formatter
        if size < 1024:
            return self.tr("%1 bytes").replace("%1", f.number(size))
        if size < 1024 * 1024:
            return self.tr("%1 KB").replace("%1", f.number(round(size / 1024)))
        return self.tr("%1 MB").replace("%1", f.number(round(size / (1024 * 1024))))

    # --- attachments ------------------------------------------------------------------

    @Slot(QUrl)
    def _anchor(self, url: QUrl) -> None:
        if url.scheme() == ATTACHMENT_SCHEME:
            info = self._attachments.get(url.path())
            if info is not None:
                self.attachment_activated.emit(info)
        elif url.scheme() in ("http", "https", "mailto"):
            self._launch(url)

    def _launch(self, url: QUrl) -> None:
        """Hand `url` to the system (the OS picks the program); recorded in `launched`.
        With `launch` False (tests) the view records it and stops short of the OS."""
        self.launched.append(url)
        if self.launch:
            QDesktopServices.openUrl(url)

    @Slot(object)
    def _offer_attachment(self, info: AttachmentInfo) -> None:
        """Open or save, from a menu that does not hold the event loop (`popup`)."""
        menu = QMenu(self)
        menu.setObjectName("attachmentMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        open_action = menu.addAction(self.tr("Open"))
        open_action.setObjectName("openAttachment")
        open_action.triggered.connect(lambda: self.open_attachment(info))
        save_action = menu.addAction(self.tr("Save as…"))
        save_action.setObjectName("saveAttachment")
        save_action.triggered.connect(lambda: self.ask_save_path(info))
        self.attachment_menu = menu
        menu.popup(QCursor.pos())

    def ask_save_path(self, info: AttachmentInfo) -> QFileDialog:
        """Where to save `info`: a file dialog shown without blocking (`open`); choosing
        a file saves there (fetching the bytes first when they are not here). The dialog
        is `save_dialog` (tests choose the path through it)."""
        dialog = QFileDialog(self, self.tr("Save attachment"))
        dialog.setObjectName("saveAttachmentDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.selectFile(Path(info.filename).name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda target: self.save_attachment(info, Path(target)))
        self.save_dialog = dialog
        dialog.open()
        return dialog

    def save_attachment(self, info: AttachmentInfo, target: Path) -> bool:
        """Copy the attachment's bytes to `target`. True when saved now; False when the
        bytes are being fetched first (`attachment_saved` follows, or a message says why
        not) or cannot be had here (a message says why)."""
        if self._blobs_here(info):
            return self._copy(info, target)
        self._fetch(info, lambda: self._saved_after_fetch(info, target))
        return False

    def open_attachment(self, info: AttachmentInfo) -> Path | None:
        """Copy to a private temporary folder under its own name (so the system picks
        the program by its extension) and open it there. The copy's path, or None when
        the bytes are being fetched first (`attachment_opened` follows) or missing."""
        if not self._blobs_here(info):
            self._fetch(info, lambda: self.open_attachment(info))
            return None
        folder = Path(tempfile.mkdtemp(prefix="helpdesk-"))
        target = folder / Path(info.filename).name
        if not self._copy(info, target):
            return None
        self._launch(QUrl.fromLocalFile(str(target)))
        self.attachment_opened.emit(target)
        return target

    def _blobs_here(self, info: AttachmentInfo) -> bool:
        try:
            return self._blobs.exists(info.content_hash)
        except ValidationError:
            return False

    def _copy(self, info: AttachmentInfo, target: Path) -> bool:
        try:
            with self._blobs.open(info.content_hash) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
        except (NotFoundError, ValidationError):
            self._missing(info)
            return False
        except OSError as exc:
            self._tell(
                self.tr("%1 could not be written to %2: %3")
                .replace("%1", info.filename)
                .replace("%2", str(target))
                .replace("%3", exc.strerror or str(exc))
            )
            return False
        return True

    def _saved_after_fetch(self, info: AttachmentInfo, target: Path) -> None:
        if self._copy(info, target):
            self.attachment_saved.emit(target)

    # --- fetching bytes that are not on this computer yet -----------------------------

    def _fetch(self, info: AttachmentInfo, then: Callable[[], object]) -> None:
        """Bring the bytes from the server in the background, then run `then`; one
        download per file however often the agent clicks meanwhile."""
        if self._fetcher is None:
            self._missing(info)
            return
        waiting = self._fetching.get(info.content_hash)
        if waiting is not None:
            waiting.append(then)
            return
        self._fetching[info.content_hash] = [then]
        self._show_fetching()
        self._fetcher.fetch_blob(
            info.content_hash,
            lambda _path: self._fetched(info, None),
            lambda exc: self._fetched(info, exc),
        )

    def _fetched(self, info: AttachmentInfo, error: Exception | None) -> None:
        if not isValid(self):
            return  # the window closed while the file was downloading
        then = self._fetching.pop(info.content_hash, [])
        self._show_fetching()
        if error is not None:
            self.fetch_failed.emit(info, error)
            self._tell(self._fetch_error_text(info, error))
            return
        for action in then:
            action()

    def _show_fetching(self) -> None:
        """The "downloading…" note and a busy cursor while any download runs."""
        names = sorted(
            {a.filename for a in self._attachments.values() if a.content_hash in self._fetching}
        )
        if not self._fetching:
            self.fetch_note.hide()
            self.viewport().unsetCursor()
            return
        shown = "، ".join(isolate_latin(n) for n in names) or "…"
        self.fetch_note.setText(self.tr("Downloading %1…").replace("%1", shown))
        self.fetch_note.adjustSize()
        self._place_note()
        self.fetch_note.show()
        self.viewport().setCursor(Qt.CursorShape.BusyCursor)

    def _place_note(self) -> None:
        note = self.fetch_note
        area = self.viewport().geometry()
        x = area.right() - note.width() - 8 if self.isRightToLeft() else area.left() + 8
        note.move(max(area.left(), x), area.top() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.fetch_note.isVisible():
            self._place_note()

    def _fetch_error_text(self, info: AttachmentInfo, error: Exception) -> str:
        name = info.filename
        if isinstance(error, OfflineError):
            text = self.tr(
                "%1 is not on this computer and the server cannot be reached. Try again"
                " when you are back online."
            )
        elif isinstance(error, AuthError):
            text = self.tr("%1 could not be downloaded: the server asks you to sign in again.")
        elif isinstance(error, BadAnswerError):
            text = self.tr("%1 arrived damaged from the server and was not kept. Try again.")
        elif isinstance(error, SyncError):
            return (
                self.tr("The server refused to give %1: %2")
                .replace("%1", name)
                .replace("%2", str(error))
            )
        else:
            text = self.tr("%1 could not be downloaded.")
        return text.replace("%1", name)

    def _missing(self, info: AttachmentInfo) -> None:
        self._tell(
            self.tr("%1 is not on this computer yet; it arrives with the next sync.").replace(
                "%1", info.filename
            )
        )

    def _tell(self, text: str) -> None:
        """A message the agent reads and closes; shown without blocking (`message`)."""
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Attachment"), text, parent=self)
        box.setObjectName("attachmentMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        self.messages_told.append(text)
        box.open()
