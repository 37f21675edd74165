"""Signing in to the server (`POST /api/v1/auth/login`) from the window, on its asyncio
loop. The token is kept by `sync.client.credentials.TokenStore`, as the terminal client
keeps it."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from sync.client.credentials import normalize_server

TIMEOUT = 15.0


@dataclass(frozen=True)
class SignedIn:
    server: str
    username: str
    token: str
    user_id: str
    display_name: str
    role: str


class LoginError(Exception):
    """Signing in failed; the message is the server's (English) or ours."""


class LoginRefused(LoginError):
    """Wrong user name or password (401)."""


class ServerUnreachable(LoginError):
    """No answer from that address."""


class AccountMismatch(LoginError):
    """Signed in, but as an account this window may not use (its cache is another
    account's); the message is for the agent, already in their language."""


def normalize_address(server: str) -> str:
    """What the agent typed as a base URL: `host:port` gets `http://`."""
    address = server.strip()
    if address and "://" not in address:
        address = "http://" + address
    return normalize_server(address.removesuffix("/api/v1"))


async def login(server: str, username: str, password: str, *, label: str) -> SignedIn:
    base = normalize_address(server)
    body = {"username": username, "password": password, "label": label[:120]}
    try:
        async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=TIMEOUT) as client:
            reply = await client.post("/auth/login", json=body)
    except (httpx.TransportError, httpx.InvalidURL, ValueError) as exc:
        raise ServerUnreachable(f"{type(exc).__name__}: {exc}") from exc
    if reply.status_code == 401:
        raise LoginRefused(_message(reply))
    if reply.status_code != 200:
        raise LoginError(_message(reply))
    try:
        data = reply.json()
        user = data["user"]
        return SignedIn(
            server=base,
            username=username,
            token=str(data["token"]),
            user_id=str(user["id"]),
            display_name=str(user["display_name"]),
            role=str(user["role"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise LoginError("The server's answer could not be read.") from exc


async def logout(server: str, token: str, *, timeout: float = 5.0) -> bool:
    """Revoke `token` on the server (`POST /api/v1/auth/logout`). True when the server
    no longer takes it (revoked now, or already revoked or expired: 401); False when it
    could not be reached or refused otherwise. The token is never logged."""
    base = normalize_address(server)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=timeout) as client:
            reply = await client.post("/auth/logout", headers=headers)
    except (httpx.TransportError, httpx.InvalidURL, ValueError):
        return False
    return reply.status_code in (200, 204, 401)


def _message(reply: httpx.Response) -> str:
    try:
        message = reply.json()["error"]["message"]
        if isinstance(message, str) and message:
            return message
    except (ValueError, KeyError, TypeError):
        pass
    return f"The server answered {reply.status_code}."
