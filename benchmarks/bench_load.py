"""Load: N users stepping the Playground at once on one server; Step latency, CPU, memory.

Method. Starts the app (``tests/browser/appserver.py``: ``streamlit run app.py``, which
serves the live board's own line) on 127.0.0.1 with a short
``server.disconnectedSessionTTL``. By default every simulated user is a raw Streamlit
websocket session (``benchmarks/ws_client.py``) that behaves as the browser's frontend
does: it asks ``/_stcore/health`` (the cookies), opens ``/playground`` (the frontend's
first ``rerun_script``) and waits for ``script_finished``; then, as the board does where
the line is served (``--via line``, the default), it opens the line its payload names
(``ws://<same host:port>/bp/board``, the same cookies), says ``hello`` and clicks Step
again and again: a ``step`` message, timed to the binary reply whose frame has the new
step, answered with ``shown`` as the board answers a frame it draws. The line closes a
socket that sends more than its ``RATE`` messages a second on average, which a user
clicking as fast as the replies come (two messages a Step) would exceed, so each user
waits for room below that rate before a click (a person clicks far slower).
``--via script``: the board's line is never opened (as when its socket fails) and a Step
is the live board's ``step`` trigger (``--step-by button``: the Step button's) with the
``fragment_id`` of its ``st.fragment``, every other widget's state, the message cache's
hashes; the user waits for the run to finish before the next click. Nothing is rendered,
so the two cores measure the server as it serves N students whose browsers run on their
own machines. ``--client browser`` makes every user a Playwright context in one headless
Chromium instead; Chromium then renders Plotly for every page (~350 ms of CPU per Step per
page) on the same two cores, so that mode measures this machine's Chromium more than the
server.

For each N it prints:

- Step latency, p50/p95/max: click sent -> the step counter's new value arrives (on the
  line, the reply whose frame has the new step; by script, the ``ForwardMsg`` delta of the
  live board whose last frame has the new step; in a browser, the board's step counter
  changes on screen); and p50/p95 click -> done (by script, the run's ``script_finished``:
  in a browser, the page is idle again; on the line, the reply, or when it asks for a
  ``sync`` run, the frame the line sends after it);
- Steps per second over all users; clicks; lost clicks (after K clicks a user's counter,
  as drawn by the server, must read K more than before) and timed-out clicks;
- the server's RSS (``/proc/<pid>/status``): before the users arrive, all loaded, peak
  while stepping, and 2 s after they closed;
- CPU ms per Step ((utime + stime) over the stepping time / clicks, ``/proc/<pid>/stat``)
  of the server and of the clients (this process, plus Chromium in browser mode).

Memory. After the last N, once the TTL has passed, one more light session is opened and
closed: Streamlit drops expired sessions on the next disconnect, and the app then frees
their memory (``backprop/ui/common.py``). Printed: the RSS against the baseline (the
server after one warm-up user came and went) and the server's active sessions from
``/_stcore/metrics``.

Play (``--play-users N``). N websocket users in Play and one more clicking Step (websocket
sessions whatever ``--client`` says). On the line, a Play user sends ``play``; the server
sends each frame as it has trained it, at most ``LEAD`` frames ahead of the last one the
board says it drew; the user queues them and draws at most ``--draw-fps`` (50) a second,
at least ``1 / 50`` s apart (``board.js``'s clock draws up to its ``LINE_FPS`` a second, on
the display's refreshes; 50 is a browser that keeps up with 50), answering each drawn
frame with ``shown``. By script (``--via script``), it clicks Play (the button's trigger in its
fragment; that run sends the first chunk of frames), then behaves as the live board
without its line (``board.js``, whose ``FPS`` and ``LOW`` it reads): it queues each
chunk's frames (the ``BPF1`` payload of the ``live_board`` components-v2 element, decoded
with ``backprop.viz.frames.unpack``), drains the queue at 30 frames/s of wall time, and
when no more than 12 frames are left sends the board's ``need`` trigger
(``setTriggerValue``, value: the last chunk's ``seq``, once per chunk) with the board's
``fragment_id``, which reruns only the ``live_panel`` fragment. After ``--warmup`` s,
``--windows`` windows of ``--window-seconds`` are measured, the same with 0 users in Play
first (the baseline); printed, as medians over the windows: frames/s each Play user
receives (median, min, max over the users), KB/s per user, trigger -> chunk wait (on the
line: ``shown`` -> the frame it lets the server send), the Step user's latency, server CPU
(s per s, ms per user-second, ms per frame received), this process's CPU, and the load
average at the start and the end. Numbers only: nothing is asserted. On the line, each
level also prints the line's ``hello`` -> first frame time and anything that went wrong
on it (a line refused or closed, an error it sent).

Targets: 20 users with p95 Step latency under 1 s, memory back to the baseline.
The run bounds itself (``--timeout``, default 15 min) and only uses 127.0.0.1.

    python benchmarks/bench_load.py
    python benchmarks/bench_load.py --users 1,5,10,20 --seconds 20
    python benchmarks/bench_load.py --play-users 20        # Play only (add --users for both)
    python benchmarks/bench_load.py --users 1,20 --via script   # without the board's line
    python benchmarks/bench_load.py --set runner.postScriptGC=true   # try a server option
    python benchmarks/bench_load.py --client browser --users 1,5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
import urllib.request
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))
from appserver import CHROMIUM, CHROMIUM_ARGS, free_port, running_app  # noqa: E402
from bench_playground import browser_pids, cpu_s, loadavg, pct, rss_mb, server_pid  # noqa: E402
from ws_client import (  # noqa: E402
    DRAW_FPS,
    LEAD,
    LINE_OPEN_MS,
    RATE,
    BoardTab,
    LineClosed,
    WsSession,
    board_js_const,
)

from backprop.viz.frames import unpack  # noqa: E402

LOAD_CONCURRENCY = 5  # users opening the page at once when a level starts
CLICK_TIMEOUT_S = 30
LOAD_TIMEOUT_S = 60
RELEASE_WAIT_S = 4  # after the reaping disconnect: the app frees memory 2 s after it


@dataclass
class Step:
    """One click: ms to the new counter value and to the end of the run; None: timed out."""

    ms: float | None
    done_ms: float | None
    before: int | None
    after: int | None


# --- websocket users ---------------------------------------------------------------------
class WsUser:
    """A simulated tab on its own Streamlit websocket session (cookies as a browser gets
    them: ``/_stcore/health`` first, as the frontend does).

    ``via = "line"`` (the default, what a browser does where ``app.py`` serves the board's
    line): on the Playground, the tab opens the line its board names (``BoardTab``) and a
    Step is a ``step`` message on it, timed to the reply whose frame has the new step (then
    ``shown``, as the board answers the frame it draws). ``via = "script"``: the board's line
    is never opened (as when its socket fails) and a Step is a script run, ``step_by``."""

    via = "line"
    draw_fps = DRAW_FPS  # a board on the line draws (and answers) at most this many frames/s
    # how a browser's Step click reaches the server without the line: paused, the live
    # board takes it and sends its "step" trigger (a rerun of the board's fragment);
    # "button" presses the Step button itself (a rerun of the whole panel, as with the
    # keyboard or the toggle "Pass after Step" on)
    step_by = "board"
    problems: list[str] = []  # lines refused or closed, errors the line sent (all users)

    def __init__(self, port: int, page: str = "playground") -> None:
        on_line = self.via == "line" and page == "playground"
        self.tab = BoardTab(port, page, draw_fps=self.draw_fps) if on_line else None
        self.session = self.tab.session if self.tab else WsSession(port, page, fetch_cookies=True)
        self.steps = 0

    async def open(self) -> None:
        if self.tab is None:
            await self.session.open(timeout=LOAD_TIMEOUT_S)
            return
        try:
            await self.tab.open(timeout=LOAD_TIMEOUT_S)
        except LineClosed as e:
            WsUser.problems.append(f"line not opened: {e}")
            raise

    @property
    def hello_ms(self) -> float | None:
        return self.tab.hello_ms if self.tab else None

    async def step(self) -> Step:
        self.steps += 1
        if self.tab is not None:
            try:  # paced below the line's RATE: a benchmark clicks as fast as replies come
                c = await self.tab.step(timeout=CLICK_TIMEOUT_S)
            except (TimeoutError, LineClosed) as e:
                WsUser.problems.append(f"Step: {e!r} {self.tab.line.errors[-3:]}")
                return Step(None, None, self.tab.drawn_step, None)
            return Step(c.value_ms, c.finished_ms, c.before, c.after)
        try:
            if self.step_by == "board" and "live_board" in self.session.components:
                c = await self.session.trigger(
                    "live_board", "step", self.steps, timeout=CLICK_TIMEOUT_S
                )
            else:
                c = await self.session.click("step", timeout=CLICK_TIMEOUT_S)
        except TimeoutError:
            return Step(None, None, self.session.value, None)
        return Step(c.value_ms, c.finished_ms, c.before, c.after)

    async def recover(self) -> bool:
        return False  # a timed-out run leaves the protocol state unknown: this user stops

    async def counter(self) -> int:
        return self.tab.drawn_step if self.tab else self.session.value

    async def close(self) -> None:
        if self.tab is not None:
            errors = self.tab.line.errors if self.tab.line else []
            WsUser.problems += [f"line: {f}" for f in self.tab.failures]
            WsUser.problems += [f"line error: {e}" for e in errors]
            await self.tab.close()
        else:
            await self.session.close()


class WsClients:
    name = "websocket sessions"

    def __init__(self, port: int) -> None:
        self.port = port

    def user(self) -> WsUser:
        return WsUser(self.port)

    def light_user(self) -> WsUser:
        return WsUser(self.port, page="")  # the Home page

    async def stop(self) -> None:
        pass


# --- browser users ---------------------------------------------------------------------
METRIC = ".bp-counters .bp-value"
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testConnectionState === 'CONNECTED'
        && app.dataset.testScriptState === 'notRunning'
        && !!document.querySelector('METRIC');
}""".replace("METRIC", METRIC)
HOME_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testScriptState === 'notRunning' && !!document.querySelector('h1');
}"""
LIVE_READY_JS = """() => [...document.querySelectorAll('div.bp-live-plot')]
    .filter(d => d.querySelector('.main-svg')).length >= 3"""
# Click the visible Step button and resolve when the step counter shows another value:
# {ms: click -> counter changed, before, after}; ms is null after the timeout.
STEP_JS = """(timeoutMs) => new Promise((resolve) => {
    const read = () => {
        const v = document.querySelector('METRIC');
        return v ? v.innerText.replace(/[^0-9]/g, '') : null;
    };
    const before = read();
    const button = [...document.querySelectorAll('.st-key-step button')]
        .find((b) => b.offsetWidth > 0 && b.offsetHeight > 0);
    if (!button) return resolve({ms: null, before, after: before, error: 'no Step button'});
    let t0 = null;
    const done = (ms, error) => {
        obs.disconnect();
        clearTimeout(timer);
        resolve({ms, before, after: read(), error});
    };
    const obs = new MutationObserver(() => {
        const now = read();
        if (now !== null && now !== before) done(performance.now() - t0, null);
    });
    obs.observe(document.body, {subtree: true, childList: true, characterData: true});
    const timer = setTimeout(() => done(null, 'timeout'), timeoutMs);
    t0 = performance.now();
    button.click();
})""".replace("METRIC", METRIC)


class BrowserUser:
    """A Playwright context (its own Streamlit session) in the shared Chromium."""

    def __init__(self, browser, base: str, path: str = "/playground") -> None:
        self.browser, self.base, self.path = browser, base, path
        self.ctx = self.page = None

    async def open(self) -> None:
        self.ctx = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
        self.ctx.set_default_timeout(LOAD_TIMEOUT_S * 1000)
        await self.ctx.route(lambda url: not url.startswith(self.base), lambda r: r.abort())
        self.page = await self.ctx.new_page()
        await self.page.goto(self.base + self.path)
        if self.path == "/playground":
            await self.page.wait_for_function(LIVE_READY_JS)
            await self.page.wait_for_function(IDLE_JS)
        else:
            await self.page.wait_for_function(HOME_IDLE_JS)

    async def step(self) -> Step:
        t0 = time.perf_counter()
        r = await self.page.evaluate(STEP_JS, CLICK_TIMEOUT_S * 1000)
        if r["ms"] is None:
            return Step(None, None, _int(r["before"]), None)
        await self.page.wait_for_function(IDLE_JS, timeout=CLICK_TIMEOUT_S * 1000)
        done = 1000 * (time.perf_counter() - t0)
        return Step(r["ms"], done, _int(r["before"]), _int(r["after"]))

    async def recover(self) -> bool:
        await self.page.wait_for_function(IDLE_JS, timeout=CLICK_TIMEOUT_S * 1000)
        return True

    async def counter(self) -> int:
        await self.page.wait_for_function(IDLE_JS, timeout=CLICK_TIMEOUT_S * 1000)
        return _int(await self.page.locator(METRIC).first.inner_text())

    async def close(self) -> None:
        await self.ctx.close()


def _int(text: str | None) -> int | None:
    digits = re.sub(r"[^0-9]", "", text or "")
    return int(digits) if digits else None


class BrowserClients:
    name = "Playwright contexts in one headless Chromium"

    def __init__(self, base: str) -> None:
        self.base, self.pw, self.browser = base, None, None

    async def start(self) -> BrowserClients:
        from playwright.async_api import async_playwright

        self.pw = await async_playwright().start()
        self.browser = await self.pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        return self

    def user(self) -> BrowserUser:
        return BrowserUser(self.browser, self.base)

    def light_user(self) -> BrowserUser:
        return BrowserUser(self.browser, self.base, "/")

    async def stop(self) -> None:
        await self.browser.close()
        await self.pw.stop()


# --- Play users ------------------------------------------------------------------------
BOARD_KEY = "live_board"  # the live board's key (backprop/ui/board.py)


FPS = board_js_const("FPS")  # board.js plays this many frames a second ...
LOW = board_js_const("LOW")  # ... and asks for the next chunk when this few are left
POLL_S = 0.25  # a Play user looks at the stop flag at least this often


class ScriptPlayUser:
    """A tab in Play on its own websocket session, its board without the line
    (``--via script``): clicks Play, then asks for each next chunk as ``board.js`` does
    then: the board's ``need`` trigger (its value the last chunk's ``seq``) once per chunk,
    when fewer than ``LOW`` frames are left of a queue that drains at ``FPS`` frames per
    second of wall time."""

    def __init__(self, port: int) -> None:
        self.session = WsSession(
            port, "playground", on_component=self._on_board, fetch_cookies=True
        )
        self.frames = self.chunks = 0
        self.seq = self.asked = None
        self.playing = False
        self.empty_at = 0.0  # monotonic time at which the queue runs out
        self.waits: list[float] = []  # s from asking to the chunk arriving
        self._asked_at: float | None = None

    def _on_board(self, key: str, el) -> None:
        if key != BOARD_KEY or not el.bytes:
            return
        header, _ = unpack(el.bytes)
        if header["seq"] == self.seq:  # a rerun that sent the same chunk again
            return
        now = time.monotonic()
        self.seq, self.playing = header["seq"], bool(header.get("playing"))
        if header.get("full") or not self.playing:  # the board drops its queue
            self.empty_at = now
        if self.playing:
            self.empty_at = max(self.empty_at, now) + len(header["frames"]) / FPS
        self.frames += len(header["frames"])
        self.chunks += 1
        if self._asked_at is not None:
            self.waits.append(now - self._asked_at)
            self._asked_at = None

    async def open(self) -> None:
        await self.session.open(timeout=LOAD_TIMEOUT_S)

    async def start(self) -> None:
        await self.session.click("play", timeout=LOAD_TIMEOUT_S)  # its run sends a chunk

    async def play(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            wait = POLL_S
            if self.playing and self.asked != self.seq:
                now = time.monotonic()
                wait = self.empty_at - LOW / FPS - now
                if wait <= 0:
                    self.asked, self._asked_at = self.seq, now
                    await self.session.send_event(BOARD_KEY, "need", self.seq)
                    continue
            await self.session.receive(min(wait, POLL_S))

    hello_ms = None  # no line

    @property
    def bytes_in(self) -> int:
        return self.session.bytes_in

    async def close(self) -> None:
        await self.session.close()


class LinePlayUser:
    """A tab in Play with its board on the line (``BoardTab``): Play is a ``play`` message;
    the server sends frames as it trains them, at most ``LEAD`` ahead of the last frame the
    board says it drew; the board draws them at most ``draw_fps`` a second, answering each
    with ``shown``. ``frames``: frames of Play received; ``chunks``: the line's binary
    messages; ``waits``: ``shown`` -> the frame it let the server send."""

    def __init__(self, port: int) -> None:
        self.tab = BoardTab(port, "playground", draw_fps=WsUser.draw_fps)
        self.session = self.tab.session

    frames = property(lambda self: self.tab.play_frames)
    chunks = property(lambda self: self.tab.line.payloads if self.tab.line else 0)
    waits = property(lambda self: self.tab.waits)
    bytes_in = property(lambda self: self.tab.bytes_in)
    hello_ms = property(lambda self: self.tab.hello_ms)

    async def open(self) -> None:
        try:
            await self.tab.open(timeout=LOAD_TIMEOUT_S)
        except LineClosed as e:
            WsUser.problems.append(f"line not opened: {e}")
            raise

    async def start(self) -> None:
        await self.tab.click("play")

    async def play(self, stop: asyncio.Event) -> None:
        """The tab's own tasks draw and answer; this waits for ``stop`` (or a closed line)."""
        while not stop.is_set() and self.tab.line.closed is None:
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_S)

    async def close(self) -> None:
        line = self.tab.line
        if line is not None and line.closed is not None:
            WsUser.problems.append(f"Play: the line closed {line.closed}")
        WsUser.problems += [f"Play line: {f}" for f in self.tab.failures]
        WsUser.problems += [f"Play line error: {e}" for e in line.errors] if line else []
        await self.tab.close()


def play_user(port: int) -> LinePlayUser | ScriptPlayUser:
    """A Play user as ``WsUser.via`` says (``line`` or ``script``)."""
    return LinePlayUser(port) if WsUser.via == "line" else ScriptPlayUser(port)


@dataclass
class PlayWindow:
    """One measuring window: per Play user frames/s and bytes/s, the chunk waits; the Step
    user's clicks; CPU seconds of the server and this process."""

    seconds: float
    fps: list = field(default_factory=list)
    bps: list = field(default_factory=list)
    chunks: int = 0  # chunks all Play users received
    waits: list = field(default_factory=list)
    lat: list = field(default_factory=list)
    done: list = field(default_factory=list)
    clicks: int = 0
    timeouts: int = 0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0


async def step_loop(user: WsUser, stop: asyncio.Event, log: list) -> None:
    while not stop.is_set():
        r = await user.step()
        log.append(r)
        if r.ms is None:  # timed out: the session's state is unknown, this user stops
            break


async def run_play(port: int, server: Server, n: int, args) -> list[PlayWindow]:
    """``n`` users in Play and one clicking Step; ``args.windows`` windows measured."""
    sem = asyncio.Semaphore(LOAD_CONCURRENCY)

    async def one() -> LinePlayUser | ScriptPlayUser:
        async with sem:
            u = play_user(port)
            await u.open()
            return u

    players = await asyncio.gather(*(one() for _ in range(n)))
    await asyncio.gather(*(p.start() for p in players))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(p.play(stop)) for p in players]
    stepper = WsUser(port)
    await stepper.open()
    await stepper.step()
    log: list[Step] = []
    tasks.append(asyncio.create_task(step_loop(stepper, stop, log)))
    await asyncio.sleep(args.warmup)
    windows = []

    def snap():
        return ([p.frames for p in players], [p.bytes_in for p in players],
                [len(p.waits) for p in players], sum(p.chunks for p in players), len(log),
                server.cpu(), client_cpu(), time.monotonic())  # fmt: skip

    for _ in range(args.windows):
        f0, b0, w0, c0, k0, cpu0, cl0, t0 = snap()
        await asyncio.sleep(args.window_seconds)
        f1, b1, _, c1, k1, cpu1, cl1, t1 = snap()
        w = PlayWindow(t1 - t0, chunks=c1 - c0, server_cpu_s=cpu1 - cpu0, client_cpu_s=cl1 - cl0)
        w.fps = [(b - a) / w.seconds for a, b in zip(f0, f1)]
        w.bps = [(b - a) / w.seconds for a, b in zip(b0, b1)]
        w.waits = [x for p, i in zip(players, w0) for x in p.waits[i:]]
        clicks = log[k0:k1]
        w.clicks, w.timeouts = len(clicks), sum(c.ms is None for c in clicks)
        w.lat = [c.ms for c in clicks if c.ms is not None]
        w.done = [c.done_ms for c in clicks if c.done_ms is not None]
        windows.append(w)
    stop.set()
    await asyncio.gather(*tasks)
    await asyncio.gather(*(u.close() for u in [*players, stepper]))
    await asyncio.sleep(2)
    return windows


# --- measuring -------------------------------------------------------------------------
class Server:
    """The server process seen from /proc: RSS (with the peak, sampled in the background),
    CPU seconds; and its active sessions from Streamlit's metrics endpoint."""

    def __init__(self, pid: int, base: str) -> None:
        self.pid, self.base, self.peak = pid, base, 0.0

    def rss(self) -> float:
        mb = rss_mb(self.pid)
        self.peak = max(self.peak, mb)
        return mb

    def cpu(self) -> float:
        return cpu_s(self.pid)

    async def sample(self, stop: asyncio.Event, every: float = 0.25) -> None:
        while not stop.is_set():
            self.rss()
            await asyncio.sleep(every)

    def active_sessions(self) -> int | None:
        url = self.base + "/_stcore/metrics?families=active_sessions"
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 (loopback only)
                text = r.read().decode()
        except OSError:
            return None
        m = re.search(r"^active_sessions\S*\s+(\d+)", text, re.MULTILINE)
        return int(m.group(1)) if m else None


def client_cpu() -> float:
    """CPU seconds of this process and of the Chromium it started."""
    t = os.times()
    own = t.user + t.system
    return own + sum(cpu_s(pid) for pid in browser_pids())


@dataclass
class Level:
    n: int
    load_s: float = 0.0
    lat: list = field(default_factory=list)
    done: list = field(default_factory=list)
    clicks: int = 0
    lost: int = 0
    timeouts: int = 0
    elapsed: float = 0.0
    rss: tuple = ()
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    hello: list = field(default_factory=list)  # ms: the line's hello -> its first frame
    problems: list = field(default_factory=list)  # the line's, during this level


async def open_users(clients, n: int) -> list:
    sem = asyncio.Semaphore(LOAD_CONCURRENCY)

    async def one():
        async with sem:
            u = clients.user()
            await u.open()
            return u

    return await asyncio.gather(*(one() for _ in range(n)))


async def user_loop(user, deadline: float) -> dict:
    """Click Step until the deadline; lost = clicks the final counter does not show."""
    lat, done, clicks, timeouts = [], [], 0, 0
    start = await user.counter()
    while time.monotonic() < deadline:
        r = await user.step()
        clicks += 1
        if r.ms is None:
            timeouts += 1
            if not await user.recover():
                break
            continue
        lat.append(r.ms)
        done.append(r.done_ms)
    final = await user.counter()
    return {"lat": lat, "done": done, "clicks": clicks, "timeouts": timeouts,
            "lost": start + clicks - final}  # fmt: skip


async def run_level(clients, server: Server, n: int, seconds: float) -> Level:
    lv, before = Level(n), server.rss()
    problems0 = len(WsUser.problems)
    t0 = time.monotonic()
    users = await open_users(clients, n)
    lv.hello = [u.hello_ms for u in users if getattr(u, "hello_ms", None) is not None]
    lv.load_s, loaded = time.monotonic() - t0, server.rss()
    for u in users:  # warm-up: one Step each (first charts, code paths)
        await u.step()
    server.peak, stop = 0.0, asyncio.Event()
    sampler = asyncio.create_task(server.sample(stop))
    cpu0, client0, t0 = server.cpu(), client_cpu(), time.monotonic()
    results = await asyncio.gather(*(user_loop(u, t0 + seconds) for u in users))
    lv.elapsed = time.monotonic() - t0
    lv.server_cpu_s, lv.client_cpu_s = server.cpu() - cpu0, client_cpu() - client0
    stop.set()
    await sampler
    peak = server.peak
    await asyncio.gather(*(u.close() for u in users))
    lv.problems = WsUser.problems[problems0:]
    await asyncio.sleep(2)
    lv.rss = (before, loaded, peak, server.rss())
    for r in results:
        lv.lat += r["lat"]
        lv.done += r["done"]
        lv.clicks += r["clicks"]
        lv.lost += r["lost"]
        lv.timeouts += r["timeouts"]
    return lv


async def reap(clients, ttl: int, closed_at: float) -> None:
    """Past the TTL, open and close a light session: Streamlit drops the expired ones."""
    await asyncio.sleep(max(0.0, closed_at + ttl + 1 - time.monotonic()))
    u = clients.light_user()
    await u.open()
    await u.close()
    await asyncio.sleep(RELEASE_WAIT_S)


# --- report ----------------------------------------------------------------------------
HEADER = (
    "                 Step latency ms          | steps |       clicks      |"
    "    server RSS MB    | CPU ms/Step\n"
    "users   p50   p95   max  done50 done95    |  /s   |  made  lost  t/o  |"
    " before loaded peak after | server client"
)


def _p(xs: list, q: float) -> str:
    return f"{pct(xs, q):5.0f}" if xs else "    -"


def row(lv: Level) -> str:
    b, loaded, peak, after = lv.rss
    server_ms, client_ms = (
        1000 * s / max(lv.clicks, 1) for s in (lv.server_cpu_s, lv.client_cpu_s)
    )
    return (
        f"{lv.n:5d} {_p(lv.lat, 50)} {_p(lv.lat, 95)} {max(lv.lat, default=0):5.0f}"
        f"  {_p(lv.done, 50)}  {_p(lv.done, 95)}    | {lv.clicks / max(lv.elapsed, 1):5.0f} |"
        f" {lv.clicks:5d} {lv.lost:5d} {lv.timeouts:4d}  |"
        f" {b:6.0f} {loaded:6.0f} {peak:4.0f} {after:5.0f} |"
        f" {server_ms:6.0f} {client_ms:6.0f}"
    )


def _median(xs: list) -> float:
    return statistics.median(xs) if xs else float("nan")


def line_note(hello: list, problems: list) -> str:
    """The board's line over a level: hello -> first frame, and what went wrong."""
    if not hello and not problems:
        return ""
    late = sum(ms > LINE_OPEN_MS for ms in hello)
    text = (f"      line: hello -> first frame p50 {_median(hello):.0f} ms, "
            f"max {max(hello, default=float('nan')):.0f} ms ({late} over the board's "
            f"{LINE_OPEN_MS} ms: a browser would stay on script reruns); "
            f"{len(problems)} problems")  # fmt: skip
    return text + "".join(f"\n        {p}" for p in problems[:5])


PLAY_HEADER = (
    "      | frames/s per Play user | KB/s per |  chunk wait  |"
    "   Step latency ms, Step user   |        server CPU        | client\n"
    " Play |  median   min    max   |   user   |  p50   p95   |"
    "  p50   p95  done50 clicks t/o | s/s ms/user-s ms/frame | CPU s/s"
)


def play_row(n: int, ws: list[PlayWindow]) -> str:
    """Medians over the windows of: the per-user median/min/max frames/s and median bytes/s,
    the chunk-wait and Step percentiles, the CPU."""

    def med(f) -> float:
        return _median([f(w) for w in ws])

    def q(xs_of, p: float) -> float:  # a percentile per window, then their median
        return med(lambda w: pct(xs_of(w), p) if xs_of(w) else float("nan"))

    def waits(w: PlayWindow) -> list:
        return [1000 * x for x in w.waits]

    if n:
        fps = " ".join(f"{med(lambda w, f=f: f(w.fps)):6.1f}" for f in (_median, min, max))
        kbps = f"{med(lambda w: _median(w.bps)) / 1024:6.0f}"
        wait = f"{q(waits, 50):5.0f} {q(waits, 95):5.0f}"
        per_frame = f"{med(lambda w: 1000 * w.server_cpu_s / max(sum(w.fps) * w.seconds, 1)):8.0f}"
    else:
        fps, kbps, wait = f"{'-':>6} {'-':>6} {'-':>6}", f"{'-':>6}", f"{'-':>5} {'-':>5}"
        per_frame = f"{'-':>8}"
    cpu = med(lambda w: w.server_cpu_s / w.seconds)
    per_user = med(lambda w: 1000 * w.server_cpu_s / (w.seconds * (n + 1)))
    return (
        f"{n:5d} | {fps}   |  {kbps}  | {wait}  |"
        f" {q(lambda w: w.lat, 50):5.0f} {q(lambda w: w.lat, 95):5.0f}"
        f" {q(lambda w: w.done, 50):6.0f} {med(lambda w: w.clicks):6.0f}"
        f" {med(lambda w: w.timeouts):3.0f} | {cpu:4.2f} {per_user:6.0f}    {per_frame} |"
        f" {med(lambda w: w.client_cpu_s / w.seconds):6.2f}"
    )


def play_windows(n: int, ws: list[PlayWindow]) -> str:
    """Each window's headline numbers, to see how far apart the windows are."""
    parts = []
    for w in ws:
        fps = f"{_median(w.fps):.1f}/{min(w.fps):.1f} f/s" if n else "- f/s"
        per_chunk = f", {sum(w.fps) * w.seconds / w.chunks:.1f} f/chunk" if w.chunks else ""
        p95 = f"{pct(w.lat, 95):.0f}" if w.lat else "-"
        parts.append(f"{fps}{per_chunk}, p95 {p95} ms, {w.server_cpu_s / w.seconds:.2f} CPU s/s")
    return f"{n:5d}   windows: " + "; ".join(parts)


async def play_section(args, port: int, server: Server) -> None:
    if WsUser.via == "line":
        how = (f"on the board's line: each draws at most {WsUser.draw_fps:g} frames/s, "
               f"answers each with 'shown', the server trains at most {LEAD} ahead")  # fmt: skip
        wait = f"shown -> the frame it let the server send ({LEAD} on)"
    else:
        how = (f"by script runs: each asks for the next chunk when {LOW} frames are left of "
               f"its queue, which drains at {FPS} frames/s")  # fmt: skip
        wait = "the board's trigger -> its chunk"
    print(f"\nPlay: N users in Play ({how}) and 1 more user clicking Step; "
          f"medians of {args.windows} windows of {args.window_seconds:.0f} s after "
          f"{args.warmup:.0f} s of warm-up; load average at start {loadavg()}\n"
          f"{PLAY_HEADER}")  # fmt: skip
    runs = []
    for n in sorted({0, args.play_users}):
        problems0 = len(WsUser.problems)
        runs.append((n, await run_play(port, server, n, args)))
        print(play_row(*runs[-1]), flush=True)
        note = line_note([], WsUser.problems[problems0:])
        if note:
            print(note, flush=True)
    for n, ws in runs:
        print(play_windows(n, ws))
    print("(frames/s: frames received, median/min/max over the Play users; per window: f/s "
          f"median/min, frames per chunk (per message on the line); chunk wait: {wait}; "
          "ms/user-s: server CPU ms per second per user, all N+1 users; ms/frame: server CPU "
          "ms per frame the Play users received, the Step user's included)\n"
          f"load average at the end of Play {loadavg()}")  # fmt: skip


def verdict(levels: list[Level]) -> str:
    top = max(levels, key=lambda lv: lv.n)
    if not top.lat:
        return f"N={top.n}: no completed clicks"
    p95 = pct(top.lat, 95)
    ok = "met" if p95 < 1000 and not top.lost and not top.timeouts else "NOT met"
    return (f"target (p95 < 1 s at N={top.n}, no lost clicks): {ok}: p95 {p95:.0f} ms, "
            f"{top.lost} lost, {top.timeouts} timed out")  # fmt: skip


# --- main ------------------------------------------------------------------------------
async def bench(args, base: str, server: Server) -> None:
    port = int(base.rsplit(":", 1)[1])
    clients = WsClients(port) if args.client == "ws" else await BrowserClients(base).start()
    print(f"clients: {clients.name}")
    rss0 = server.rss()
    try:
        # warm-up user: the first Playground run imports and caches what every later
        # session shares; the baseline is the server after it has come and gone
        (u,) = await open_users(clients, 1)
        for _ in range(3):
            await u.step()
        await u.close()
        await reap(clients, args.session_ttl, time.monotonic())
        base_rss = server.rss()
        print(f"server RSS before any page {rss0:.0f} MB; baseline after a warm-up user "
              f"came and went {base_rss:.0f} MB")  # fmt: skip
        levels = []
        if args.users:
            print(f"\n{HEADER}")
        for n in args.users:
            levels.append(await run_level(clients, server, n, args.seconds))
            print(row(levels[-1]), flush=True)
            note = line_note(levels[-1].hello, levels[-1].problems)
            if note:
                print(note, flush=True)
        if levels:
            print(f"\n{verdict(levels)}")
        if args.play_users is not None:
            await play_section(args, port, server)
        await reap(clients, args.session_ttl, time.monotonic())
    finally:
        await clients.stop()
    end = server.rss()
    print(f"all users closed, TTL ({args.session_ttl} s) passed, one more session came and "
          f"went: active sessions {server.active_sessions()}, RSS {end:.0f} MB: "
          f"{end - base_rss:+.0f} MB vs. the baseline ({base_rss:.0f} MB), "
          f"{end - rss0:+.0f} MB vs. before any page ({rss0:.0f} MB)")  # fmt: skip


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    client_help = "ws: raw websocket sessions (default); browser: headless Chromium"
    ap.add_argument("--client", choices=("ws", "browser"), default="ws", help=client_help)
    users_help = "comma-separated user counts (default 1,5,10,20; none with --play-users)"
    ap.add_argument("--users", default=None, help=users_help)
    ap.add_argument("--seconds", type=float, default=20, help="stepping time per user count")
    ttl_help = "server.disconnectedSessionTTL in s (Streamlit's default is 120)"
    ap.add_argument("--session-ttl", type=int, default=5, help=ttl_help)
    ap.add_argument("--timeout", type=float, default=900, help="stop everything after this")
    ap.add_argument("--log", type=Path, default=None, help="the server's log file")
    set_help = "a Streamlit config option for the server, e.g. runner.postScriptGC=false"
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=set_help)
    play_help = "also N users in Play and one clicking Step (and 0 in Play: the baseline)"
    ap.add_argument("--play-users", type=int, default=None, metavar="N", help=play_help)
    ap.add_argument(
        "--via",
        choices=("line", "script"),
        default="line",
        help="websocket users' board: on its own line, as a browser where app.py serves "
        "it (default), or without it (Step and Play chunks by script runs, --step-by)",
    )
    fps_help = f"--via line: frames/s a board draws and answers with 'shown' at most ({DRAW_FPS})"
    ap.add_argument("--draw-fps", type=float, default=DRAW_FPS, help=fps_help)
    ap.add_argument(
        "--step-by",
        choices=("board", "button"),
        default="board",
        help="--via script: websocket users' Step: the live board's trigger, as a "
        "browser's click when paused (default), or the Step button's (the whole panel reruns)",
    )
    ap.add_argument("--windows", type=int, default=3, help="Play: measuring windows")
    ap.add_argument("--window-seconds", type=float, default=20, help="Play: window length")
    ap.add_argument("--warmup", type=float, default=5, help="Play: s before the first window")
    args = ap.parse_args()
    if args.users is None:
        args.users = "1,5,10,20" if args.play_users is None else ""
    args.users = [int(u) for u in args.users.split(",") if u.strip()]
    return args


def streamlit_env(option: str) -> tuple[str, str]:
    """``section.someOption=value`` as Streamlit's ``STREAMLIT_SECTION_SOME_OPTION`` variable."""
    key, _, value = option.partition("=")
    return "STREAMLIT_" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])|\.", "_", key).upper(), value


def main() -> None:
    args = parse_args()
    if args.client == "browser" and not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"no Chromium at {CHROMIUM}")
    WsUser.step_by, WsUser.via, WsUser.draw_fps = args.step_by, args.via, args.draw_fps
    play = "" if args.play_users is None else f"; Play users {args.play_users}"
    if args.via == "line":
        play += (f"; the board on its line (drawing at most {args.draw_fps:g} frames/s; a "
                 f"user's messages paced below {RATE:.0f}/s)")  # fmt: skip
    else:
        play += f"; the board by script runs, Step by {args.step_by}"
    print(f"bench_load: users {args.users}, {args.seconds:.0f} s each{play}; "
          f"{os.cpu_count()} CPUs, load average {loadavg()}")  # fmt: skip
    t_start = time.monotonic()
    env = dict([streamlit_env(f"server.disconnectedSessionTTL={args.session_ttl}")])
    env.update(streamlit_env(o) for o in args.set)
    if args.set:
        print("server options: " + ", ".join(args.set))
    with running_app(port=free_port(), env=env, log=args.log) as base:
        pid = server_pid(int(base.rsplit(":", 1)[1]))
        if pid is None:
            sys.exit(f"no streamlit process found for {base}")
        try:
            asyncio.run(asyncio.wait_for(bench(args, base, Server(pid, base)), args.timeout))
        except TimeoutError:
            print(f"\nSTOPPED: --timeout {args.timeout:.0f} s reached")
    print(f"total {time.monotonic() - t_start:.0f} s; load average at the end {loadavg()}")


if __name__ == "__main__":
    main()
