"""Worker processes of ``dos serve`` with a listening socket each (Linux, ``SO_REUSEPORT``).

uvicorn's own supervisor shares one listening socket between its workers. asyncio and uvloop
accept every waiting connection on one wake-up, so the worker that wakes first takes a burst
of new connections — with keep-alive clients (load generators, gateways, IoT bridges) one
worker ends up with nearly all of them while the other idles (measured: 6 s against 2 s of
CPU under 32 connections; docs/benchmarks.md). Here every worker binds its own socket with
``SO_REUSEPORT`` and the kernel spreads new connections over them.

The supervisor reserves the address first (a bound socket that does not listen, so a port
taken by another program fails at once with one line), starts the workers, restarts one that
dies, and stops them all on SIGINT/SIGTERM. Workers end with the supervisor even when it is
killed (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from typing import Any

log = logging.getLogger("dos.serve")

#: seconds a stopping worker gets before it is killed
STOP_TIMEOUT = 20.0
_PR_SET_PDEATHSIG = 1


def supported() -> bool:
    """Per-worker sockets need SO_REUSEPORT with the kernel's load balancing (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(options: dict[str, Any], host: str, port: int, supervisor: int) -> None:
    """One worker: its own listening socket, one uvicorn server on it."""
    # end with the supervisor, even when it is killed (prctl is there on Linux)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor:  # the supervisor died before prctl took effect
        return
    import uvicorn

    sock = _socket(host, port)
    sock.listen(2048)
    config = uvicorn.Config(host=host, port=port, workers=1, **options)
    uvicorn.Server(config).run(sockets=[sock])


def run(options: dict[str, Any], host: str, port: int, workers: int) -> None:
    """Serve ``options["app"]`` with ``workers`` processes until SIGINT or SIGTERM."""
    reservation = _socket(host, port)  # fails now if another program holds the address
    context = multiprocessing.get_context("spawn")
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    procs: list[Any] = []
    try:
        for _ in range(workers):
            proc = context.Process(
                target=_worker, args=(options, host, port, os.getpid()), daemon=False
            )
            proc.start()
            procs.append(proc)
        log.info("serving on http://%s:%d with %d workers (SO_REUSEPORT)", host, port, workers)
        while not stopping:
            time.sleep(0.2)
            for index, proc in enumerate(procs):
                if not stopping and not proc.is_alive():
                    log.warning(
                        "worker %d exited with %s; starting a new one", proc.pid, proc.exitcode
                    )
                    time.sleep(0.5)
                    fresh = context.Process(target=_worker, args=(options, host, port, os.getpid()))
                    fresh.start()
                    procs[index] = fresh
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join(5)
        reservation.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
