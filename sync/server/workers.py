"""Several server processes on one port, each with its own listening socket
(SO_REUSEPORT), so the kernel spreads connections over them.

uvicorn's own `--workers` shares one socket among its processes, and whichever process
is in `accept()` first takes a whole burst of connections: kept alive, they then all
stay on one process while the other idles (measured: one worker at 94% CPU, the other
at 1%, under eight syncing clients). With a socket each, the kernel hashes every new
connection to a process. Linux and the BSDs have SO_REUSEPORT; elsewhere the caller
falls back to uvicorn's workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from types import FrameType

log = logging.getLogger(__name__)


def supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, log_level: str) -> None:
    import uvicorn

    from sync.server.app import app_from_env

    sock = _listening_socket(host, port)
    config = uvicorn.Config(
        app_from_env(), log_level=log_level, timeout_graceful_shutdown=5, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[sock])


def run(host: str, port: int, workers: int, log_level: str) -> None:
    """Start `workers` processes and wait; SIGINT or SIGTERM stops them all. A worker
    that dies is started again."""
    ctx = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        proc = ctx.Process(target=_worker, args=(host, port, log_level), daemon=False)
        proc.start()
        return proc

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    procs = [start() for _ in range(workers)]
    log.info("serving on %s:%s with %d worker processes", host, port, workers)
    try:
        while not stopping:
            time.sleep(0.2)
            for i, proc in enumerate(procs):
                if not proc.is_alive() and not stopping:
                    log.warning("worker %s exited (%s); starting another", proc.pid, proc.exitcode)
                    procs[i] = start()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
