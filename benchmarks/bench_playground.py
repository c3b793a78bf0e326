"""The Playground in headless Chromium: Step latency, Play frame rate, bytes, session memory.

Starts the app (``tests/browser/appserver.py``), opens ``/playground`` at its default
configuration in Debian's Chromium (nothing is downloaded) and prints:

1. Step click -> every view updated: from the mouse press on Step until the step counter
   shows the new value, every live chart's ``data-revision`` changed (``Plotly.react`` has
   drawn) and Streamlit is idle (``stApp[data-test-script-state="notRunning"]``). Median,
   p90 and max, split into click -> first websocket message, first -> last message (the
   server's rerun) and last message -> views updated (the browser).
   1b. Chromium's CPU per Step on a second page without that instrumentation (its polling,
   DOM observer and websocket capture cost CPU too): Steps at a fixed pace minus idle.
2. Play: chart frames per second, training steps per second, blank frames (a live chart
   with no ``.main-svg``) and remounts (removed ``div.bp-live-plot`` or
   ``[data-testid="stPlotlyChart"]`` nodes) per frame.
3. Websocket bytes (server -> browser) per Step rerun and per Play frame, and how much of
   it is figure JSON (ForwardMsg parsed with Streamlit's protobufs).
4. The server's RSS (``/proc/<pid>/status``) before the page opens, after load, after
   1,000 training steps, for a second session, and after the sessions are closed.

With the latencies it prints the CPU time the server process and Chromium spent (from
/proc), which, unlike wall-clock times, hold up when other jobs load the machine; the load
average is printed at the start and the end. Numbers only, no asserts: this is a
benchmark, not a test. About three minutes.

    python benchmarks/bench_playground.py
    python benchmarks/bench_playground.py --steps 10 --play-seconds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from appserver import CHROMIUM, CHROMIUM_ARGS, free_port, running_app  # noqa: E402

VIEWPORT = {"width": 1280, "height": 720}  # a classroom projector
WARMUPS = 3
STEPS_PER_EPOCH = 25  # default dataset: 250 training samples, mini-batches of 10
MEMORY_STEPS = 1000

# In-page instrumentation, installed before the app loads. Times are performance.now() ms.
INIT_JS = r"""
(() => {
  const wsLog = [];  // [arrival time, bytes] of every server -> browser message
  const Orig = window.WebSocket;
  class Recorded extends Orig {
    constructor(...args) {
      super(...args);
      if (String(args[0]).includes("_stcore/stream")) {
        this.addEventListener("message", (e) => {
          const d = e.data;
          const n = typeof d === "string" ? d.length : (d.byteLength ?? d.size ?? 0);
          wsLog.push([performance.now(), n]);
        });
      }
    }
  }
  window.WebSocket = Recorded;

  const LIVE = "div.bp-live-plot";
  // a chart far below the viewport keeps its newer revision (data-pending) until it comes
  // near (backprop/ui/live.py): it counts as updated, not as blank, and is counted apart
  const kept = (d) => d.dataset.pending !== undefined;
  const PLOTLY = '[data-testid="stPlotlyChart"]';
  const q = (s) => document.querySelector(s);
  const qa = (s) => Array.from(document.querySelectorAll(s));
  const S = {
    removedLive: 0, removedPlotly: 0, addedLive: 0, addedPlotly: 0,
    revChanges: new Map(), lastMutation: 0, rafFrames: 0, blankFrames: 0, sampling: false,
  };
  const countIn = (node, sel) =>
    node.nodeType !== 1 ? 0 : (node.matches(sel) ? 1 : 0) + node.querySelectorAll(sel).length;

  function observe() {
    new MutationObserver((muts) => {
      S.lastMutation = performance.now();
      for (const m of muts) {
        if (m.type === "childList") {
          for (const n of m.removedNodes) {
            S.removedLive += countIn(n, LIVE);
            S.removedPlotly += countIn(n, PLOTLY);
          }
          for (const n of m.addedNodes) {
            S.addedLive += countIn(n, LIVE);
            S.addedPlotly += countIn(n, PLOTLY);
          }
        } else if (m.attributeName === "data-revision"
                   && m.oldValue !== m.target.getAttribute("data-revision")) {
          S.revChanges.set(m.target, (S.revChanges.get(m.target) || 0) + 1);
        }
      }
    }).observe(document.documentElement, {
      subtree: true, childList: true, attributes: true, attributeOldValue: true,
    });
  }
  if (document.documentElement) observe();
  else document.addEventListener("DOMContentLoaded", observe);

  // First load: when the page's script first finished (stApp idle) and when the live
  // board's views were first all drawn (each with Plotly's .main-svg)
  const first = { idle: null, charts: null };
  (function watchFirst() {
    const now = performance.now();
    const app = q('[data-testid="stApp"]');
    if (first.idle === null && app && app.dataset.testScriptState === "notRunning"
        && q(LIVE)) first.idle = now;
    const divs = qa(LIVE).filter((d) => !kept(d));
    if (first.charts === null && divs.length >= 4
        && divs.every((d) => d.querySelector(".main-svg") !== null)) first.charts = now;
    if (first.idle === null || first.charts === null) requestAnimationFrame(watchFirst);
  })();

  function state() {
    const app = q('[data-testid="stApp"]');
    const v = q('.bp-counters .bp-value');
    const divs = qa(LIVE);
    return {
      script: app ? app.dataset.testScriptState : null,
      step: v ? parseInt(v.innerText.replace(/[^0-9]/g, ""), 10) : null,
      revs: divs.map((d) => d.dataset.pending ?? d.dataset.revision ?? null),
      pending: divs.filter(kept).length,
      drawn: divs.length > 0 && divs.every((d) => kept(d) || d.querySelector(".main-svg")),
      nPlotly: qa(PLOTLY).length,
    };
  }

  function counters() {
    return {
      t: performance.now(), step: state().step, ws: wsLog.length,
      revChanges: qa(LIVE).map((d) => S.revChanges.get(d) || 0),
      removedLive: S.removedLive, removedPlotly: S.removedPlotly,
      addedLive: S.addedLive, addedPlotly: S.addedPlotly,
      rafFrames: S.rafFrames, blankFrames: S.blankFrames,
    };
  }

  function sample() {  // one check per animation frame while Play is measured
    if (!S.sampling) return;
    S.rafFrames += 1;
    const divs = qa(LIVE).filter((d) => !kept(d));
    if (divs.length < 3 || divs.some((d) => d.querySelector(".main-svg") === null)) {
      S.blankFrames += 1;
    }
    requestAnimationFrame(sample);
  }

  // Arm before a click: resolves once the counter changed, every live chart has a new
  // revision (drawn) and the script is idle; then waits `settle` ms for the DOM to go quiet.
  function arm(timeoutMs = 30000, settle = 250) {
    const pre = state();
    const wsStart = wsLog.length;
    const r = { pre, tDown: null, tClick: null, tCounter: null, tCharts: null, tDone: null };
    const onDown = (e) => { if (r.tDown === null) r.tDown = e.timeStamp; };
    const onClick = (e) => { if (r.tClick === null) r.tClick = e.timeStamp; };
    window.addEventListener("mousedown", onDown, true);
    window.addEventListener("click", onClick, true);
    const t0 = performance.now();
    r.promise = new Promise((resolve) => {
      const finish = (timedOut) => {
        window.removeEventListener("mousedown", onDown, true);
        window.removeEventListener("click", onClick, true);
        setTimeout(() => {
          const msgs = wsLog.slice(wsStart).filter(([t]) => r.tDone === null || t <= r.tDone);
          resolve({
            timedOut, tDown: r.tDown, tClick: r.tClick, tCounter: r.tCounter,
            tCharts: r.tCharts, tDone: r.tDone, preStep: pre.step, step: state().step,
            pending: state().pending,
            wsFirst: msgs.length ? msgs[0][0] : null,
            wsLast: msgs.length ? msgs[msgs.length - 1][0] : null,
            lastMutation: S.lastMutation,
          });
        }, settle);
      };
      const tick = () => {
        const now = performance.now();
        if (r.tDown !== null || r.tClick !== null) {
          const s = state();
          const counted = s.step !== null && s.step !== pre.step;
          const charts = s.drawn && s.revs.length === pre.revs.length
            && s.revs.every((v, i) => v !== null && v !== pre.revs[i]);
          if (counted && r.tCounter === null) r.tCounter = now;
          if (charts && r.tCharts === null) r.tCharts = now;
          if (counted && charts && s.script === "notRunning") {
            r.tDone = now;
            return finish(false);
          }
        }
        if (now - t0 > timeoutMs) return finish(true);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    window.__bpCurrent = r;
    return true;
  }

  window.__bp = {
    state, counters, arm, first: () => ({ ...first }),
    startSampling() { S.sampling = true; requestAnimationFrame(sample); },
    stopSampling() { S.sampling = false; },
  };
})();
"""


# ------------------------------------------------------------------------ helpers
def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def ms(x: float) -> str:
    return f"{x:,.0f} ms"


def kb(x: float) -> str:
    return f"{x / 1024:,.1f} KB"


def server_pid(port: int) -> int | None:
    """The streamlit process serving ``port`` (found through /proc, no psutil needed)."""
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            args = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and b"--server.port" in args:
            i = args.index(b"--server.port")
            if i + 1 < len(args) and args[i + 1] == str(port).encode():
                return int(d.name)
    return None


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def browser_pids() -> dict[int, bool]:
    """Chromium processes started by this benchmark (descendants of this process), each with
    whether it is a renderer."""
    parent, cmd = {}, {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmd[int(d.name)] = (d / "cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
    me, out = os.getpid(), {}
    for pid in parent:
        p, seen = parent.get(pid), 0
        while p and p != me and seen < 50:
            p, seen = parent.get(p), seen + 1
        if p == me and b"chromium" in cmd[pid]:
            out[pid] = b"--type=renderer" in cmd[pid]
    return out


class Cpu:
    """CPU seconds used by the server process and by Chromium (all its processes, and its
    renderers alone), from /proc: unlike wall-clock latency, these barely change when
    other jobs compete for the cores."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid

    def read(self) -> dict[str, float]:
        out = {"server": cpu_s(self.pid) if self.pid else float("nan"), "browser": 0.0}
        out["renderer"] = 0.0
        for pid, renderer in browser_pids().items():
            try:
                c = cpu_s(pid)
            except (OSError, ValueError, IndexError):
                continue
            out["browser"] += c
            out["renderer"] += c if renderer else 0.0
        return out

    @staticmethod
    def per(a: dict[str, float], b: dict[str, float], n: float) -> dict[str, float]:
        return {k: 1000 * (b[k] - a[k]) / max(n, 1) for k in a}


class WsRecorder:
    """Every websocket frame of the app's stream, through Playwright's events."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.sent: list[int] = []

    def attach(self, page) -> None:
        page.on("websocket", self._on_ws)

    def _on_ws(self, ws) -> None:
        if "_stcore/stream" not in ws.url:
            return
        ws.on(
            "framereceived",
            lambda d: self.received.append(d if isinstance(d, bytes) else d.encode()),
        )
        ws.on("framesent", lambda d: self.sent.append(len(d)))


def split_bytes(frames: list[bytes]) -> dict[str, int]:
    """Bytes of ``frames``: total, figure JSON (live components + st.plotly_chart), JS.

    ``live_figure`` counts the charts updated in place (``live.live_chart``); the charts drawn
    once per rerun (``live.chart``, whose data says ``"eager"``, or ``st.plotly_chart`` where
    static serving is off) are the rest of ``figure``."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = {"total": 0, "figure": 0, "live_figure": 0, "js": 0, "msgs": len(frames)}
    for f in frames:
        out["total"] += len(f)
        try:
            m = ForwardMsg.FromString(f)
        except Exception:  # an unknown frame counts in the total only
            continue
        if m.WhichOneof("type") != "delta" or m.delta.WhichOneof("type") != "new_element":
            continue
        el = m.delta.new_element
        kind = el.WhichOneof("type")
        if kind == "bidi_component":
            out["figure"] += len(el.bidi_component.json)
            if '"eager":' not in el.bidi_component.json:  # (inside the figure it is escaped)
                out["live_figure"] += len(el.bidi_component.json)
            out["js"] += len(el.bidi_component.js_content)
        elif kind == "plotly_chart":
            out["figure"] += len(el.plotly_chart.spec)
    return out


def open_playground(browser, base: str, ws: WsRecorder | None = None, query: str = ""):
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(INIT_JS)
    page = ctx.new_page()
    if ws is not None:
        ws.attach(page)
    t0 = time.perf_counter()
    page.goto(base + "/playground" + query)
    wait_idle(page, live=True)
    return ctx, page, time.perf_counter() - t0


def wait_idle(page, live: bool = False, timeout: float = 60_000) -> None:
    js = """(live) => { const s = window.__bp && window.__bp.state();
        return !!s && s.script === "notRunning" && s.step !== null
            && (!live || (s.revs.length >= 3 && s.drawn)); }"""
    page.wait_for_function(js, arg=live, timeout=timeout, polling="raf")


def timed_click(page, selector: str, settle_ms: int = 250) -> dict:
    """Click ``selector`` and wait until every view shows the result (see INIT_JS ``arm``),
    then ``settle_ms`` more to see whether the DOM still changes."""
    page.evaluate("(settle) => window.__bp.arm(30000, settle)", settle_ms)
    page.click(selector)
    r = page.evaluate("window.__bpCurrent.promise")
    if r["timedOut"]:
        raise RuntimeError(f"no complete update within 30 s after clicking {selector}: {r}")
    return r


# ------------------------------------------------------------------------ sections
def bench_steps(page, ws: WsRecorder, cpu: Cpu, n: int) -> None:
    print(f"\n1. Step click -> all views updated ({WARMUPS} warm-ups, {n} clicks)")
    for _ in range(WARMUPS):
        timed_click(page, ".st-key-step button")
    before = page.evaluate("window.__bp.counters()")
    c0 = cpu.read()
    results, buckets, sent = [], [], []
    for _ in range(n):
        mark, smark = len(ws.received), len(ws.sent)
        r = timed_click(page, ".st-key-step button")
        page.evaluate("1")  # let Playwright deliver the frames that preceded the update
        results.append(r)
        buckets.append(ws.received[mark:])
        sent.append(sum(ws.sent[smark:]))
    after = page.evaluate("window.__bp.counters()")
    c = Cpu.per(c0, cpu.read(), n)
    bad = [r for r in results if r["step"] != r["preStep"] + 1]
    if bad:
        print(f"   WARNING: {len(bad)} clicks did not advance the counter by exactly one")

    def row(label: str, xs: list[float]) -> None:
        xs = [x for x in xs if x is not None]
        if xs:
            med, p90, mx = statistics.median(xs), pct(xs, 90), max(xs)
            print(f"   {label:<38} median {ms(med):>9}   p90 {ms(p90):>9}   max {ms(mx):>9}")

    t0 = [r["tDown"] if r["tDown"] is not None else r["tClick"] for r in results]
    total = [r["tDone"] - a for r, a in zip(results, t0)]
    row("click -> all views updated + idle", total)
    row("  click -> counter shows new step", [r["tCounter"] - a for r, a in zip(results, t0)])
    row("  click -> all live charts redrawn", [r["tCharts"] - a for r, a in zip(results, t0)])
    row("  click -> first ws message", [(r["wsFirst"] or a) - a for r, a in zip(results, t0)])
    row("  first -> last ws message (server)", [r["wsLast"] - r["wsFirst"] for r in results])
    row("  last ws message -> updated (browser)", [r["tDone"] - r["wsLast"] for r in results])
    kept = statistics.median(r["pending"] for r in results)
    print(f"   live charts far below the viewport, drawn when they come near: {kept:.0f}")
    quiet = [max(0.0, r["lastMutation"] - r["tDone"]) for r in results]
    row("  DOM still changing after 'updated'", quiet)
    med = statistics.median(total)
    print(f"   target median <= 150 ms (quiet machine): median / target = {med / 150:.2f}")
    print(
        f"   CPU per Step: server process {c['server']:.0f} ms; Chromium {c['browser']:.0f} ms "
        f"(renderer {c['renderer']:.0f} ms)"
    )

    sizes = [split_bytes(b) for b in buckets]
    tot = [s["total"] for s in sizes]
    fig = [s["figure"] for s in sizes]
    msgs = statistics.median(s["msgs"] for s in sizes)
    print(
        f"   bytes per Step rerun, server -> browser: median {kb(statistics.median(tot))} "
        f"(min {kb(min(tot))}, max {kb(max(tot))}) in {msgs:.0f} messages"
    )
    print(
        f"     of which figure JSON {kb(statistics.median(fig))} "
        f"({statistics.median(fig) / statistics.median(tot):.2f}); live charts "
        f"{kb(statistics.median(s['live_figure'] for s in sizes))}, other charts "
        f"{kb(statistics.median(f - s['live_figure'] for f, s in zip(fig, sizes)))}, "
        f"component JS re-sent {kb(statistics.median(s['js'] for s in sizes))}"
    )
    print(f"   bytes per Step, browser -> server: median {statistics.median(sent):,.0f} B")
    print(
        f"   remounts during the {n} Steps: bp-live-plot removed "
        f"{after['removedLive'] - before['removedLive']}, stPlotlyChart removed "
        f"{after['removedPlotly'] - before['removedPlotly']} "
        f"({(after['removedPlotly'] - before['removedPlotly']) / n:.2f} per Step)"
    )


def bench_bare_steps(
    browser, base: str, pid: int | None, n: int, rounds: int = 3, gap: float = 0.6
) -> None:
    """CPU per Step without the benchmark's own instrumentation (the per-frame polling, the
    DOM observer and the websocket capture of section 1 cost Chromium CPU too): a fresh
    page clicks Step ``n`` times, one every ``gap`` s (each Step is done well within it),
    minus the same page idle for as long. Medians of ``rounds``."""
    print(f"\n1b. CPU per Step, uninstrumented page ({rounds} rounds of {n} Steps, one per "
          f"{gap} s, minus {n * gap:.0f} s idle)")  # fmt: skip
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(base + "/playground")
    page.wait_for_selector(".bp-counters .bp-value", timeout=60_000)
    time.sleep(3)  # first draws and plotly.js settle
    box = page.locator(".st-key-step button").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    value = "() => document.querySelector('.bp-counters .bp-value').textContent"
    for _ in range(WARMUPS):
        page.mouse.click(x, y)
        time.sleep(gap)
    cpu, rows = Cpu(pid), []
    for _ in range(rounds):
        c0 = cpu.read()
        time.sleep(n * gap)
        idle = Cpu.per(c0, cpu.read(), n)
        s0, c0 = page.evaluate(value), cpu.read()
        for _ in range(n):
            page.mouse.click(x, y)
            time.sleep(gap)
        busy, s1 = Cpu.per(c0, cpu.read(), n), page.evaluate(value)
        steps = int(s1.replace(",", "")) - int(s0.replace(",", ""))
        rows.append({k: busy[k] - idle[k] for k in busy} | {"steps": steps})
    ctx.close()
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    runs = ", ".join(f"{r['browser']:.0f}" for r in rows)
    print(f"   Chromium {med['browser']:.0f} ms per Step (runs: {runs}; renderer "
          f"{med['renderer']:.0f} ms), server {med['server']:.0f} ms; target Chromium <= 80 ms: "
          f"ratio {med['browser'] / 80:.2f}")  # fmt: skip
    if any(r["steps"] != n for r in rows):
        print(f"   WARNING: the counter advanced by {[r['steps'] for r in rows]}, not {n} each")


BOARD_STATS_JS = "() => ({...window.__bpBoardStats, ms: {...window.__bpBoardStats.ms}})"


def play_window(page, cpu: Cpu, seconds: float) -> dict:
    """One window of Play on the live board: drawn frames, painted and full Plotly draws,
    frames the board waited for (starved), bytes received, CPU of server and Chromium."""
    a, ca, t0 = page.evaluate(BOARD_STATS_JS), cpu.read(), time.perf_counter()
    step0 = page.evaluate("Number(document.querySelector('.bp-board').dataset.step || 0)")
    page.wait_for_timeout(seconds * 1000)
    b, cb, dt = page.evaluate(BOARD_STATS_JS), cpu.read(), time.perf_counter() - t0
    step1 = page.evaluate("Number(document.querySelector('.bp-board').dataset.step || 0)")
    frames = b["frames"] - a["frames"]
    return {
        "fps": frames / dt,
        "steps/s": (step1 - step0) / dt,
        "painted": b["painted"] - a["painted"],
        "plotly draws": b["reacts"] - a["reacts"],
        "starved ticks": b["starved"] - a["starved"],
        "KB/s": (b["bytes"] - a["bytes"]) / dt / 1024,
        "chunks/s": (b["chunks"] - a["chunks"]) / dt,
        "server CPU ms/s": 1000 * (cb["server"] - ca["server"]) / dt,
        "Chromium CPU ms/s": 1000 * (cb["browser"] - ca["browser"]) / dt,
        "draw ms/frame": sum(b["ms"].get(k, 0) - a["ms"].get(k, 0) for k in b["ms"])
        / max(frames, 1),
    }


def bench_play(page, ws: WsRecorder, cpu: Cpu, seconds: float, runs: int = 3) -> None:
    """Play on the live board: medians of ``runs`` windows of ``seconds`` each."""
    speed = page.locator(".st-key-speed [data-testid='stSliderThumbValue']").inner_text()
    print(f"\n2. Play for {runs} x {seconds:g} s (speed {speed} steps per frame)")
    page.evaluate("window.__bp.startSampling()")
    c0 = page.evaluate("window.__bp.counters()")
    page.click(".st-key-play button")
    page.wait_for_function("() => (window.__bpBoardStats || {}).chunks > 2", timeout=30_000)
    page.wait_for_timeout(1000)
    wa = len(ws.received)
    windows = [play_window(page, cpu, seconds) for _ in range(runs)]
    wb = len(ws.received)
    b = page.evaluate("window.__bp.counters()")
    page.evaluate("window.__bp.stopSampling()")
    page.click(".st-key-play button")  # Pause
    page.wait_for_function(
        """() => { const b = document.querySelector('.st-key-play button');
            return b && b.innerText.includes('Play'); }""",
        timeout=30_000,
    )
    for key in windows[0]:
        vals = [w[key] for w in windows]
        print(f"   {key:>18}: median {statistics.median(vals):8.1f}  "
              f"(runs: {', '.join(f'{v:.1f}' for v in vals)})")  # fmt: skip
    raf = b["rafFrames"] - c0["rafFrames"]
    blank = b["blankFrames"] - c0["blankFrames"]
    removed = (b["removedLive"] - c0["removedLive"]) + (b["removedPlotly"] - c0["removedPlotly"])
    print(f"   blank animation frames (a live chart without .main-svg): {blank} of {raf}")
    print(f"   remounts during Play (bp-live-plot or stPlotlyChart removed): {removed}")
    sz = split_bytes(ws.received[wa:wb])
    print(f"   websocket bytes in the windows: {sz['total'] / 1024:,.0f} KB")


def click_until(page, selector: str, target_step: int) -> tuple[int, float, float]:
    """Click ``selector`` until the step counter reaches ``target_step``: clicks, seconds,
    median click -> updated latency in ms."""
    t0, lat = time.perf_counter(), []
    while page.evaluate("window.__bp.state().step") < target_step:
        r = timed_click(page, selector, settle_ms=0)
        lat.append(r["tDone"] - (r["tDown"] if r["tDown"] is not None else r["tClick"]))
    return len(lat), time.perf_counter() - t0, statistics.median(lat) if lat else float("nan")


# ------------------------------------------------------------------------ main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=30, help="timed Step clicks (default 30)")
    ap.add_argument(
        "--bare-steps",
        type=int,
        default=20,
        help="Steps per round of the uninstrumented CPU measurement (default 20)",
    )
    ap.add_argument("--play-seconds", type=float, default=5.0, help="Play window (default 5)")
    ap.add_argument("--runs", type=int, default=3, help="Play windows, medians (default 3)")
    ap.add_argument("--query", default="", help="Playground URL query, e.g. '?ds=digits&hidden=30'")
    ap.add_argument("--port", type=int, default=None, help="server port (default: a free one)")
    ap.add_argument(
        "--session-ttl",
        type=int,
        default=10,
        help="server.disconnectedSessionTTL in s for the memory-return check (Streamlit's "
        "default is 120; only affects closed sessions)",
    )
    args = ap.parse_args()

    import streamlit
    from playwright.sync_api import sync_playwright

    port = args.port or free_port()
    env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.session_ttl)}
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_playground_{port}.log"
    t_start = time.perf_counter()
    with running_app(port=port, env=env, log=log) as base, sync_playwright() as p:
        pid = server_pid(port)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        cpus = len(os.sched_getaffinity(0))
        print("Backprop Explorer Playground benchmark (default configuration)")
        print(f"   Chromium {browser.version} (headless, {CHROMIUM}), viewport "
              f"{VIEWPORT['width']}x{VIEWPORT['height']}")  # fmt: skip
        print(f"   streamlit {streamlit.__version__}, Python {platform.python_version()}, "
              f"CPUs {os.cpu_count()} ({cpus} usable), server pid {pid}, log {log}")  # fmt: skip
        print(f"   load average at start: {loadavg()} (wall-clock times grow when it exceeds "
              f"{cpus}; CPU times do not)")  # fmt: skip
        rss0 = rss_mb(pid) if pid else float("nan")

        ws = WsRecorder()
        ctx, page, load_s = open_playground(browser, base, ws, args.query)
        rss1 = rss_mb(pid) if pid else float("nan")
        print(f"   first page load (goto -> charts drawn, idle): {load_s * 1000:,.0f} ms")
        first = page.evaluate("window.__bp.first()")
        if first["idle"] is not None and first["charts"] is not None:
            print(
                f"   first charts drawn after the page's script finished: "
                f"{first['charts'] - first['idle']:,.0f} ms (target <= 1,500 ms)"
            )
        plotly_js = page.evaluate(
            "[window.Plotly ? window.Plotly.version : null, performance.getEntriesByType("
            "'resource').map((e) => e.name.split('/').pop()).filter((n) => /plotly/i.test(n))]"
        )
        print(f"   plotly.js drawing the live charts: {plotly_js[0]} (loaded: {plotly_js[1]})")

        cpu = Cpu(pid)
        bench_steps(page, ws, cpu, args.steps)
        bench_bare_steps(browser, base, pid, args.bare_steps)
        bench_play(page, ws, cpu, args.play_seconds, args.runs)

        print(f"\n4. Server memory (RSS of pid {pid}; disconnectedSessionTTL {args.session_ttl} s)")
        clicks, secs, lat_a = click_until(page, ".st-key-epoch button", MEMORY_STEPS)
        step_a = page.evaluate("window.__bp.state().step")
        rss2 = rss_mb(pid)
        ctx.close()
        time.sleep(2)
        rss3 = rss_mb(pid)
        t_closed_a = time.monotonic()

        ctx, page, _ = open_playground(browser, base)
        rss4 = rss_mb(pid)
        clicks_b, secs_b, lat_b = click_until(page, ".st-key-epoch button", MEMORY_STEPS)
        step_b = page.evaluate("window.__bp.state().step")
        rss5 = rss_mb(pid)
        ctx.close()
        t_closed_b = time.monotonic()
        time.sleep(2)
        rss6 = rss_mb(pid)
        # Expired sessions are only reaped when the session store is written to, i.e. on
        # the next disconnect: after the TTL, open and close a light page (Home).
        time.sleep(max(0.0, t_closed_b + args.session_ttl + 1 - time.monotonic()))
        ctx = browser.new_context(viewport=VIEWPORT)
        ctx.add_init_script(INIT_JS)
        home = ctx.new_page()
        home.goto(base + "/")
        home.wait_for_function(
            "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
            " return a && a.dataset.testScriptState === 'notRunning'"
            " && document.querySelector('h1'); }",
            timeout=30_000,
        )
        ctx.close()
        time.sleep(3)
        rss7 = rss_mb(pid)
        browser.close()

        print(f"   before the page opens (after the health check): {rss0:7.1f} MB")
        print(f"   session A loaded:                               {rss1:7.1f} MB "
              f"(+{rss1 - rss0:.1f})")  # fmt: skip
        print(f"   session A at step {step_a:,} ({clicks} Epoch clicks, {secs:.1f} s):"
              f"      {rss2:7.1f} MB (+{rss2 - rss0:.1f} since before the page, "
              f"+{rss2 - rss1:.1f} since load)")  # fmt: skip
        print(f"   session A closed, +2 s (kept for reconnect):    {rss3:7.1f} MB "
              f"({rss3 - rss2:+.1f})")  # fmt: skip
        print(f"   session B loaded (A still stored):              {rss4:7.1f} MB "
              f"(+{rss4 - rss3:.1f})")  # fmt: skip
        print(f"   session B at step {step_b:,} ({clicks_b} Epoch clicks, {secs_b:.1f} s):"
              f"     {rss5:7.1f} MB (+{rss5 - rss3:.1f} for session B)")  # fmt: skip
        print(f"   session B closed, +2 s:                         {rss6:7.1f} MB "
              f"({rss6 - rss5:+.1f})")  # fmt: skip
        waited = time.monotonic() - t_closed_a
        print(f"   after the TTL, A and B reaped (next disconnect), {waited:.0f} s after A "
              f"closed: {rss7:7.1f} MB ({rss7 - rss5:+.1f} vs. B at 1,000 steps, "
              f"{rss7 - rss0:+.1f} vs. before any page)")  # fmt: skip
        print(f"   Epoch click -> all views updated: median {ms(lat_a)} (A), {ms(lat_b)} (B)")
        per_session = rss5 - rss3
        print(f"   per session at defaults after 1,000 steps (B): {per_session:.1f} MB; "
              f"target <= 50 MB: ratio {per_session / 50:.2f}")  # fmt: skip
    print(f"\nTotal {time.perf_counter() - t_start:.0f} s; load average at the end {loadavg()}")


if __name__ == "__main__":
    main()
