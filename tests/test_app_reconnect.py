"""A session that begins on a reconnect says so (backprop.ui.reconnect), driven with AppTest.

A reconnect is a session whose first run brings widget values from the frontend; AppTest's
first run brings none, so the tests stand in for the frontend by patching
``reconnect._client_widget_ids``."""

from __future__ import annotations

import pytest
from helpers import click, playground, query, run, texts, the_run

from backprop.ui import board, controls, reconnect

RECONNECTED = "Reconnected: the server this page was on went away"


def reconnect_notices(at) -> list[str]:
    return [t for t in texts(at.warning) if t.startswith(RECONNECTED)]


@pytest.fixture
def frontend_sends_widgets(monkeypatch):
    monkeypatch.setattr(reconnect, "_client_widget_ids", lambda: ["$$ID-0-graph_view"])
    monkeypatch.setattr(controls, "FRAME_BUDGET", 1e-4)  # the replay: a step or two a frame
    monkeypatch.setattr(board, "CHUNK_FRAMES", 2)


def test_a_fresh_session_is_no_reconnect_even_if_later_runs_bring_widgets(monkeypatch):
    at = playground()
    monkeypatch.setattr(reconnect, "_client_widget_ids", lambda: ["$$ID-0-graph_view"])
    click(at, "step")  # this run brings widget values, as every later run does
    assert not reconnect_notices(at)


def test_a_reconnect_with_a_step_in_the_link_is_replayed_and_said(frontend_sends_widgets):
    at = playground()
    for _ in range(3):
        click(at, "step")
    url = query(at)
    assert url["step"] == "3"
    new = playground(url)  # the new worker's fresh session, with the server-written query
    (notice,) = reconnect_notices(new)
    assert "replayed from its seed to step 3" in notice
    r = the_run(new)
    while r.play.playing:
        run(new)
        assert reconnect_notices(new)  # said while the run is replayed, and when it is
    assert r.trainer.steps == 3
    run(new)
    assert not reconnect_notices(new)  # then no more


def test_the_board_reloading_a_page_whose_session_is_gone_is_a_reconnect():
    """The live board, on its own line, finds the server no longer knows its session and
    loads the page again with ``reconnected=1``: said as a reconnect, and the parameter
    leaves the URL."""
    new = playground({"seed": "4", "step": "2", "reconnected": "1"})
    (notice,) = reconnect_notices(new)
    assert "replayed from its seed to step 2" in notice
    assert "reconnected" not in query(new)


def test_a_reconnect_without_a_step_says_it_starts_again(frontend_sends_widgets):
    new = playground({"seed": "4"})
    (notice,) = reconnect_notices(new)
    assert "starts again at step 0" in notice
    assert the_run(new).trainer.steps == 0
