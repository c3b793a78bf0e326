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


def test_play_takes_turns_one_chunk_at_a_time():
    """A second Play thread waits (on a lock, not the GIL) while one holds Play's turn."""
    order, holding, release = [], threading.Event(), threading.Event()

    def first() -> None:
        with priority.play_turn():
            holding.set()
            release.wait(LONG)
            order.append("first done")

    def second() -> None:
        with priority.play_turn():
            order.append("second")

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    assert holding.wait(LONG)
    b.start()
    b.join(0.2)
    assert b.is_alive() and priority.others_want_a_turn(), "two Play chunks worked at once"
    release.set()
    a.join(LONG)
    b.join(LONG)
    assert order == ["first done", "second"]
    assert not priority.others_want_a_turn()


def test_a_chunk_ends_early_when_another_session_waits_for_the_turn(monkeypatch):
    """While another session waits for Play's turn, a chunk stops after ``TURN_SLICE``
    (here 0: after one frame) and hands the turn over."""
    monkeypatch.setattr(board, "CHUNK_BUDGET", LONG)
    monkeypatch.setattr(board, "TURN_SLICE", 0.0)
    current = reference_run(DEFAULT)
    frames, got_turn = [], threading.Event()

    def other() -> None:
        with priority.play_turn():
            got_turn.set()

    waiter = threading.Thread(target=other)

    def tick(r) -> bool:
        frames.append(1)
        if len(frames) == 1:  # another session asks for the turn during the first frame
            waiter.start()
            while not priority.others_want_a_turn():
                threading.Event().wait(0.01)
        return False

    board.play_chunk(current, tick)
    assert len(frames) == 1
    assert got_turn.wait(LONG)
    waiter.join(LONG)
