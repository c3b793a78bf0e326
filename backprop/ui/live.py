"""A Plotly chart that updates in place (``Plotly.react``) instead of being re-created.

``st.plotly_chart`` removes and re-creates its element whenever the figure's data
changes, which flashes blank during continuous training. :func:`live_chart` mounts a
small custom component (Streamlit components v2, no iframe) that keeps one ``<div>``
alive across reruns and hands each new figure to ``Plotly.react``, which diffs and
redraws in place. plotly.js itself comes from the installed ``plotly`` package, served
by Streamlit's static file serving (``static/plotly.min.js``, copied at start-up), and
plotly.js's own cartesian bundle of the same version (``vendor/``, a third of the size),
which draws every figure the app has; the full one is fetched only for other trace types.

Live figures come as dict specs (``viz.*_spec``) and go to JSON with ``viz.spec_json``,
skipping ``go.Figure``'s validation: most of the server's CPU per Step otherwise.

:func:`chart` shows the app's other charts (drawn once per rerun) through the same component,
so every chart's toolbar has the SVG button as well as the PNG one (``charts.py``). A chart
with no width yet (in a hidden tab) is drawn when a ResizeObserver sees it get one, and a
chart whose width changes is resized. Without static serving both fall back to
``st.plotly_chart`` (PNG only).
"""

from __future__ import annotations

import hashlib
import shutil
from contextlib import nullcontext
from functools import cache
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ..viz import spec_json
from .charts import image_config, slug
from .present import presenting

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
PLOTLY_JS = "plotly.min.js"
# plotly.js's cartesian partial bundle (npm plotly.js-cartesian-dist-min, MIT), the version
# of the plotly package's plotly.min.js (tests/test_package.py checks it)
PLOTLY_CARTESIAN = Path(__file__).with_name("vendor") / "plotly-cartesian.min.js"
PLOTLY_LOADER = (Path(__file__).with_name("plotly_loader.js")).read_text(encoding="utf-8")

_JS = (
    PLOTLY_LOADER
    + """
// plotly.js rejects an animation's promise (with no reason) when Pause or another animation
// interrupts it, and its own Play buttons leave that rejection unhandled: count the
// interruptions of our charts and mark as many such rejections handled.
if (window.__bpInterrupts === undefined) {
  window.__bpInterrupts = 0;
  window.addEventListener("unhandledrejection", (e) => {
    if (e.reason === undefined && window.__bpInterrupts > 0) {
      window.__bpInterrupts -= 1;
      e.preventDefault();
    }
  });
}
export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector("div.bp-live-plot");
  if (!div) {
    div = document.createElement("div");
    div.className = "bp-live-plot";
    parentElement.appendChild(div);
  }
  const redraw = (Plotly, fig, revision) => {
    const { data: traces, frames } = fig;
    let layout = data.height ? { ...fig.layout, height: data.height } : fig.layout;
    if (data.present) layout = presentLayout({ ...layout }); // presentation mode's text
    const config = chartConfig(Plotly, data.name || data.key.replace(/^live_/, ""));
    const done = Plotly.react(div, { data: traces, layout, frames, config });
    div.dataset.revision = String(revision);
    return done;
  };
  // A chart far from the viewport (a detail tab below the board on a projector screen)
  // keeps its newer figure and draws it when it comes near (data-pending holds its
  // revision): neither the first load nor a Step pays for what nobody can see.
  const MARGIN = 400; // px beyond the viewport that count as near
  const far = () => {
    const r = div.getBoundingClientRect();
    return r.top > window.innerHeight + MARGIN || r.bottom < -MARGIN;
  };
  // A chart in a hidden tab (display: none) has no width: Plotly would lay it out at its
  // default 700 px and keep that when the tab opens, so it waits (data-pending) until a
  // ResizeObserver sees a width; a chart whose width changes is resized to it. A kept draw
  // keeps what was to follow it (``after``: the autoplay of the Pass tab opened by a Step).
  if (!div.__bpKept) {
    // lib: the plotly.js build this chart is drawn with (see plotly_loader.js)
    div.__bpKept = { pending: null, width: div.clientWidth, draw: null, lib: null };
    new IntersectionObserver((entries) => {
      const kept = div.__bpKept;
      if (entries[entries.length - 1].isIntersecting && kept.pending && kept.lib) {
        const [fig, revision, after] = kept.pending;
        kept.draw(kept.lib, fig, revision, true, after);
      }
    }, { rootMargin: MARGIN + "px 0px" }).observe(div);
    new ResizeObserver(() => {
      const kept = div.__bpKept, Plotly = kept.lib, width = div.clientWidth;
      if (width === kept.width) return;
      kept.width = width;
      if (!width || !Plotly || !div.isConnected) return;
      if (kept.pending) {
        const [fig, revision, after] = kept.pending;
        kept.draw(Plotly, fig, revision, !far(), after);
      } else if (div._fullLayout) Plotly.Plots.resize(div);
    }).observe(div);
  }
  const drawOrKeep = (Plotly, fig, revision, near = !far(), after = null) => {
    const kept = div.__bpKept;
    if (kept.lib && kept.lib !== Plotly && div._fullLayout) kept.lib.purge(div); // another build
    kept.lib = Plotly;
    if (div.clientWidth > 0 && (fig.frames || data.eager || near)) {
      kept.pending = null;
      delete div.dataset.pending;
      const done = redraw(Plotly, fig, revision);
      if (after) after(Plotly, done);
      return done;
    }
    kept.pending = [fig, revision, after];
    div.dataset.pending = String(revision);
    return null;
  };
  div.__bpKept.draw = drawOrKeep; // the observers draw with the latest render's data
  // the live board hands this chart a newer figure after a Step it took (board.js)
  (window.__bpSinks = window.__bpSinks || {})[data.key] = (fig, revision) => {
    if (!div.isConnected) return;
    loadPlotly(plotlyBuild(fig)).then((Plotly) => drawOrKeep(Plotly, fig, revision));
  };
  const fig = JSON.parse(data.figure);
  div.style.height = (data.height || (fig.layout && fig.layout.height) || 450) + "px";
  const after = (Plotly, done) => {
    if (fig.frames && !div.__bpInterrupts) {
      div.__bpInterrupts = true;
      done.then(() => div.on("plotly_animationinterrupted", () => { window.__bpInterrupts += 1; }));
    }
    // autoplay: a new token plays the frames from the first, as the figure's Play button would
    if (data.autoplay && div.dataset.autoplay !== String(data.autoplay)) {
      div.dataset.autoplay = String(data.autoplay);
      const menu = (fig.layout.updatemenus || [])[0];
      const play = menu ? menu.buttons[0].args[1] : {};
      done.then(() => Plotly.animate(div, null, { ...play, fromcurrent: false })).catch(() => {
        window.__bpInterrupts = Math.max(0, window.__bpInterrupts - 1); // handled here
      });
    }
  };
  loadPlotly(plotlyBuild(fig)).then((Plotly) => {
    drawOrKeep(Plotly, fig, data.revision, !far(), after);
  }).catch((e) => { div.textContent = "Could not load plotly.js: " + e.message; });
  return () => { const lib = div.__bpKept.lib; if (lib && !div.isConnected) lib.purge(div); };
}
"""
)


@cache
def _component():
    """The live chart's component: its JS is a static module the browser fetches once (as the
    board's is), so each chart of each rerun sends a few lines that import it, not 6 KB."""
    name = serve_module("live_plot", _JS)
    js = module_loader(name) if name else _JS
    return st.components.v2.component("backprop_live_plot", html="", js=js, isolate_styles=False)


def _publish(dst: Path, write) -> bool:
    """Write ``static/<name>`` through a temporary file (``write(tmp)``); False if impossible."""
    try:
        STATIC_DIR.mkdir(exist_ok=True)
        tmp = dst.with_suffix(".tmp")
        write(tmp)
        tmp.replace(dst)
        return True
    except OSError:
        return False


@cache
def ensure_plotly_served() -> bool:
    """Copy plotly.min.js from the plotly package, and the cartesian build, into
    ``static/``; False if impossible."""
    ok = True
    for src in (Path(plotly.__file__).parent / "package_data" / PLOTLY_JS, PLOTLY_CARTESIAN):
        dst = STATIC_DIR / src.name
        if not (dst.exists() and dst.stat().st_size == src.stat().st_size):
            ok = _publish(dst, lambda tmp, src=src: shutil.copyfile(src, tmp)) and ok
    return ok


@cache
def serve_module(stem: str, source: str) -> str | None:
    """Publish the ES module ``source`` as ``static/<stem>.<hash>.js`` (its content's hash
    in the name, so a browser never runs a stale copy) and return that file name, or None
    if it cannot be written. Served once and cached by the browser, the module is not sent
    with every rerun as a component's inline JS is."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
    name = f"{stem}.{digest}.js"
    dst = STATIC_DIR / name
    if dst.exists() and dst.read_text(encoding="utf-8") == source:
        return name
    ok = _publish(dst, lambda tmp: tmp.write_text(source, encoding="utf-8"))
    for old in STATIC_DIR.glob(f"{stem}.*.js"):  # earlier versions of the module
        if old.name != name:
            old.unlink(missing_ok=True)
    return name if ok else None


def module_loader(name: str) -> str:
    """Inline component JS that runs the static module ``name`` (see :func:`serve_module`):
    it imports the module once, then hands every render to its default export."""
    return _LOADER.replace("__MODULE__", name)


_LOADER = """
const SRC = new URL("app/static/__MODULE__", document.baseURI).href;
let main = null, loading = null;
export default function (component) {
  if (main) return main(component);
  let cleanup = null, gone = false;
  loading = loading || import(SRC).then((m) => (main = m.default));
  loading.then((render) => { if (!gone) cleanup = render(component); }).catch((e) => {
    loading = null;
    component.parentElement.textContent = "Could not load " + SRC + ": " + e.message;
  });
  return () => { gone = true; if (cleanup) cleanup(); };
}
"""


def live_chart(fig: go.Figure | dict, key: str, revision: int = 0, autoplay: int = 0) -> None:
    """Show ``fig``, a figure or a dict spec ``{"data": [...], "layout": {...}}`` (sent
    unvalidated); on later reruns with the same ``key`` the chart updates in place. A
    figure's frames come along; a new nonzero ``autoplay`` token plays them from the first
    (with the figure's first button's options, i.e. its Play). Its files are named after
    the key without ``live_`` (``live_layer``: ``backprop-layer.png``)."""
    _show(fig, key, key.removeprefix("live_"), revision=revision, autoplay=autoplay)


def chart(
    fig: go.Figure | dict,
    name: str,
    key: str | None = None,
    *,
    where: DeltaGenerator | None = None,
    height: int | None = None,
) -> None:
    """Show a figure (or dict spec) that is drawn once per rerun, the way ``st.plotly_chart``
    would, but through the live component, so its toolbar saves it as a PNG at twice its
    size *and* as an SVG, both named ``backprop-<slug of name>``. ``key`` (default
    ``chart_<slug>``) must be unique on the page and the same on every rerun; ``where`` is
    a container to draw in (a column, a tab); ``height`` in pixels overrides the figure's.
    Drawn at once when its page loads (the live charts wait until they come near the
    viewport), and only once it has a width (a hidden tab's chart: when the tab opens)."""
    with where if where is not None else nullcontext():
        _show(fig, key or f"chart_{slug(name) or 'chart'}", name, height=height, eager=True)


def _show(
    fig: go.Figure | dict,
    key: str,
    name: str,
    *,
    revision: int = 0,
    autoplay: int = 0,
    height: int | None = None,
    eager: bool = False,
) -> None:
    if not ensure_plotly_served() or not st.get_option("server.enableStaticServing"):
        extra = {"height": height} if height else {}
        # validates a dict spec into a figure; the PNG button only (no JS in its config)
        st.plotly_chart(fig, key=key, config=image_config(name), **extra)
        return
    text = spec_json(fig) if isinstance(fig, dict) else fig.to_json()
    data = {"figure": text, "revision": revision, "autoplay": autoplay, "key": key}
    data["name"] = slug(name) or "chart"  # the files: backprop-<name>.png / .svg
    if height:
        data["height"] = int(height)
    if eager:
        data["eager"] = True
    if presenting():
        data["present"] = True
    _component()(key=key, data=data)
