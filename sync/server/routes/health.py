"""A cheap liveness check that also says which change number the server is at."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from sync.server import changelog
from sync.server.deps import Db

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: Db) -> dict[str, object]:
    session.execute(text("SELECT 1"))
    return {"ok": True, "seq": changelog.current_seq(session)}
