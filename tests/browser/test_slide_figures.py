"""Slide-ready figures in Chromium: a chart that was an ``st.plotly_chart`` (the Gradient
check page's) saves itself as SVG from its toolbar, and a chart in a tab hidden when the page
loaded is drawn at its container's width once the tab opens (``backprop.ui.live.chart``)."""

from __future__ import annotations

import os

import pytest
from appserver import ROOT, running_app
from browser_helpers import PageLog, assert_page_clean, open_context, wait_idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SVG_BUTTON = '.modebar-btn[data-title="Download plot as SVG"]'
PNG_BUTTON = '.modebar-btn[data-title="Download plot as a PNG"]'
SCATTER = ".st-key-gc_scatter div.bp-live-plot"


def _gradcheck_scatter_toolbar(page, app_server, wait_idle):
    """The Gradient check page's scatter, drawn, with its toolbar shown (hovered)."""
    page.goto(app_server.url("/gradcheck"))
    chart = page.locator(SCATTER)
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=30_000)
    wait_idle()
    chart.scroll_into_view_if_needed()
    chart.hover()
    return chart


def test_a_debugger_chart_downloads_as_svg_named_and_titled(
    page, app_server, wait_idle, tmp_path, screenshot
):
    page.set_viewport_size({"width": 1280, "height": 720})
    chart = _gradcheck_scatter_toolbar(page, app_server, wait_idle)
    expect(chart.locator(PNG_BUTTON)).to_have_count(1)
    with page.expect_download() as info:
        chart.locator(SVG_BUTTON).click()
    download = info.value
    assert download.suggested_filename == "backprop-gradient-check-scatter.svg"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    svg = path.read_text(encoding="utf-8")
    assert svg.startswith("<svg"), svg[:200]
    assert "Backprop (analytic) against finite differences (numeric)" in svg
    assert "analytic" in svg and "numeric" in svg  # the axis titles
    screenshot("slide-figures-gradcheck-1280x720")


SHARE_BUTTON = '.modebar-btn[data-title="Share chart: copy a link to this view"]'
SHARE_COPIED = "Link to this view copied to the clipboard."


def test_share_chart_copies_the_pages_link_and_says_so(page, app_server, wait_idle):
    """The toolbar's Share chart puts the page's own link (the run's settings and moment)
    on the clipboard; plotly.js's upload to Plotly Cloud ("Share chart...") is gone."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    chart = _gradcheck_scatter_toolbar(page, app_server, wait_idle)
    expect(chart.locator('.modebar-btn[data-title="Share chart..."]')).to_have_count(0)
    chart.locator(SHARE_BUTTON).click()
    expect(chart.locator(".bp-chart-note")).to_have_text(SHARE_COPIED)
    assert page.evaluate("navigator.clipboard.readText()") == page.url


HIDDEN_TAB_APP = """
import plotly.graph_objects as go
import streamlit as st

from backprop.ui import live

st.set_page_config(layout="wide")
first, second = st.tabs(["First", "Second"])
first.write("Nothing to draw here.")
fig = go.Figure(go.Scatter(y=[1, 3, 2]), layout={"title": {"text": "Drawn in a hidden tab"}})
live.chart(fig, "hidden tab", where=second, height=300)
"""

_WIDTHS_JS = """() => {
    const div = document.querySelector('.st-key-chart_hidden-tab div.bp-live-plot');
    const svg = div && div.querySelector('.main-svg');
    return [div ? div.clientWidth : -1, svg ? svg.getBoundingClientRect().width : -1];
}"""


@pytest.fixture(scope="module")
def hidden_tab_server(tmp_path_factory):
    """The app's server on a page whose chart sits in a tab that is hidden at load (the
    Playground's tabs draw only the open one). The script's ``static/`` is the checkout's,
    where ``live`` puts plotly.js."""
    where = tmp_path_factory.mktemp("hidden_tab")
    (where / "hidden_tab.py").write_text(HIDDEN_TAB_APP, encoding="utf-8")
    (ROOT / "static").mkdir(exist_ok=True)
    (where / "static").symlink_to(ROOT / "static", target_is_directory=True)
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with running_app(script=where / "hidden_tab.py", env=env, log=where / "log") as base:
        yield base


def test_a_chart_in_a_tab_hidden_at_load_fills_its_width_when_opened(browser, hidden_tab_server):
    log = PageLog()
    context, page = open_context(browser, hidden_tab_server, log)
    try:
        page.goto(hidden_tab_server)
        page.wait_for_selector(".st-key-chart_hidden-tab div.bp-live-plot", state="attached")
        wait_idle(page)
        page.wait_for_timeout(500)  # plotly.js loaded: a chart with a width would be drawn
        width, _ = page.evaluate(_WIDTHS_JS)
        assert width == 0  # display: none
        assert page.locator(".st-key-chart_hidden-tab div.bp-live-plot[data-pending]").count()
        page.get_by_role("tab", name="Second").click()
        page.wait_for_function(f"() => ({_WIDTHS_JS})()[1] > 0")
        width, drawn = page.evaluate(_WIDTHS_JS)
        assert width > 1000 and abs(drawn - width) <= 2, (width, drawn)
        expect(page.locator(".st-key-chart_hidden-tab .gtitle")).to_have_text(
            "Drawn in a hidden tab"
        )
        page.set_viewport_size({"width": 1100, "height": 1000})  # and it follows its width
        page.wait_for_function(
            f"() => {{ const [w, d] = ({_WIDTHS_JS})(); return w < 1000 && Math.abs(d - w) <= 2; }}"
        )
        assert_page_clean(page, log, "the hidden-tab page")
    finally:
        context.close()
