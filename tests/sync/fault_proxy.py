"""A real HTTP proxy on loopback in front of a real server, which breaks answers on
demand: a status and body of our choosing instead of the server's, either without the
server seeing the request or after it has handled it (the answer "garbled on the way").
Everything else passes through unchanged, streams included (ASGI under uvicorn, httpx
upstream)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

# hop-by-hop headers, never copied across
_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "upgrade", "te", "trailer"}


@dataclass
class Fault:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    # True: the server handles the request first and only its answer is replaced
    forward: bool = False
    # how many requests it hits; None: until cleared
    times: int | None = None
    # only requests whose body this accepts (None: every request to the path)
    when: Callable[[bytes], bool] | None = None


@dataclass
class FaultProxy:
    upstream: str
    url: str = ""
    faults: dict[str, Fault] = field(default_factory=dict)
    # (method, path, status answered, fault injected)
    log: list[tuple[str, str, int, bool]] = field(default_factory=list)

    def inject(self, path: str, status: int, body: bytes | str = b"", **kw: Any) -> None:
        """Break answers to `path` (below /api/v1, e.g. "/sync/push")."""
        raw = body.encode() if isinstance(body, str) else body
        self.faults["/api/v1" + path] = Fault(status=status, body=raw, **kw)

    def clear(self) -> None:
        self.faults.clear()

    def hits(self, path: str, *, faulty: bool | None = None) -> int:
        return sum(
            1
            for _, p, _, f in self.log
            if p == "/api/v1" + path and (faulty is None or f is faulty)
        )

    def _fault_for(self, path: str, body: bytes) -> Fault | None:
        fault = self.faults.get(path)
        if fault is None or (fault.when is not None and not fault.when(body)):
            return None
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                del self.faults[path]
        return fault

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path: str = scope["path"]
        fault = self._fault_for(path, body)
        if fault is not None and not fault.forward:
            await self._answer(send, scope["method"], path, fault)
            return
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in scope["headers"]
            if k.decode("latin-1").lower() not in _HOP | {"content-length"}
        ]
        query = scope.get("query_string", b"").decode()
        target = self.upstream + path + (f"?{query}" if query else "")
        timeout = httpx.Timeout(10.0, read=120.0)
        async with httpx.AsyncClient(timeout=timeout) as client:
            request = client.build_request(scope["method"], target, headers=headers, content=body)
            reply = await client.send(request, stream=True)
            try:
                if fault is not None:  # the server did the work; its answer is lost
                    await reply.aread()
                    await self._answer(send, scope["method"], path, fault)
                    return
                self.log.append((scope["method"], path, reply.status_code, False))
                out = [
                    (k.encode("latin-1"), v.encode("latin-1"))
                    for k, v in reply.headers.multi_items()
                    if k.lower() not in _HOP
                ]
                await send(
                    {"type": "http.response.start", "status": reply.status_code, "headers": out}
                )
                async for chunk in reply.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
            finally:
                await reply.aclose()

    async def _answer(self, send: Any, method: str, path: str, fault: Fault) -> None:
        self.log.append((method, path, fault.status, True))
        headers = [
            (b"content-type", fault.content_type.encode()),
            (b"content-length", str(len(fault.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": fault.status, "headers": headers})
        await send({"type": "http.response.body", "body": fault.body})


@contextmanager
def running_proxy(upstream: str) -> Iterator[FaultProxy]:
    """The proxy on a free loopback port, in front of `upstream` (a server's base URL)."""
    proxy = FaultProxy(upstream=upstream.rstrip("/"))
    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    proxy.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(
        uvicorn.Config(proxy, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the proxy did not start")
        time.sleep(0.01)
    try:
        yield proxy
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
