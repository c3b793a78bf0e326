"""Load: N users stepping the Playground at once on one server; Step latency and memory.

Starts the app (``tests/browser/appserver.py``) on 127.0.0.1 with a short
``server.disconnectedSessionTTL``, and opens N Playwright contexts (N Streamlit sessions)
in ONE headless Debian Chromium (nothing is downloaded). Every user steps continuously for
``--seconds``: click Step, wait until the step counter shows the next value, wait until
the app is idle, repeat. For each N it prints the p50/p95/max Step latency (click -> the
counter shows the new step, timed in the page with ``performance.now()``), the clicks
made, lost or timed-out clicks (a user's final counter must equal its clicks), and the
server's RSS (``/proc/<pid>/status``): before the users load, with all of them loaded, the
peak while stepping, and after they closed.

At the end, after every session is closed and the TTL has passed, one more page is opened
and closed (Streamlit reaps expired sessions on the next disconnect), and the RSS is
printed against the baseline: the server after one warm-up session has come and gone
(modules imported, caches filled), and against the server before any page.

Targets: 20 users with p95 Step latency under 1 s, memory returning to the baseline.
The run bounds itself (``--timeout``, default 15 min) and only uses 127.0.0.1.

    python benchmarks/bench_load.py
    python benchmarks/bench_load.py --users 1,5,10,20 --seconds 15
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from appserver import CHROMIUM, CHROMIUM_ARGS, free_port, running_app  # noqa: E402
from bench_playground import loadavg, pct, rss_mb, server_pid  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1000}
LOAD_CONCURRENCY = 5  # pages loading at once when the users arrive
CLICK_TIMEOUT_MS = 30_000

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


class Rss:
    """The server's RSS in MB, sampled in the background for the peak."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0

    def now(self) -> float:
        mb = rss_mb(self.pid)
        self.peak = max(self.peak, mb)
        return mb

    async def sample(self, stop: asyncio.Event, every: float = 0.25) -> None:
        while not stop.is_set():
            self.now()
            await asyncio.sleep(every)


async def open_user(browser, base: str, path: str = "/playground"):
    ctx = await browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(60_000)
    await ctx.route(lambda url: not url.startswith(base), lambda route: route.abort())
    page = await ctx.new_page()
    await page.goto(base + path)
    if path == "/playground":
        await page.wait_for_function(LIVE_READY_JS, timeout=60_000)
        await page.wait_for_function(IDLE_JS, timeout=60_000)
    else:
        await page.wait_for_function(HOME_IDLE_JS, timeout=60_000)
    return ctx, page


async def open_users(browser, base: str, n: int) -> list:
    sem = asyncio.Semaphore(LOAD_CONCURRENCY)

    async def one():
        async with sem:
            return await open_user(browser, base)

    return await asyncio.gather(*(one() for _ in range(n)))


async def step_once(page) -> dict:
    r = await page.evaluate(STEP_JS, CLICK_TIMEOUT_MS)
    if r["ms"] is not None:
        await page.wait_for_function(IDLE_JS, timeout=CLICK_TIMEOUT_MS)
    return r


async def user_loop(page, deadline: float) -> dict:
    lat, clicks, errors, skipped = [], 0, 0, 0
    start = int(await page.locator(METRIC).first.inner_text())
    while time.monotonic() < deadline:
        r = await step_once(page)
        clicks += 1
        if r["ms"] is None:
            errors += 1
            await page.wait_for_function(IDLE_JS, timeout=CLICK_TIMEOUT_MS)
            continue
        if int(r["after"]) != int(r["before"]) + 1:
            skipped += 1
        lat.append(r["ms"])
    await page.wait_for_function(IDLE_JS, timeout=CLICK_TIMEOUT_MS)
    final = int((await page.locator(METRIC).first.inner_text()).replace(",", ""))
    return {"lat": lat, "clicks": clicks, "errors": errors, "skipped": skipped,
            "lost": start + clicks - final}  # fmt: skip


async def close_all(users: list) -> None:
    await asyncio.gather(*(ctx.close() for ctx, _ in users))


async def reap(browser, base: str, ttl: int, closed_at: float) -> None:
    """Past the TTL, open and close a light page so the server drops expired sessions."""
    await asyncio.sleep(max(0.0, closed_at + ttl + 1 - time.monotonic()))
    ctx, _ = await open_user(browser, base, "/")
    await ctx.close()
    await asyncio.sleep(3)


async def run_level(browser, base: str, rss: Rss, n: int, seconds: float) -> dict:
    before = rss.now()
    t0 = time.monotonic()
    users = await open_users(browser, base, n)
    load_s = time.monotonic() - t0
    loaded = rss.now()
    for _, page in users:  # warm-up: one Step each (first charts, code paths)
        await step_once(page)
    rss.peak = 0.0
    stop = asyncio.Event()
    sampler = asyncio.create_task(rss.sample(stop))
    deadline = time.monotonic() + seconds
    results = await asyncio.gather(*(user_loop(page, deadline) for _, page in users))
    elapsed = time.monotonic() - deadline + seconds
    stop.set()
    await sampler
    peak = rss.peak
    await close_all(users)
    await asyncio.sleep(2)
    lat = [x for r in results for x in r["lat"]]
    return {
        "n": n, "load_s": load_s, "lat": lat, "elapsed": elapsed,
        "clicks": sum(r["clicks"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "skipped": sum(r["skipped"] for r in results),
        "lost": sum(r["lost"] for r in results),
        "per_user": [r["clicks"] for r in results],
        "rss": (before, loaded, peak, rss.now()),
    }  # fmt: skip


def report(r: dict) -> None:
    lat = r["lat"]
    b, loaded, peak, after = r["rss"]
    if lat:
        p50, p95, worst = pct(lat, 50), pct(lat, 95), max(lat)
        ok = "yes" if p95 < 1000 else "NO"
        lat_s = f"p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  max {worst:5.0f} ms  (p95 < 1 s: {ok})"
    else:
        lat_s = "no completed clicks"
    per = r["per_user"]
    print(f"N={r['n']:>2}  Step click -> counter: {lat_s}")
    print(f"      clicks {r['clicks']} in {r['elapsed']:.0f} s "
          f"({r['clicks'] / max(r['elapsed'], 1):.0f}/s; per user {min(per)}-{max(per)}), "
          f"timed out {r['errors']}, counter skipped {r['skipped']}, lost {r['lost']}; "
          f"{r['n']} pages loaded in {r['load_s']:.0f} s")  # fmt: skip
    print(f"      server RSS: before {b:.0f} MB, loaded {loaded:.0f} MB (+{loaded - b:.0f}), "
          f"peak {peak:.0f} MB (+{peak - b:.0f}), closed +2 s {after:.0f} MB "
          f"({after - b:+.0f})")  # fmt: skip


async def bench(args, base: str, pid: int) -> None:
    from playwright.async_api import async_playwright

    rss = Rss(pid)
    rss0 = rss.now()
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        # warm-up session: the first Playground run imports and caches what every later
        # session shares; the baseline is the server after it has come and gone
        users = await open_users(browser, base, 1)
        for _ in range(3):
            await step_once(users[0][1])
        await close_all(users)
        await reap(browser, base, args.session_ttl, time.monotonic())
        base_rss = rss.now()
        print(f"server RSS before any page {rss0:.0f} MB; baseline after a warm-up session "
              f"came and went {base_rss:.0f} MB\n")  # fmt: skip

        for n in args.users:
            r = await run_level(browser, base, rss, n, args.seconds)
            report(r)
            sys.stdout.flush()
        closed_at = time.monotonic()
        await reap(browser, base, args.session_ttl, closed_at)
        end = rss.now()
        await browser.close()
    print(f"\nall sessions closed, TTL ({args.session_ttl} s) passed, reaped: RSS {end:.0f} MB, "
          f"{end - base_rss:+.0f} MB vs. the baseline ({base_rss:.0f} MB), "
          f"{end - rss0:+.0f} MB vs. before any page ({rss0:.0f} MB)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", default="1,5,10,20", help="comma-separated user counts")
    ap.add_argument("--seconds", type=float, default=20, help="stepping time per user count")
    ttl_help = "server.disconnectedSessionTTL in s (Streamlit's default is 120)"
    ap.add_argument("--session-ttl", type=int, default=5, help=ttl_help)
    ap.add_argument("--timeout", type=float, default=900, help="stop everything after this")
    ap.add_argument("--log", type=Path, default=None, help="the server's log file")
    args = ap.parse_args()
    args.users = [int(u) for u in args.users.split(",") if u.strip()]
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"no Chromium at {CHROMIUM}")
    print(f"bench_load: users {args.users}, {args.seconds:.0f} s each; {os.cpu_count()} CPUs, "
          f"load average {loadavg()}")  # fmt: skip
    t_start = time.monotonic()
    port = free_port()
    env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.session_ttl)}
    with running_app(port=port, env=env, log=args.log) as base:
        pid = server_pid(port)
        if pid is None:
            sys.exit(f"no streamlit process found for port {port}")
        try:
            asyncio.run(asyncio.wait_for(bench(args, base, pid), args.timeout))
        except TimeoutError:
            print(f"\nSTOPPED: --timeout {args.timeout:.0f} s reached")
    print(f"total {time.monotonic() - t_start:.0f} s; load average at the end {loadavg()}")


if __name__ == "__main__":
    main()
