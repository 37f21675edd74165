"""What the composition root hands to the window: services built once, passed down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.ids import utcnow
from desktop.i18n import Localization
from desktop.runner import DbRunner


@dataclass
class WindowContext:
    """The services and the signed-in agent a window works with."""

    runner: DbRunner
    localization: Localization
    user_id: str | None
    user_name: str
    cache_path: Path
    clock: Callable[[], datetime] = field(default=utcnow)
