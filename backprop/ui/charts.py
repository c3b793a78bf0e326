"""Slide-ready charts: every chart's toolbar saves it as a PNG at twice its size, named.

``image_config(name)`` is the Plotly ``config`` the app passes to every ``st.plotly_chart``
(the camera button: PNG, scale 2, ``<name>.png``). The live charts and the live board
(``live.py``, ``board.js``) take the same options from ``chartConfig`` in
``plotly_loader.js`` and add a second button that saves the chart as SVG; Streamlit's own
chart element takes no JavaScript in its config, so its charts offer the PNG only.
"""

from __future__ import annotations

import re

IMAGE_SCALE = 2  # PNG pixels per CSS pixel: sharp on a projector and in slides


def slug(name: object) -> str:
    """``"Loss landscape: step 3"`` -> ``"loss-landscape-step-3"``: for file names and URLs."""
    return re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")


def image_config(name: str) -> dict:
    """The Plotly ``config`` of a chart saved as ``backprop-<name>.png`` at twice its size."""
    stem = slug(name) or "chart"
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "scale": IMAGE_SCALE,
            "filename": f"backprop-{stem}",
        },
    }
