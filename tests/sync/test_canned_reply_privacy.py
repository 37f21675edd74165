"""A personal canned reply is its owner's alone (E2, S8, O3): the server never sends it to
anyone else, a supervisor or an admin included, in pull pages, bootstrap snapshot pages
or the REST listing, and refuses their edits as if it were absent (404). When a reply
turns personal or changes owner, the others' next pull drops it from their caches
(`leave_scope`). Real server on loopback (SQLite and PostgreSQL), real sync engine on
real cache files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from core.enums import Role
from core.models import User
from tests.core.factories import make_user
from tests.sync.server_fixture import LiveServer
from tests.sync.test_client_engine import cache, ids, sync


def _user(server: LiveServer, role: Role, name: str) -> tuple[User, httpx.Client]:
    with server.sessions() as s:
        user = make_user(s, role=role, username=name)
        s.commit()
    # a connection per request: kept-alive loopback answers come ~40 ms late
    http = server.client(
        server.token_for(user.id), limits=httpx.Limits(max_keepalive_connections=0)
    )
    return user, http


def _ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if reply.content else None


def _pulled(http: httpx.Client, cursor: str | None = None) -> tuple[dict[str, str], str]:
    """Every canned reply change of a pull from `cursor` to the end: id -> op."""
    seen: dict[str, str] = {}
    while True:
        params = {"cursor": cursor, "limit": 3} if cursor else {"limit": 3}
        page = _ok(http.get("/sync/pull", params=params))
        for change in page["changes"]:
            if change["entity"] == "canned_reply":
                seen[change["id"]] = change["op"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return seen, cursor


def _received(ops: dict[str, str]) -> set[str]:
    return {i for i, op in ops.items() if op == "upsert"}


def _snapshot(http: httpx.Client) -> tuple[set[str], int]:
    """The canned reply ids of every bootstrap page, and the first page's total."""
    found: set[str] = set()
    after, total = "", -1
    while True:
        page = _ok(
            http.get(
                "/sync/snapshot", params={"entity": "canned_reply", "after": after, "limit": 1}
            )
        )
        if not after:
            total = page["total"]
        for table in page["tables"]:
            if table["table"] == "canned_replies":
                key = table["columns"].index("id")
                found.update(row[key] for row in table["rows"])
        if page["next"] is None:
            return found, total
        after = page["next"]


def test_e2_s8_o3_a_personal_canned_reply_reaches_only_its_owner(server: LiveServer) -> None:
    owner, mine = _user(server, Role.AGENT, "owner")
    _, colleague = _user(server, Role.AGENT, "colleague")
    _, supervisor = _user(server, Role.SUPERVISOR, "supervisor")
    _, admin = _user(server, Role.ADMIN, "admin")
    with mine, colleague, supervisor, admin:
        shared = _ok(mine.post("/canned-replies", json={"title": "Hello", "body": "Hi"}), 201)
        personal = _ok(
            mine.post(
                "/canned-replies",
                json={"title": "My snippet", "body": "private", "owner_id": owner.id},
            ),
            201,
        )
        everyone = {shared["id"]}
        # the owner gets it everywhere
        assert _received(_pulled(mine)[0]) == everyone | {personal["id"]}
        assert _snapshot(mine) == (everyone | {personal["id"]}, 2)
        listed = _ok(mine.get("/canned-replies"))["items"]
        assert {r["id"] for r in listed} == everyone | {personal["id"]}
        assert _ok(mine.get(f"/canned-replies/{personal['id']}"))["body"] == "private"
        # nobody else does: not a colleague, not a supervisor, not an admin
        for other in (colleague, supervisor, admin):
            # at most a leave_scope without the row, as for a ticket out of sight
            pulled = _pulled(other)[0]
            assert _received(pulled) == everyone
            assert pulled.get(personal["id"], "leave_scope") == "leave_scope"
            assert _snapshot(other) == (everyone, 1)
            assert {r["id"] for r in _ok(other.get("/canned-replies"))["items"]} == everyone
            url = f"/canned-replies/{personal['id']}"
            for reply in (
                other.get(url),
                other.patch(url, json={"body": "taken over"}),
                other.patch(url, json={"owner_id": None}),
                other.delete(url),
            ):
                assert reply.status_code == 404, reply.text
                assert reply.json()["error"]["code"] == "not_found"
        # refused edits changed nothing: the owner still has it as written
        kept = _ok(mine.get(f"/canned-replies/{personal['id']}"))
        assert (kept["body"], kept["owner_id"], kept["version"]) == (
            "private",
            owner.id,
            personal["version"],
        )
        # an admin still manages the shared ones
        edited = _ok(admin.patch(f"/canned-replies/{shared['id']}", json={"body": "Hello!"}))
        assert edited["body"] == "Hello!"


def test_e2_o3_a_reply_turned_personal_leaves_the_other_caches(
    server: LiveServer, tmp_path: Path
) -> None:
    owner, mine = _user(server, Role.AGENT, "owner")
    other_agent, theirs = _user(server, Role.AGENT, "other")
    _, admin = _user(server, Role.ADMIN, "admin")
    tokens = {
        "owner": server.token_for(owner.id),
        "other": server.token_for(other_agent.id),
    }
    paths = {name: tmp_path / f"{name}.sqlite3" for name in tokens}
    for path in paths.values():
        with cache(path):
            pass

    def sync_all() -> None:
        for name, path in paths.items():
            sync(path, server, tokens[name])

    with mine, theirs, admin:
        reply = _ok(
            mine.post("/canned-replies", json={"title": "Thanks", "body": "Thank you"}), 201
        )
        sync_all()  # the first sync: a bootstrap snapshot
        assert reply["id"] in ids(paths["other"], "canned_replies")
        assert reply["id"] in ids(paths["owner"], "canned_replies")
        _, cursor = _pulled(theirs)

        # the owner keeps it for themselves: the other agent's next pull drops it
        _ok(mine.patch(f"/canned-replies/{reply['id']}", json={"owner_id": owner.id}))
        assert _pulled(theirs, cursor)[0] == {reply["id"]: "leave_scope"}
        sync_all()
        assert reply["id"] not in ids(paths["other"], "canned_replies")
        assert reply["id"] in ids(paths["owner"], "canned_replies")

        # shared again: it comes back
        _ok(mine.patch(f"/canned-replies/{reply['id']}", json={"owner_id": None}))
        sync_all()
        assert reply["id"] in ids(paths["other"], "canned_replies")

        # an admin hands it to the other agent: it leaves the first owner's cache
        _ok(admin.patch(f"/canned-replies/{reply['id']}", json={"owner_id": other_agent.id}))
        sync_all()
        assert reply["id"] not in ids(paths["owner"], "canned_replies")
        assert reply["id"] in ids(paths["other"], "canned_replies")
        assert admin.get(f"/canned-replies/{reply['id']}").status_code == 404
