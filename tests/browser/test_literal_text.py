"""Text a stranger controls (URL parameters, CSV column names) shows literally in Chromium:
no image is fetched, no link is made, and the text itself is there to read.

Markdown images and links in a message would make the browser fetch an image from a host
the stranger picks and offer a link to click; GitHub Markdown also links bare URLs. The
page fixture blocks every request off the app, so this counts what the page *tried*.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from appserver import free_port

pytestmark = pytest.mark.browser

BARE_URL = "https://example.invalid/x"
WORD_JOINER = "\u2060"  # invisible; common.plain puts it inside autolinks


def hostile(port: int) -> tuple[str, str]:
    """A Markdown image and a Markdown link to a loopback port the app does not use."""
    return f"![x](http://127.0.0.1:{port}/pixel.png)", f"[click](http://127.0.0.1:{port}/)"


def visible_text(page) -> str:
    return page.locator('[data-testid="stApp"]').inner_text().replace(WORD_JOINER, "")


def live_markup(page, port: int) -> dict[str, int]:
    """Links and images that point at the stranger's hosts."""
    hosts = (f"127.0.0.1:{port}", "example.invalid")
    sel = ", ".join(f'a[href*="{h}"], img[src*="{h}"]' for h in hosts)
    return {"elements": page.locator(sel).count(), "links": page.locator("a[href]").count()}


def test_hostile_url_parameters_and_csv_columns_stay_literal(page, app_server, wait_idle):
    port = free_port()
    image, link = hostile(port)
    off_site: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(app_server.base) else off_site.append(r.url)
    )
    page.goto(app_server.url("/playground"))
    wait_idle()
    links_before = live_markup(page, port)["links"]  # the app's own (navigation) links

    query = urlencode({"ds": "csv", "act": BARE_URL, "opt": image, link: "1"})
    page.goto(app_server.url("/playground?" + query))
    page.locator('[data-testid="stAlert"]').first.wait_for()
    wait_idle()
    text = visible_text(page)
    for shown in (BARE_URL, image, link):
        assert shown in text, f"{shown!r} is not shown literally"
    assert live_markup(page, port) == {"elements": 0, "links": links_before}

    rows = "\n".join(f"u{i},v{i},{i % 2}" for i in range(30))
    csv = f"{image},{link},label\n{rows}".encode()
    page.locator('.st-key-csv_file input[type="file"]').set_input_files(
        files=[{"name": "md.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.get_by_text("Cannot use this CSV").wait_for()
    wait_idle()
    text = visible_text(page)
    assert "feature columns are not numeric" in text
    for shown in (image, link):
        assert shown in text, f"{shown!r} is not shown literally"
    assert live_markup(page, port) == {"elements": 0, "links": links_before}
    assert off_site == [], f"the page requested {off_site}"


def test_a_csv_column_name_with_html_is_a_literal_axis_title(page, app_server, wait_idle):
    """Plotly renders ``<a href>`` in a title as a link: a regression CSV's one feature
    column names the x axis of the fitted curve, and must read as written."""
    port = free_port()
    tag = f"<a href='http://127.0.0.1:{port}/'>x</a>"
    off_site: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(app_server.base) else off_site.append(r.url)
    )
    page.goto(app_server.url("/playground?ds=csv&out=sigmoid&cost=quadratic"))
    wait_idle()
    rows = "\n".join(f"{i / 10},{(i * 7) % 13 / 3}" for i in range(40))
    page.locator('.st-key-csv_file input[type="file"]').set_input_files(
        files=[{"name": "reg.csv", "mimeType": "text/csv", "buffer": f'"{tag}",y\n{rows}'.encode()}]
    )
    title = page.locator('[data-key="live_output"] .xtitle')
    title.wait_for()
    wait_idle()
    assert title.text_content() == tag
    assert page.locator(f'[*|href*="127.0.0.1:{port}"]').count() == 0
    assert off_site == [], f"the page requested {off_site}"
