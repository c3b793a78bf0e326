"""Server set-up: BLAS pinned, long-lived objects frozen for the collector, no full collection
after every run, and memory given back a little after sessions end (many ends sharing one
release)."""

from __future__ import annotations

import gc
import threading
import time
import tomllib
from pathlib import Path

from helpers import APP, PLAYGROUND, run
from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_info

from backprop.ui import common


def test_a_page_run_pins_blas_and_freezes_the_long_lived_objects():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PLAYGROUND)
    run(at)
    # numpy's OpenBLAS: the engine's products (the app never imports scikit-learn or scipy)
    ours = [p for p in threadpool_info() if p["user_api"] == "blas" and "numpy" in p["filepath"]]
    assert len(ours) == 1 and ours[0]["num_threads"] == 1, ours
    # modules, classes and caches: Python's own full collections skip them
    assert gc.get_freeze_count() > 50_000


def test_the_server_runs_no_full_collection_after_every_run():
    """Streamlit's default scans every session's objects after each run, Step fragments
    included: a Step's CPU then grows with the users on the server (benchmarks/bench_load)."""
    config = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
    assert tomllib.loads(config.read_text())["runner"]["postScriptGC"] is False


def test_session_ends_close_together_share_one_release(monkeypatch):
    calls, trims, done = [], [], threading.Event()

    class FakeLibc:
        def malloc_trim(self, pad: int) -> int:
            trims.append(pad)
            done.set()
            return 1

    monkeypatch.setattr(common, "RELEASE_DELAY", 0.2)
    monkeypatch.setattr(common, "_glibc", lambda: FakeLibc())
    monkeypatch.setattr(common.gc, "collect", lambda *a: calls.append(a) or 0)
    for _ in range(5):  # five sessions closing at once
        common._session_ended(None)
    assert done.wait(5), "the release never ran"
    time.sleep(0.3)
    assert (len(calls), trims) == (1, [0])
    common._session_ended(None)  # a later end gets a release of its own
    done.clear()
    assert done.wait(5) and len(calls) == 2
