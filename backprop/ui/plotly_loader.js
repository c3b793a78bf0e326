// The app's own plotly.js, loaded once for the live charts and the live board.
const SRC = "app/static/plotly.min.js";
// Always the app's own plotly.js (the installed plotly package's), kept in a private global;
// Streamlit's own charts may have set window.Plotly to another version, which is restored.
function loadPlotly() {
  if (window.__bpPlotlyLib) return Promise.resolve(window.__bpPlotlyLib);
  if (!window.__bpPlotly) {
    window.__bpPlotly = new Promise((resolve, reject) => {
      const previous = window.Plotly;
      const s = document.createElement("script");
      s.src = SRC;
      s.onload = () => {
        window.__bpPlotlyLib = window.Plotly;
        if (previous) window.Plotly = previous;
        resolve(window.__bpPlotlyLib);
      };
      s.onerror = () => { window.__bpPlotly = null; reject(new Error("plotly.js not served")); };
      document.head.appendChild(s);
    });
  }
  return window.__bpPlotly;
}

// Every chart's toolbar: the camera saves a PNG at twice the chart's size, and a second
// button saves it as SVG, both named backprop-<name> (backprop/ui/charts.py; st.plotly_chart,
// the fallback without static serving, gets the PNG only).
// One config object per chart name: Plotly.react re-creates a plot whose config changed
// (dropping its event handlers), so every draw of a chart must hand it the same object.
const CHART_CONFIGS = (window.__bpChartConfigs = window.__bpChartConfigs || new Map());
function chartConfig(Plotly, name) {
  const filename = "backprop-" + String(name || "chart").toLowerCase().replace(/[^a-z0-9]+/g, "-");
  if (!CHART_CONFIGS.has(filename)) CHART_CONFIGS.set(filename, makeChartConfig(Plotly, filename));
  return CHART_CONFIGS.get(filename);
}
function makeChartConfig(Plotly, filename) {
  return {
    displaylogo: false,
    responsive: true,
    toImageButtonOptions: { format: "png", scale: 2, filename },
    modeBarButtonsToAdd: [{
      name: "downloadSvg",
      title: "Download plot as SVG",
      icon: Plotly.Icons.disk,
      click: (gd) => Plotly.downloadImage(gd, { format: "svg", filename }),
    }],
  };
}
