"""The ASGI application: built from a ServerConfig by `create_app`, or from environment
variables by `app_from_env` (what uvicorn's worker processes call)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, replace
from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session

from core.blobs import BlobStore
from sync.server import changelog
from sync.server.config import MailConfig, ServerConfig, SmsConfig
from sync.server.database import migrate, server_engine, server_sessions
from sync.server.errors import BodyLimit, install_error_handlers
from sync.server.events import ChangeNotifier, listen_postgres, poll_counter

API_PREFIX = "/api/v1"
ENV_CONFIG = "HELPDESK_SERVER_CONFIG"


def _routers() -> list[APIRouter]:
    from sync.server.routes import auth, health, portal, presence, resources, sync, tickets

    return [m.router for m in (health, auth, sync, tickets, resources, portal, presence)]


def create_app(
    config: ServerConfig,
    *,
    migrate_schema: bool = False,
) -> FastAPI:
    engine = server_engine(config.database_url)
    if migrate_schema:
        migrate(engine)
    notifier = ChangeNotifier()
    sessions = server_sessions(engine, notifier.publish, config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        notifier.bind(asyncio.get_running_loop())
        with Session(engine) as session:
            notifier.latest = changelog.current_seq(session)
        if engine.dialect.name == "postgresql":
            watcher = listen_postgres(config.database_url, notifier)
        else:
            watcher = poll_counter(engine, notifier)
        task = asyncio.create_task(watcher)
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            engine.dispose()

    app = FastAPI(
        title="Helpdesk server",
        version="1",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.config = config
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.notifier = notifier
    app.state.blobs = BlobStore(config.blob_dir)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=config.max_body_bytes, upload_limit=config.max_upload_bytes)
    for router in _routers():
        app.include_router(router, prefix=API_PREFIX)
    return app


def config_to_env(config: ServerConfig) -> str:
    data = asdict(config)
    data["blob_dir"] = str(config.blob_dir)
    data["secret"] = config.secret.hex()
    data["token_ttl"] = config.token_ttl.total_seconds()
    return json.dumps(data)


def config_from_env(text: str) -> ServerConfig:
    data = json.loads(text)
    return replace(
        ServerConfig(),
        **{
            **data,
            "blob_dir": Path(data["blob_dir"]),
            "secret": bytes.fromhex(data["secret"]),
            "token_ttl": timedelta(seconds=data["token_ttl"]),
            "mail": MailConfig(**data["mail"]),
            "sms": SmsConfig(**data["sms"]),
        },
    )


def app_from_env() -> FastAPI:
    """uvicorn `--factory` entry: each worker process builds its app from the config the
    parent put in the environment (mail and SMS run in the parent: sync.server.mailroom)."""
    return create_app(config_from_env(os.environ[ENV_CONFIG]))
