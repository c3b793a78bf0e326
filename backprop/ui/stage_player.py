"""The Step-through's stage player: Previous / Next / Play over the stages of one pass.

:class:`StagePlayer` (pure Python, on :class:`~backprop.ui.playstate.PlayState`) holds the
stage shown and whether Play walks on: Previous, Next and the stage selector pause; Play
from the last stage starts again from the first; Play stops by itself at the last stage.
:func:`show` draws the controls and the stage in a fragment that alone reruns during Play,
one stage per tick of its timer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import streamlit as st

from .playstate import PlayState

PLAYER_KEY = "stage_player"  # the session's StagePlayer
SELECT_KEY = "stage"  # the stage selector; it mirrors the player's index when shown
SPEED_KEY = "stage_speed"
SPEEDS = (0.3, 0.7, 1.5, 3.0)  # seconds per stage during Play


@dataclass
class StagePlayer:
    """The stage shown (``index``, from 0) and the Play/Pause state over ``n`` stages."""

    index: int = 0
    state: PlayState = field(default_factory=PlayState)

    @property
    def playing(self) -> bool:
        return self.state.playing

    def fit(self, n: int) -> None:
        """Back to the first stage if ``index`` is not one of ``n`` (the pass changed)."""
        if not isinstance(self.index, int) or not 0 <= self.index < n:
            self.index = 0

    def previous(self) -> None:
        self.state.pause()
        self.index = max(0, self.index - 1)

    def next(self, n: int) -> None:
        self.state.pause()
        self.index = min(n - 1, self.index + 1)

    def jump(self, index: int) -> None:
        """The stage selector: show stage ``index``, paused."""
        self.state.pause()
        self.index = index

    def set_playing(self, playing: bool, n: int) -> None:
        """Play or Pause; idempotent (not a toggle), so a click delivered twice cannot undo
        itself. Play from the last stage starts again from the first."""
        if playing and not self.playing and self.index >= n - 1:
            self.index = 0
        self.state.set_playing(playing)

    def tick(self, n: int) -> bool:
        """One tick of Play: the next stage; True when that is the last and Play stopped."""
        self.index = min(self.index + 1, n - 1)
        if self.index == n - 1:
            self.state.stop()
            return True
        return False


def player() -> StagePlayer:
    """This session's stage player."""
    ss = st.session_state
    if not isinstance(ss.get(PLAYER_KEY), StagePlayer):
        ss[PLAYER_KEY] = StagePlayer()
    return ss[PLAYER_KEY]


def _jump() -> None:
    player().jump(st.session_state[SELECT_KEY])


def show(titles: Sequence[str], render: Callable[[int], None]) -> None:
    """The controls row (Previous, Next, Play/Pause, the stage selector, seconds per stage)
    above ``render(i)``, the stage shown; ``titles`` names the stages."""
    n = len(titles)
    playing = player().playing
    speed = st.session_state.get(SPEED_KEY, SPEEDS[1])
    speed = speed if speed in SPEEDS else SPEEDS[1]

    @st.fragment(run_every=speed if playing else None)
    def stepper(decorated_playing: bool) -> None:
        """Controls and the current stage; during Play this alone reruns, one stage per tick.

        While playing, the stage selector is replaced by a read-only copy: a timer tick can
        carry the browser's previous selection, which must not count as a jump back.
        """
        p = player()
        if p.playing != decorated_playing:
            st.rerun()  # Play or Pause was pressed: rerun the page to start or stop the timer
        p.fit(n)
        if decorated_playing and p.tick(n):
            st.rerun()  # the last stage: stop the timer
        i = p.index
        with st.container(horizontal=True, vertical_alignment="center", key="stage-controls"):
            st.button("Previous", key="stage_prev", on_click=p.previous,
                      icon=":material/skip_previous:", disabled=i == 0)  # fmt: skip
            st.button("Next", key="stage_next", on_click=p.next, args=(n,),
                      icon=":material/skip_next:", disabled=i == n - 1)  # fmt: skip
            label, icon = ("Pause", ":material/pause:") if decorated_playing else (
                "Play", ":material/play_arrow:")  # fmt: skip
            st.button(label, key="stage_play", on_click=p.set_playing,
                      args=(not decorated_playing, n), icon=icon, type="primary")  # fmt: skip
            if decorated_playing:
                st.selectbox("Stage", [titles[i]], disabled=True, label_visibility="collapsed")
            else:
                st.session_state[SELECT_KEY] = i
                st.selectbox("Stage", range(n), key=SELECT_KEY, on_change=_jump,
                             format_func=titles.__getitem__,
                             label_visibility="collapsed")  # fmt: skip
            st.selectbox("Seconds per stage (Play)", SPEEDS, index=1, key=SPEED_KEY, width=150,
                         format_func="{:g} s per stage".format,
                         label_visibility="collapsed")  # fmt: skip
        render(i)

    stepper(playing)
