"""The console entry points exist; those whose issue has not landed fail clearly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("name", ["helpdesk", "helpdesk-server", "helpdesk-cli"])
def test_entry_point_is_installed(name: str) -> None:
    assert (BIN / name).exists(), f"{name} is not installed; run `make test` or pip install -e ."


@pytest.mark.parametrize("name", ["helpdesk-cli"])
def test_unfinished_entry_point_says_so_and_fails(name: str) -> None:
    done = subprocess.run([BIN / name], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "not yet available" in done.stderr


def test_server_entry_point_lists_its_commands() -> None:
    done = subprocess.run(
        [BIN / "helpdesk-server", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("serve", "migrate", "create-user", "demo"):
        assert command in done.stdout
