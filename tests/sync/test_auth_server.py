"""Login, tokens and roles on a real server (issue 3, part 2)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.enums import Role
from core.ids import utcnow
from core.models import AuthToken, User
from sync.server.auth import hash_password, token_digest
from tests.core.factories import make_user
from tests.sync.server_fixture import LiveServer


def _user_with_password(server: LiveServer, password: str, **fields: object) -> User:
    with server.sessions() as session:
        user = make_user(session, password_hash=hash_password(password), **fields)  # type: ignore[arg-type]
        session.commit()
        return user


def test_login_returns_a_token_stored_only_as_a_hash(server: LiveServer) -> None:
    user = _user_with_password(server, "correct horse")
    with server.client() as client:
        reply = client.post(
            "/auth/login", json={"username": user.username, "password": "correct horse"}
        )
    assert reply.status_code == 200, reply.text
    token = reply.json()["token"]
    assert reply.json()["user"]["role"] == "agent"
    with server.sessions() as session:
        stored = session.scalars(select(AuthToken).where(AuthToken.user_id == user.id)).one()
        assert stored.token_hash == token_digest(token)
        assert token not in stored.token_hash
        hashed = session.get(User, user.id)
        assert hashed is not None and hashed.password_hash is not None
        assert hashed.password_hash.startswith("$argon2id$")
    with server.client(token) as client:
        assert client.get("/auth/me").json()["username"] == user.username


def test_wrong_password_and_unknown_user_get_the_same_refusal(server: LiveServer) -> None:
    user = _user_with_password(server, "correct horse")
    with server.client() as client:
        wrong = client.post("/auth/login", json={"username": user.username, "password": "nope"})
        unknown = client.post("/auth/login", json={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_inactive_user_cannot_log_in(server: LiveServer) -> None:
    user = _user_with_password(server, "correct horse", active=False)
    with server.client() as client:
        reply = client.post(
            "/auth/login", json={"username": user.username, "password": "correct horse"}
        )
    assert reply.status_code == 401


def test_missing_bad_expired_and_revoked_tokens_are_refused(server: LiveServer) -> None:
    user, client = server.user_client()
    with client, server.client() as anonymous:
        assert anonymous.get("/auth/me").status_code == 401
        assert (
            anonymous.get("/auth/me", headers={"Authorization": "Bearer hd_forged"}).status_code
            == 401
        )
        assert client.get("/auth/me").status_code == 200
        assert client.post("/auth/logout").status_code == 204
        refused = client.get("/auth/me")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
    token = server.token_for(user.id)
    with server.sessions() as session:
        row = session.scalars(
            select(AuthToken).where(AuthToken.token_hash == token_digest(token))
        ).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    with server.client(token) as expired:
        assert expired.get("/auth/me").status_code == 401


def test_admin_revokes_every_session_of_a_user(server: LiveServer) -> None:
    agent, agent_client = server.user_client()
    _, admin_client = server.user_client(Role.ADMIN)
    _, supervisor_client = server.user_client(Role.SUPERVISOR)
    with agent_client, admin_client, supervisor_client:
        assert supervisor_client.post(f"/auth/users/{agent.id}/revoke").status_code == 403
        assert agent_client.get("/auth/me").status_code == 200
        reply = admin_client.post(f"/auth/users/{agent.id}/revoke")
        assert reply.status_code == 200 and reply.json()["revoked"] == 1
        assert agent_client.get("/auth/me").status_code == 401


def test_openapi_lists_every_endpoint_under_api_v1(sqlite_server: LiveServer) -> None:
    with sqlite_server.client() as client:
        spec = client.get(f"{sqlite_server.url}/openapi.json").json()
    assert spec["paths"]
    assert all(path.startswith("/api/v1/") for path in spec["paths"])
