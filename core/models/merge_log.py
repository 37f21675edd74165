"""What a merge moved (O6), so "Undo merge" can put every row back where it was.

Not synced: the server keeps its own log (written by its `ticket.merge` command) and the
client keeps one for the merges made in its cache; both are written by core.merge_undo
from the same snapshot, so both undos restore the same state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from core.ids import new_id, utcnow
from core.models.base import Base


class MergeLog(Base):
    """One merge: the kept ticket, the merged ones and, in `record`, where each moved
    message, attachment, follower, contact and tag came from (core.merge_undo)."""

    __tablename__ = "merge_log"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kept_id: Mapped[str] = mapped_column(String(36), index=True)
    merged_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(default=None)
