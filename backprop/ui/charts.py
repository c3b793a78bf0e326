"""Slide-ready charts: every chart's toolbar saves it as a PNG at twice its size and as an
SVG, both named ``backprop-<name>``.

Every chart of the app is drawn by plotly.js in the live component (``live.chart`` for a
figure drawn once per rerun, ``live.live_chart`` for one updated in place) or the live board
(``board.js``), which take their config from ``chartConfig`` in ``plotly_loader.js``: the
camera button (PNG, scale 2) and a second button that saves the chart as SVG, named after
the chart's name (:func:`slug`). ``image_config(name)`` is the same config for
``st.plotly_chart``, used only where static serving is off (``live``'s fallback): Streamlit's
own chart element takes no JavaScript in its config, so there a chart offers the PNG only.
plotly.js's own "Share chart..." button (an upload to Plotly Cloud) is off everywhere; the
live component's charts have the app's "Share chart" instead, which copies the page's link.
"""

from __future__ import annotations

import re

IMAGE_SCALE = 2  # PNG pixels per CSS pixel: sharp on a projector and in slides
# The toolbar's buttons left out (``MODEBAR_REMOVED`` in ``plotly_loader.js`` too): zoom,
# pan, reset and the downloads stay, five buttons that leave a chart's top row to its title.
MODEBAR_REMOVED = (
    "select2d",
    "lasso2d",
    "zoomIn2d",
    "zoomOut2d",
    "autoScale2d",
    "toggleSpikelines",
    "hoverClosestCartesian",
    "hoverCompareCartesian",
    "sendChartToCloud",
)


def slug(name: object) -> str:
    """``"Loss landscape: step 3"`` -> ``"loss-landscape-step-3"``: for file names and URLs."""
    return re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")


def image_config(name: str) -> dict:
    """The Plotly ``config`` of a chart saved as ``backprop-<name>.png`` at twice its size."""
    stem = slug(name) or "chart"
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": list(MODEBAR_REMOVED),
        "showSendToCloud": False,  # plotly.js's "Share chart..." uploads to Plotly Cloud
        "toImageButtonOptions": {
            "format": "png",
            "scale": IMAGE_SCALE,
            "filename": f"backprop-{stem}",
        },
    }
