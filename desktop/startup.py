"""From `helpdesk` to a working window, on qasync's loop (never blocking it):

- a cache and a stored token: the window at once (offline-first), sync in the background;
- otherwise the sign-in dialog ("Work offline" when a cache exists); signing in keeps the
  token in the OS keyring (`TokenStore`, as `helpdesk-cli login`), then a first sync with a
  progress dialog, then the window;
- `--demo`: the embedded demo server (desktop/demo.py), signed in as the demo agent;
- from the window (`AccountSession`, Account menu and the sync indicator): signing in again
  when the server refused the token (the same cache and outbox, a new token for the running
  engine; only the cache's own account), and signing out (the token revoked on the server
  and forgotten, the window closed for the sign-in dialog; the cache and its outbox kept).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QWidget,
)

from core.cache import open_cache
from core.db import connect_raw
from core.outbox import pending_count
from desktop.app import OpenCache, open_window, settle_heap
from desktop.i18n import Localization
from desktop.sync_bridge import SyncBridge
from desktop.views.account_actions import SignOutQuestion
from desktop.views.login_dialog import WORK_OFFLINE, LoginDialog
from sync.client import state as bookmarks
from sync.client.credentials import TokenStore, Where, normalize_server
from sync.client.engine import SyncError
from sync.client.login import AccountMismatch, SignedIn, login, logout

log = logging.getLogger(__name__)

ACCOUNT_KEYS = ("server", "username", "user_id", "display_name")
DEFAULT_SERVER = "http://127.0.0.1:8750"


@dataclass(frozen=True)
class Account:
    """Who signed in last on this computer (never the token: that is in the keyring)."""

    server: str
    username: str
    user_id: str
    display_name: str = ""


OWNER_KEY = "account"
"""sync_state key naming the account a cache was made for (`server|user id`)."""


def owner_key(server: str, user_id: str) -> str:
    return f"{normalize_server(server)}|{user_id}"


def cache_owner(path: Path) -> str | None:
    if not path.exists():
        return None
    conn = connect_raw(path)
    try:
        return bookmarks.get(conn, OWNER_KEY)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def claim_cache(path: Path, key: str) -> None:
    """Mark a cache as this account's (once: a cache never changes hands)."""
    conn = connect_raw(path)
    try:
        if bookmarks.get(conn, OWNER_KEY) is None:
            bookmarks.put(conn, OWNER_KEY, key)
    finally:
        conn.close()


def account_cache(base: Path, server: str, user_id: str) -> Path:
    """The account's own cache: `base`, unless it holds another account's data (another
    agent signed in on this computer), then a file beside it named for this account.
    One agent never sees, nor pushes, another's cached work."""
    key = owner_key(server, user_id)
    owner = cache_owner(base)
    if owner is None or owner == key:
        return base
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return base.with_name(f"{base.stem}-{digest}{base.suffix}")


def saved_account() -> Account | None:
    settings = QSettings()
    values = {k: str(settings.value(f"account/{k}", "") or "") for k in ACCOUNT_KEYS}
    if not (values["server"] and values["username"] and values["user_id"]):
        return None
    return Account(**values)


def save_account(account: Account) -> None:
    settings = QSettings()
    for key in ACCOUNT_KEYS:
        settings.setValue(f"account/{key}", getattr(account, key))
    settings.sync()


async def finished(dialog: QDialog) -> int:
    """Open `dialog` (window-modal, not a nested event loop) and wait for its result."""
    future: asyncio.Future[int] = asyncio.get_event_loop().create_future()

    def done(code: int) -> None:
        if not future.done():
            future.set_result(code)

    dialog.finished.connect(done)
    dialog.open()
    return await future


class _CloseWatcher(QObject):
    def __init__(self, future: asyncio.Future[None]) -> None:
        super().__init__()
        self._future = future

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Close and not self._future.done():
            self._future.set_result(None)
        return False


async def window_closed(opened: OpenCache) -> None:
    future: asyncio.Future[None] = asyncio.get_event_loop().create_future()
    watcher = _CloseWatcher(future)
    opened.window.installEventFilter(watcher)
    try:
        await future
    finally:
        opened.window.removeEventFilter(watcher)


def _label() -> str:
    return f"helpdesk on {socket.gethostname()}"


async def sign_in(server: str, username: str, password: str) -> SignedIn:
    return await login(server, username, password, label=_label())


async def first_sync(bridge: SyncBridge, parent: QWidget | None = None) -> str | None:
    """The first sync behind a progress dialog (done of total from the engine); returns
    the failure to tell, or None."""
    dialog = QProgressDialog(parent)
    dialog.setObjectName("firstSyncDialog")
    dialog.setWindowTitle(QCoreApplication.translate("Startup", "Helpdesk"))
    dialog.setLabelText(QCoreApplication.translate("Startup", "Fetching your tickets…"))
    dialog.setCancelButton(None)
    dialog.setRange(0, 0)
    dialog.setMinimumDuration(0)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    # the bar is moved directly: a modal QProgressDialog.setValue() runs processEvents(),
    # which inside this task's step lets qasync try to step the engine's own tasks
    # ("Cannot enter into task ... while another task is being executed")
    bar = QProgressBar(dialog)
    dialog.setBar(bar)
    bar.setRange(0, 0)

    def show(state: Any) -> None:
        if state.total > 0:
            bar.setRange(0, state.total)
            bar.setValue(min(state.done, state.total))

    bridge.state_changed.connect(show)
    dialog.show()
    try:
        await bridge.sync_once()
    except SyncError as exc:
        return str(exc)
    finally:
        bridge.state_changed.disconnect(show)
        dialog.close()
        dialog.deleteLater()
    return None


def _tell(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("startupMessage")
    box.open()
    return box


class AccountSession(QObject):
    """The signed-in account of an open window: "Sign in again…" (the Account menu, the
    sync indicator) and "Sign out" (the Account menu). Never blocks the loop: each runs
    as a task whose dialogs are opened (`finished`), never exec()'d."""

    def __init__(
        self, opened: OpenCache, account: Account, cache_path: Path, *, remember: bool = True
    ) -> None:
        super().__init__(opened.window)
        self.opened = opened
        self.account = account
        self.cache_path = cache_path
        self.remember = remember
        """Keep the token and the account (not for the demo, which signs in by itself)."""
        self.login_dialog: LoginDialog | None = None
        self.question: SignOutQuestion | None = None
        self._task: asyncio.Task[bool] | None = None
        window = opened.window
        window.account_menu.sign_in_again_requested.connect(self.sign_in_again)
        window.account_menu.sign_out_requested.connect(self.sign_out)
        if opened.indicator is not None:
            opened.indicator.sign_in_requested.connect(self.sign_in_again)
        window.account_menu.attach()

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def task(self) -> asyncio.Task[bool] | None:
        """The last sign-in-again or sign-out (True when it was done, not cancelled)."""
        return self._task

    @Slot()
    def sign_in_again(self) -> None:
        if self.login_dialog is not None:
            self.login_dialog.raise_()
            self.login_dialog.activateWindow()
            return
        if not self.busy and self.opened.sync is not None:
            self._task = asyncio.ensure_future(self._sign_in_again(self.opened.sync))

    @Slot()
    def sign_out(self) -> None:
        if not self.busy and self.opened.sync is not None:
            self._task = asyncio.ensure_future(self._sign_out(self.opened.sync))

    # -- signing in again -------------------------------------------------------------

    async def _sign_in_again(self, bridge: SyncBridge) -> bool:
        account = self.account
        owner = cache_owner(self.cache_path) or owner_key(account.server, account.user_id)

        async def again(server: str, username: str, password: str) -> SignedIn:
            signed = await sign_in(server, username, password)
            if owner_key(signed.server, signed.user_id) != owner:
                await logout(signed.server, signed.token)  # a session nobody will use
                raise AccountMismatch(
                    QCoreApplication.translate(
                        "Startup",
                        "This window holds the work of %1, and only %1 can send it. Sign "
                        "in as %1, or sign out first to use another account.",
                    ).replace("%1", account.username)
                )
            return signed

        dialog = LoginDialog(
            again,
            server=account.server,
            username=account.username,
            note=QCoreApplication.translate(
                "Startup",
                "The server ended your session. Sign in again to send your changes and "
                "sync; nothing you did here is lost.",
            ),
            parent=self.opened.window,
        )
        dialog.setWindowTitle(QCoreApplication.translate("Startup", "Sign in again"))
        self.login_dialog = dialog
        try:
            code = await finished(dialog)
        finally:
            self.login_dialog = None
        signed = dialog.signed_in
        dialog.deleteLater()
        if code != QDialog.DialogCode.Accepted or signed is None:
            return False
        if self.remember:
            store = TokenStore()
            store.save(signed.server, signed.username, signed.token)
            for warning in store.warnings:
                log.warning("%s", warning)
            save_account(
                Account(signed.server, signed.username, signed.user_id, signed.display_name)
            )
        self.account = Account(account.server, signed.username, signed.user_id, signed.display_name)
        await bridge.use_token(signed.token)  # the same cache: its outbox goes out now
        return True

    # -- signing out ------------------------------------------------------------------

    async def _pending(self) -> int:
        future: asyncio.Future[int] = asyncio.get_event_loop().create_future()

        def done(count: int) -> None:
            if not future.done():
                future.set_result(count)

        def failed(exc: BaseException) -> None:
            if not future.done():
                future.set_exception(exc)

        self.opened.runner.submit(pending_count, done, on_error=failed)
        return await future

    async def _sign_out(self, bridge: SyncBridge) -> bool:
        pending = await self._pending()
        if pending:
            name = self.account.display_name or self.account.username
            question = SignOutQuestion(self.opened.window, pending, name)
            self.question = question
            try:
                await finished(question)
            finally:
                self.question = None
            confirmed = question.confirmed
            question.deleteLater()
            if not confirmed:
                return False
        token = bridge.token
        await bridge.aclose()  # nothing more leaves with this token
        if not await logout(self.account.server, token):
            log.warning("signed out without reaching the server: the session ends when it expires")
        TokenStore().delete(self.account.server, self.account.username)
        self.opened.signed_out = True
        self.opened.window.close()
        return True


@dataclass
class Started:
    """A window open for the agent, and what to stop when it closes."""

    opened: OpenCache
    stop: Callable[[], None] | None = None

    async def aclose(self) -> None:
        try:
            await self.opened.aclose()
        finally:
            if self.stop is not None:
                self.stop()


class Startup:
    """The start-up flows; each returns the open window, or None when the agent gave up."""

    def __init__(
        self, localization: Localization, *, engine_options: dict[str, Any] | None = None
    ) -> None:
        self.localization = localization
        self.engine_options = engine_options
        self.login_dialog: LoginDialog | None = None
        self.messages: list[str] = []
        self._boxes: list[QMessageBox] = []
        self.account_session: AccountSession | None = None
        """The open window's account (sign in again, sign out)."""
        self._remember = True  # the demo keeps neither token nor account

    def _bridge(self, cache_path: Path, server: str, token: str) -> SyncBridge:
        return SyncBridge(cache_path, server, token, engine_options=self.engine_options)

    def _open(
        self,
        cache_path: Path,
        user_id: str | None,
        bridge: SyncBridge | None,
        account: Account | None = None,
    ) -> OpenCache:
        opened = open_window(
            cache_path=cache_path,
            localization=self.localization,
            user_id=user_id,
            sync=bridge,
        )
        if bridge is not None and account is not None:
            self.account_session = AccountSession(
                opened, account, cache_path, remember=self._remember
            )
        opened.window.resize(1280, 800)
        opened.window.show()
        settle_heap()
        return opened

    def _warn(self, parent: QWidget | None, text: str) -> None:
        self.messages.append(text)
        self._boxes.append(_tell(parent, QCoreApplication.translate("Startup", "Helpdesk"), text))

    async def start(self, cache_path: Path) -> OpenCache | None:
        """Offline-first: a cache with a stored token opens at once; otherwise sign in."""
        account = saved_account()
        if account is not None:
            mine = account_cache(cache_path, account.server, account.user_id)
            found = TokenStore().load(account.server, account.username)
            if mine.exists() and found is not None:
                bridge = self._bridge(mine, account.server, found[0])
                opened = self._open(mine, account.user_id, bridge, account)
                opened.start_sync()
                return opened
        return await self.sign_in_and_open(cache_path, account)

    async def sign_in_and_open(
        self, cache_path: Path, account: Account | None = None
    ) -> OpenCache | None:
        offline = account_cache(cache_path, account.server, account.user_id) if account else None
        dialog = LoginDialog(
            sign_in,
            server=account.server if account else DEFAULT_SERVER,
            username=account.username if account else "",
            offline_allowed=offline is not None and offline.exists(),
        )
        self.login_dialog = dialog
        code = await finished(dialog)
        self.login_dialog = None
        signed = dialog.signed_in
        dialog.deleteLater()
        if code == WORK_OFFLINE and account is not None and offline is not None:
            return self._open(offline, account.user_id, None)
        if code != QDialog.DialogCode.Accepted or signed is None:
            return None
        store = TokenStore()
        where = store.save(signed.server, signed.username, signed.token)
        for warning in store.warnings:
            log.warning("%s", warning)
        save_account(Account(signed.server, signed.username, signed.user_id, signed.display_name))
        mine = account_cache(cache_path, signed.server, signed.user_id)
        opened = await self.open_signed_in(mine, signed)
        if where is Where.PROCESS:
            self._warn(
                opened.window,
                QCoreApplication.translate(
                    "Startup",
                    "This computer has no password keyring (such as GNOME Keyring or "
                    "KWallet), so your sign-in is not saved: you will be asked again next "
                    "time.",
                ),
            )
        return opened

    async def open_signed_in(self, cache_path: Path, signed: SignedIn) -> OpenCache:
        """First sync (progress shown), then the window; the engine then stays live."""
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        open_cache(cache_path).dispose()  # made and migrated before the engine's connection
        claim_cache(cache_path, owner_key(signed.server, signed.user_id))
        bridge = self._bridge(cache_path, signed.server, signed.token)
        problem = await first_sync(bridge)
        account = Account(signed.server, signed.username, signed.user_id, signed.display_name)
        opened = self._open(cache_path, signed.user_id, bridge, account)
        if problem is not None:
            self._warn(
                opened.window,
                QCoreApplication.translate(
                    "Startup",
                    "The first sync did not finish: %1\nWhat arrived is shown; the rest "
                    "follows when the server can be reached.",
                ).replace("%1", problem),
            )
        opened.start_sync()
        return opened

    async def demo(self, folder: Path, tickets: int) -> Started:
        """Start the demo server (loading its data the first time), sign in as the demo
        agent, sync, open the window."""
        from desktop.demo import DEMO_PASSWORD, DemoServer

        server = DemoServer(folder, tickets=tickets)
        dialog = QProgressDialog()
        dialog.setObjectName("demoDialog")
        dialog.setWindowTitle(QCoreApplication.translate("Startup", "Helpdesk"))
        dialog.setLabelText(
            QCoreApplication.translate("Startup", "Starting the demo server on this computer…")
        )
        dialog.setCancelButton(None)
        dialog.setRange(0, 0)
        dialog.setMinimumDuration(0)
        dialog.show()
        try:
            if not server.database.exists():
                dialog.setLabelText(
                    QCoreApplication.translate(
                        "Startup", "Preparing the demo data (once; about a minute)…"
                    )
                )
            await asyncio.to_thread(server.prepare)
            username = await asyncio.to_thread(server.agent_username)
            url = server.start()
            await server.wait_ready()
            signed = await sign_in(url, username, DEMO_PASSWORD)
        except BaseException:
            server.stop()
            raise
        finally:
            dialog.close()
            dialog.deleteLater()
        self._remember = False
        try:
            opened = await self.open_signed_in(server.cache_path, signed)
        except BaseException:
            server.stop()
            raise
        return Started(opened, stop=server.stop)


async def run(
    localization: Localization,
    *,
    cache_path: Path,
    demo_folder: Path | None = None,
    demo_tickets: int = 0,
    smoke: bool = False,
) -> int:
    """The whole life of the window; the process's exit code."""
    startup = Startup(localization)
    if demo_folder is not None:
        started: Started | None = await startup.demo(demo_folder, demo_tickets)
        bridge = started.opened.sync if started is not None else None
        if bridge is not None:
            print(f"helpdesk: demo server at {bridge.server_url}", flush=True)
    else:
        opened = await startup.start(cache_path)
        started = Started(opened) if opened is not None else None
    if started is None:
        return 0
    try:
        while True:
            opened = started.opened
            try:
                if smoke:
                    QApplication.processEvents()
                    opened.window.grab()  # paint once: fonts, translations, the model
                else:
                    await window_closed(opened)
            finally:
                await opened.aclose()
            # signed out: the sign-in dialog again (the demo signs in by itself: it ends)
            if smoke or not opened.signed_out or demo_folder is not None:
                break
            again = await startup.sign_in_and_open(cache_path, saved_account())
            if again is None:
                break
            started.opened = again
    finally:
        if started.stop is not None:
            started.stop()
    return 0
