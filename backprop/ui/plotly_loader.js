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
// reset: five buttons in four groups, 152 px, that leave most of a chart's top row to its
// title (the board keeps its titles and legends out of the modebar's way, see board.js).
// One config object per chart name (and build): Plotly.react re-creates a plot whose config
// changed (dropping its event handlers), so every draw of a chart must hand it the same object.
const MODEBAR_REMOVED = ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
  "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian", "sendChartToCloud"];
const CHART_CONFIGS = (window.__bpChartConfigs = window.__bpChartConfigs || new WeakMap());
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
    toImageButtonOptions: { format: "png", scale: 2, filename },
    modeBarButtonsToRemove: MODEBAR_REMOVED,
    showSendToCloud: false, // plotly.js 4 shows "Share chart..." (to Plotly's cloud) by default
    modeBarButtonsToAdd: [{
      name: "downloadSvg",
      title: "Download plot as SVG",
      icon: Plotly.Icons.disk,
      click: (gd) => Plotly.downloadImage(gd, { format: "svg", filename }),
    }],
  };
}
