"""Request-scoped dependencies: a database session and the user behind the token.
Every endpoint names the role it needs; nothing the client says about itself is trusted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from core.enums import Role
from core.errors import PermissionDenied
from core.models import User
from sync.server.auth import resolve_token
from sync.server.config import ServerConfig
from sync.server.errors import Unauthorized

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/login")


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_config(request: Request) -> ServerConfig:
    config: ServerConfig = request.app.state.config
    return config


Db = Annotated[Session, Depends(get_db)]
Config = Annotated[ServerConfig, Depends(get_config)]


def current_user(
    request: Request,
    session: Db,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Log in first and send the token as 'Authorization: Bearer <token>'.")
    found = resolve_token(session, credentials.credentials.strip())
    if found is None:
        raise Unauthorized("The token is unknown, expired or revoked; log in again.")
    request.state.token = found[1]
    return found[0]


CurrentUser = Annotated[User, Depends(current_user)]


def _needs(*roles: Role) -> object:
    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied("Your role may not do this.")
        return user

    return Depends(check)


STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
Staff = Annotated[User, _needs(*STAFF_ROLES)]
Supervisor = Annotated[User, _needs(Role.SUPERVISOR, Role.ADMIN)]
Admin = Annotated[User, _needs(Role.ADMIN)]
Customer = Annotated[User, _needs(Role.PORTAL)]
