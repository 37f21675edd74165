"""Log in, log out, who am I, and revoking tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from core.errors import NotFoundError
from core.models import AuthToken, User
from sync.server import auth
from sync.server.deps import Admin, Config, CurrentUser, Db
from sync.server.errors import Unauthorized

router = APIRouter(prefix="/auth", tags=["auth"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1024)
    label: str | None = Field(default=None, max_length=120)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    email: str | None
    contact_id: str | None


class LoginOut(BaseModel):
    token: str
    expires_at: datetime
    user: UserOut


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        email=user.email,
        contact_id=user.contact_id,
    )


@router.post("/login")
def login(body: LoginIn, session: Db, config: Config) -> LoginOut:
    """A bearer token for the user; the same refusal for an unknown name and a wrong
    password, so names cannot be probed."""
    user = auth.authenticate(session, body.username, body.password)
    if user is None:
        raise Unauthorized("Wrong user name or password.")
    raw = auth.issue_token(session, user, config.token_ttl, body.label)
    session.commit()
    token = session.query(AuthToken).filter_by(token_hash=auth.token_digest(raw)).one()
    return LoginOut(token=raw, expires_at=token.expires_at, user=user_out(user))


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return user_out(user)


@router.post("/logout", status_code=204)
def logout(request: Request, user: CurrentUser, session: Db) -> None:
    token: AuthToken = session.merge(request.state.token)
    auth.revoke(session, token)
    session.commit()


@router.post("/users/{user_id}/revoke", status_code=200)
def revoke_user(user_id: str, _admin: Admin, session: Db) -> dict[str, int]:
    """An admin ends every session of a user (a lost laptop, a leaver)."""
    if session.get(User, user_id) is None:
        raise NotFoundError("No such user.")
    count = auth.revoke_all(session, user_id)
    session.commit()
    return {"revoked": count}
