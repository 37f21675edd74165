"""A cheap liveness check that also says which change number the server is at, and how
large a file it takes (clients check a file against it before sending: a body refused
mid-upload may reach the client as a reset connection instead of the 413)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from sync.server import changelog
from sync.server.deps import Config, Db

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: Db, config: Config) -> dict[str, object]:
    session.execute(text("SELECT 1"))
    return {
        "ok": True,
        "seq": changelog.current_seq(session),
        "max_upload_bytes": config.max_upload_bytes,
    }
