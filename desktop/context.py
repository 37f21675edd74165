"""What the composition root hands to the window: services built once, passed down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.ids import utcnow
from desktop.i18n import Localization
from desktop.runner import DbRunner

if TYPE_CHECKING:
    from desktop.sync_bridge import SyncBridge


@dataclass
class WindowContext:
    """The services and the signed-in agent a window works with."""

    runner: DbRunner
    localization: Localization
    user_id: str | None
    user_name: str
    cache_path: Path
    clock: Callable[[], datetime] = field(default=utcnow)
    sync: SyncBridge | None = None
    """The sync engine in the window; None when working offline."""

    def local_edit_done(self) -> None:
        """Call after every local edit (its intent is in the outbox): syncs soon."""
        if self.sync is not None:
            self.sync.poke()
