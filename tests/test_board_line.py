"""The board's line (backprop/ui/line.py): what a socket may send, and what it is refused.

The checks of a message, an origin, a browser and the rate, then the route itself in the
app started as users start it (``streamlit run app.py``), with a plain WebSocket client:
a forged token, an oversized message and a flood are refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from backprop.ui import line

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
from appserver import running_app  # noqa: E402

TOKEN = "t" * 32


def msg(**kw) -> str:
    return json.dumps({"op": "step", "token": TOKEN, "seq": 0, **kw})


def test_a_good_message_is_read():
    assert line.parse(msg(op="pause", seq=41)) == {"op": "pause", "token": TOKEN, "seq": 41}


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"\x00binary", "JSON text"),
        ("x" * (line.MAX_MESSAGE + 1), f"at most {line.MAX_MESSAGE} bytes"),
        ("{not json", "not JSON"),
        ("[1, 2]", "unknown op"),
        (msg(op="train_forever"), "unknown op"),
        (msg(op="__class__"), "unknown op"),
        (msg(seq=-1), "non-negative integer"),
        (msg(seq=True), "non-negative integer"),
        (msg(seq=1.5), "non-negative integer"),
        (msg(seq=2**60), "non-negative integer"),
        (msg(token=None), "no token"),
        (msg(token="x" * 65), "no token"),
    ],
)
def test_a_bad_message_is_refused_with_its_reason(raw, why):
    assert why in line.parse(raw)


def test_a_message_of_many_bytes_in_few_characters_is_refused():
    """The cap counts bytes: 200 four-byte characters are 800 bytes."""
    assert "bytes" in line.parse(msg(op="step", pad="\U0001f600" * 200))


@pytest.mark.parametrize(
    ("headers", "ok"),
    [
        ({"host": "127.0.0.1:8501", "origin": "http://127.0.0.1:8501"}, True),
        ({"host": "class.example.org", "origin": "https://class.example.org"}, True),  # nginx
        ({"host": "class.example.org"}, True),  # no Origin: not a browser's page
        ({"host": "127.0.0.1:8501", "origin": "http://evil.example"}, False),
        ({"host": "127.0.0.1:8501", "origin": "null"}, False),
    ],
)
def test_only_pages_of_this_host_open_a_line(headers, ok):
    assert line.origin_ok(headers) is ok


def test_the_browser_key_is_the_unmasked_xsrf_token():
    """Streamlit masks its XSRF token anew on each page load: two loads, one browser."""
    a = line.browser_key("2|978e221d|47fee074477a9abb66cbd1745b13fafb|1796675859")
    b = line.browser_key("2|7c3e7ebf|ac4ebcd6accac6198d7b8dd6b0a3a659|1796675859")
    assert a == b == "d070c269d0f4b8a6f145f369cc9dd8e6"
    assert line.browser_key("2|zz|47fe|1") is None
    assert line.browser_key(None) is None


def test_a_line_refuses_another_browser():
    ln = line.Line(TOKEN, lock=None, browser="d070c269d0f4b8a6f145f369cc9dd8e6")
    assert line.same_browser(ln, "2|978e221d|47fee074477a9abb66cbd1745b13fafb|1796675859")
    assert not line.same_browser(ln, "2|00000000|47fee074477a9abb66cbd1745b13fafb|1")
    assert not line.same_browser(ln, None)
    assert line.same_browser(line.Line(TOKEN, lock=None), None)  # XSRF off: the token only


def test_the_rate_allows_a_burst_then_the_average(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(line.time, "monotonic", lambda: clock[0])
    bucket = line._Bucket()
    assert sum(bucket.take() for _ in range(line.BURST + 50)) == line.BURST
    clock[0] += 1.0
    assert sum(bucket.take() for _ in range(int(line.RATE) + 50)) == int(line.RATE)


def test_an_unknown_token_finds_no_line():
    assert line.get("forged-" + "x" * 30) is None
    assert line.get(12345) is None
    assert line.get("") is None


# ---------------------------------------------------------------- the route, served
@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    log = tmp_path_factory.mktemp("line") / "app.log"
    with running_app(log=log) as base:
        yield base.replace("http://", "ws://") + line.ROUTE


def closed_with(ws) -> tuple[int, str]:
    from websockets.exceptions import ConnectionClosed

    try:
        while True:
            ws.recv(timeout=10)
    except ConnectionClosed as e:
        return e.rcvd.code, e.rcvd.reason


@pytest.mark.slow
def test_the_route_refuses_a_forged_token(app_url):
    from websockets.sync.client import connect

    with connect(app_url) as ws:
        ws.send(json.dumps({"op": "hello", "token": "forged" + "x" * 26, "seq": 0}))
        assert closed_with(ws) == (4403, "unknown token")


@pytest.mark.slow
def test_the_route_refuses_a_step_before_hello(app_url):
    from websockets.sync.client import connect

    with connect(app_url) as ws:
        ws.send(msg(op="step"))
        assert closed_with(ws)[0] == 4403


@pytest.mark.slow
def test_the_route_answers_a_bad_message_with_its_reason(app_url):
    from websockets.sync.client import connect

    with connect(app_url) as ws:
        ws.send("x" * 5000)
        assert json.loads(ws.recv(timeout=10)) == {
            "error": f"a message is at most {line.MAX_MESSAGE} bytes"
        }


@pytest.mark.slow
def test_the_route_closes_a_flood(app_url):
    from websockets.sync.client import connect

    with connect(app_url) as ws:
        for _ in range(line.BURST + 20):
            ws.send("{}")
        assert closed_with(ws) == (1008, "too many messages")


@pytest.mark.slow
def test_the_route_refuses_a_foreign_origin(app_url):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with pytest.raises(InvalidStatus), connect(app_url, origin="http://evil.example"):
        pass


def test_a_hello_naming_the_scripts_frame_goes_on_from_it_and_any_other_starts_anew():
    """The script's paused frame ``seq`` is what the board has: a hello naming it gets the
    line's encoder in that state (the next frame sends only changes, no spec whole); a hello
    naming another (or 0) resets it; either way it is used once."""
    import threading

    import numpy as np

    from backprop.viz.frames import FrameEncoder, unpack

    spec = {"data": [{"type": "heatmap", "z": np.eye(3, dtype=np.float32)}], "layout": {}}
    script = FrameEncoder()
    script.encode([{}], [{"output": spec}], exact=True, seq=7)
    script.commit()
    for said, whole in ((7, 0), (6, 1), (0, 1)):
        ln = line.Line("t" * 32, threading.RLock())
        ln.script_frame = (7, script.state())
        line._from_script(ln, said)
        assert ln.script_frame is None
        header, _ = unpack(ln.encoder.encode([{}], [{"output": spec}], exact=True, seq=8))
        assert len(header.get("bases", {})) == whole, said
        assert header["full"] is bool(whole)


def _play_asked_script() -> None:
    import streamlit as st

    from backprop.ui import board
    from backprop.ui.config import PlaygroundConfig
    from backprop.ui.session import RUN_KEY, build_run, load_dataset

    if RUN_KEY not in st.session_state:
        cfg = PlaygroundConfig()
        st.session_state[RUN_KEY] = build_run(cfg, load_dataset(cfg))
    said = []
    for value in st.session_state.get("asks", []):
        said.append(board._play_asked(value))
        said.append(st.session_state[RUN_KEY].play.playing)
    st.session_state["said"] = said


def test_play_or_pause_asked_by_the_board_is_checked_and_applied_once_newest_first():
    """Without its line the board asks for Play or Pause with ``{"playing", "n"}`` (from the
    browser: hostile) and its board's ``id``. A well-formed ask newer than the board's last
    sets the state; anything else is refused, changing nothing."""
    from streamlit.testing.v1 import AppTest

    asks = [
        {"playing": "yes", "n": 1, "id": "a"},  # not a bool
        {"playing": True, "n": True, "id": "a"},  # a bool is not an n
        {"playing": True, "n": "1", "id": "a"},
        {"playing": True, "n": 1},  # no board id
        ["playing", 1],
        {"playing": True, "n": 1, "id": "a"},  # Play
        {"playing": False, "n": 1, "id": "a"},  # the same n again: already done
        {"playing": False, "n": 3, "id": "a"},  # Pause
        {"playing": True, "n": 2, "id": "a"},  # an older ask handed again: not undone
        {"playing": True, "n": 1, "id": "b"},  # another board (the page drawn anew): Play
    ]
    at = AppTest.from_function(_play_asked_script, default_timeout=60)
    at.session_state["asks"] = asks
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = at.session_state["said"]
    applied, playing = said[0::2], said[1::2]
    assert applied == [False] * 5 + [True, False, True, False, True]
    assert playing == [False] * 5 + [True, True, False, False, True]


def test_a_session_that_ends_while_its_line_works_gets_no_frame_and_no_error():
    """The session's end lets the run go only once the line's work in hand is done with it
    (it waits for the line's lock), and work that starts after it finds no run and sends
    nothing: a hello answered as the page closed raised AttributeError in the server."""
    import threading
    import time

    from backprop.ui import board
    from backprop.ui.config import PlaygroundConfig
    from backprop.ui.session import build_run, load_dataset

    cfg = PlaygroundConfig()
    ln = line.Line("u" * 32, threading.RLock())
    ln.run, ln.driver = build_run(cfg, load_dataset(cfg)), board.Driver
    line._lines[ln.token] = ln
    ln.lock.acquire()  # work in hand
    ended = threading.Thread(target=line._dropped, args=(ln.token,))
    ended.start()
    time.sleep(0.2)
    assert ln.closed and ln.run is not None  # closed at once, the run still there
    ln.lock.release()
    ended.join(5)
    assert ln.run is None and ln.token not in line._lines
    assert line._work(ln, "hello") is None and line._work(ln, "step") is None
