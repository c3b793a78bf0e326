"""The deploy (``python -m deploy up``): nginx in front of two Streamlit workers on loopback.

Two browser sessions whose route cookies name different workers open the Playground
through nginx. Each sticks to its worker (the ``X-Worker`` header nginx adds, on
the context's own requests, with its cookie jar) and keeps its own run (A steps 2 times, B
3 times, interleaved: the counters are 2 and 3). A browser without the cookie gets one on
its first response. Then A's worker is killed: supervisord restarts it, and A's page
reconnects (to the other worker) and says so instead of silently starting again, its
board opens its line to the new session there, and its cookie now names that worker: its
later requests follow its new session, also once the killed worker is back. The board's
line (its own WebSocket) goes through nginx to the session's worker, as Streamlit's does.
Skipped only where nginx or Chromium is missing (CI installs both).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest
from appserver import _get, route_cookies, running_deploy
from browser_helpers import (
    PageLog,
    click,
    counter,
    open_context,
    wait_counter,
    wait_idle,
    wait_live_charts,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
if NGINX is None:
    if os.environ.get("CI"):  # .ci/run installs it: a skip there would hide the test
        raise RuntimeError("nginx is not installed, and CI is set: .ci/run must install it")
    pytest.skip("nginx is not installed (apt-get install nginx)", allow_module_level=True)


def on_line(page) -> None:
    page.wait_for_function(
        "() => document.querySelector('.bp-board')?.dataset.line === 'open'", timeout=30_000
    )


def worker_pid(port: int) -> int:
    """The pid of the Streamlit worker listening on ``port`` (its command line names it)."""
    out = subprocess.check_output(["pgrep", "-f", f"streamlit run app.py --server.port {port} "])
    return int(out.split()[0])


def context_worker(ctx, base: str) -> str:
    """The worker nginx sends this context's requests to (with its own cookies)."""
    return ctx.request.get(base + "/_stcore/health").headers["x-worker"]


def test_cookie_set_on_first_response(deployed) -> None:
    base, _ = deployed
    with urllib.request.urlopen(base + "/_stcore/health", timeout=10) as r:  # noqa: S310
        cookies = r.headers.get_all("Set-Cookie")
        assert r.headers["X-Worker"].startswith("127.0.0.1:")
    route = [c for c in cookies if c.startswith("bpworker=")]
    assert len(route) == 1 and "HttpOnly" in route[0], cookies
    value = route[0].split(";")[0].split("=", 1)[1]
    req = urllib.request.Request(base + "/_stcore/health", headers={"Cookie": f"bpworker={value}"})
    with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310
        assert not [c for c in r.headers.get_all("Set-Cookie") or [] if "bpworker" in c]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    run = tmp_path_factory.mktemp("deploy")
    with running_deploy(2, run / "run", run / "deploy.log") as (base, ports):
        yield base, ports


def test_sessions_stick_to_their_workers(deployed, browser) -> None:
    base, ports = deployed
    cookies = route_cookies(base, 2)
    logs, pages, workers = [PageLog(), PageLog()], [], []
    for cookie, log in zip(cookies, logs):
        ctx, page = open_context(browser, base, log)
        ctx.add_cookies([{"name": "bpworker", "value": cookie, "url": base}])
        page.goto(base + "/playground")
        wait_live_charts(page)
        wait_idle(page)
        on_line(page)  # the board's own socket goes through nginx to the same worker
        pages.append(page)
        workers.append(context_worker(ctx, base))
    assert workers[0] != workers[1], workers
    a, b = pages
    for i in range(3):  # interleaved: A 2 Steps, B 3
        if i < 2:
            click(a, "step")
        click(b, "step")
        if i < 2:
            wait_counter(a, i + 1)
        wait_counter(b, i + 1)
    wait_idle(a)
    wait_idle(b)
    assert (counter(a), counter(b)) == (2, 3)
    assert [context_worker(pg.context, base) for pg in pages] == workers  # still there

    port_a = int(workers[0].rsplit(":", 1)[1])
    old = worker_pid(port_a)
    os.kill(old, signal.SIGKILL)
    a.get_by_text("Reconnected: the server this page was on went away").wait_for(timeout=30_000)
    on_line(a)  # the new session's line, on the other worker
    wait_live_charts(a)
    wait_idle(a)
    before = counter(a)
    assert before == 2  # replayed to the step the board wrote into the link, not hung
    click(a, "step")
    wait_counter(a, before + 1)
    assert a.evaluate("() => document.querySelector('.bp-board').dataset.line") == "open"
    assert counter(b) == 3  # B's worker and run are untouched
    click(b, "step")
    wait_counter(b, 4)
    deadline = time.monotonic() + 60
    while True:  # supervisord restarts the killed worker
        try:
            if _get(f"http://127.0.0.1:{port_a}/_stcore/health") == "ok":
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the killed worker was not restarted"
        time.sleep(0.5)
    assert worker_pid(port_a) != old
    assert context_worker(a.context, base) == workers[1]  # A's cookie followed its session
    for pg in pages:
        pg.context.close()
