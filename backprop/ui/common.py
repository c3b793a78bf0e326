"""Shared page helpers: server set-up, limits, and error display."""

from __future__ import annotations

import ctypes
import gc
import re
import sys
import threading
from functools import cache

import streamlit as st
from threadpoolctl import threadpool_limits

from ..limits import Limits, default_limits
from .live import ensure_plotly_served
from .nodelay import disable_nagle

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's mallopt() parameter numbers
MALLOC_ARENAS = 2
MMAP_THRESHOLD = 64 * 1024  # bytes: larger blocks get their own pages, unmapped when freed
RELEASE_DELAY = 2.0  # seconds after a session ends: Streamlit has dropped expired ones by then


def setup_server() -> None:
    """At the start of every full script run: the process set-up (once), and the watch on
    this session's end that gives its memory back."""
    _setup_process()
    _session_end_watch()


@cache
def _setup_process() -> None:
    """Nagle's algorithm off on the server's sockets (``nodelay.py``: ~30 ms per Step), one
    BLAS thread (the products are small, and two threads on a busy 2-core host were 4x
    slower), plotly.js ready for the live charts, and glibc's malloc set to give memory back.

    glibc gives each thread that allocates at once its own arena, up to 8 per core, and
    Streamlit runs every script run on a new thread; and it raises its mmap threshold (up to
    32 MB) each time a large block is freed, so later large blocks land in the arenas too.
    With 20 users gone, the server held no more live objects than before them, yet kept
    ~30 MB more RSS; two arenas and a fixed 64 KB threshold, with the release below, cut
    that by about 60 % (``benchmarks/bench_load.py``)."""
    disable_nagle()
    _import_everything()
    threadpool_limits(1)  # after the imports: it sets the libraries loaded so far
    ensure_plotly_served()
    if libc := _glibc():
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    _freeze_modules()


def _import_everything() -> None:
    """Everything any page imports, now, so that it is frozen with the rest."""
    import backprop.debug  # noqa: F401
    import backprop.ui.debugger  # noqa: F401
    import backprop.ui.diagnoses  # noqa: F401
    import backprop.ui.exports  # noqa: F401
    import backprop.ui.views  # noqa: F401


def _freeze_modules() -> None:
    """Move every object alive now (modules, classes, caches: ~120,000 of them) out of the
    garbage collector's sight with ``gc.freeze()``. Python's own full collections and the
    one after a session ends (:func:`release_memory`) then scan only what sessions made, not
    the objects that live as long as the process (~50 ms of CPU each time). Streamlit's
    full collection after every run is off (``.streamlit/config.toml``): it scans every
    session's objects, so a Step's CPU grew with the users on the server."""
    gc.collect()
    gc.freeze()


@cache
def _glibc() -> ctypes.CDLL | None:
    """The C library if it is glibc (``mallopt``, ``malloc_trim``), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def _session_ended(_: object) -> None:
    _schedule_release()


@st.cache_resource(scope="session", on_release=_session_ended, show_spinner=False)
def _session_end_watch() -> bool:
    """A session-scoped resource, only for its ``on_release``: Streamlit calls it when the
    session's websocket closes (its supported hook for a session's end)."""
    return True


_release_lock = threading.Lock()
_release_timer: threading.Timer | None = None


def _schedule_release() -> None:
    """Free memory a little after a session ends; many ends at once share one release.

    A closed session stays stored for ``server.disconnectedSessionTTL`` (to resume after a
    network blip); Streamlit drops the expired ones on the next disconnect, right after
    this hook. Their objects form reference cycles, which only a full garbage collection
    frees, and glibc keeps freed memory until ``malloc_trim``."""
    global _release_timer
    with _release_lock:
        if _release_timer is None:
            _release_timer = threading.Timer(RELEASE_DELAY, release_memory)
            _release_timer.daemon = True
            _release_timer.start()


def release_memory() -> None:
    """A full garbage collection, then glibc's free memory back to the system."""
    global _release_timer
    with _release_lock:
        _release_timer = None
    gc.collect()
    if libc := _glibc():
        libc.malloc_trim(0)


def limits() -> Limits:
    """The resource limits in force (environment ``BACKPROP_*`` overrides, else defaults)."""
    try:
        return default_limits()
    except ValueError as e:
        st.error(f"Ignoring a bad limit setting: {plain(e)}")
        return Limits()


_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# Where GitHub's autolinks start: a scheme's "://", "www." and an e-mail's "@". Streamlit
# finds them in the text *after* Markdown escapes are undone, so no escape stops them; an
# invisible word joiner (U+2060) between the characters does.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``str(text)`` made inert for Streamlit's Markdown, so a message that quotes what a
    visitor sent (a URL parameter, a file name, a CSV column, a name in a network file)
    shows it literally: every ASCII punctuation character is backslash-escaped (links,
    images, HTML, ``:color[...]``, ``$latex$``, emphasis) and autolinks (``https://x``,
    ``www.x``, ``a@b.c``) are broken by an invisible word joiner. Every message with text
    the app did not write itself goes through here."""
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, str(text)))
