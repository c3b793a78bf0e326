"""Clicks before Play: a Play chunk waits between frames while a click's run is working.

One server process runs every session's script on one core (the GIL). A playing session
asks for its next chunk of frames (``board.play_chunk``) again and again, and a chunk takes
as much CPU as it is given; a Step click in another session then waits behind every chunk
being drawn. Clicks are what a person waits for, frames are buffered (the board holds a
chunk ahead), so a click's run is marked :func:`interactive` and Play calls
:func:`yield_to_clicks` before each frame: it blocks (releasing the GIL) while any other
thread's interactive run is working, at most ``MAX_WAIT`` s, so Play slows under a burst of
clicks and never stops.

Play's chunks also take turns (:func:`play_turn`): one session's chunk at a time per process.
Under the GIL they run one at a time anyway, but 20 playing threads that all want the GIL
make every other thread wait for its turn each time it takes it back: the event loop, which
takes it back after every read and write of a socket, so a click's messages queued behind
twenty 5 ms slices each time (one process, 20 in Play: a Step took 737 ms at p50). A Play
thread waiting for its turn waits on a lock, without the GIL.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT = 0.25  # s one frame of Play waits for clicks at most
PLAY_TURNS = 1  # Play chunks worked on at once in one process

_cond = threading.Condition()
_active: Counter[int] = Counter()  # thread ident -> interactive runs working on it
_turns = threading.BoundedSemaphore(PLAY_TURNS)
_waiting = [0]  # Play threads waiting for a turn


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


@contextmanager
def play_turn() -> Iterator[None]:
    """One piece of Play's work (a chunk's frames, its encoding): wait for Play's turn, then
    for other sessions' clicks (:func:`yield_to_clicks`), then work holding the turn (a
    chunk makes way for clicks again before each frame)."""
    with _cond:
        _waiting[0] += 1
    try:
        _turns.acquire()
    finally:
        with _cond:
            _waiting[0] -= 1
    try:
        yield_to_clicks()
        yield
    finally:
        _turns.release()


def others_want_a_turn() -> bool:
    """Whether another Play thread waits for a turn (a chunk then ends early: see
    ``board.play_chunk``)."""
    return _waiting[0] > 0
