"""Load: N users stepping the Playground at once on one server; Step latency, CPU, memory.

Method. Starts the app (``tests/browser/appserver.py``) on 127.0.0.1 with a short
``server.disconnectedSessionTTL``. By default every simulated user is a raw Streamlit
websocket session (``benchmarks/ws_client.py``) that behaves as the browser's frontend
does: it opens ``/playground`` (the frontend's first ``rerun_script``), waits for
``script_finished``, then clicks Step again and again: the Step button's trigger with the
``fragment_id`` of its ``st.fragment``, every other widget's state, the message cache's
hashes; it waits for the run to finish before the next click. Nothing is rendered, so the
two cores measure the server as it serves N students whose browsers run on their own
machines. ``--client browser`` makes every user a Playwright context in one headless
Chromium instead; Chromium then renders Plotly for every page (~350 ms of CPU per Step per
page) on the same two cores, so that mode measures this machine's Chromium more than the
server.

For each N it prints:

- Step latency, p50/p95/max: click sent -> the step counter's new value arrives (the
  ``ForwardMsg`` delta of the ``st.metric`` "Step" in the container ``key="step-counter"``;
  in a browser, the counter changes on screen); and p50/p95 click -> the run's
  ``script_finished`` (in a browser: the page is idle again);
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

Targets: 20 users with p95 Step latency under 1 s, memory back to the baseline.
The run bounds itself (``--timeout``, default 15 min) and only uses 127.0.0.1.

    python benchmarks/bench_load.py
    python benchmarks/bench_load.py --users 1,5,10,20 --seconds 20
    python benchmarks/bench_load.py --set runner.postScriptGC=true   # try a server option
    python benchmarks/bench_load.py --client browser --users 1,5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from appserver import CHROMIUM, CHROMIUM_ARGS, free_port, running_app  # noqa: E402
from bench_playground import browser_pids, cpu_s, loadavg, pct, rss_mb, server_pid  # noqa: E402
from ws_client import WsSession  # noqa: E402

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


# --- websocket users -------------------------------------------------------------------
class WsUser:
    """A simulated tab on its own Streamlit websocket session."""

    def __init__(self, port: int, page: str = "playground") -> None:
        self.session = WsSession(port, page)

    async def open(self) -> None:
        await self.session.open(timeout=LOAD_TIMEOUT_S)

    async def step(self) -> Step:
        try:
            c = await self.session.click("step", timeout=CLICK_TIMEOUT_S)
        except TimeoutError:
            return Step(None, None, self.session.value, None)
        return Step(c.value_ms, c.finished_ms, c.before, c.after)

    async def recover(self) -> bool:
        return False  # a timed-out run leaves the protocol state unknown: this user stops

    async def counter(self) -> int:
        return self.session.value

    async def close(self) -> None:
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
METRIC = '.st-key-step-counter [data-testid="stMetricValue"]'
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
    t0 = time.monotonic()
    users = await open_users(clients, n)
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
              f"came and went {base_rss:.0f} MB\n\n{HEADER}")  # fmt: skip
        levels = []
        for n in args.users:
            levels.append(await run_level(clients, server, n, args.seconds))
            print(row(levels[-1]), flush=True)
        print(f"\n{verdict(levels)}")
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
    ap.add_argument("--users", default="1,5,10,20", help="comma-separated user counts")
    ap.add_argument("--seconds", type=float, default=20, help="stepping time per user count")
    ttl_help = "server.disconnectedSessionTTL in s (Streamlit's default is 120)"
    ap.add_argument("--session-ttl", type=int, default=5, help=ttl_help)
    ap.add_argument("--timeout", type=float, default=900, help="stop everything after this")
    ap.add_argument("--log", type=Path, default=None, help="the server's log file")
    set_help = "a Streamlit config option for the server, e.g. runner.postScriptGC=false"
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=set_help)
    args = ap.parse_args()
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
    print(f"bench_load: users {args.users}, {args.seconds:.0f} s each; {os.cpu_count()} CPUs, "
          f"load average {loadavg()}")  # fmt: skip
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
