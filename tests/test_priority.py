"""Clicks before Play (``backprop.ui.priority``): a Play chunk waits between frames while a
click's run works in another thread, never on its own thread's, and never for long."""

from __future__ import annotations

import contextlib
import threading

from helpers import click, playground, reference_run

from backprop.ui import board, priority
from backprop.ui.config import DEFAULT

LONG = 30.0  # s: a bound that is never reached when the code is right


@contextlib.contextmanager
def click_working_elsewhere():
    """Another thread holds an interactive run until the ``release`` event is set."""
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with priority.interactive():
            entered.set()
            release.wait(LONG)

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    assert entered.wait(LONG)
    try:
        yield release
    finally:
        release.set()
        t.join(LONG)


def test_nothing_working_means_no_wait():
    assert priority.working() == 0
    assert priority.yield_to_clicks(max_wait=LONG) < LONG / 2


def test_a_frame_waits_until_the_other_threads_click_is_done():
    order = []
    with click_working_elsewhere() as release:
        assert priority.working() == 1
        waiter = threading.Thread(
            target=lambda: (priority.yield_to_clicks(LONG), order.append("frame"))
        )
        waiter.start()
        waiter.join(0.2)
        assert waiter.is_alive(), "the frame went ahead while the click was working"
        order.append("click done")
        release.set()
        waiter.join(LONG)
    assert order == ["click done", "frame"]
    assert priority.working() == 0


def test_the_own_threads_click_is_not_waited_for():
    with priority.interactive():
        assert priority.working() == 1
        assert priority.yield_to_clicks(max_wait=LONG) < LONG / 2
    assert priority.working() == 0


def test_the_wait_is_bounded():
    with click_working_elsewhere():
        waited = priority.yield_to_clicks(max_wait=0.05)
    assert 0.05 <= waited < LONG / 2


def test_a_step_click_is_marked_and_a_play_chunk_makes_way(monkeypatch):
    marked = []
    real = priority.interactive

    @contextlib.contextmanager
    def recording():
        marked.append(threading.get_ident())
        with real():
            yield

    monkeypatch.setattr(priority, "interactive", recording)
    at = playground()
    marked.clear()
    click(at, "step")
    assert marked, "a Step's run is a click Play makes way for"


def test_a_play_chunk_makes_way_before_each_frame(monkeypatch):
    """The chunk the board asks for while playing (a run of its fragment in the server)."""
    monkeypatch.setattr(board, "CHUNK_BUDGET", LONG)
    monkeypatch.setattr(priority, "MAX_WAIT", LONG)
    current = reference_run(DEFAULT)
    frames = []

    def tick(r) -> bool:  # one frame of training: here, the count of frames
        frames.append(1)
        return False

    with click_working_elsewhere() as release:
        chunk = threading.Thread(target=lambda: board.play_chunk(current, tick))
        chunk.start()
        chunk.join(0.3)
        assert not frames, "a frame was trained while another session's click worked"
        release.set()
        chunk.join(LONG)
    assert len(frames) == board.CHUNK_FRAMES
