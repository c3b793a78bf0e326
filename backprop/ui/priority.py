"""Clicks before Play: a Play chunk waits between frames while a click's run is working.

One server process runs every session's script on one core (the GIL). A playing session
asks for its next chunk of frames (``board.play_chunk``) again and again, and a chunk takes
as much CPU as it is given; a Step click in another session then waits behind every chunk
being drawn. Clicks are what a person waits for, frames are buffered (the board holds a
chunk ahead), so a click's run is marked :func:`interactive` and Play calls
:func:`yield_to_clicks` before each frame: it blocks (releasing the GIL) while any other
thread's interactive run is working, at most ``MAX_WAIT`` s, so Play slows under a burst of
clicks and never stops.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT = 0.25  # s one frame of Play waits for clicks at most

_cond = threading.Condition()
_active: Counter[int] = Counter()  # thread ident -> interactive runs working on it


@contextmanager
def interactive() -> Iterator[None]:
    """Mark the calling thread's work (a click's run) as one Play should make way for."""
    me = threading.get_ident()
    with _cond:
        _active[me] += 1
    try:
        yield
    finally:
        with _cond:
            _active[me] -= 1
            if not _active[me]:
                del _active[me]
            _cond.notify_all()


def _others_working(me: int) -> bool:
    return any(ident != me for ident in _active)


def yield_to_clicks(max_wait: float | None = None) -> float:
    """Wait while another thread's interactive run works (at most ``max_wait`` s, default
    ``MAX_WAIT``); the seconds waited. The caller's own interactive runs do not count."""
    max_wait = MAX_WAIT if max_wait is None else max_wait
    me = threading.get_ident()
    t0 = time.perf_counter()
    with _cond:
        _cond.wait_for(lambda: not _others_working(me), timeout=max_wait)
    return time.perf_counter() - t0


def working() -> int:
    """How many threads have an interactive run working now."""
    with _cond:
        return len(_active)
