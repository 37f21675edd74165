"""Every refusal as a 4xx with a stable code and a readable message, never a 500:
`{"error": {"code", "message", "field"?, "errors"?}}`. The client translates the code."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import DomainError, NotFoundError, PermissionDenied, ValidationError


class Conflict(DomainError):
    """The row moved on since the client's base version."""

    code = "conflict"


class Unauthorized(DomainError):
    code = "unauthorized"


STATUS = {
    ValidationError: 422,
    NotFoundError: 404,
    PermissionDenied: 403,
    Conflict: 409,
    Unauthorized: 401,
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 409


def domain_error_payload(exc: DomainError) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationError):
        extra["field"] = exc.field
    return error_body(exc.code, exc.message, **extra)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def on_domain(_request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return JSONResponse(domain_error_payload(exc), status_code=status_of(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _location(tuple(e.get("loc", ()))),
                "message": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        if any(e["type"] == "json_invalid" for e in errors):
            body = error_body("malformed_json", "The request body is not valid JSON.")
            return JSONResponse(body, status_code=400)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        body = error_body("invalid_request", f"Invalid request: {summary}", errors=errors)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )


class BodyLimit:
    """Refuses bodies over the limit with 413 before they reach a handler, whether or
    not the client declared a Content-Length. Upload paths get the larger limit."""

    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.upload_limit if "/attachments" in path else self.limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, limit)


class _BodyTooLarge(StarletteHTTPException):
    """An HTTP error, so FastAPI's body parser passes it on as a 413 instead of turning it
    into a generic 400 "error parsing the body"."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


async def _too_large(send: Send, limit: int) -> None:
    import json

    body = json.dumps(
        error_body("too_large", f"The request body is larger than {limit} bytes.", limit=limit)
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
