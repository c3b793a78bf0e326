"""Two browser sessions on one server train two different networks at once, each its own.

Two Playwright contexts (two cookie jars, two websocket sessions) open the Playground with
different configurations in the URL. Their Step clicks are interleaved (A 3 steps, B 5
steps, the clicks of a round sent before either answer is awaited), then A plays while B
steps. Each page must keep its own step counter, its own URL and its own sidebar
(dataset, hidden-layer sizes, seed); a third, fresh session must start at step 0 on the
defaults. No page may show an exception or log an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import (
    PLAY,
    PageLog,
    assert_page_clean,
    click,
    counter,
    open_context,
    wait_counter,
    wait_idle,
    wait_live_charts,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

A = {"query": "?ds=xor&hidden=3&seed=1", "dataset": "xor (2-D)", "hidden": (3,), "seed": 1}
B = {"query": "?ds=circle&hidden=5,5&seed=2", "dataset": "circle (2-D)", "hidden": (5, 5),
     "seed": 2}  # fmt: skip
DEFAULTS = {"query": "", "dataset": "circle (2-D)", "hidden": (4, 4), "seed": 0}


@contextmanager
def session(browser, app_server, query: str) -> Iterator[tuple]:
    """A new browser context (a new Streamlit session) on the Playground; yields its page and
    log. Requests off the app server are blocked, as in conftest's ``page`` fixture."""
    log = PageLog()
    ctx, page = open_context(browser, app_server.base, log)
    try:
        page.goto(app_server.url("/playground" + query))
        wait_live_charts(page)
        wait_idle(page)
        yield page, log
    finally:
        ctx.close()


def assert_config(page, want: dict, who: str) -> None:
    """The sidebar and the URL show ``want``'s dataset, hidden-layer sizes and seed."""
    sb = page.locator('[data-testid="stSidebar"]')
    got = {
        "dataset": sb.get_by_label("Dataset", exact=True).input_value(),
        "layers": int(sb.get_by_label("Hidden layers", exact=True).input_value()),
        "sizes": tuple(
            int(sb.get_by_label(f"L{i + 1}", exact=True).input_value())
            for i in range(len(want["hidden"]))
        ),
        "extra layer": sb.get_by_label(f"L{len(want['hidden']) + 1}", exact=True).count(),
        "seed": int(sb.get_by_label("Seed", exact=True).input_value()),
    }
    expected = {
        "dataset": want["dataset"],
        "layers": len(want["hidden"]),
        "sizes": want["hidden"],
        "extra layer": 0,
        "seed": want["seed"],
    }
    assert got == expected, f"{who}: sidebar {got}, expected {expected}"
    query = parse_qs(urlsplit(page.url).query)
    url = {k: query.get(k, [None])[0] for k in ("ds", "hidden", "seed")}
    ds = want["dataset"].split(" ")[0]
    want_url = {"ds": ds, "hidden": ",".join(map(str, want["hidden"])), "seed": str(want["seed"])}
    assert url == want_url, f"{who}: URL {page.url}"


def check_clean(page, log: PageLog, who: str) -> None:
    assert_page_clean(page, log, who)
    assert log.blocked == [], f"{who}: requests off the app server: {log.blocked}"


def test_two_sessions_train_their_own_networks(browser, app_server):
    with (
        session(browser, app_server, A["query"]) as (pa, la),
        session(browser, app_server, B["query"]) as (pb, lb),
    ):
        assert (counter(pa), counter(pb)) == (0, 0)
        assert_config(pa, A, "A after load")
        assert_config(pb, B, "B after load")

        # interleaved: each round clicks Step in both pages before waiting for either
        for n in range(1, 6):
            if n <= 3:
                click(pa, "step")
            click(pb, "step")
            if n <= 3:
                wait_counter(pa, n)
            wait_counter(pb, n)
        wait_idle(pa)
        wait_idle(pb)
        assert (counter(pa), counter(pb)) == (3, 5)
        assert (counter(pa, 1), counter(pb, 1)) == (0, 0)  # epochs
        assert_config(pa, A, "A after interleaved steps")
        assert_config(pb, B, "B after interleaved steps")
        check_clean(pa, la, "A after interleaved steps")
        check_clean(pb, lb, "B after interleaved steps")

        # A plays while B steps: B moves by exactly its own clicks, A on its own
        pa.locator(PLAY).click()
        expect(pa.locator(PLAY)).to_contain_text("Pause")
        for n in (6, 7, 8):
            click(pb, "step")
            wait_counter(pb, n)
            wait_idle(pb)
        pa.wait_for_function(
            """() => {
                const m = document.querySelector('.bp-counters .bp-value');
                return m && Number(m.innerText.replace(/,/g, '')) >= 6;
            }""",
            timeout=15_000,
        )
        pa.locator(PLAY, has_text="Pause").click()
        expect(pa.locator(PLAY)).to_contain_text("Play")
        wait_idle(pa)
        pa.wait_for_timeout(500)
        a_paused = counter(pa)
        assert a_paused >= 6, f"A's counter after Play: {a_paused}"
        expect(pb.locator(PLAY)).to_contain_text("Play")  # B never played
        pb.wait_for_timeout(1000)
        assert counter(pb) == 8, f"B's counter moved without a click: {counter(pb)}"
        assert counter(pa) == a_paused, "A's counter moves after Pause"
        assert_config(pa, A, "A after Play")
        assert_config(pb, B, "B after A played")

        # one more Step each still continues each one's own run
        click(pa, "step")
        click(pb, "step")
        wait_counter(pa, a_paused + 1)
        wait_counter(pb, 9)

        # a third session sees neither run: step 0 on the defaults
        with session(browser, app_server, DEFAULTS["query"]) as (pc, lc):
            assert (counter(pc), counter(pc, 1)) == (0, 0)
            assert_config(pc, DEFAULTS, "fresh session C")
            check_clean(pc, lc, "fresh session C")
        wait_idle(pa)
        wait_idle(pb)
        assert (counter(pa), counter(pb)) == (a_paused + 1, 9)
        check_clean(pa, la, "A at the end")
        check_clean(pb, lb, "B at the end")
