"""``backprop.ui.playstate`` and the Step-through's ``StagePlayer``: the Play/Pause state
machine both pages use, without Streamlit running."""

from __future__ import annotations

import math

import pytest

from backprop.ui.playstate import PAUSED, PLAYING, TARGET, PlayState
from backprop.ui.stage_player import StagePlayer


def test_a_new_state_is_paused_with_no_target():
    s = PlayState()
    assert (s.mode, s.playing, s.targeted) == (PAUSED, False, False)
    assert (s.target_epochs, s.target_start, s.target_step) == (None, None, None)
    assert not s.reached(epochs=10**6, steps=10**6)
    assert s.progress(3.5, 40) is None


def test_play_and_pause_are_idempotent_not_a_toggle():
    s = PlayState()
    s.set_playing(True)
    s.set_playing(True)  # a click delivered twice
    assert s.mode == PLAYING and s.playing and not s.targeted
    s.set_playing(False)
    s.set_playing(False)
    assert s.mode == PAUSED and not s.playing


def test_training_to_an_epoch_plays_until_reached():
    s = PlayState()
    s.to_epoch(5, start=2)
    assert (s.mode, s.playing, s.targeted) == (TARGET, True, True)
    assert (s.target_start, s.target_epochs, s.target_step) == (2, 5, None)
    assert not s.reached(epochs=4, steps=999)
    assert s.reached(epochs=5, steps=0)
    assert s.progress(2.0, 0) == 0.0 and s.progress(3.5, 0) == pytest.approx(0.5)
    assert s.progress(9.0, 0) == 1.0  # clipped


def test_a_replay_trains_to_its_step_and_step_zero_just_pauses():
    s = PlayState()
    s.to_step(28)
    assert s.targeted and (s.target_step, s.target_epochs) == (28, None)
    assert not s.reached(epochs=99, steps=27) and s.reached(epochs=0, steps=28)
    assert s.progress(0.0, 7) == pytest.approx(0.25)
    s.to_step(0)
    assert s.mode == PAUSED and s.target_step is None


@pytest.mark.parametrize("leave", ["pause", "step", "stop", "play"])
def test_every_way_out_of_a_target_drops_it(leave):
    s = PlayState()
    s.to_epoch(100, start=0)
    getattr(s, leave)()
    assert (s.target_epochs, s.target_start, s.target_step) == (None, None, None)
    assert not s.targeted and s.progress(50.0, 10) is None
    assert s.playing == (leave == "play")


def test_a_new_target_replaces_the_old_one():
    s = PlayState()
    s.to_step(40)
    s.to_epoch(3, start=1)
    assert (s.target_step, s.target_epochs) == (None, 3)
    assert not s.reached(epochs=2, steps=40)


def test_a_frame_takes_speed_steps_playing_and_the_time_budget_toward_a_target():
    s = PlayState()
    s.play()
    assert s.frame_steps(10) == 10
    s.to_epoch(2, start=0)
    assert s.frame_steps(10) == math.inf


def test_the_state_is_read_only():
    s = PlayState()
    with pytest.raises(AttributeError):
        s.playing = True
    with pytest.raises(AttributeError):
        s.target_epochs = 3


# ------------------------------------------------------------------------- stage player
def test_previous_next_and_jump_move_within_the_stages_and_pause():
    p = StagePlayer()
    p.previous()
    assert p.index == 0
    for _ in range(12):
        p.next(11)
    assert p.index == 10
    p.previous()
    p.set_playing(True, 11)
    p.previous()
    assert p.index == 8 and not p.playing
    p.set_playing(True, 11)
    p.jump(4)
    assert p.index == 4 and not p.playing


def test_play_walks_to_the_last_stage_and_stops_there():
    p = StagePlayer()
    p.set_playing(True, 11)
    seen = []
    while p.playing:
        stopped = p.tick(11)
        seen.append(p.index)
        assert stopped == (not p.playing)
    assert seen == list(range(1, 11)) and p.index == 10


def test_play_from_the_last_stage_starts_again_and_pause_stays_put():
    p = StagePlayer(index=10)
    p.set_playing(True, 11)
    assert p.playing and p.index == 0
    p.tick(11)
    p.set_playing(True, 11)  # delivered twice: no restart, no toggle
    assert p.playing and p.index == 1
    p.set_playing(False, 11)
    assert not p.playing and p.index == 1


def test_an_index_outside_a_changed_pass_goes_back_to_the_first_stage():
    p = StagePlayer(index=10)
    p.fit(11)
    assert p.index == 10
    p.fit(7)
    assert p.index == 0


def test_a_step_target_keeps_its_label_until_it_ends():
    s = PlayState()
    s.to_step(40, label="Training B to A's step")
    assert s.target_label == "Training B to A's step" and s.target_step == 40
    s.stop()
    assert s.target_label == "" and s.target_step is None
    s.to_step(12)  # a shared link's replay: no label
    assert s.target_label == ""
