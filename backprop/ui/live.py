"""A Plotly chart that updates in place (``Plotly.react``) instead of being re-created.

``st.plotly_chart`` removes and re-creates its element whenever the figure's data
changes, which flashes blank during continuous training. :func:`live_chart` mounts a
small custom component (Streamlit components v2, no iframe) that keeps one ``<div>``
alive across reruns and hands each new figure to ``Plotly.react``, which diffs and
redraws in place. plotly.js itself comes from the installed ``plotly`` package, served
by Streamlit's static file serving (``static/plotly.min.js``, copied at start-up).

Live figures come as dict specs (``viz.*_spec``) and go to JSON with ``viz.spec_json``,
skipping ``go.Figure``'s validation: most of the server's CPU per Step otherwise.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st

from ..viz import spec_json

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
PLOTLY_JS = "plotly.min.js"
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
const CONFIG = { displaylogo: false, responsive: true };
export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector("div.bp-live-plot");
  if (!div) {
    div = document.createElement("div");
    div.className = "bp-live-plot";
    parentElement.appendChild(div);
  }
  const redraw = (Plotly, fig, revision) => {
    const { data: traces, layout, frames } = fig;
    const done = Plotly.react(div, { data: traces, layout, frames, config: CONFIG });
    div.dataset.revision = String(revision);
    return done;
  };
  // the live board hands this chart a newer figure after a Step it took (board.js)
  (window.__bpSinks = window.__bpSinks || {})[data.key] = (fig, revision) => {
    if (div.isConnected && window.__bpPlotlyLib) redraw(window.__bpPlotlyLib, fig, revision);
  };
  const fig = JSON.parse(data.figure);
  div.style.height = (fig.layout && fig.layout.height ? fig.layout.height : 420) + "px";
  loadPlotly().then((Plotly) => {
    const done = redraw(Plotly, fig, data.revision);
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
  }).catch((e) => { div.textContent = "Could not load plotly.js: " + e.message; });
  return () => { if (window.__bpPlotlyLib && !div.isConnected) window.__bpPlotlyLib.purge(div); };
}
"""
)


@cache
def _component():
    return st.components.v2.component("backprop_live_plot", html="", js=_JS, isolate_styles=False)


@cache
def ensure_plotly_served() -> bool:
    """Copy plotly.min.js from the plotly package into ``static/``; False if impossible."""
    src = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    dst = STATIC_DIR / PLOTLY_JS
    try:
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            STATIC_DIR.mkdir(exist_ok=True)
            tmp = dst.with_suffix(".tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(dst)
        return True
    except OSError:
        return False


def live_chart(fig: go.Figure | dict, key: str, revision: int = 0, autoplay: int = 0) -> None:
    """Show ``fig``, a figure or a dict spec ``{"data": [...], "layout": {...}}`` (sent
    unvalidated); on later reruns with the same ``key`` the chart updates in place. A
    figure's frames come along; a new nonzero ``autoplay`` token plays them from the first
    (with the figure's first button's options, i.e. its Play)."""
    if not ensure_plotly_served() or not st.get_option("server.enableStaticServing"):
        st.plotly_chart(fig, key=key)  # validates a dict spec into a figure
        return
    text = spec_json(fig) if isinstance(fig, dict) else fig.to_json()
    data = {"figure": text, "revision": revision, "autoplay": autoplay, "key": key}
    _component()(key=key, data=data)
