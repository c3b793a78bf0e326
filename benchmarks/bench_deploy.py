"""Load through the deploy: 1 vs 2 Streamlit workers behind nginx, 20/40/80 users.

Method. For each worker count, ``python -m deploy up`` (``tests/browser/appserver.py``
``running_deploy``: nginx, the workers, supervisord) runs on 127.0.0.1 with a short
``server.disconnectedSessionTTL``. Every user is a raw Streamlit websocket session
(``benchmarks/ws_client.py``, as in ``bench_load.py``) opened through nginx's port as a
browser opens it: ``/_stcore/health`` first, whose response (no cookie yet: the
least-connected worker, ``deploy/nginx.conf.in``) sets nginx's ``bpworker`` route cookie
and Streamlit's ``_streamlit_xsrf``; the socket sends both. With ``--via line`` (the
default) each user then opens the live board's own line, ``/bp/board`` on nginx's host
and port, with the same cookies (so nginx sends it to the worker that holds the
session), as the board does where the route is served: a quarter of the users
(``--play-share``) Play (``bench_load.LinePlayUser``: ``play``, then each frame drawn,
at most ``--draw-fps`` (50) a second, and answered with ``shown``, the server training at
most ``LEAD`` frames ahead: ``line.py``'s constant, read from it), the
others click Step (a ``step`` message, timed to the reply whose frame has the new step),
think, click again. ``--via script``, the board without its line: Play is
``bench_load.ScriptPlayUser`` (the board's chunk requests at 30 frames/s, script runs of
its fragment), Step the live board's trigger (a script run of its fragment), as before the
line. A think time is drawn from an exponential distribution with mean ``--think`` s
(``--think-dist exp``, the default: people do not click in step; a seeded generator), or is
exactly ``--think`` (``fixed``: users who came together keep clicking together, in bursts
the server works off while the users all wait, so fewer cores do the same clicks with
longer waits). After ``--warmup`` s one window of ``--seconds`` is measured. Printed per
level:

- sessions per worker (``/_stcore/metrics``); Step latency p50/p95/max (click -> new counter
  value), clicks, timed-out clicks;
- frames/s each Play user received (median, min over the players);
- server CPU: cores used (CPU s per s, all workers) and ms per Step click (all the workers'
  CPU over the window, Play included, / clicks); the cores this process (the clients) used;
  the cores busy on the whole machine (``all``: nginx and other jobs too, ``/proc/stat``);
- the workers' summed RSS before the users came, at the end of the window, and after they
  left and the TTL passed;
- the load average (the machine is shared: other jobs take cores too);
- on the line, under the row: its ``hello`` -> first frame time (p50, max) and anything
  that went wrong on it (a line refused or closed, an error it sent).

Each level runs ``--repeat`` times (3) in the same deploy; a last row gives the median of
each number over them. A level that takes ``--level-timeout`` s more than its warm-up and
window stops the run, and everything stops after ``--timeout``. Goals: 80 users with p95
Step <= 1 s on 2 workers (by script runs); on the line, every player at >= 10 frames/s and
p95 Step <= 250 ms for the others. Numbers only: nothing is asserted.

    python benchmarks/bench_deploy.py
    python benchmarks/bench_deploy.py --workers 1,2 --users 20,40,80 --seconds 20 --think 1
    python benchmarks/bench_deploy.py --workers 2 --users 80 --via script   # without the line
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
from bench_load import LOAD_CONCURRENCY, WsUser, line_note, pct, play_user  # noqa: E402
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
    busy_s: float = 0.0  # every process on the machine (other jobs share the cores)
    seconds: float = 0.0
    rss: tuple = (0.0, 0.0, 0.0)
    load: str = ""
    hello: list = field(default_factory=list)  # ms: each line's hello -> its first frame
    problems: list = field(default_factory=list)  # the lines', during this level


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


def machine_cpu() -> float:
    """CPU seconds all the machine's cores have been busy (``/proc/stat``: not idle or
    waiting for I/O)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


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

    async def one(make):
        async with sem:
            u = make(port)
            await u.open()
            return u

    players = await asyncio.gather(*(one(play_user) for _ in range(n_play)))
    steppers = await asyncio.gather(*(one(WsUser) for _ in range(n_step)))
    await asyncio.gather(*(p.start() for p in players))
    return list(steppers), list(players)


async def level(port: int, wports: list[int], n: int, args) -> Result:
    pids = [server_pid(p) for p in wports]
    rss = lambda: sum(rss_mb(p) for p in pids)  # noqa: E731
    cpu = lambda: sum(cpu_s(p) for p in pids)  # noqa: E731
    n_play = round(n * args.play_share)
    res = Result(len(wports), n, n_play)
    rss0, problems0 = rss(), len(WsUser.problems)
    steppers, players = await open_all(n - n_play, n_play, port)
    res.sessions = [sessions(p) for p in wports]
    res.hello = [u.hello_ms for u in [*steppers, *players] if u.hello_ms is not None]
    stop, log = asyncio.Event(), []
    tasks = [asyncio.create_task(s.play(stop)) for s in players]
    tasks += [
        asyncio.create_task(stepper(u, stop, thinker(args, k), log)) for k, u in enumerate(steppers)
    ]
    await asyncio.sleep(args.warmup)
    f0, c0, k0, t0 = [p.frames for p in players], cpu(), own_cpu(), time.monotonic()
    m0 = machine_cpu()
    await asyncio.sleep(args.seconds)
    f1, c1, k1, t1 = [p.frames for p in players], cpu(), own_cpu(), time.monotonic()
    res.client_s, res.busy_s = k1 - k0, machine_cpu() - m0
    rss1 = rss()
    stop.set()
    await asyncio.gather(*tasks)
    window = [ms for t, ms in log if t0 <= t <= t1]
    res.lat = [ms for ms in window if ms is not None]
    res.clicks, res.timeouts = len(window), sum(ms is None for ms in window)
    res.seconds, res.cpu_s = t1 - t0, c1 - c0
    res.fps = [(b - a) / res.seconds for a, b in zip(f0, f1)]
    await asyncio.gather(*(u.close() for u in [*steppers, *players]))
    res.problems = WsUser.problems[problems0:]
    await asyncio.sleep(SESSION_TTL_S + 1)
    reaper = WsUser(port, page="")  # expired sessions are dropped on the next disconnect
    await reaper.open()
    await reaper.close()
    await asyncio.sleep(4)  # the app frees memory 2 s after a session ends
    res.rss, res.load = (rss0, rss1, rss()), loadavg()
    return res


HEADER = (
    "workers users(play) sessions/worker  Step p50   p95   max ms  clicks t/o  "
    "fps/player med(min)  cores client all  ms/click  RSS before/loaded/after MB  load"
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
        "busy": r.busy_s / r.seconds,
        "ms_click": 1000 * r.cpu_s / r.clicks if r.clicks else nan,
        "rss0": r.rss[0], "rss1": r.rss[1], "rss2": r.rss[2],
    }  # fmt: skip


def fmt(r: Result, per: str, s: dict[str, float]) -> str:
    n = lambda x, w, d=0: f"{x:{w}.{d}f}" if x == x else f"{'-':>{w}}"  # noqa: E731 (NaN: -)
    fps = f"{n(s['fps'], 5, 1)} ({n(s['fps_min'], 4, 1)})" if s["fps"] == s["fps"] else "-"
    return (
        f"{r.workers:7d} {r.users:5d}({r.players:2d})  {per:>15}  {n(s['p50'], 8)} "
        f"{n(s['p95'], 5)} {n(s['max'], 5)}  {s['clicks']:6.0f} {s['timeouts']:3.0f}  "
        f"{fps:>20}  {s['cores']:5.2f} {s['client']:6.2f} {s['busy']:4.2f}  "
        f"{n(s['ms_click'], 8)}  "
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
            bound = args.level_timeout + args.warmup + args.seconds
            for n in args.users:
                runs = []
                for _ in range(args.repeat):
                    try:
                        runs.append(await asyncio.wait_for(level(port, wports, n, args), bound))
                    except TimeoutError:
                        print(f"STOPPED: a level of {n} users took over {bound:.0f} s", flush=True)
                        return out
                    print(row(runs[-1]), flush=True)
                    note = line_note(runs[-1].hello, runs[-1].problems)
                    if note:
                        print(note, flush=True)
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
    via_help = ("line: the board on its own line, as a browser where app.py serves it "
                "(default); script: without it (Step and Play by script runs)")  # fmt: skip
    ap.add_argument("--via", choices=("line", "script"), default="line", help=via_help)
    fps_help = "--via line: frames/s a board draws and answers with 'shown' at most (50)"
    ap.add_argument("--draw-fps", type=float, default=50, help=fps_help)
    bound_help = "s a level may take besides --warmup and --seconds (opening, closing, TTL)"
    ap.add_argument("--level-timeout", type=float, default=180, help=bound_help)
    ap.add_argument("--timeout", type=float, default=3600, help="stop everything after this")
    args = ap.parse_args()
    args.users = [int(x) for x in args.users.split(",")]
    WsUser.via, WsUser.draw_fps = args.via, args.draw_fps
    t0 = time.monotonic()
    board = "by script runs"
    if args.via == "line":
        board = f"on its line, drawing at most {args.draw_fps:g} frames/s"
    print(f"bench_deploy: workers {args.workers}, users {args.users} "
          f"({args.play_share:.0%} in Play), think {args.think} s ({args.think_dist}), "
          f"{args.repeat} x {args.seconds:.0f} s windows; the board {board}; "
          f"load average {loadavg()}")  # fmt: skip
    print(HEADER)
    for w in (int(x) for x in args.workers.split(",")):
        left = args.timeout - (time.monotonic() - t0)
        try:
            asyncio.run(asyncio.wait_for(bench_workers(w, args), max(left, 1)))
        except TimeoutError:
            print(f"STOPPED: --timeout {args.timeout:.0f} s reached")
            break
    print(f"total {time.monotonic() - t0:.0f} s; load average at the end {loadavg()}")


if __name__ == "__main__":
    main()
