"""The server's reference-data resources over REST, for the settings window (O2-O5, P3-P5,
C1, E1, E2, S8): teams and their stages, the priority matrix and SLA targets, canned
replies and the like. These are admin edits that need the server's validation at once, so
they do not go through the outbox; the cache gets them back through the next pull.

Every refusal becomes an `AdminError` carrying the server's stable code, its message and
the field it names (`{"error": {"code", "message", "field"?, "errors"?}}`); an unreachable
server becomes `AdminOffline`. The caller translates the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from sync.client.engine import _api_url

JsonObject = dict[str, Any]


@dataclass
class FieldError:
    """One field the server refused, with its reason (`type` is pydantic's, or the code)."""

    field: str
    message: str
    type: str


@dataclass
class AdminError(Exception):
    """The server refused the call (4xx)."""

    status: int
    code: str
    message: str
    fields: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def field_names(self) -> set[str]:
        return {f.field.split(".")[0] for f in self.fields}


class AdminOffline(Exception):
    """The server could not be reached (or answered 5xx): nothing changed there."""


def _error_of(response: httpx.Response) -> AdminError:
    try:
        body = response.json()
        error = body["error"]
        code = str(error.get("code", "http_error"))
        message = str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return AdminError(response.status_code, "http_error", response.text[:200])
    fields: list[FieldError] = []
    if isinstance(error.get("field"), str):
        fields.append(FieldError(error["field"], message, code))
    for item in error.get("errors") or []:
        if isinstance(item, dict):
            fields.append(
                FieldError(
                    str(item.get("field", "")),
                    str(item.get("message", "")),
                    str(item.get("type", "")),
                )
            )
    return AdminError(response.status_code, code, message, fields)


class AdminApi:
    """An async client of `/api/v1/` resources as one signed-in user."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=_api_url(base_url),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(self, method: str, path: str, json: Any = None) -> Any:
        """The decoded answer (None for 204); AdminError on 4xx, AdminOffline otherwise."""
        try:
            response = await self._http.request(method, path, json=json)
        except httpx.HTTPError as exc:
            raise AdminOffline(str(exc) or type(exc).__name__) from exc
        if response.status_code >= 500:
            raise AdminOffline(f"server error {response.status_code}")
        if response.status_code >= 400:
            raise _error_of(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # --- teams and stages (O1-O5) -----------------------------------------------------

    async def team(self, team_id: str) -> JsonObject:
        result: JsonObject = await self.request("GET", f"/teams/{team_id}")
        return result

    async def create_team(self, values: JsonObject) -> JsonObject:
        result: JsonObject = await self.request("POST", "/teams", values)
        return result

    async def update_team(self, team_id: str, changes: JsonObject) -> JsonObject:
        result: JsonObject = await self.request("PATCH", f"/teams/{team_id}", changes)
        return result

    async def set_member(self, team_id: str, user_id: str, *, assignable: bool) -> JsonObject:
        result: JsonObject = await self.request(
            "PUT", f"/teams/{team_id}/members/{user_id}", {"assignable": assignable}
        )
        return result

    async def remove_member(self, team_id: str, user_id: str) -> JsonObject:
        result: JsonObject = await self.request("DELETE", f"/teams/{team_id}/members/{user_id}")
        return result

    async def deactivate_team(self, team_id: str) -> None:
        """The server keeps the team (its tickets keep it too) but marks it inactive."""
        await self.request("DELETE", f"/teams/{team_id}")

    async def add_team_follower(
        self, team_id: str, *, user_id: str | None = None, contact_id: str | None = None
    ) -> JsonObject:
        """O4: a staff user or a contact follows every ticket of the team."""
        body = {"user_id": user_id} if user_id is not None else {"contact_id": contact_id}
        result: JsonObject = await self.request("POST", f"/teams/{team_id}/followers", body)
        return result

    async def remove_team_follower(
        self, team_id: str, *, user_id: str | None = None, contact_id: str | None = None
    ) -> JsonObject:
        kind, party = ("users", user_id) if user_id is not None else ("contacts", contact_id)
        result: JsonObject = await self.request(
            "DELETE", f"/teams/{team_id}/followers/{kind}/{party}"
        )
        return result

    async def stages(self, team_id: str) -> list[JsonObject]:
        result: list[JsonObject] = await self.request("GET", f"/teams/{team_id}/stages")
        return result

    async def create_stage(self, team_id: str, values: JsonObject) -> JsonObject:
        result: JsonObject = await self.request("POST", f"/teams/{team_id}/stages", values)
        return result

    async def update_stage(self, stage_id: str, changes: JsonObject) -> JsonObject:
        result: JsonObject = await self.request("PATCH", f"/stages/{stage_id}", changes)
        return result

    # --- settings (P4, E1) ------------------------------------------------------------

    async def settings(self) -> JsonObject:
        result: JsonObject = await self.request("GET", "/settings")
        return result

    async def put_priority_matrix(self, matrix: JsonObject) -> JsonObject:
        result: JsonObject = await self.request("PUT", "/settings/priority-matrix", matrix)
        return result

    async def put_sla_targets(self, targets: JsonObject) -> JsonObject:
        result: JsonObject = await self.request("PUT", "/settings/sla-targets", targets)
        return result

    # --- canned replies (E2) and the rest: one generic pair ---------------------------

    async def create(self, collection: str, values: JsonObject) -> JsonObject:
        """POST to `collection` ("canned-replies", "kb-articles", "departments", ...)."""
        result: JsonObject = await self.request("POST", f"/{collection}", values)
        return result

    async def update(self, collection: str, row_id: str, changes: JsonObject) -> JsonObject:
        result: JsonObject = await self.request("PATCH", f"/{collection}/{row_id}", changes)
        return result

    async def delete(self, collection: str, row_id: str) -> None:
        """DELETE `collection/row_id` ("stages", "subjects", "custom-fields", ...); a row
        still in use is refused with code "in_use" and nothing changes."""
        await self.request("DELETE", f"/{collection}/{row_id}")
