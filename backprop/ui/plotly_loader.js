// The app's own plotly.js, loaded once for the live charts and the live board, in one of
// two builds of the same version: "cartesian" (plotly.js's own partial bundle: scatter,
// heatmap, contour, bar and the other 2-D traces, a third of the size, parsed in ~0.5 s
// instead of ~1.2 s on a first visit) draws the board and every chart the app has now;
// "full" (the installed plotly package's plotly.min.js) is fetched only for a figure with
// another trace type (a 3-D surface, say).
const SRCS = { cartesian: "app/static/plotly-cartesian.min.js", full: "app/static/plotly.min.js" };
const CARTESIAN_TYPES = new Set(["bar", "box", "contour", "heatmap", "histogram", "histogram2d",
  "histogram2dcontour", "image", "pie", "scatter", "scatterternary", "violin"]);
// The build a figure needs: "cartesian" when all its traces (and its frames') are such.
function plotlyBuild(fig) {
  const traces = [...(fig.data || [])];
  for (const f of fig.frames || []) traces.push(...(f.data || []));
  return traces.every((t) => CARTESIAN_TYPES.has(t.type || "scatter")) ? "cartesian" : "full";
}
// window.__bpPlotlyLib: the library the board and cartesian charts draw with (the first
// build that loaded; the full one does as well); window.__bpPlotlyFull: the full build, once
// loaded. Both are private globals: Streamlit's own charts may have set window.Plotly to
// another version, which is restored.
function loadPlotly(build = "cartesian") {
  if (build === "full" && window.__bpPlotlyFull) return Promise.resolve(window.__bpPlotlyFull);
  if (build !== "full" && window.__bpPlotlyLib) return Promise.resolve(window.__bpPlotlyLib);
  const loading = (window.__bpPlotlyLoading = window.__bpPlotlyLoading || {});
  if (build !== "full" && loading.full && !loading.cartesian) return loading.full;
  if (!loading[build]) {
    loading[build] = new Promise((resolve, reject) => {
      const previous = window.Plotly;
      const s = document.createElement("script");
      s.src = SRCS[build];
      s.onload = () => {
        const lib = window.Plotly;
        if (build === "full") window.__bpPlotlyFull = lib;
        if (!window.__bpPlotlyLib) window.__bpPlotlyLib = lib;
        if (previous) window.Plotly = previous;
        resolve(build === "full" ? lib : window.__bpPlotlyLib);
      };
      s.onerror = () => { loading[build] = null; reject(new Error("plotly.js not served")); };
      document.head.appendChild(s);
    });
  }
  return loading[build];
}

// Every chart's toolbar: the camera saves a PNG at twice the chart's size, and a second
// button saves it as SVG, both named backprop-<name> (backprop/ui/charts.py; st.plotly_chart,
// the fallback without static serving, gets the PNG only). Besides them only zoom, pan and
// reset, and the app's "Share chart": plotly.js's own "Share chart..." (showSendToCloud) would
// upload the figure to Plotly Cloud and is off; ours copies the page's link, which holds the
// run's settings and, while paused, its step and view (backprop/ui/moment.py), then says so
// on the chart. The board keeps its titles and legends out of the modebar's way (board.js).
// One config object per chart name (and build): Plotly.react re-creates a plot whose config
// changed (dropping its event handlers), so every draw of a chart must hand it the same object.
const MODEBAR_REMOVED = ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
  "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian", "sendChartToCloud"];
const CHART_CONFIGS = (window.__bpChartConfigs = window.__bpChartConfigs || new WeakMap());
const SHARE_TITLE = "Share chart: copy a link to this view";
const SHARE_COPIED = "Link to this view copied to the clipboard.";
const SHARE_MANUAL = "Copy this link to share the chart's view:";
function chartConfig(Plotly, name) {
  const filename = "backprop-" + String(name || "chart").toLowerCase().replace(/[^a-z0-9]+/g, "-");
  if (!CHART_CONFIGS.has(Plotly)) CHART_CONFIGS.set(Plotly, new Map());
  const configs = CHART_CONFIGS.get(Plotly);
  if (!configs.has(filename)) configs.set(filename, makeChartConfig(Plotly, filename));
  return configs.get(filename);
}
function makeChartConfig(Plotly, filename) {
  return {
    displaylogo: false,
    responsive: true,
    // a double click undoes a zoom and nothing else: Plotly's default ("reset+autosize") also
    // autoranges a chart that is not zoomed, and two quick clicks (on two edges of the graph,
    // two points added to the output) count as a double click
    doubleClick: "reset",
    showSendToCloud: false,
    toImageButtonOptions: { format: "png", scale: 2, filename },
    modeBarButtonsToRemove: MODEBAR_REMOVED,
    showSendToCloud: false, // plotly.js 4 shows "Share chart..." (to Plotly's cloud) by default
    modeBarButtonsToAdd: [{
      name: "downloadSvg",
      title: "Download plot as SVG",
      icon: Plotly.Icons.disk,
      click: (gd) => Plotly.downloadImage(gd, { format: "svg", filename }),
    }, {
      name: "shareLink",
      title: SHARE_TITLE,
      icon: Plotly.Icons.cloudupload,
      click: shareLink,
    }],
  };
}
// The page's link to the clipboard and a note on the chart that it is there; where the
// clipboard is refused (a page not served over https), a dialog shows the link to copy.
function shareLink(gd) {
  const url = window.location.href;
  const manual = () => window.prompt(SHARE_MANUAL, url);
  if (!navigator.clipboard || !window.isSecureContext) return manual();
  navigator.clipboard.writeText(url).then(() => chartNote(gd, SHARE_COPIED), manual);
}
// A short note in the chart's top right corner, under the toolbar, for a few seconds.
function chartNote(gd, text) {
  const box = gd.querySelector(".svg-container") || gd;
  let note = box.querySelector(".bp-chart-note");
  if (!note) {
    note = document.createElement("div");
    note.className = "bp-chart-note";
    note.setAttribute("role", "status");
    note.style.cssText = "position:absolute;top:30px;right:4px;z-index:1002;max-width:80%;" +
      "padding:4px 8px;border-radius:4px;font:12px sans-serif;color:#fff;background:#333c;";
    box.appendChild(note);
  }
  note.textContent = text;
  clearTimeout(note.hideTimer);
  note.hideTimer = setTimeout(() => note.remove(), 3000);
}

// Presentation mode's layout (a projector at the back of a room): large black text, room for
// it in the margins. The live board's views and every other chart of a page in presentation
// mode (live.py) go through it.
function presentLayout(layout) {
  const size = 20;
  layout.font = Object.assign({}, layout.font || {}, { size, color: "#000" });
  if (layout.annotations) {
    layout.annotations = layout.annotations.map((a) => Object.assign({}, a,
      { font: Object.assign({}, a.font || {}, { size: Math.max(size, (a.font || {}).size || 0), color: "#000" }) }));
  }
  if (layout.legend) {
    layout.legend = Object.assign({}, layout.legend, { font: { size } });
    // below the x axis' 20 px title, not on it
    if (layout.legend.orientation === "h" && layout.legend.y < 0) layout.legend.y = -0.3;
  }
  // at least this much room for the larger text (a figure's own larger margins stay)
  const m = layout.margin || {}, room = { l: 70, r: 20, t: 56, b: 56 };
  layout.margin = Object.assign({}, m, Object.fromEntries(
    Object.entries(room).map(([k, v]) => [k, Math.max(v, Number.isFinite(m[k]) ? m[k] : 0)])));
  if (layout.title) {
    if (typeof layout.title === "string") layout.title = { text: layout.title };
    layout.title.font = Object.assign({}, layout.title.font || {}, { size: size + 2 });
  }
  return layout;
}
