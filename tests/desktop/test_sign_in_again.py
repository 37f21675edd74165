"""D6: the session's account from the window, against a real server on loopback and a real
keyring backend (a JSON file): after the server revokes the token, "Sign in again…" (the
sync indicator, the Account menu) gives the running engine a new token on the same cache,
so the edit waiting in its outbox reaches the server, in the same window; only the cache's
own account may sign in there. "Sign out" asks when changes are not yet sent, revokes the
token on the server, forgets it, and goes back to the sign-in dialog; the outbox stays."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.db import session_factory
from core.enums import Role
from core.local_edits import edit_ticket_locally
from core.models import AuthToken, Ticket, User
from core.outbox import pending_count
from desktop.app import OpenCache
from desktop.i18n import Localization
from desktop.startup import (
    Account,
    AccountSession,
    Startup,
    cache_owner,
    claim_cache,
    owner_key,
    save_account,
)
from desktop.sync_bridge import SyncBridge
from desktop.views.account_actions import SignOutQuestion
from desktop.views.login_dialog import LoginDialog
from desktop.views.main_window import MainWindow
from sync.client import credentials
from sync.client.credentials import TokenStore, Where
from tests.desktop.conftest import Desk
from tests.desktop.sync_helpers import flush_deletes, run
from tests.sync.test_cli import FileKeyring

FAST = {"backoff": 0.05, "max_backoff": 0.2, "retries": 1, "timeout": 5.0}
PASSWORD = "demo-pass"  # the desk fixture's demo password
EDITED = "ویرایش پیش از ورود دوباره"


@pytest.fixture(autouse=True)
def file_keyring(
    persian: Localization, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A real keyring backend (a JSON file), no account remembered from another test."""
    # the backend chosen before the file is named (the file keyring is viable only then)
    previous = keyring.get_keyring()
    path = tmp_path / "keyring.json"
    monkeypatch.setenv("TEST_KEYRING_FILE", str(path))
    credentials._PROCESS_TOKENS.clear()
    keyring.set_keyring(FileKeyring())  # type: ignore[no-untyped-call]
    QSettings().remove("account")
    yield path
    QSettings().remove("account")
    keyring.set_keyring(previous)
    credentials._PROCESS_TOKENS.clear()


def username(desk: Desk) -> str:
    with desk.server.sessions() as session:
        user = session.get(User, desk.user_id)
        assert user is not None
        return user.username


def signed_in_before(desk: Desk) -> None:
    """A later start: this agent's cache, account and token are on this computer."""
    claim_cache(desk.cache_path, owner_key(desk.server.url, desk.user_id))
    save_account(Account(desk.server.url, username(desk), desk.user_id, desk.user_name))
    assert TokenStore().save(desk.server.url, username(desk), desk.token) is Where.KEYRING


def stored_token(desk: Desk) -> str | None:
    found = TokenStore().load(desk.server.url, username(desk))
    return found[0] if found is not None else None


def start(desk: Desk, persian: Localization, qtbot: QtBot) -> tuple[Startup, OpenCache]:
    signed_in_before(desk)
    startup = Startup(persian, engine_options=FAST)
    opened = run(qtbot, startup.start(desk.cache_path))
    assert opened is not None and opened.sync is not None
    bridge = opened.sync
    qtbot.waitUntil(lambda: bridge.running and bridge.state.status == "online", timeout=15_000)
    return startup, opened


def revoke_sessions(desk: Desk) -> None:
    """An admin ends every session of the agent (a lost laptop, a leaver)."""
    _admin, admin = desk.server.user_client(Role.ADMIN)
    with admin:
        assert admin.post(f"/auth/users/{desk.user_id}/revoke").status_code == 200


def edit_first_ticket(opened: OpenCache, *, poke: bool = True) -> str:
    with opened.runner.session_factory() as s:
        ticket_id = s.scalars(select(Ticket.id).order_by(Ticket.number)).first()
        assert ticket_id is not None
        edit_ticket_locally(s, ticket_id, {"title": EDITED})
    if poke:
        opened.window._context.local_edit_done()
    return ticket_id


def pending_in(opened: OpenCache) -> int:
    with opened.runner.session_factory() as s:
        return pending_count(s)


def fill_password(dialog: LoginDialog, user: str | None = None) -> None:
    if user is not None:
        dialog.user_edit.clear()
        QTest.keyClicks(dialog.user_edit, user)
    dialog.password_edit.clear()
    QTest.keyClicks(dialog.password_edit, PASSWORD)
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def waiting_in_cache(desk: Desk, ticket_id: str) -> tuple[int, str]:
    """The cache file's outbox count and the ticket's title there."""
    engine = desk.engine()
    try:
        with session_factory(engine)() as s:
            ticket = s.get(Ticket, ticket_id)
            assert ticket is not None
            return pending_count(s), ticket.title
    finally:
        engine.dispose()


def close(opened: OpenCache, qtbot: QtBot) -> None:
    run(qtbot, opened.aclose())
    flush_deletes()


def sign_in_dialog(qtbot: QtBot, session: AccountSession) -> LoginDialog:
    qtbot.waitUntil(lambda: session.login_dialog is not None and session.login_dialog.isVisible())
    assert session.login_dialog is not None
    return session.login_dialog


def test_d6_sign_in_again_after_a_revoked_session_sends_the_pending_edit(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    startup, opened = start(desk, persian, qtbot)
    bridge, indicator, window = opened.sync, opened.indicator, opened.window
    session = startup.account_session
    assert bridge is not None and indicator is not None and session is not None
    try:
        assert not indicator.sign_in_button.isVisible()
        assert not window.account_menu.sign_in_again.isEnabled()
        revoke_sessions(desk)
        ticket_id = edit_first_ticket(opened)
        # the push is refused: the indicator says why and offers to sign in again
        qtbot.waitUntil(indicator.sign_in_button.isVisible, timeout=15_000)
        assert bridge.state.status == "error" and bridge.needs_sign_in
        assert "خطای همگام‌سازی" in indicator.status_label.text()
        assert indicator.sign_in_button.text() == "ورود دوباره…"
        assert window.account_menu.sign_in_again.isEnabled()
        assert pending_in(opened) == 1

        QTest.mouseClick(indicator.sign_in_button, Qt.MouseButton.LeftButton)
        dialog = sign_in_dialog(qtbot, session)
        assert dialog.offline_button is None  # a window is open: no "work offline" here
        assert dialog.server_edit.text() == desk.server.url
        assert dialog.user_edit.text() == username(desk)
        assert dialog.note_label.isVisible() and dialog.isRightToLeft()
        fill_password(dialog)
        qtbot.waitUntil(lambda: session.task is not None and session.task.done(), timeout=15_000)
        assert session.task is not None and session.task.result() is True

        # the same window and bridge, a new token: the outbox goes out, online again
        qtbot.waitUntil(
            lambda: bridge.state.status == "online" and bridge.state.pending == 0,
            timeout=20_000,
        )
        assert opened.sync is bridge and window.isVisible() and bridge.running
        assert not indicator.sign_in_button.isVisible()
        assert not window.account_menu.sign_in_again.isEnabled()
        assert pending_in(opened) == 0
        token = stored_token(desk)
        assert token is not None and token != desk.token and bridge.token == token
        with desk.api(token) as api:
            assert api.get(f"/tickets/{ticket_id}").json()["title"] == EDITED
        with desk.api() as api:  # the revoked token stays refused
            assert api.get("/auth/me").status_code == 401
    finally:
        close(opened, qtbot)


def test_d6_sign_in_again_as_another_agent_is_refused_and_changes_nothing(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    from sync.server.auth import hash_password
    from tests.core.factories import make_user

    with desk.server.sessions() as s:
        other = make_user(s, "همکار دیگر", username="other-agent")
        other.password_hash = hash_password(PASSWORD)
        s.commit()
        other_id = other.id
    startup, opened = start(desk, persian, qtbot)
    bridge, window = opened.sync, opened.window
    session = startup.account_session
    assert bridge is not None and session is not None
    try:
        revoke_sessions(desk)
        edit_first_ticket(opened)
        qtbot.waitUntil(lambda: bridge.needs_sign_in, timeout=15_000)
        assert window.account_menu.sign_in_again.isEnabled()
        window.account_menu.sign_in_again.trigger()  # Account > Sign in again…
        dialog = sign_in_dialog(qtbot, session)
        fill_password(dialog, "other-agent")
        mine = username(desk)
        qtbot.waitUntil(lambda: mine in dialog.error_label.text(), timeout=15_000)
        assert "فقط" in dialog.error_label.text()  # told in Persian whose window this is
        assert dialog.isVisible() and dialog.user_edit.hasFocus()
        # nothing changed: the old token in the keyring and the engine, still stopped
        assert stored_token(desk) == desk.token == bridge.token
        assert TokenStore().load(desk.server.url, "other-agent") is None
        assert bridge.needs_sign_in and pending_in(opened) == 1
        assert cache_owner(desk.cache_path) == owner_key(desk.server.url, desk.user_id)
        # and the other agent's session made for the attempt was revoked at once
        with desk.server.sessions() as s:
            tokens = s.scalars(select(AuthToken).where(AuthToken.user_id == other_id)).all()
            assert tokens and all(t.revoked_at is not None for t in tokens)
        dialog.reject()
        qtbot.waitUntil(lambda: session.task is not None and session.task.done())
        assert session.task is not None and session.task.result() is False
        assert bridge.needs_sign_in and window.isVisible()
    finally:
        close(opened, qtbot)


def test_d6_sign_out_asks_revokes_forgets_and_shows_the_sign_in_dialog(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    from desktop.startup import run as run_app

    signed_in_before(desk)
    task = asyncio.ensure_future(run_app(persian, cache_path=desk.cache_path))

    def shown(kind: type) -> list[object]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown(MainWindow)), timeout=15_000)
    window = shown(MainWindow)[0]
    assert isinstance(window, MainWindow)
    bridge = window._context.sync
    assert isinstance(bridge, SyncBridge)
    qtbot.waitUntil(lambda: bridge.running and bridge.state.status == "online", timeout=15_000)
    session = window.findChild(AccountSession)
    assert isinstance(session, AccountSession)
    # an edit not yet sent (the engine is not poked: it stays in the outbox)
    with window._context.runner.session_factory() as s:
        ticket_id = s.scalars(select(Ticket.id).order_by(Ticket.number)).first()
        assert ticket_id is not None
        edit_ticket_locally(s, ticket_id, {"title": EDITED})

    def question() -> SignOutQuestion:
        qtbot.waitUntil(lambda: session.question is not None and session.question.isVisible())
        assert session.question is not None
        return session.question

    try:
        # asked first; "Cancel" keeps everything as it was
        assert window.account_menu.sign_out.isEnabled()
        window.account_menu.sign_out.trigger()  # Account > Sign out
        box = question()
        assert "۱" in box.text() and desk.user_name in box.informativeText()
        QTest.mouseClick(box.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: session.task is not None and session.task.done())
        assert session.task is not None and session.task.result() is False
        assert window.isVisible() and bridge.running and stored_token(desk) == desk.token

        window.account_menu.sign_out.trigger()
        QTest.mouseClick(question().sign_out_button, Qt.MouseButton.LeftButton)
        # back to the sign-in dialog, prefilled for the same agent
        qtbot.waitUntil(lambda: bool(shown(LoginDialog)), timeout=15_000)
        dialog = shown(LoginDialog)[0]
        assert isinstance(dialog, LoginDialog)
        assert dialog.user_edit.text() == username(desk)
        assert dialog.offline_button is not None  # the cache is still here
        assert not shown(MainWindow) and not bridge.running and not task.done()
        with desk.api() as api:  # revoked on the server
            assert api.get("/auth/me").status_code == 401
        assert stored_token(desk) is None  # and gone from the keyring
        # the edit waits in the cache's outbox for the next sign-in
        assert waiting_in_cache(desk, ticket_id) == (1, EDITED)
        dialog.reject()
        qtbot.waitUntil(task.done, timeout=15_000)
        assert task.result() == 0
        flush_deletes()
    finally:
        if not task.done():
            task.cancel()
