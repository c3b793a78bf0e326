"""Load through the deploy: 1 vs 2 Streamlit workers behind nginx, 20/40/80 users.

Method. For each worker count, ``python -m deploy up`` (``tests/browser/appserver.py``
``running_deploy``: nginx, the workers, supervisord) runs on 127.0.0.1 with a short
``server.disconnectedSessionTTL``. Every user is a raw Streamlit websocket session
(``benchmarks/ws_client.py``, as in ``bench_load.py``) opened through nginx's port; nginx
sends each websocket (no cookie yet) to the least-connected worker (``deploy/nginx.conf.in``).
A quarter of the users (``--play-share``) Play (``bench_load.PlayUser``: the board's chunk
requests at 30 frames/s), the others click Step (the live board's trigger, as a paused
browser), wait for the new counter, think, click again. A think time is drawn from an
exponential distribution with mean ``--think`` s (``--think-dist exp``, the default: people
do not click in step; a seeded generator), or is exactly ``--think`` (``fixed``: users who
came together keep clicking together, in bursts the server works off while the users all
wait, so fewer cores do the same clicks with longer waits). After ``--warmup`` s
one window of ``--seconds`` is measured. Printed per level:

- sessions per worker (``/_stcore/metrics``); Step latency p50/p95/max (click -> new counter
  value), clicks, timed-out clicks;
- frames/s each Play user received (median, min);
- server CPU: cores used (CPU s per s, all workers) and ms per Step click (all the workers'
  CPU over the window, Play included, / clicks); the cores this process (the clients) used;
- the workers' summed RSS before the users came, at the end of the window, and after they
  left and the TTL passed;
- the load average (the machine is shared: other jobs take cores too).

Each level runs ``--repeat`` times (3) in the same deploy; a last row gives the median of
each number over them. Goal: 80 users with p95 Step <= 1 s on 2 workers.
Numbers only: nothing is asserted.

    python benchmarks/bench_deploy.py
    python benchmarks/bench_deploy.py --workers 1,2 --users 20,40,80 --seconds 20 --think 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT / "benchmarks"), str(ROOT)]
from appserver import running_deploy  # noqa: E402
from bench_load import LOAD_CONCURRENCY, PlayUser, WsUser, pct  # noqa: E402
from bench_playground import cpu_s, loadavg, rss_mb, server_pid  # noqa: E402

SESSION_TTL_S = 3


@dataclass
class Result:
    workers: int
    users: int
    players: int
    sessions: list = field(default_factory=list)
    lat: list = field(default_factory=list)
    clicks: int = 0
    timeouts: int = 0
    fps: list = field(default_factory=list)
    cpu_s: float = 0.0
    client_s: float = 0.0  # this process (the users' websocket clients) on the same cores
    seconds: float = 0.0
    rss: tuple = (0.0, 0.0, 0.0)
    load: str = ""


def sessions(port: int) -> int | None:
    url = f"http://127.0.0.1:{port}/_stcore/metrics?families=active_sessions"
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 (loopback only)
            text = r.read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("active_sessions"):
            return int(float(line.split()[-1]))
    return None


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system


async def stepper(user: WsUser, stop: asyncio.Event, think, log: list) -> None:
    """Click Step, wait for the new counter, think ``think()`` s; until ``stop``."""
    while not stop.is_set():
        r = await user.step()
        log.append((time.monotonic(), r.ms))
        if r.ms is None:
            break  # a timed-out session's protocol state is unknown: this user stops
        await asyncio.sleep(think())


def thinker(args, seed: int):
    """The think times of one user: exponential with mean ``args.think`` or fixed."""
    if args.think_dist == "fixed":
        return lambda: args.think
    rng = np.random.default_rng(seed)
    return lambda: float(rng.exponential(args.think))


async def open_all(n_step: int, n_play: int, port: int) -> tuple[list, list]:
    sem = asyncio.Semaphore(LOAD_CONCURRENCY)

    async def one(cls):
        async with sem:
            u = cls(port)
            await u.open()
            return u

    players = await asyncio.gather(*(one(PlayUser) for _ in range(n_play)))
    steppers = await asyncio.gather(*(one(WsUser) for _ in range(n_step)))
    await asyncio.gather(*(p.start() for p in players))
    return list(steppers), list(players)


async def level(port: int, wports: list[int], n: int, args) -> Result:
    pids = [server_pid(p) for p in wports]
    rss = lambda: sum(rss_mb(p) for p in pids)  # noqa: E731
    cpu = lambda: sum(cpu_s(p) for p in pids)  # noqa: E731
    n_play = round(n * args.play_share)
    res = Result(len(wports), n, n_play)
    rss0 = rss()
    steppers, players = await open_all(n - n_play, n_play, port)
    res.sessions = [sessions(p) for p in wports]
    stop, log = asyncio.Event(), []
    tasks = [asyncio.create_task(s.play(stop)) for s in players]
    tasks += [
        asyncio.create_task(stepper(u, stop, thinker(args, k), log)) for k, u in enumerate(steppers)
    ]
    await asyncio.sleep(args.warmup)
    f0, c0, k0, t0 = [p.frames for p in players], cpu(), own_cpu(), time.monotonic()
    await asyncio.sleep(args.seconds)
    f1, c1, k1, t1 = [p.frames for p in players], cpu(), own_cpu(), time.monotonic()
    res.client_s = k1 - k0
    rss1 = rss()
    stop.set()
    await asyncio.gather(*tasks)
    window = [ms for t, ms in log if t0 <= t <= t1]
    res.lat = [ms for ms in window if ms is not None]
    res.clicks, res.timeouts = len(window), sum(ms is None for ms in window)
    res.seconds, res.cpu_s = t1 - t0, c1 - c0
    res.fps = [(b - a) / res.seconds for a, b in zip(f0, f1)]
    await asyncio.gather(*(u.close() for u in [*steppers, *players]))
    await asyncio.sleep(SESSION_TTL_S + 1)
    reaper = WsUser(port, page="")  # expired sessions are dropped on the next disconnect
    await reaper.open()
    await reaper.close()
    await asyncio.sleep(4)  # the app frees memory 2 s after a session ends
    res.rss, res.load = (rss0, rss1, rss()), loadavg()
    return res


HEADER = (
    "workers users(play) sessions/worker  Step p50   p95   max ms  clicks t/o  "
    "fps/player med(min)  cores client  ms/click  RSS before/loaded/after MB  load"
)


def stats(r: Result) -> dict[str, float]:
    """One run's numbers (NaN where there are none)."""
    nan = float("nan")
    lat = lambda q: pct(r.lat, q) if r.lat else nan  # noqa: E731
    return {
        "p50": lat(50), "p95": lat(95), "max": lat(100), "clicks": r.clicks,
        "timeouts": r.timeouts,
        "fps": statistics.median(r.fps) if r.fps else nan, "fps_min": min(r.fps, default=nan),
        "cores": r.cpu_s / r.seconds, "client": r.client_s / r.seconds,
        "ms_click": 1000 * r.cpu_s / r.clicks if r.clicks else nan,
        "rss0": r.rss[0], "rss1": r.rss[1], "rss2": r.rss[2],
    }  # fmt: skip


def fmt(r: Result, per: str, s: dict[str, float]) -> str:
    n = lambda x, w, d=0: f"{x:{w}.{d}f}" if x == x else f"{'-':>{w}}"  # noqa: E731 (NaN: -)
    fps = f"{n(s['fps'], 5, 1)} ({n(s['fps_min'], 4, 1)})" if s["fps"] == s["fps"] else "-"
    return (
        f"{r.workers:7d} {r.users:5d}({r.players:2d})  {per:>15}  {n(s['p50'], 8)} "
        f"{n(s['p95'], 5)} {n(s['max'], 5)}  {s['clicks']:6.0f} {s['timeouts']:3.0f}  "
        f"{fps:>20}  {s['cores']:5.2f} {s['client']:6.2f}  {n(s['ms_click'], 8)}  "
        f"{s['rss0']:6.0f} {s['rss1']:6.0f} {s['rss2']:6.0f}      {r.load}"
    )


def row(r: Result) -> str:
    per = "/".join("?" if s is None else str(s) for s in r.sessions)
    return fmt(r, per, stats(r))


def median_row(runs: list[Result]) -> str:
    """Each number the median over ``runs`` (one level, repeated)."""
    each = [stats(r) for r in runs]
    med = {k: statistics.median(s[k] for s in each) for k in each[0]}
    return fmt(runs[-1], f"median of {len(runs)}", med)


async def bench_workers(workers: int, args) -> list[Result]:
    env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(SESSION_TTL_S)}
    with tempfile.TemporaryDirectory() as tmp:
        run, log = Path(tmp) / "run", Path(tmp) / "deploy.log"
        with running_deploy(workers, run, log, env) as (base, wports):
            port = int(base.rsplit(":", 1)[1])
            warm = [WsUser(port) for _ in range(2 * workers)]  # every worker imports once
            await asyncio.gather(*(u.open() for u in warm))
            await asyncio.gather(*(u.close() for u in warm))
            out = []
            for n in args.users:
                runs = []
                for _ in range(args.repeat):
                    runs.append(await level(port, wports, n, args))
                    print(row(runs[-1]), flush=True)
                if len(runs) > 1:
                    print(median_row(runs), flush=True)
                out += runs
            return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--users", default="20,40,80", help="comma-separated user counts")
    ap.add_argument("--seconds", type=float, default=20, help="measured window per level")
    ap.add_argument("--repeat", type=int, default=3, help="runs per level (medians printed)")
    ap.add_argument("--warmup", type=float, default=3, help="s of load before the window")
    ap.add_argument("--play-share", type=float, default=0.25, help="share of users in Play")
    ap.add_argument("--think", type=float, default=1.0, help="s a Step user waits between clicks")
    dist_help = "exp: exponential think times with that mean (default); fixed: always --think"
    ap.add_argument("--think-dist", choices=("exp", "fixed"), default="exp", help=dist_help)
    args = ap.parse_args()
    args.users = [int(x) for x in args.users.split(",")]
    t0 = time.monotonic()
    print(f"bench_deploy: workers {args.workers}, users {args.users} "
          f"({args.play_share:.0%} in Play), think {args.think} s ({args.think_dist}), "
          f"{args.repeat} x {args.seconds:.0f} s windows; "
          f"load average {loadavg()}")  # fmt: skip
    print(HEADER)
    for w in (int(x) for x in args.workers.split(",")):
        asyncio.run(bench_workers(w, args))
    print(f"total {time.monotonic() - t0:.0f} s; load average at the end {loadavg()}")


if __name__ == "__main__":
    main()
