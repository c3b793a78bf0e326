"""TensorFlow Playground vs. Backprop Explorer's Playground in one headless Chromium.

TF Playground is built from its own source (``benchmarks/tfp.py``: ``--tfp-src`` or
``TFP_SRC`` points at a checkout of github.com/tensorflow/playground; the build is cached)
and served by Python's http.server on 127.0.0.1; the app runs on 127.0.0.1 as the browser
tests start it (``tests/browser/appserver.py``). One Chromium (Debian's, headless, 1280x720,
no outside host name resolves: loopback only) measures both at their defaults (TFP's
``index.html``, the circle network; our ``/playground`` without a query), taking turns
(TFP, ours, ours, TFP, ...). Each turn, on a fresh browser context:

1. First chart: ms from navigation start (``page.goto``) until a chart shows content: TFP's
   heatmap canvas painted; ours: the board's first view drawn (a ``.main-svg`` in the board:
   Plotly draws a view's axes and the board paints its marks in one task). Also, ours only:
   every view of the first frame drawn (``.bp-board`` has ``data-drawn``; the board draws a
   page's first frame one view a display frame, the graph first).
2. Play: click Play, wait for the first change and 1 s, then for 6 s count the animation
   frames in which a view changed (TFP: ``#iter-number``; ours:
   ``__bpBoardStats.frames``) per second, and the gaps between them (p90, max; the window's
   edges count as gaps); then Pause. CPU per second of Play of Chromium and the server.
3. Step: 3 warm-ups, then 10 Steps 2 s apart: mouse down -> last visible change. TFP: the
   counter changed and then no DOM or canvas change for 200 ms; ours: ``.bp-board``'s
   ``data-drawn`` equals the new step (without ``data-drawn``, noted under the table:
   ``data-step``, set in the same task as the views are painted).
4. CPU per Step: 8 Steps 2 s apart minus an idle window as long, per Step: all of this
   Chromium's processes, and the server (ours: the streamlit process; TFP: the static
   server's threads).

Clicks are mouse clicks at the button's centre. Every wait is bounded: a measure that times
out prints 'n/a' and the run goes on. The table gives medians over ``--runs`` turns per app
and the ratio ours/TFP against the goals (Step <= 2x, Chromium CPU per Step <= 2x, Play
frames per s >= 1x, first chart <= 4x; ours alone: max frame gap <= 100 ms, server CPU per
s of Play <= 100 ms); the load average (start, end) is printed with them. Numbers only, no
asserts. About 75 s per turn, 7.5 minutes at the default 3 runs.

    python benchmarks/bench_vs_tfp.py --tfp-src ~/src/playground
    python benchmarks/bench_vs_tfp.py --only tfp --runs 1
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))
import tfp  # noqa: E402
from appserver import CHROMIUM, CHROMIUM_ARGS, free_port, running_app  # noqa: E402
from bench_playground import browser_pids, cpu_s, loadavg, pct, server_pid  # noqa: E402

VIEWPORT = {"width": 1280, "height": 720}
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
FIRST_TIMEOUT_MS = 60_000
PLAY_START_MS = 15_000
PLAY_WINDOW_MS = 6_000
WARMUPS, STEPS, STEP_GAP_S, STEP_TIMEOUT_MS, QUIET_MS = 3, 10, 2.0, 10_000, 200
CPU_STEPS = 8

# In-page measures (installed before each page loads; only the first-chart watcher runs
# by itself, the rest only while called). Times are performance.now() ms.
MEASURE_JS = r"""
(() => {
  if (window !== window.top || window.__vs) return;
  const W = (window.__vs = {});
  const now = () => performance.now();
  const q = (s) => document.querySelector(s);
  const isTfp = () => q("#iter-number") !== null;
  const board = () => q(".bp-board");
  const iter = () => { const e = q("#iter-number"); return e ? e.textContent : null; };
  const num = (s) => (s == null ? null : Number(String(s).replace(/[^0-9]/g, "")));
  const stepNow = () => (isTfp() ? num(iter()) : num(board() && board().dataset.step));
  const sig = () => (isTfp() ? iter() : (window.__bpBoardStats || {}).frames);
  const pixels = (c) => c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const painted = (c) => {
    const d = pixels(c);
    for (let i = 3; i < d.length; i += 4) if (d[i]) return true;
    return false;
  };
  const canvasSum = () => {
    let s = 0;
    for (const c of document.querySelectorAll("#heatmap canvas, #network canvas")) {
      if (!c.width || !c.height) continue;
      const d = pixels(c);
      for (let i = 0; i < d.length; i += 4) s = (s * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0;
    }
    return s;
  };

  const first = { t: null, how: null, tAll: null };
  (function watchFirst() {
    const t = now(), hm = q("#heatmap canvas"), b = board();
    if (first.t === null && hm && hm.width && painted(hm)) {
      first.t = first.tAll = t;
      first.how = "heatmap";
    }
    if (first.t === null && b && b.querySelector(".bp-live-plot .main-svg")) {
      first.t = t;
      first.how = "view";
    }
    if (first.tAll === null && b && b.hasAttribute("data-drawn")) first.tAll = t;
    if ((first.t === null || first.tAll === null) && t < 120000) requestAnimationFrame(watchFirst);
  })();
  W.first = () => ({ ...first, now: now() });

  W.step = stepNow;
  W.change = (timeoutMs) => new Promise((resolve) => {
    const s0 = sig(), t0 = now();
    const tick = () => {
      if (sig() !== s0) return resolve(true);
      if (now() - t0 > timeoutMs) return resolve(false);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  W.play = (ms) => new Promise((resolve) => {
    const times = [], t0 = now(), s0 = stepNow();
    let prev = sig(), frames = 0;
    const tick = () => {
      const t = now(), s = sig();
      frames += 1;
      if (s !== prev) { times.push(t - t0); prev = s; }
      if (t - t0 >= ms) return resolve({ times, frames, ms: t - t0, steps: stepNow() - s0 });
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

  // Arm before a Step click; W.cur.promise resolves with the mouse-down time and the time
  // of the last visible change (see the module docstring).
  W.arm = (timeoutMs, quietMs) => {
    const tfp = isTfp(), pre = tfp ? iter() : num(board() && board().dataset.step);
    const r = { tDown: null, tSeen: null, tLast: null, how: null, timedOut: false };
    const onDown = (e) => { if (r.tDown === null) r.tDown = e.timeStamp; };
    window.addEventListener("mousedown", onDown, true);
    let muts = 0, seen = 0, sum = tfp ? canvasSum() : 0;
    const mo = new MutationObserver((ms) => { muts += ms.length; });
    const all = { subtree: true, childList: true, attributes: true, characterData: true };
    if (tfp) mo.observe(document.body, all);
    const t0 = now();
    const promise = new Promise((resolve) => {
      const done = (timedOut) => {
        mo.disconnect();
        window.removeEventListener("mousedown", onDown, true);
        resolve({ ...r, timedOut });
      };
      const tick = () => {
        const t = now();
        if (tfp) {
          const s = canvasSum();
          if ((muts !== seen || s !== sum) && r.tDown !== null) r.tLast = t;
          seen = muts; sum = s;
          if (r.tDown !== null && r.tSeen === null && iter() !== pre) {
            r.tSeen = t; r.how = "counter";
          }
          if (r.tSeen !== null && t - r.tLast >= quietMs) return done(false);
        } else if (r.tDown !== null && pre !== null) {
          const b = board(), want = String(pre + 1);
          const how = b && b.hasAttribute("data-drawn") ? "data-drawn" : "data-step";
          if (b && b.getAttribute(how) === want) { r.tLast = t; r.how = how; return done(false); }
        }
        if (t - t0 > timeoutMs) return done(true);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    W.cur = { promise };
    return pre;
  };
})();
"""

IDLE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
  const b = document.querySelector('.bp-board');
  return !!a && a.dataset.testScriptState === 'notRunning' && (!b || b.dataset.clock !== 'on'); }"""


@dataclass
class App:
    """One side of the comparison: where it is, its buttons and its server's CPU."""

    key: str  # "tfp" or "ours"
    name: str
    url: str
    play: str
    step: str
    server_cpu: Callable[[], float]
    ready_js: str | None = None  # settled (ours: script idle, board clock off)
    info: str = ""
    notes: set[str] = field(default_factory=set)


class Meter:
    """CPU seconds of the app's server and of every process of this Chromium (/proc)."""

    def __init__(self, server_cpu: Callable[[], float]) -> None:
        self.server_cpu = server_cpu

    def read(self) -> dict[str, float]:
        browser = 0.0
        for pid in browser_pids():
            try:
                browser += cpu_s(pid)
            except (OSError, ValueError, IndexError):
                continue
        return {"server": self.server_cpu(), "browser": browser}


# ------------------------------------------------------------------------ clicks and waits
def med(xs: list[float | None]) -> float | None:
    xs = [x for x in xs if x is not None and not math.isnan(x)]
    return statistics.median(xs) if xs else None


def button_centre(page, selector: str) -> tuple[float, float] | None:
    """The centre of the first ``selector`` (scrolled into view), or None within 5 s."""
    from playwright.sync_api import Error

    loc = page.locator(selector).first
    try:
        loc.scroll_into_view_if_needed(timeout=5000)
        box = loc.bounding_box(timeout=5000)
    except Error:
        return None
    return (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2) if box else None


def click(page, selector: str) -> bool:
    """A mouse click at the centre of ``selector``; False if it is not there."""
    xy = button_centre(page, selector)
    if xy:
        page.mouse.click(*xy)
    return xy is not None


def settle(page, app: App, timeout_ms: float = 15_000) -> None:
    """Wait (bounded) until the app is idle, then 0.5 s more."""
    from playwright.sync_api import Error

    if app.ready_js:
        try:
            page.wait_for_function(app.ready_js, timeout=timeout_ms, polling=100)
        except Error:
            app.notes.add("did not settle within 15 s before a measure")
    page.wait_for_timeout(500)


# ------------------------------------------------------------------------ measures
def measure_first(page, app: App) -> dict:
    """Open the app on ``page`` (of a fresh context): {"first": ms, "first_all": ms} (None:
    not within the time)."""
    from playwright.sync_api import Error

    page.goto(app.url, wait_until="commit", timeout=FIRST_TIMEOUT_MS)
    done = "() => { const f = window.__vs && window.__vs.first(); return !!f && f.tAll !== null; }"
    with suppress(Error):
        page.wait_for_function(done, timeout=FIRST_TIMEOUT_MS, polling=100)
    f = page.evaluate("window.__vs ? window.__vs.first() : {}")
    if f.get("t") is None:
        app.notes.add(f"first chart: none within {FIRST_TIMEOUT_MS / 1000:.0f} s")
    return {"first": f.get("t"), "first_all": f.get("tAll")}


def measure_play(page, app: App, meter: Meter) -> dict:
    """Frames with a change per second in a window of Play, their gaps, CPU per second."""
    settle(page, app)
    if not click(page, app.play):
        return {}
    started = page.evaluate("(ms) => window.__vs.change(ms)", PLAY_START_MS)
    out: dict = {}
    if started:
        page.wait_for_timeout(1000)
        c0 = meter.read()
        w = page.evaluate("(ms) => window.__vs.play(ms)", PLAY_WINDOW_MS)
        c1 = meter.read()
        edges = [0.0, *w["times"], w["ms"]]
        gaps = [b - a for a, b in zip(edges, edges[1:])]
        secs = w["ms"] / 1000
        out = {
            "fps": len(w["times"]) / secs,
            "raf": w["frames"] / secs,
            "steps_s": (w["steps"] or 0) / secs,
            "gap_p90": pct(gaps, 90),
            "gap_max": max(gaps),
            "play_browser": 1000 * (c1["browser"] - c0["browser"]) / secs,
            "play_server": 1000 * (c1["server"] - c0["server"]) / secs,
        }
    else:
        app.notes.add(f"Play: no view changed within {PLAY_START_MS / 1000:.0f} s")
    click(page, app.play)  # Pause
    settle(page, app)
    return out


def timed_step(page, app: App) -> dict | None:
    """One Step click: {"ms": mouse down -> last change, "how": ...} or None (timed out)."""
    page.evaluate("([t, q]) => window.__vs.arm(t, q)", [STEP_TIMEOUT_MS, QUIET_MS])
    if not click(page, app.step):
        return None
    r = page.evaluate("window.__vs.cur.promise")
    if r["timedOut"] or r["tDown"] is None or r["tLast"] is None:
        return None
    return {"ms": r["tLast"] - r["tDown"], "how": r["how"]}


def measure_steps(page, app: App) -> dict:
    """Median and p90 of mouse down -> last visible change over STEPS paced Steps."""
    settle(page, app)
    lat = []
    for i in range(WARMUPS + STEPS):
        t0 = time.perf_counter()
        r = timed_step(page, app)
        if i >= WARMUPS:
            lat.append(r["ms"] if r else None)
            if r and r["how"] == "data-step":
                app.notes.add("Step: data-step (no data-drawn on .bp-board)")
        time.sleep(max(0.0, STEP_GAP_S - (time.perf_counter() - t0)))
    ok = [x for x in lat if x is not None]
    if len(ok) < len(lat):
        app.notes.add(f"Step: {len(lat) - len(ok)} of {len(lat)} n/a (timed out or no button)")
    if not ok:
        return {}
    return {"step_med": statistics.median(ok), "step_p90": pct(ok, 90)}


def measure_step_cpu(page, app: App, meter: Meter) -> dict:
    """CPU per Step: CPU_STEPS Steps STEP_GAP_S apart minus an idle window as long."""
    settle(page, app)
    xy = button_centre(page, app.step)
    if xy is None:
        return {}
    span = CPU_STEPS * STEP_GAP_S
    c0 = meter.read()
    time.sleep(span)
    c1, s0 = meter.read(), page.evaluate("window.__vs.step()")
    t0 = time.perf_counter()
    for i in range(CPU_STEPS):
        page.mouse.click(*xy)
        time.sleep(max(0.0, t0 + (i + 1) * STEP_GAP_S - time.perf_counter()))
    c2, s1 = meter.read(), page.evaluate("window.__vs.step()")
    if s0 is None or s1 is None or s1 - s0 != CPU_STEPS:
        app.notes.add(f"CPU per Step: the counter went {s0} -> {s1}, not +{CPU_STEPS}")

    def per_step(k: str) -> float:
        return 1000 * ((c2[k] - c1[k]) - (c1[k] - c0[k])) / CPU_STEPS

    return {"cpu_step": per_step("browser"), "srv_step": per_step("server")}


def guarded(label: str, fn: Callable[..., dict], *args) -> dict:
    """``fn(*args)``, or {} (printed) if it raised: every measure is allowed to fail."""
    try:
        return fn(*args)
    except Exception as e:  # a timeout or a closed page: this measure is n/a
        print(f"   {label} failed: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
        return {}


def turn(browser, app: App) -> dict:
    """Every measure once for ``app``, on a fresh context."""
    meter = Meter(app.server_cpu)
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        ctx.add_init_script(MEASURE_JS)
        page = ctx.new_page()
        out = guarded("first chart", measure_first, page, app)
        if out.get("first") is None:
            return out  # no chart within the timeout: the other measures would wait in vain
        out |= guarded("Play", measure_play, page, app, meter)
        out |= guarded("Step", measure_steps, page, app)
        out |= guarded("CPU per Step", measure_step_cpu, page, app, meter)
        return out
    finally:
        ctx.close()


# ------------------------------------------------------------------------ report
# key, label, goal: ("ratio" | "ours", "<=" | ">=", bound) or None; show ours/TFP?
ROWS: list[tuple[str, str, tuple[str, str, float] | None, bool]] = [
    ("first", "first chart after navigation, ms", ("ratio", "<=", 4.0), True),
    ("first_all", "every view of the first frame drawn, ms", None, True),
    ("fps", "Play: frames with a change per s", ("ratio", ">=", 1.0), True),
    ("raf", "Play: animation frames per s", None, True),
    ("steps_s", "Play: training steps per s (own units)", None, False),
    ("gap_p90", "Play: frame gap p90, ms", None, True),
    ("gap_max", "Play: max frame gap, ms", ("ours", "<=", 100.0), True),
    ("step_med", "Step: click -> last change, median ms", ("ratio", "<=", 2.0), True),
    ("step_p90", "Step: click -> last change, p90 ms", None, True),
    ("cpu_step", "Chromium CPU per Step, ms", ("ratio", "<=", 2.0), True),
    ("srv_step", "server CPU per Step, ms", None, False),
    ("play_browser", "Chromium CPU per s of Play, ms", None, True),
    ("play_server", "server CPU per s of Play, ms", ("ours", "<=", 100.0), False),
]


def fmt(x: float | None, key: str = "") -> str:
    if x is None:
        return "n/a"
    return f"{x:,.1f}" if key in ("fps", "raf", "steps_s") else f"{x:,.0f}"


def verdict(goal: tuple[str, str, float] | None, tfp_v, ours_v) -> tuple[str, str]:
    """The goal as text and whether it is met ('yes', 'NO', 'n/a' or '')."""
    if goal is None:
        return "", ""
    kind, op, bound = goal
    if kind == "ratio":
        text = f"ours/TFP {op} {bound:g}x"
        value = ours_v / tfp_v if ours_v is not None and tfp_v else None
    else:
        text, value = f"ours {op} {bound:g}", ours_v
    if value is None:
        return text, "n/a"
    ok = value <= bound if op == "<=" else value >= bound
    return text, "yes" if ok else "NO"


def report(results: dict[str, list[dict]], apps: dict[str, App]) -> None:
    """The table of medians over the runs, then each app's notes."""
    n = {k: len(v) for k, v in results.items()}
    print(f"\nMedians over runs (TFP {n.get('tfp', 0)}, ours {n.get('ours', 0)}):")
    head = f"{'measure':<40} | {'TF Playground':>13} | {'Backprop Explorer':>17} | "
    print(head + f"{'ours/TFP':>8} | {'goal':<16} | met")
    print("-" * (len(head) + 34))
    for key, label, goal, show_ratio in ROWS:
        t = med([r.get(key) for r in results.get("tfp", [])])
        o = med([r.get(key) for r in results.get("ours", [])])
        ratio = f"{o / t:.2f}x" if show_ratio and o is not None and t else ""
        text, met = verdict(goal, t, o)
        print(f"{label:<40} | {fmt(t, key):>13} | {fmt(o, key):>17} | {ratio:>8} | "
              f"{text:<16} | {met}")  # fmt: skip
    for app in apps.values():
        for note in sorted(app.notes):
            print(f"   * {app.name}: {note}")


def progress(run: int, app: App, r: dict) -> None:
    vals = ", ".join(f"{k} {fmt(r.get(k), k)}" for k, *_ in ROWS if k in r)
    print(f"run {run} {app.name}: {vals or 'nothing measured'}", flush=True)


# ------------------------------------------------------------------------ main
def watchdog(seconds: float, pids: list[int]) -> threading.Timer:
    """A timer that ends the benchmark after ``seconds``: it stops this Chromium's processes
    and ``pids`` (the server it started), then exits."""

    def stop() -> None:
        print(f"\nbenchmark still running after {seconds:.0f} s: stopping", flush=True)
        for pid in [*browser_pids(), *pids]:
            with suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        os._exit(2)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    return timer


def order(runs: int, keys: list[str]) -> list[tuple[int, str]]:
    """(run, app) turns: TFP, ours, ours, TFP, TFP, ours, ..."""
    out = []
    for i in range(runs):
        for k in keys if i % 2 == 0 else keys[::-1]:
            out.append((i + 1, k))
    return out


def header(browser, apps: dict[str, App]) -> None:
    cpus = len(os.sched_getaffinity(0))
    print("TF Playground vs. Backprop Explorer (default configurations)")
    print(f"   Chromium {browser.version} (headless, {CHROMIUM}), viewport "
          f"{VIEWPORT['width']}x{VIEWPORT['height']}, CPUs {os.cpu_count()} "
          f"({cpus} usable)")  # fmt: skip
    for app in apps.values():
        print(f"   {app.name}: {app.url}; {app.info}")
    print(f"   load average at start: {loadavg()}", flush=True)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="turns per app, medians (default 3)")
    ap.add_argument("--tfp-src", help="checkout of github.com/tensorflow/playground (or "
                    "TFP_SRC; default: the newest cached build)")  # fmt: skip
    ap.add_argument("--cache", help=f"TFP build cache (or TFP_CACHE; default {tfp.DEFAULT_CACHE})")
    ap.add_argument("--only", choices=["tfp", "ours", "both"], default="both")
    ap.add_argument("--port", type=int, help="the app's port (default: a free one)")
    return ap.parse_args()


def start_apps(stack: ExitStack, args, keys: list[str], pids: list[int]) -> dict[str, App]:
    """Serve TFP's build and/or start the app (stopped when ``stack`` closes)."""
    apps: dict[str, App] = {}
    if "tfp" in keys:
        dist = tfp.resolve_dist(args.tfp_src, args.cache)
        srv = stack.enter_context(tfp.serving(dist))
        build = (dist.parent / "BUILD.txt").read_text().strip().replace("\n", "; ")
        apps["tfp"] = App("tfp", "TF Playground", srv.base + "/index.html",
                          "#play-pause-button", "#next-step-button", srv.cpu_s,
                          info=f"built {dist} ({build})")  # fmt: skip
    if "ours" in keys:
        port = args.port or free_port()
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_vs_tfp_{port}.log"
        base = stack.enter_context(running_app(port=port, log=log))
        pid = server_pid(port)
        pids += [pid] if pid else []
        apps["ours"] = App("ours", "Backprop Explorer", base + "/playground",
                           ".st-key-play button", ".st-key-step button",
                           lambda: cpu_s(pid) if pid else math.nan, IDLE_JS,
                           info=f"streamlit pid {pid}, log {log}")  # fmt: skip
    return apps


def main() -> None:
    args = parse_args()
    keys = ["tfp", "ours"] if args.only == "both" else [args.only]
    from playwright.sync_api import sync_playwright

    t_start, load_start, pids = time.perf_counter(), loadavg(), []
    timer = watchdog(600 + 240 * args.runs * len(keys), pids)
    timer.start()
    with ExitStack() as stack:
        apps = start_apps(stack, args, keys, pids)
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, LOOPBACK_ONLY], headless=True
        )
        header(browser, apps)
        results: dict[str, list[dict]] = {k: [] for k in keys}
        for run, key in order(args.runs, keys):
            r = turn(browser, apps[key])
            results[key].append(r)
            progress(run, apps[key], r)
        browser.close()
        report(results, apps)
    timer.cancel()
    print(f"\nTotal {time.perf_counter() - t_start:.0f} s; load average at start {load_start}, "
          f"at the end {loadavg()}")  # fmt: skip


if __name__ == "__main__":
    main()
