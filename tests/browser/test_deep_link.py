"""A shared Playground URL is the first request a fresh server sees: the router must run.

Streamlit runs a folder named ``pages/`` as its old multipage layout until the entry script
has called ``st.navigation`` once; a deep link as the first request then skipped app.py (no
page config, no navigation titles). The pages live in ``app_pages/`` for that reason.
"""

from __future__ import annotations

import pytest
from appserver import running_app
from browser_helpers import wait_idle

pytestmark = pytest.mark.browser

NAV = '[data-testid="stSidebarNav"] a'
TITLES = ["Home", "Playground", "Step-through", "Gradient check", "Bug gallery", "Gradient diff"]


def test_first_request_to_a_fresh_server_is_a_playground_deep_link(browser, tmp_path):
    # no script health check: it would run app.py first and hide the problem
    with running_app(log=tmp_path / "app.log", script_check=False) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(base + "/playground?ds=xor&hidden=3&seed=7")
            wait_idle(page)
            links = [t.strip() for t in page.locator(NAV).all_inner_texts()]
            assert [line.splitlines()[-1].strip() for line in links] == TITLES
            assert page.locator('[data-testid="stException"]').count() == 0
            # the Playground rewrote the URL from the config it read from it
            assert "ds=xor" in page.url and "hidden=3&" in page.url and "seed=7" in page.url
        finally:
            context.close()
