"""The live board's own line to the trainer: a WebSocket route beside Streamlit's.

Step, Epoch, Play and Pause on the Playground go over this line, not through a script run:
a script run makes the browser re-render the page around the board, which cost a Step
7x the time and 12x the browser CPU of TensorFlow Playground's. ``app.py`` serves the route
with ``st.App(..., routes=routes())`` from the same ``streamlit run app.py``.

A route cannot see ``st.session_state``, so each session's board gets a :class:`Line`: an
entry in a per-process registry under a random token (the board receives it in its data),
holding the session's :class:`~backprop.ui.session.Run` (the same object the session holds),
its lock (shared with the session's script runs: :func:`locked`) and what the script last
said about the board (view, speed, size). Everything a socket sends is hostile until checked:
a message is at most ``MAX_MESSAGE`` bytes of JSON with a known ``op`` and the line's own
token; more than ``BURST`` messages at once (``RATE`` a second on average) close the socket;
an unknown token is refused. The entry is dropped when the session ends.

Training runs in worker threads (``CLICKS`` and ``FRAMES``), never on the event loop. Playing,
the server trains at most ``LEAD`` frames ahead of the frame the browser reports on screen
and keeps a :meth:`~backprop.Trainer.checkpoint` after each frame it sends, so Pause puts the
trainer back to the frame on screen, exactly. The paused frame then asks the board for one
script run (``sync``), which hands the state back to Streamlit: the toolbar, the detail tabs,
the Diagnoses panel and the URL follow. Where the route is not served (``streamlit run
explorer.py``, AppTest), or the socket does not open, the board falls back to script reruns.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import streamlit as st

from ..viz.frames import FrameEncoder
from . import priority
from .session import Run

ROUTE = "/bp/board"  # beside Streamlit's reserved /_stcore/, /media/, /component/, /static/
MAX_MESSAGE = 512  # bytes of one message from the browser
RATE, BURST = 150.0, 240  # messages a second a socket may send on average, and at once
LEAD = 3  # frames the server trains ahead of the frame on screen while playing
MAX_LINES = 10_000  # lines one process holds (a session has one)
LOCK_WAIT = 0.1  # s a frame of Play waits for the session's lock before it gives its turn up
DROP_WAIT = 2.0  # s a session's end waits for the line's work in hand before it lets the run go
RETRY = b""  # a frame of Play that could not be made now: try again
# Clicks and Play frames train in threads of their own pools: a frame waits for Play's
# turn in its thread, and clicks queued behind such waiting frames in one shared pool
# (asyncio's default, 6 threads on 2 cores) waited for them (a Step p50 93 -> 21 ms with
# 10 sessions in Play, benchmarks/bench_load.py)
CLICKS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="board-line-click")
FRAMES = ThreadPoolExecutor(max_workers=8, thread_name_prefix="board-line-frame")
TOKEN_KEY = "board_line_token"
LOCK_KEY = "board_line_lock"
XSRF_COOKIE = "_streamlit_xsrf"  # Streamlit's, set on every page of the app
OPS = frozenset(("hello", "step", "epoch", "play", "pause", "shown", "frame"))


@dataclass
class Line:
    """One session's board line: its run, lock and the board's settings (see the module)."""

    token: str
    lock: threading.RLock
    run: Run | None = None
    settings: dict = field(default_factory=dict)  # view, sample, speed, height, ...
    driver: object | None = None  # board.py's Driver: step, epoch, frame, payload
    encoder: FrameEncoder = field(default_factory=FrameEncoder)
    seq: int = 0  # frames sent over the socket
    shown: int = 0  # the last frame the board says it drew
    kept: dict = field(default_factory=dict)  # seq -> (run, checkpoint) of frames sent
    # (seq, encoder state) of the last paused frame a script run sent the board: a hello
    # naming that seq gets the difference from it, not every view again
    script_frame: tuple[int, dict] | None = None
    browser: str | None = None  # the session's browser (its XSRF cookie's token), if any
    socket: object | None = None  # the open socket (one a line: the newest wins)
    playing: bool = False
    closed: bool = False

    @property
    def connected(self) -> bool:
        return self.socket is not None and not self.closed


_lines: dict[str, Line] = {}
_registry_lock = threading.Lock()
_served = [False]


def routes() -> list:
    """The Starlette routes ``app.py`` gives ``st.App``: the board's WebSocket."""
    from starlette.routing import WebSocketRoute

    _served[0] = True
    return [WebSocketRoute(ROUTE, _endpoint)]


def served() -> bool:
    """True when this process serves the route (started through ``app.py``)."""
    return _served[0]


def get(token: object) -> Line | None:
    """The line of ``token``, or None. A dict lookup (the tokens are 192 random bits: its
    timing tells nothing worth guessing), confirmed in constant time."""
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        return None
    with _registry_lock:
        line = _lines.get(token)
    return line if line is not None and hmac.compare_digest(line.token, token) else None


def of_session() -> Line | None:
    """This session's line (in a script run), if it has one."""
    return get(st.session_state.get(TOKEN_KEY))


def session_lock() -> threading.RLock:
    """The session's lock on its run, shared by its script runs and its line."""
    lock = st.session_state.get(LOCK_KEY)
    if lock is None:
        lock = st.session_state[LOCK_KEY] = threading.RLock()
    return lock


@contextmanager
def locked() -> Iterator[None]:
    """Hold the session's run still: the line trains in another thread."""
    with session_lock():
        yield


def _dropped(token: str) -> None:
    with _registry_lock:
        line = _lines.pop(token, None)
    if line is not None:
        # closed at once (no new work starts); the run is let go once the work that holds the
        # line's lock is done with it: a frame being sent read line.run after it was None
        line.closed = True
        got = line.lock.acquire(timeout=DROP_WAIT)
        try:
            line.run = None
        finally:
            if got:
                line.lock.release()


@st.cache_resource(scope="session", on_release=_dropped, show_spinner=False)
def _session_token() -> str:
    """The session's token; Streamlit calls ``_dropped`` with it when the session ends."""
    return secrets.token_urlsafe(24)


def attach(run: Run, driver: object, **settings: object) -> Line | None:
    """The session's line with ``run`` and the board's current ``settings`` (None where the
    route is not served or the process holds ``MAX_LINES``)."""
    if not served():
        return None
    token = _session_token()
    with _registry_lock:
        line = _lines.get(token)
        if line is None:
            if len(_lines) >= MAX_LINES:
                return None
            line = _lines[token] = Line(token, session_lock())
    if line.run is not run:
        line.kept.clear()
    line.browser = browser_key(st.context.cookies.get(XSRF_COOKIE))
    line.run, line.driver = run, driver
    line.settings.update(settings)
    return line


def browser_key(cookie: object) -> str | None:
    """The token in Streamlit's XSRF cookie (``2|mask|masked|time``, masked anew on each
    page load), the same for every page of one browser; None without one."""
    if not isinstance(cookie, str) or not cookie or len(cookie) > 200:
        return None
    parts = cookie.split("|")
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        except ValueError:
            return None
        if not mask:
            return None
        return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked)).hex()
    return cookie


def same_browser(line: Line, cookie: object) -> bool:
    """The socket comes from the browser of the line's session (when it has the cookie)."""
    if line.browser is None:
        return True
    key = browser_key(cookie)
    return key is not None and hmac.compare_digest(key, line.browser)


def forget_kept(line: Line | None) -> None:
    """The run changed outside the line (an edit, a setting): no going back past it."""
    if line is not None:
        line.kept.clear()


# ---------------------------------------------------------------- the socket
class _Bucket:
    """A token bucket: ``RATE`` messages a second on average, ``BURST`` at once."""

    def __init__(self) -> None:
        self.level, self.t = float(BURST), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.level = min(BURST, self.level + (now - self.t) * RATE)
        self.t = now
        if self.level < 1:
            return False
        self.level -= 1
        return True


def parse(raw: object) -> dict | str:
    """A browser's message as ``{"op", "token", "seq"}``, or the reason it is refused."""
    if not isinstance(raw, str):
        return "messages are JSON text"
    if len(raw.encode("utf-8", "replace")) > MAX_MESSAGE:
        return f"a message is at most {MAX_MESSAGE} bytes"
    try:
        msg = json.loads(raw)
    except ValueError:
        return "not JSON"
    if not isinstance(msg, dict) or msg.get("op") not in OPS:
        return "unknown op"
    seq = msg.get("seq", 0)
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**53:
        return "seq must be a non-negative integer"
    token = msg.get("token")
    if not isinstance(token, str) or len(token) > 64:
        return "no token"
    return {"op": msg["op"], "token": token, "seq": seq}


def origin_ok(headers) -> bool:
    """A browser's socket comes from a page of this host (no Origin: not a browser)."""
    origin = headers.get("origin")
    if not origin:
        return True
    host = (headers.get("x-forwarded-host") or headers.get("host") or "").split(",")[0]
    return urlsplit(origin).hostname == urlsplit("//" + host.strip()).hostname


async def _endpoint(ws) -> None:
    """One board's socket: a ``hello`` with its token, then Step, Epoch, Play, Pause."""
    from starlette.websockets import WebSocketDisconnect

    if not origin_ok(ws.headers):
        await ws.close(code=4403, reason="foreign origin")
        return
    await ws.accept()
    bucket, line, player = _Bucket(), None, None
    try:
        while True:
            raw = await ws.receive()
            if raw.get("type") == "websocket.disconnect":
                break
            msg = parse(raw.get("text"))
            if not bucket.take():
                await ws.close(code=1008, reason="too many messages")
                break
            if isinstance(msg, str):
                await ws.send_text(json.dumps({"error": msg}))
                continue
            if line is None:
                line = get(msg["token"]) if msg["op"] == "hello" else None
                if line is not None and not same_browser(line, ws.cookies.get(XSRF_COOKIE)):
                    line = None  # another browser: a token is its session's alone
                if line is None or line.run is None or line.closed:
                    await ws.close(code=4403, reason="unknown token")
                    break
                await _take_over(line, ws)
            elif not hmac.compare_digest(msg["token"], line.token) or line.closed:
                await ws.close(code=4403, reason="not this line's token")
                break
            player = await _answer(line, ws, msg, player)
            if line.closed:  # its session ended while this was answered
                await ws.close(code=4403, reason="the session ended")
                break
    except WebSocketDisconnect:
        pass
    finally:
        if line is not None:
            line.playing = False
            if player is not None:
                await asyncio.gather(player, return_exceptions=True)
            if line.socket is ws:
                line.socket = None
                line.encoder.reset()  # the script's reruns draw everything anew


async def _take_over(line: Line, ws) -> None:
    """The newest socket of a line wins (a reconnect); the older one is closed."""
    old, line.socket = line.socket, ws
    line.playing = False
    if old is not None and old is not ws:
        with suppress(RuntimeError):  # closed already
            await old.close(code=4409, reason="replaced by a newer socket")


async def _answer(line: Line, ws, msg: dict, player):
    """Do what ``msg`` asks; returns the Play task (None when not playing)."""
    op = msg["op"]
    if op == "shown":
        line.shown = max(line.shown, min(msg["seq"], line.seq))
        return player
    if op == "play":
        if player is None or player.done():
            await _in(CLICKS, _work, line, "play")
            line.playing = True
            player = asyncio.create_task(_play(line, ws))
        return player
    line.playing = False  # hello, step, epoch, frame, pause: Play ends first
    if player is not None:
        await asyncio.gather(player, return_exceptions=True)
        player = None
    payload = await _in(CLICKS, _work, line, op, msg["seq"])
    if payload is not None:
        await ws.send_bytes(payload)
    if op == "epoch" and line.run is not None and line.run.play.playing:
        line.playing = True  # a long epoch goes on in frames
        player = asyncio.create_task(_play(line, ws))
    return player


async def _in(pool: ThreadPoolExecutor, fn, *args):
    """``fn(*args)`` in a thread of ``pool``, awaited (never on the event loop)."""
    return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)


async def _play(line: Line, ws) -> None:
    """Frames until paused (or the target is reached), ``LEAD`` ahead of the screen."""
    while line.playing and not line.closed:
        if line.seq - line.shown >= LEAD:
            await asyncio.sleep(0.004)
            continue
        payload = await _in(FRAMES, _work, line, "frame_play")
        if payload is None:
            break
        if payload is not RETRY:
            await ws.send_bytes(payload)


def _work(line: Line, op: str, seq: int = 0) -> bytes | None:
    """In a worker thread, under the line's lock: train what ``op`` asks, then the frame."""
    driver = line.driver
    if driver is None or line.run is None:
        return None
    if op == "frame_play":
        return _frame(line, driver)
    with priority.interactive(), line.lock:
        run = line.run
        if run is None:  # the session ended meanwhile
            return None
        refused = run.diverged is not None  # the page says so: a good step must clear it
        if op == "play":
            if not run.play.targeted:  # a target (an epoch, a replay) goes on as it is
                run.play.play()
            return None
        if op == "hello":
            _from_script(line, seq)
        elif op == "step":
            driver.step(line)
        elif op == "epoch":
            driver.epoch(line)
        elif op == "pause":
            _back_to(line, seq)
            run.play.pause()
        playing = run.play.playing  # a long Epoch goes on in frames; a replay resumes
        # Pause hands the state back to the script (once); a Step when an open tab draws
        # the run at its step (views.step_reruns_panel), or a step is refused or was (the
        # page says so above the board until one is not)
        trained = op in ("step", "epoch")
        follows = trained and line.settings.get("step_reruns_panel", False) and not playing
        said = trained and (refused or run.diverged is not None)
        payload = driver.payload(
            line, line.seq + 1, playing=playing and op != "hello",
            sync=op == "pause" or follows or said, reply=True, resume=op == "hello" and playing,
        )  # fmt: skip
        return _sent(line, payload)


def _from_script(line: Line, seq: int) -> None:
    """A new socket: the board has drawn the script's frame ``seq`` (0: none, or not sure),
    so the line's frames go on from it; else the next frame sends every view anew. On a
    first visit this spares the board drawing the page's first frame twice."""
    kept, line.script_frame = line.script_frame, None
    if kept is not None and seq > 0 and kept[0] == seq:
        line.encoder.adopt(kept[1])
    else:
        line.encoder.reset()


def _frame(line: Line, driver) -> bytes | None:
    """One frame of Play: None when Play ended, ``RETRY`` when the lock was busy."""
    with priority.play_turn():
        priority.yield_to_clicks()
        # the session's script takes its lock before Play's turn: never wait for it while
        # holding the turn (a deadlock), but give the turn back and come again
        if not line.lock.acquire(timeout=LOCK_WAIT):
            return RETRY
        try:
            if not line.playing or line.run is None:
                return None
            stopped = driver.frame(line)
            if stopped:
                line.playing = False
            payload = driver.payload(line, line.seq + 1, playing=not stopped, sync=stopped)
            return _sent(line, payload)
        finally:
            line.lock.release()


def _back_to(line: Line, seq: int) -> None:
    """Put the run back to the frame ``seq`` the board had on screen at Pause."""
    kept = line.kept.get(seq)
    tr = line.run.trainer
    if kept is None or kept[0] is not line.run or kept[1].steps == tr.steps:
        return
    try:
        tr.restore(kept[1])
    except ValueError:  # the history was thinned since: the server's state stays on screen
        return
    line.run.revision += 1
    line.run.diverged = None


def _sent(line: Line, payload: bytes) -> bytes:
    """Count the frame and keep the run's state it shows (for Pause)."""
    line.seq += 1
    line.kept[line.seq] = (line.run, line.run.trainer.checkpoint())
    for old in [k for k in line.kept if k < min(line.shown, line.seq) - 1]:
        del line.kept[old]
    return payload
