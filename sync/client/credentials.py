"""Where the terminal client keeps its bearer token: the OS keyring, never a plain file
unless the user asks for one.

Headless Linux often has no keyring backend at all (keyring's "fail" backend). Then the
token lives only in this process's memory, unless `--insecure-token-file` writes it to a
0600 file in the data folder. The token itself is never printed or logged.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import keyring
import keyring.backends.fail
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from core.paths import data_dir

SERVICE = "helpdesk"
TOKEN_FILE = "cli-tokens.json"

# tokens kept for this process only (no keyring, no token file)
_PROCESS_TOKENS: dict[str, str] = {}


class Where(StrEnum):
    KEYRING = "OS keyring"
    FILE = "token file (insecure)"
    PROCESS = "this process only"


def token_key(server: str, user: str) -> str:
    """The keyring entry's name: `<server>|<user>`."""
    return f"{normalize_server(server)}|{user}"


def normalize_server(server: str) -> str:
    return server.rstrip("/")


def token_file_path() -> Path:
    return data_dir() / TOKEN_FILE


def keyring_available() -> bool:
    """Whether a real keyring backend is configured (not keyring's fail backend)."""
    try:
        backend = keyring.get_keyring()
    except KeyringError:
        return False
    return not isinstance(backend, keyring.backends.fail.Keyring)


@dataclass
class TokenStore:
    """Finds, saves and forgets tokens; `warnings` collects what the user must be told."""

    warnings: list[str] = field(default_factory=list)

    def save(self, server: str, user: str, token: str, *, insecure_file: bool = False) -> Where:
        key = token_key(server, user)
        if self._keyring_set(key, token):
            return Where.KEYRING
        if insecure_file:
            self._file_set(key, token)
            self.warnings.append(
                f"The token is stored UNENCRYPTED in {token_file_path()} (mode 0600); "
                "anyone who can read that file can act as you until it expires. "
                "Run `helpdesk-cli logout` to revoke it."
            )
            return Where.FILE
        _PROCESS_TOKENS[key] = token
        self.warnings.append(
            "No OS keyring is available (install and unlock one, e.g. GNOME Keyring or "
            "KWallet), so the token is kept only for this process and is not saved. "
            "Pass --insecure-token-file to store it in a 0600 file instead."
        )
        return Where.PROCESS

    def load(self, server: str, user: str) -> tuple[str, Where] | None:
        key = token_key(server, user)
        if key in _PROCESS_TOKENS:
            return _PROCESS_TOKENS[key], Where.PROCESS
        try:
            token = keyring.get_password(SERVICE, key)
        except (NoKeyringError, KeyringError):
            token = None
        if token:
            return token, Where.KEYRING
        token = self._file_tokens().get(key)
        if token:
            return token, Where.FILE
        return None

    def delete(self, server: str, user: str) -> None:
        key = token_key(server, user)
        _PROCESS_TOKENS.pop(key, None)
        with contextlib.suppress(PasswordDeleteError, NoKeyringError, KeyringError):
            keyring.delete_password(SERVICE, key)
        tokens = self._file_tokens()
        if key in tokens:
            del tokens[key]
            self._file_write(tokens)

    def _keyring_set(self, key: str, token: str) -> bool:
        if not keyring_available():
            return False
        try:
            keyring.set_password(SERVICE, key, token)
        except (NoKeyringError, KeyringError) as exc:
            self.warnings.append(f"The OS keyring refused the token ({type(exc).__name__}).")
            return False
        return True

    def _file_tokens(self) -> dict[str, str]:
        path = token_file_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}

    def _file_set(self, key: str, token: str) -> None:
        tokens = self._file_tokens()
        tokens[key] = token
        self._file_write(tokens)

    def _file_write(self, tokens: dict[str, str]) -> None:
        path = token_file_path()
        if not tokens:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.chmod(path, 0o600)  # an older file may have had a wider mode
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(tokens, handle)
