"""Turn off Nagle's algorithm on the server's sockets: every Step otherwise waits ~40 ms.

Streamlit 1.67's server binds its listening socket itself (``socket.socket(family)``, so
``proto`` is 0) and hands it to uvicorn. asyncio sets ``TCP_NODELAY`` on an accepted
connection only when its ``proto`` is ``IPPROTO_TCP``, so every websocket of the app keeps
Nagle's algorithm on (the same defect as uvicorn's ``--workers``, Kludex/uvicorn#3149).
A Step's run sends ~10 small messages; Nagle holds the second until the browser ACKs the
first, and the browser delays that ACK (Linux: 40 ms). So a Step took ~48 ms from the click
to the new counter where the run itself needed ~20 (``benchmarks/bench_load.py``, 1 user).

:func:`disable_nagle` sets ``TCP_NODELAY`` on the process's listening TCP sockets (Linux
copies it to every connection they accept from then on) and on the connections they have
already accepted. It runs once per process, from the first script run; it touches nothing
but TCP sockets this process listens on or accepted, and never fails the page.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

_FD_DIR = Path("/proc/self/fd")
_TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def _tcp_sockets(fds: list[int]) -> Iterator[socket.socket]:
    """A duplicate of each TCP socket among ``fds`` (closing it leaves the original open)."""
    for fd in fds:
        try:
            s = socket.socket(fileno=os.dup(fd))  # detects family, type and proto
        except OSError:
            continue  # closed meanwhile, or not a socket
        if s.family in _TCP_FAMILIES and s.type == socket.SOCK_STREAM:
            yield s  # the caller closes it
        else:
            s.close()


def _socket_fds() -> list[int]:
    """This process's file descriptors that are sockets (``/proc/self/fd``); [] elsewhere."""
    try:
        entries = list(_FD_DIR.iterdir())
    except OSError:
        return []
    fds = []
    for entry in entries:
        try:
            if os.readlink(entry).startswith("socket:"):
                fds.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return fds


def disable_nagle(fds: list[int] | None = None) -> int:
    """Set ``TCP_NODELAY`` on the listening TCP sockets among ``fds`` (default: all of this
    process's sockets) and on the connections accepted on their ports; the count set."""
    socks = list(_tcp_sockets(_socket_fds() if fds is None else fds))
    try:
        ports = {
            s.getsockname()[1]
            for s in socks
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        }
        done = 0
        for s in socks:
            try:
                if s.getsockname()[1] in ports:
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    done += 1
            except OSError:
                continue  # a connection that closed meanwhile
        return done
    finally:
        for s in socks:
            s.close()
