"""The console entry points exist and answer --help with their commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("name", ["helpdesk", "helpdesk-server", "helpdesk-cli"])
def test_entry_point_is_installed(name: str) -> None:
    assert (BIN / name).exists(), f"{name} is not installed; run `make test` or pip install -e ."


def test_cli_entry_point_lists_its_commands() -> None:
    done = subprocess.run(
        [BIN / "helpdesk-cli", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("login", "logout", "status", "queue", "show", "sync"):
        assert command in done.stdout


def test_server_entry_point_lists_its_commands() -> None:
    done = subprocess.run(
        [BIN / "helpdesk-server", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("serve", "migrate", "create-user", "demo"):
        assert command in done.stdout
