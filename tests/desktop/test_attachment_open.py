"""D4, C2, I2: an attachment pulled from the server whose bytes are not on this computer
yet opens and saves from the conversation: the click fetches the bytes in the background
(a "downloading…" note and a busy cursor; the window keeps turning), keeps them in the
blob folder beside the cache, then opens (the URL handed to the system is recorded on the
view instead of launching a program) or saves them. With the server stopped the agent
reads a translated message and nothing is lost: no half-written file, the attachment
still listed for a later click.

Real server on loopback, the real sync engine on qasync's loop, real widgets. The agent's
cache lives in its own folder, so its blob folder is not the server's."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from core.blobs import BlobStore
from core.cache import open_cache
from core.db import sqlite_url
from core.enums import Role
from core.models import TeamMember, Ticket
from desktop.app import OpenCache
from desktop.demo import first_agent
from desktop.i18n import Localization
from desktop.views.conversation_view import ATTACHMENT_SCHEME, ConversationView
from desktop.views.ticket_view import TicketView
from tests.desktop.conftest import Desk
from tests.desktop.sync_helpers import in_thread
from tests.desktop.test_queue_window import SCREENSHOTS
from tests.desktop.test_sync_indicator import close, first_open_ticket, open_synced
from tests.sync.server_fixture import running_server

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: no raise()

FILENAME = "رسید-invoice 42.pdf"
DATA = b"%PDF-1.4 receipt 42 " + bytes(range(256)) * 40


@dataclass
class Far:
    """The demo server and an agent whose cache (and blob folder) is its own folder."""

    desk: Desk
    stack: ExitStack

    @property
    def blobs(self) -> BlobStore:
        return BlobStore(self.desk.cache_path.parent / "blobs")

    def stop_server(self) -> None:
        self.stack.close()


@pytest.fixture
def far(desk_template: Path, tmp_path: Path) -> Iterator[Far]:
    server_db = tmp_path / "server.sqlite3"
    shutil.copy(desk_template, server_db)
    with ExitStack() as stack:
        server = stack.enter_context(running_server(sqlite_url(server_db), tmp_path))
        with server.sessions() as session:
            agent = first_agent(session)
            assert agent is not None
            user_id, user_name = agent.id, agent.display_name
        folder = tmp_path / "agent"
        folder.mkdir()
        cache_path = folder / "cache.sqlite3"
        open_cache(cache_path).dispose()
        desk = Desk(server, cache_path, server.token_for(user_id), user_id, user_name)
        desk.sync()
        assert desk.cache_path.parent / "blobs" != server.config.blob_dir
        yield Far(desk, stack)


def post_reply_with_file(desk: Desk, ticket_id: str) -> tuple[str, str]:
    """Another agent (Reza, on the ticket's team) replies with a file through the API:
    the bytes first (PUT /attachments/{hash}), then the reply and the file's row in one
    push. Returns the reply's and the attachment's ids."""
    reza, http = desk.server.user_client(Role.AGENT, name="رضا احمدی")
    with desk.server.sessions() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        if ticket.team_id is not None:
            s.add(TeamMember(team_id=ticket.team_id, user_id=reza.id))
            s.commit()
    digest = hashlib.sha256(DATA).hexdigest()
    message_id, attachment_id = str(uuid.uuid4()), str(uuid.uuid4())
    with http:
        up = http.put(f"/attachments/{digest}", files={"file": (FILENAME, DATA)})
        assert up.status_code == 201, up.text
        body = {
            "client_id": "reza-desk",
            "mutations": [
                {
                    "seq": 1,
                    "id": str(uuid.uuid4()),
                    "name": "message.create",
                    "entity_id": message_id,
                    "payload": {
                        "ticket_id": ticket_id,
                        "kind": "agent_reply",
                        "body": "رسید پرداخت پیوست شد.",
                    },
                },
                {
                    "seq": 2,
                    "id": str(uuid.uuid4()),
                    "name": "attachment.create",
                    "entity_id": attachment_id,
                    "payload": {
                        "ticket_id": ticket_id,
                        "message_id": message_id,
                        "filename": FILENAME,
                        "content_hash": digest,
                    },
                },
            ],
        }
        pushed = http.post("/sync/push", json=body)
        assert pushed.status_code == 200, pushed.text
        assert [r["status"] for r in pushed.json()["results"]] == ["applied", "applied"]
    return message_id, attachment_id


def cached_reply_with_file(far: Far, qtbot: QtBot) -> tuple[str, str]:
    """(ticket id, attachment id): another agent's reply with a file on the first open
    ticket, synced into the agent's cache: the reply and the file's row, not its bytes."""
    ticket_id = first_open_ticket(far.desk)
    _message_id, attachment_id = post_reply_with_file(far.desk, ticket_id)
    in_thread(far.desk.sync, qtbot)
    return ticket_id, attachment_id


def link_point(view: ConversationView, attachment_id: str) -> QPoint:
    """Where the attachment's link is drawn in the view's viewport."""
    href = f"{ATTACHMENT_SCHEME}:{attachment_id}"
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(view.document())
                cursor.setPosition(fragment.position() + fragment.length() // 2)
                return view.cursorRect(cursor).center()
            it += 1
        block = block.next()
    raise AssertionError(f"no link {href} in the conversation")


def click_link(qtbot: QtBot, view: ConversationView, attachment_id: str) -> QMenu:
    """Click the attachment's link as the agent does; the open/save menu it pops up."""
    before = view.attachment_menu
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=link_point(view, attachment_id)
    )

    def popped() -> QMenu | None:
        menu = view.attachment_menu
        return menu if menu is not None and menu is not before and menu.isVisible() else None

    qtbot.waitUntil(lambda: popped() is not None)
    menu = popped()
    assert menu is not None
    return menu


def choose(menu: QMenu, name: str) -> None:
    action = menu.findChild(QAction, name)
    assert action is not None, name
    action.trigger()
    menu.close()


def open_ticket_window(opened: OpenCache, ticket_id: str, qtbot: QtBot) -> ConversationView:
    view = opened.window.open_ticket(ticket_id)
    assert isinstance(view, TicketView)
    qtbot.waitExposed(view)
    view.conversation.launch = False  # record the URL; never start a PDF viewer here
    return view.conversation


def test_d4_c2_missing_attachment_is_fetched_then_opened_and_saved(
    qtbot: QtBot,
    persian: Localization,
    far: Far,
    aio: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    desk = far.desk
    ticket_id = first_open_ticket(desk)
    opened = open_synced(desk, persian, qtbot)
    bridge = opened.sync
    assert bridge is not None
    try:
        opened.start_sync()
        qtbot.waitUntil(lambda: bridge.state.status == "online", timeout=15_000)
        conversation = open_ticket_window(opened, ticket_id, qtbot)

        # another agent replies with a file; the window's cache syncs the reply and the
        # file's row, not its bytes
        _message_id, attachment_id = post_reply_with_file(desk, ticket_id)

        def shown() -> bool:
            thread = conversation.shown
            listed = [a.id for m in thread.messages for a in m.attachments] if thread else []
            return attachment_id in listed

        qtbot.waitUntil(shown, timeout=15_000)
        digest = hashlib.sha256(DATA).hexdigest()
        assert not far.blobs.exists(digest)

        # open: the click starts the download and returns at once, the note says so
        with qtbot.waitSignal(conversation.attachment_opened, timeout=15_000) as opened_file:
            choose(click_link(qtbot, conversation, attachment_id), "openAttachment")
            # still on the GUI thread, right after the click: the window did not wait
            assert conversation.launched == []
            assert conversation.fetch_note.isVisible()
            assert FILENAME.split("-", maxsplit=1)[0] in conversation.fetch_note.text()
            assert "در حال دریافت" in conversation.fetch_note.text()
            assert conversation.viewport().cursor().shape() == Qt.CursorShape.BusyCursor
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            note_shot = SCREENSHOTS / "attachment_downloading_fa.png"
            assert conversation.window().grab().save(str(note_shot))
        # the bytes arrived, checked, in the blob folder beside the cache
        assert far.blobs.path_for(digest).read_bytes() == DATA
        copy = opened_file.args[0]
        assert isinstance(copy, Path)
        assert copy.name == FILENAME and copy.read_bytes() == DATA
        assert conversation.launched == [QUrl.fromLocalFile(str(copy))]
        assert not conversation.fetch_note.isVisible()
        assert conversation.viewport().cursor().shape() != Qt.CursorShape.BusyCursor
        assert conversation.messages_told == []

        # save: the path is chosen in the (non-blocking) dialog; the bytes are here now
        choose(click_link(qtbot, conversation, attachment_id), "saveAttachment")
        dialog = conversation.save_dialog
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible)
        target = tmp_path / "saved-receipt.pdf"
        dialog.selectFile(str(target))
        dialog.accept()
        qtbot.waitUntil(target.exists)
        assert target.read_bytes() == DATA
        assert conversation.messages_told == []
    finally:
        close(opened, qtbot)


def test_d4_c2_save_of_missing_attachment_fetches_first(
    qtbot: QtBot,
    persian: Localization,
    far: Far,
    aio: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    """Save as… on a file whose bytes are not here: fetched, then written where chosen."""
    desk = far.desk
    ticket_id, attachment_id = cached_reply_with_file(far, qtbot)
    digest = hashlib.sha256(DATA).hexdigest()
    assert not far.blobs.exists(digest)
    opened = open_synced(desk, persian, qtbot)
    try:
        conversation = open_ticket_window(opened, ticket_id, qtbot)
        qtbot.waitUntil(lambda: conversation.shown is not None)
        choose(click_link(qtbot, conversation, attachment_id), "saveAttachment")
        dialog = conversation.save_dialog
        assert dialog is not None
        target = tmp_path / "out" / "receipt.pdf"
        target.parent.mkdir()
        with qtbot.waitSignal(conversation.attachment_saved, timeout=15_000) as saved:
            dialog.selectFile(str(target))
            dialog.accept()
            assert not target.exists()  # not yet: the download runs in the background
            assert conversation.fetch_note.isVisible()
        assert saved.args == [target]
        assert target.read_bytes() == DATA
        assert far.blobs.path_for(digest).read_bytes() == DATA
        assert conversation.launched == [] and conversation.messages_told == []
    finally:
        close(opened, qtbot)


def test_d4_c2_offline_fetch_says_so_and_loses_nothing(
    qtbot: QtBot,
    persian: Localization,
    far: Far,
    aio: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    desk = far.desk
    ticket_id, attachment_id = cached_reply_with_file(far, qtbot)
    digest = hashlib.sha256(DATA).hexdigest()
    assert not far.blobs.exists(digest)
    far.stop_server()

    opened = open_synced(desk, persian, qtbot)
    try:
        conversation = open_ticket_window(opened, ticket_id, qtbot)
        qtbot.waitUntil(lambda: conversation.shown is not None)
        with qtbot.waitSignal(conversation.fetch_failed, timeout=15_000):
            choose(click_link(qtbot, conversation, attachment_id), "openAttachment")
            assert conversation.fetch_note.isVisible()
        box = conversation.message
        assert box is not None
        qtbot.waitUntil(box.isVisible)
        text = box.text()
        assert FILENAME in text
        assert "سرور در دسترس نیست" in text  # Persian: the server cannot be reached
        assert box.isRightToLeft()
        assert conversation.launched == []
        assert not conversation.fetch_note.isVisible()
        assert conversation.viewport().cursor().shape() != Qt.CursorShape.BusyCursor
        QApplication.processEvents()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / "attachment_offline_fa.png"
        assert box.grab().save(str(shot))
        box.close()

        # save while offline: the chosen file is not created, nothing half-written
        choose(click_link(qtbot, conversation, attachment_id), "saveAttachment")
        dialog = conversation.save_dialog
        assert dialog is not None
        target = tmp_path / "offline-copy.pdf"
        with qtbot.waitSignal(conversation.fetch_failed, timeout=15_000):
            dialog.selectFile(str(target))
            dialog.accept()
        assert not target.exists()
        assert len(conversation.messages_told) == 2
        assert not far.blobs.exists(digest)
        # nothing lost: the attachment is still listed, ready for a click when online
        assert conversation.shown is not None
        assert any(
            a.id == attachment_id for m in conversation.shown.messages for a in m.attachments
        )
    finally:
        close(opened, qtbot)
