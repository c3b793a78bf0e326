"""Slide-ready figures: every chart's toolbar saves a named PNG at twice its size."""

from __future__ import annotations

import ast
import json

from helpers import ROOT, click, open_tab, playground
from streamlit.testing.v1 import AppTest

from backprop.ui.charts import IMAGE_SCALE, image_config

SOURCES = [*(ROOT / "app_pages").glob("*.py"), *(ROOT / "backprop" / "ui").glob("*.py")]


def test_image_config_names_the_file_and_doubles_the_size():
    cfg = image_config("Loss landscape: step 3")
    assert cfg["toImageButtonOptions"] == {
        "format": "png", "scale": 2, "filename": "backprop-loss-landscape-step-3",
    }  # fmt: skip
    assert IMAGE_SCALE == 2 and cfg["displaylogo"] is False
    assert image_config("")["toImageButtonOptions"]["filename"] == "backprop-chart"


def test_every_plotly_chart_call_passes_the_image_config():
    """No call site is left out: each ``*.plotly_chart(...)`` in the pages and the UI has
    ``config=image_config(...)``."""
    missing = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "plotly_chart":
                cfg = [k.value for k in node.keywords if k.arg == "config"]
                ok = cfg and isinstance(cfg[0], ast.Call) and getattr(
                    cfg[0].func, "id", ""
                ) == "image_config"  # fmt: skip
                if not ok:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not missing, missing


def charts_config(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.config) for c in at.get("plotly_chart")]


def test_the_pages_charts_are_saved_as_png_at_twice_their_size():
    at = AppTest.from_file(str(ROOT / "app_pages" / "gradcheck.py"), default_timeout=60).run()
    pg = playground()
    click(pg, "epoch")
    shown = charts_config(at) + charts_config(open_tab(pg, "Curves"))
    assert len(shown) >= 4
    for cfg in shown:
        opts = cfg["toImageButtonOptions"]
        assert opts["format"] == "png" and opts["scale"] == 2
        assert opts["filename"].startswith("backprop-") and len(opts["filename"]) > 10
