"""Where files live. One API (platformdirs) for every path so the window, the CLI and the
server agree; local (not roaming) app data on Windows, since a roaming SQLite file breaks."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Helpdesk"
APP_AUTHOR = "Helpdesk"


def data_dir() -> Path:
    """The data folder; `HELPDESK_DATA_DIR` overrides it (tests, portable installs)."""
    override = os.environ.get("HELPDESK_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))
