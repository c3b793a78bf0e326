"""The live board: every live view of the Playground in one element that plays frames.

Each frame sends only what changed in each view (:mod:`backprop.viz.frames`); the browser
(``board.js``) draws it with one renderer, playing or paused: Plotly draws the axes, the
board paints the marks on a canvas. Frames come over the board's own line
(:mod:`backprop.ui.line`, a WebSocket beside Streamlit's): Step, Epoch and Play train in a
worker thread through :class:`Driver` and need no script run; Pause keeps the frame on
screen. Where the line is not served, or before its socket opens, this module's script
run sends them instead: a *chunk* of frames while playing (the browser asks for the next
with a trigger, which reruns only the Playground's fragment), one exact frame when paused.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import streamlit as st

from .. import viz
from ..viz import spec_json
from ..viz.frames import FrameEncoder, header_only
from . import controls, diagnoses, line, priority, shape, views
from .controls import counter_values
from .live import PLOTLY_LOADER, ensure_plotly_served, module_loader, serve_module
from .session import Run

ENCODER_KEY = "board_encoder"
SEQ_KEY = "board_seq"
FAST_STEP_KEY = "board_stepped"  # this rerun answers a Step the board took
PLAY_ASKED_KEY = "board_play_asked"  # the last Play/Pause the board asked for (its n)
CHUNK_FRAMES = 12  # frames per chunk: 0.4 s of Play at 30 frames/s
CHUNK_BUDGET = 0.3  # seconds of server time per chunk at most (training and drawing)
TURN_SLICE = 0.1  # s: a chunk ends after this when other sessions wait for Play's turn
MAP_GRID = 16  # neuron maps drawn in the graph's nodes
COST_COLUMNS = ["step", "epoch", "batch_cost", "train_cost", "test_cost"]  # the cost view's
EDIT_EVENTS = ("click", "pick", "shape", "feature")  # what the board sends to ``on_edit``
FINDINGS_EVERY = 0.5  # s: the diagnoses of a playing board are judged this often at most

_CSS = """
.bp-board { position: relative; width: 100%; }
.bp-board .bp-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr));
  gap: 4px 10px; width: 100%; }
.bp-board .bp-view { min-width: 0; position: relative; }
.bp-board .bp-shape > * { position: absolute; z-index: 2; }
.bp-board .bp-shape-row { display: flex; gap: 2px; align-items: center; font-size: 11px;
  color: #566573; white-space: nowrap; }
.bp-board .bp-shape-layers span { padding: 0 3px; }
.bp-board .bp-shape button { font: 12px/1 sans-serif; min-width: 18px; height: 18px;
  padding: 0 4px; border: 1px solid #aab7b8; border-radius: 3px; background: #fff;
  color: #2c3e50; cursor: pointer; }
.bp-board .bp-shape button:disabled { opacity: 0.35; cursor: default; }
.bp-board .bp-shape button:focus-visible { outline: 2px solid #1f6feb; outline-offset: 1px; }
.bp-board .bp-shape-features { display: flex; flex-direction: column; gap: 2px; }
.bp-board .bp-shape-features button { font-size: 11px; height: 17px; color: #566573; }
.bp-board .bp-shape-features button.bp-on { background: #2c3e50; color: #fff;
  border-color: #2c3e50; }
.bp-board.bp-present .bp-shape button { font-size: 15px; height: 24px; min-width: 24px; }
.bp-board.bp-present .bp-shape-row { font-size: 15px; }
.bp-board .bp-map-zoom { position: absolute; overflow: hidden; pointer-events: none; z-index: 3;
  box-shadow: 0 0 0 1px #566573; }
.bp-board .bp-map-zoom canvas { position: absolute; image-rendering: pixelated; opacity: 0.92; }
.bp-board .bp-map-caption { position: absolute; left: 4px; top: 4px; padding: 1px 5px;
  font-size: 12px; background: rgba(255, 255, 255, 0.85); color: #2c3e50; }
.bp-board .bp-counters { display: flex; flex-wrap: nowrap; gap: 0.9rem; margin: 0 0 6px 0;
  white-space: nowrap; overflow: hidden; }
.bp-board .bp-counter { flex: 0 0 auto; min-width: 3.2rem; }
.bp-board .bp-label { font-size: 0.78rem; line-height: 1.2; color: rgba(49, 51, 63, 0.75); }
.bp-board .bp-value { font-size: 1.2rem; line-height: 1.5rem; font-variant-numeric: tabular-nums;
  color: rgb(49, 51, 63); }
.bp-board.bp-present .bp-label { font-size: 1.1rem; color: #000; }
.bp-board.bp-present .bp-value { font-size: 1.75rem; line-height: 2rem; color: #000; }
.bp-board .bp-painted .cartesianlayer .mlayer { opacity: 0 !important; }
.bp-board .bp-findings { flex: 1 1 auto; min-width: 0; align-self: flex-end; text-align: right;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 0.9rem;
  line-height: 1.5rem; cursor: pointer; }
.bp-board .bp-progress { flex: 0 0 auto; align-self: flex-end; font-size: 0.9rem;
  line-height: 1.5rem; white-space: nowrap; font-variant-numeric: tabular-nums; }
.bp-board.bp-present .bp-progress { font-size: 1.2rem; line-height: 2rem; }
.bp-board .bp-findings.bp-problem { color: #b42318; }
.bp-board .bp-findings.bp-healthy { color: #067647; }
.bp-board.bp-present .bp-findings { font-size: 1.2rem; line-height: 2rem; }
@media (max-width: 760px) { .bp-board .bp-grid { grid-template-columns: 1fr; } }
"""


@dataclass(frozen=True)
class BoardView:
    """One view of the board: its name, height in px, whether its data grows (a curve:
    drawn with room on its axes while playing) and whether it fits the screen (the first
    row: no taller than the window below its top, down to ``FIT_MIN`` px, so that a
    projector's 1280x640 shows its labels and legend without scrolling)."""

    name: str
    height: int
    grow: bool = False
    fit: bool = False


@cache
def _component():
    """The board's component: its JS (``board.js`` with the plotly.js loader) is a static
    module the browser fetches once; each rerun sends only a few lines that import it."""
    source = PLOTLY_LOADER + (Path(__file__).with_name("board.js")).read_text(encoding="utf-8")
    name = serve_module("board", source)
    js = module_loader(name) if name else source
    return st.components.v2.component(
        "backprop_live_board", html="", css=_CSS, js=js, isolate_styles=False
    )


def reset() -> None:
    """The browser draws everything anew from the next frame (a full page run)."""
    for enc in (st.session_state.get(ENCODER_KEY), _line_encoder()):
        if enc is not None:
            enc.reset()


def on_line() -> bool:
    """The board's frames come over its line (its socket is open)."""
    ln = line.of_session()
    return ln is not None and ln.connected


def _line_encoder() -> FrameEncoder | None:
    ln = line.of_session()
    return ln.encoder if ln is not None else None


def _encoder() -> FrameEncoder:
    if ENCODER_KEY not in st.session_state:
        st.session_state[ENCODER_KEY] = FrameEncoder()
    return st.session_state[ENCODER_KEY]


def view_choice() -> tuple[str, int]:
    """The network view and probe sample picked in the widgets (their session values)."""
    view = st.session_state.get("graph_view") or "forward"
    return (view if view in views.VIEW_LABELS else "forward"), int(
        st.session_state.get("graph_sample") or 0
    )


def views_of(
    run: Run, choice: tuple[str, int] | None = None, output: views.OutputChoice | None = None
) -> dict[str, dict]:
    """Every live view's spec for the run's current state, with the network ``choice``
    (view, probe sample) and the ``output`` toggles (default: the widgets'). The graph's
    output neurons carry the data's class names."""
    view, sample = choice if choice is not None else view_choice()
    tr = views.probe_trace(run)
    sample = min(max(0, sample), tr.x.shape[1] - 1)
    graph = viz.network_graph_spec(tr, sample, view, class_names=run.dataset.class_names)
    with np.errstate(all="ignore"):
        maps = viz.plane_activations(run.net, run.dataset, MAP_GRID)
    graph = steady_colours(viz.with_neuron_maps(graph, tr, maps))
    return {
        "graph": graph,
        "output": views.output_spec(run, tr, output),
        "cost": viz.cost_curves_spec(run.trainer.history_columns(COST_COLUMNS)),
        "layers": viz.layer_grid_spec(tr),
    }


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least ``x`` (> 0)."""
    if not (x > 0 and math.isfinite(x)):
        return x
    base = 10.0 ** math.floor(math.log10(x))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= x * (1 - 1e-12))


def steady_colours(graph: dict) -> dict:
    """The graph's symmetric colour ranges (nodes, neuron maps) widened to a
    :func:`nice_ceiling`: each then changes only when the values outgrow it, not with every
    step, so a Step or a frame does not make Plotly draw the graph and its colour bar again
    (the marks are painted). The library's figures keep ``max |v|``."""
    for key, ca in graph.get("layout", {}).items():
        symmetric = isinstance(ca, dict) and isinstance(ca.get("cmax"), (int, float))
        if key.startswith("coloraxis") and symmetric and ca.get("cmin") == -ca["cmax"]:
            ca["cmax"] = nice_ceiling(float(ca["cmax"]))
            ca["cmin"] = -ca["cmax"]
    return graph


def layout_of(run: Run, height: int) -> list[BoardView]:
    """Heights: the graph and output side by side (fitted to the screen), then the cost and
    every layer; the cost is as tall as the layers beside it (their row is that tall
    anyway), up to ``height``: room for its legend above the plot."""
    L = run.net.n_layers
    layers = max(200, 60 + 4 * min(110, 40 + 400 // L))
    return [
        BoardView("graph", height, fit=True),
        BoardView("output", height, fit=True),
        BoardView("cost", max(200, height * 2 // 3, min(height, layers)), grow=True),
        BoardView("layers", layers),
    ]


def _extra(run: Run) -> dict:
    """A frame's numbers besides the views: its step, epoch and the counters' texts."""
    tr = run.trainer
    return {"step": int(tr.steps), "epoch": int(tr.epochs), "counters": counter_values(run)}


def play_chunk(run: Run, train_frame) -> tuple[list[dict], list[dict], bool]:
    """Train and record up to ``CHUNK_FRAMES`` frames within ``CHUNK_BUDGET`` seconds:
    ``train_frame(run)`` trains one frame and says whether playing should stop. Returns the
    frames' extras, their specs and whether playing stopped. The chunk waits for Play's turn
    (``priority.play_turn``), then each frame makes way for clicks' runs in other sessions
    (that waiting counts in the budget, the turn's does not); while other sessions wait
    for the turn, the chunk ends after ``TURN_SLICE`` s (so they play in small chunks, often,
    not in 12 frames and a pause of 10 sessions' chunks). Without the board's line only."""
    with priority.play_turn():
        extras, specs, t0 = [], [], time.perf_counter()
        stop = False
        while len(extras) < CHUNK_FRAMES:
            priority.yield_to_clicks()
            stop = train_frame(run)
            extras.append(_extra(run))
            specs.append(views_of(run))
            spent = time.perf_counter() - t0
            others = spent > TURN_SLICE and priority.others_want_a_turn()
            if stop or spent > CHUNK_BUDGET or others:
                break
    return extras, specs, stop


def _detail(run: Run, settings: dict) -> dict | None:
    """After a Step taken through the board, the Layers tab's chart (outside the board)
    is sent along and the board hands it over (see ``board.js``)."""
    if not settings.get("detail_open"):
        return None
    spec = views.layer_detail_spec(run, settings.get("detail_pick"))
    if spec is None:
        return None
    return {"key": views.LAYER_DETAIL_KEY, "figure": spec_json(spec), "revision": run.revision}


def _settings(run: Run, present: bool, on_step, on_edit) -> dict:
    """What the board draws besides the run, read from the session now: the line reads it
    later, in another thread, where the session's state cannot be read."""
    height = 360 if not present else 350  # presentation: larger text, the same screen
    return {
        "choice": view_choice(),
        "output": views.output_choice(),
        "speed": int(st.session_state.get("speed", 10)),
        "present": present,
        "hands_on": on_edit is not None,
        "shape": shape.of_run(run) if on_edit is not None else None,
        "views": [v.__dict__ for v in layout_of(run, height)],
        "detail_open": views.layer_detail_open(),
        "detail_pick": views.layer_detail_pick(),
        "step_reruns_panel": views.step_reruns_panel(),
        "fast_step": on_step is not None
        and not st.session_state.get(views.PASS_AFTER_STEP)
        and not views.step_reruns_panel(),
        "store": {},  # the line's own cache of diagnoses
    }


def _header(run: Run, s: dict, playing: bool, findings) -> dict:
    return {
        "handsOn": s["hands_on"],
        "shape": s["shape"],
        "playing": playing,
        "present": s["present"],
        "revision": run.revision,
        "views": s["views"],
        "fastStep": s["fast_step"],
        "findings": findings,
    }


class Driver:
    """What the board's line (``line.py``) does with a session's run, in its worker thread
    and under the session's lock: train, and encode the frame the board draws."""

    @staticmethod
    def step(ln: line.Line) -> None:
        controls.step_run(ln.run)

    @staticmethod
    def epoch(ln: line.Line) -> None:
        controls.epoch_run(ln.run)

    @staticmethod
    def frame(ln: line.Line) -> bool:
        """One frame of Play; True when playing stops."""
        return controls.train_frame(ln.run, ln.settings["speed"])

    @staticmethod
    def payload(
        ln: line.Line, seq: int, *, playing: bool, sync: bool = False, **extra: bool
    ) -> bytes:
        """The run's state now as one frame (exact numbers, playing or paused: the board
        draws both alike). ``sync``: the board asks for one script run after drawing it;
        ``extra``: ``reply`` (the answer to a click) and ``resume`` (go on playing)."""
        run, s = ln.run, ln.settings
        now = time.monotonic()
        if not playing or now - s.get("findings_at", -1e9) >= FINDINGS_EVERY:
            s["findings"], s["findings_at"] = diagnoses.summary(run, s["store"]), now
        findings = s["findings"]
        header = _header(run, s, playing, findings)
        header.update(sync=sync, urlStep=not playing, progress=controls.progress_of(run), **extra)
        if not playing and not sync:
            header["detail"] = _detail(run, s)
        specs = [views_of(run, s["choice"], s["output"])]
        payload = ln.encoder.encode([_extra(run)], specs, exact=True, seq=seq, header=header)
        ln.encoder.commit()
        return payload


def show(
    run: Run,
    chunk: tuple[list[dict], list[dict]] | None,
    *,
    present: bool = False,
    on_step: Callable[[], None] | None = None,
    findings: list[list[str]] | None = None,
    on_edit: Callable[[str, object], str] | None = None,
) -> bool:
    """Mount (or update in place) the board with ``chunk`` (playing) or the current state.

    Where the board's line is served (``line.py``), the board gets its token and, once
    its socket is open, its frames come over it: this run then sends the board no frame,
    only what it needs to ask the line for one (``pull``). Without the line, with
    ``on_step``, a click on the Step button (paused) is taken by the board: it calls
    ``on_step`` in a rerun of this fragment only, and updates the Layers tab's chart
    itself and the URL's ``step`` (in place, see ``moment.to_url``). Returns whether this
    rerun answers such a Step. ``findings``: the diagnoses' ``[[severity, title], ...]``
    (``[]``: none; None: too early), shown at the end of the counters' row.
    ``on_edit(event, value)`` gets the board's hands-on events: ``click`` on the output
    chart, ``pick`` in the graph (see ``backprop.ui.handson``) and says what reruns to show
    their effect (``"app"`` or ``"fragment"``)."""
    took_step = bool(st.session_state.pop(FAST_STEP_KEY, False))
    if not ensure_plotly_served() or not st.get_option("server.enableStaticServing"):
        st.warning("The live board needs static file serving (server.enableStaticServing).")
        return False
    settings = _settings(run, present, on_step, on_edit)
    ln = line.attach(run, Driver, **settings)
    if ln is not None:
        st.session_state[line.TOKEN_KEY] = ln.token
    playing = chunk is not None
    seq = st.session_state.get(SEQ_KEY, 0) + 1
    header = _header(run, settings, playing, findings)
    header["line"] = {"token": ln.token, "path": line.ROUTE} if ln is not None else None
    header["asked"] = (st.session_state.get(PLAY_ASKED_KEY) or (None, 0))[1]  # its last done
    enc = None
    if ln is not None and ln.connected:  # the frame comes over the line
        going = ln.playing or run.play.playing  # Play, or a target set by this run
        header.update(playing=going, pull=not going, seq=seq, progress=controls.progress_of(run))
        payload = header_only(header)
    else:
        extras, specs = chunk if playing else ([_extra(run)], [views_of(run)])
        enc = _encoder()
        header.update(detail=_detail(run, settings) if took_step else None, urlStep=took_step)
        with priority.play_turn() if playing else nullcontext():  # a chunk's encoding: ~20 ms
            payload = enc.encode(extras, specs, exact=not playing, seq=seq, header=header)
        if ln is not None and not playing:  # the line's hello may go on from this frame (it
            ln.script_frame = (seq, enc.state(pending=True))  # may come before the commit)

    def stepped() -> None:
        st.session_state[FAST_STEP_KEY] = True
        if on_step is not None:
            on_step()

    result = _component()(
        key="live_board",
        data=payload,
        on_need_change=_noop,
        on_step_change=stepped,
        on_click_change=_noop,
        on_pick_change=_noop,
        on_shape_change=_noop,
        on_feature_change=_noop,
        on_sync_change=_noop,
        on_play_change=_noop,
    )
    if enc is not None:
        enc.commit()
    st.session_state[SEQ_KEY] = seq
    if result.get("sync") is not None:  # (the board's sync, before sync_point mounted)
        st.rerun(scope="app")
    if _play_asked(result.get("play")):  # Play or Pause without the line: the whole page
        st.rerun(scope="app")
    events = [(e, result.get(e)) for e in EDIT_EVENTS if result.get(e) is not None]
    if on_edit is not None and events:
        line.forget_kept(ln)
        scopes = [on_edit(event, value) for event, value in events]
        st.rerun(scope="app" if "app" in scopes else "fragment")
    return took_step


def _play_asked(value: object) -> bool:
    """Play or Pause the board asked for without its line (``{"playing": bool, "n": int,
    "id": str}``, checked: it comes from the browser): set it when ``n`` is newer than the
    last of that board (``id``; Streamlit may hand an older trigger value again); True when
    it was."""
    if not isinstance(value, dict) or not isinstance(value.get("playing"), bool):
        return False
    n, board_id = value.get("n"), value.get("id")
    if isinstance(n, bool) or not isinstance(n, int) or not isinstance(board_id, str):
        return False
    last_id, last_n = st.session_state.get(PLAY_ASKED_KEY) or (None, 0)
    if board_id[:16] == last_id and n <= last_n:
        return False
    st.session_state[PLAY_ASKED_KEY] = (board_id[:16], n)
    controls.set_playing(value["playing"])
    return True


_PAGE_CSS = """
<style>
.stMainBlockContainer { padding: 3.4rem 1.5rem 1rem 1.5rem; }
.stMainBlockContainer h1 { font-size: 1.35rem; padding: 0; margin: 0; }
.st-key-run-controls { gap: 0.45rem !important; flex-wrap: nowrap !important; }
</style>
"""


def page_style() -> None:
    """The Playground's compact layout (one 1280x720 screen holds the controls, counters,
    graph and output); presentation mode's text is the router's (``present.py``)."""
    st.html(_PAGE_CSS)


_SYNC_JS = """
let n = 0;
export default function ({ setTriggerValue }) {
  window.__bpSync = () => setTriggerValue("sync", ++n);
}
"""


@cache
def _sync_component():
    return st.components.v2.component("backprop_board_sync", html="", js=_SYNC_JS)


def sync_point() -> None:
    """An element outside every fragment that the board uses to ask for one run of the
    whole page (``sync``: after Pause on its line, a refused step): the trigger of an
    element outside a fragment reruns the page once, where the board's own trigger would
    rerun its fragment first and the page after it."""
    _sync_component()(key="board_sync", on_sync_change=_noop)


def _noop() -> None:
    """A trigger that only reruns the fragment (which trains and sends the next chunk)."""
