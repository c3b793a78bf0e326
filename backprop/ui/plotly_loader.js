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
