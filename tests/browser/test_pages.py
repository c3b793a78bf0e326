"""Every page in the app's navigation loads in Chromium without an exception or console error.

The pages are discovered from the sidebar's navigation links, so a page added to ``app.py``
is covered without touching this file.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

NAV_LINKS = '[data-testid="stSidebarNav"] a'


def test_every_page_loads(page, app_server, wait_idle, assert_clean, screenshot):
    page.goto(app_server.url("/"))
    page.wait_for_selector(NAV_LINKS)
    wait_idle()
    links = page.locator(NAV_LINKS).evaluate_all(
        "els => els.map(a => [a.getAttribute('href'), a.innerText.trim()])"
    )
    paths = list(dict.fromkeys(urlsplit(page.url if h is None else h).path for h, _ in links))
    assert "/" in paths and "/playground" in paths, f"navigation links: {links}"
    for path in paths:
        page.goto(app_server.url(path))
        page.wait_for_selector('[data-testid="stMain"] [data-testid="stElementContainer"]')
        wait_idle()
        assert urlsplit(page.url).path == path, f"{path} redirected to {page.url}"
        assert page.locator(NAV_LINKS).count() == len(links)
        assert_clean(f"page {path}")
        screenshot("page-" + (path.strip("/").replace("/", "-") or "home"))
