"""A file's hash is no key (O3, C2, I2, S6): the server hands a file's bytes, and lets one
name them on a ticket (`attachment.create`), only to someone who may see a ticket that
carries them or who uploaded those bytes themselves (`blob_uploads`, migration 0008). A
hash learned from a log, a colleague or a ticket seen once opens nothing, and naming it
on a ticket one can see does not make it readable there. Real server on loopback (SQLite
and PostgreSQL)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from core.enums import Role, Visibility
from core.models import Attachment, Team
from core.models.server import BlobUpload
from tests.core.factories import add_member, make_team, make_ticket, make_user
from tests.sync.server_fixture import LiveServer

SECRET = b"salary sheet: confidential " * 40
DIGEST = hashlib.sha256(SECRET).hexdigest()


@dataclass
class Staff:
    """A staff member's client and its push numbering."""

    id: str
    http: httpx.Client
    name: str
    seq: int = 0

    def put(self, data: bytes = SECRET) -> httpx.Response:
        digest = hashlib.sha256(data).hexdigest()
        return self.http.put(f"/attachments/{digest}", files={"file": ("f.bin", data)})

    def attach(self, ticket_id: str, content_hash: str = DIGEST) -> dict[str, Any]:
        """Push one `attachment.create`; its result."""
        self.seq += 1
        entity_id = str(uuid.uuid4())
        body = {
            "client_id": f"{self.name}-client",
            "mutations": [
                {
                    "seq": self.seq,
                    "id": str(uuid.uuid4()),
                    "name": "attachment.create",
                    "entity_id": entity_id,
                    "payload": {
                        "ticket_id": ticket_id,
                        "filename": "sheet.xlsx",
                        "content_hash": content_hash,
                    },
                }
            ],
        }
        reply = self.http.post("/sync/push", json=body)
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()["results"][0]
        return result


def _staff(server: LiveServer, name: str, *, role: Role = Role.AGENT, team: str = "") -> Staff:
    with server.sessions() as s:
        user = make_user(s, role=role, username=name)
        if team:
            found = s.get(Team, team)
            assert found is not None
            add_member(s, found, user)
        s.commit()
    http = server.client(
        server.token_for(user.id), limits=httpx.Limits(max_keepalive_connections=0)
    )
    return Staff(user.id, http, name)


def _seed(server: LiveServer) -> dict[str, str]:
    """A public team's two tickets and a private team's ticket."""
    with server.sessions() as s:
        public = make_team(s, "Support", visibility=Visibility.PUBLIC)
        private = make_team(s, "Payroll", visibility=Visibility.PRIVATE)
        first = make_ticket(s, "Printer", team=public)
        second = make_ticket(s, "Scanner", team=public)
        secret = make_ticket(s, "Salaries", team=private)
        s.commit()
        return {
            "private": private.id,
            "first": first.id,
            "second": second.id,
            "secret": secret.id,
        }


def _rows(server: LiveServer) -> dict[str, str]:
    """Attachment rows on the server: id -> ticket id."""
    with server.sessions() as s:
        return {a.id: a.ticket_id for a in s.scalars(select(Attachment))}


def _refused(result: dict[str, Any]) -> None:
    assert result["status"] == "rejected", result
    assert (result["code"], result["field"]) == ("blob_missing", "content_hash")
    assert "did not reach the server" in result["reason"]


def test_o3_c2_a_hash_learned_elsewhere_neither_downloads_nor_attaches(
    server: LiveServer,
) -> None:
    t = _seed(server)
    payroll = _staff(server, "payroll", team=t["private"])  # A: sees the private team
    other = _staff(server, "other")  # B: does not
    supervisor = _staff(server, "boss", role=Role.SUPERVISOR)
    with payroll.http, other.http, supervisor.http:
        assert payroll.put().status_code == 201
        with server.sessions() as s:
            assert s.get(BlobUpload, (DIGEST, payroll.id)) is not None

        # the uploader reads their own bytes back; nobody else, whatever their role
        mine = payroll.http.get(f"/attachments/{DIGEST}")
        assert mine.status_code == 200 and mine.content == SECRET
        for stranger in (other, supervisor):
            for method in ("GET", "HEAD"):
                denied = stranger.http.request(method, f"/attachments/{DIGEST}")
                assert denied.status_code == 404, denied.text

        # B may not name A's upload on a ticket B can see (that would open it to B)
        _refused(other.attach(t["first"]))
        assert _rows(server) == {}
        assert other.http.get(f"/attachments/{DIGEST}").status_code == 404

        # A names it on the private ticket: it stays out of B's reach
        assert payroll.attach(t["secret"])["status"] == "applied"
        assert other.http.get(f"/attachments/{DIGEST}").status_code == 404
        _refused(other.attach(t["second"]))
        # a hash the server never saw is refused the same way: a refusal tells nothing
        _refused(other.attach(t["first"], hashlib.sha256(b"never sent").hexdigest()))
        assert set(_rows(server).values()) == {t["secret"]}

        # once a ticket B can see carries it, B may read it and name it elsewhere
        assert payroll.attach(t["first"])["status"] == "applied"
        opened = other.http.get(f"/attachments/{DIGEST}")
        assert opened.status_code == 200 and opened.content == SECRET
        assert 'filename="sheet.xlsx"' in opened.headers["content-disposition"]
        assert other.attach(t["second"])["status"] == "applied"
        assert sorted(_rows(server).values()) == sorted([t["secret"], t["first"], t["second"]])


def test_o3_c2_uploading_the_bytes_oneself_lets_one_attach_them(server: LiveServer) -> None:
    """Bytes are stored once per hash: someone who sends the same bytes proves they have
    them, and is recorded as their uploader too; a bad or unknown hash stays 404."""
    t = _seed(server)
    payroll = _staff(server, "payroll", team=t["private"])
    other = _staff(server, "other")
    with payroll.http, other.http:
        assert payroll.put().status_code == 201
        assert payroll.attach(t["secret"])["status"] == "applied"
        _refused(other.attach(t["first"]))
        again = other.put()
        assert again.status_code == 201 and again.json()["content_hash"] == DIGEST
        assert other.http.get(f"/attachments/{DIGEST}").content == SECRET
        assert other.attach(t["first"])["status"] == "applied"
        with server.sessions() as s:
            uploaders = set(s.scalars(select(BlobUpload.user_id)))
        assert uploaders == {payroll.id, other.id}
        assert other.http.get("/attachments/not-a-hash").status_code == 404
        unknown = hashlib.sha256(b"nothing").hexdigest()
        assert other.http.get(f"/attachments/{unknown}").status_code == 404
