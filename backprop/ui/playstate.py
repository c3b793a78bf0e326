"""Play/Pause as one small state machine, shared by the Playground and the Step-through.

Three states:

- ``paused``: nothing moves until a click;
- ``playing``: one frame after another (``speed`` steps each, or one stage a tick) until
  paused;
- ``target``: playing toward a target, an epoch ("train N epochs", a long Epoch) or a step
  (a shared link's replay), then paused by itself.

Transitions: :meth:`PlayState.play` and :meth:`PlayState.pause` (idempotent, not a toggle:
a click that reaches the server twice must not undo itself), :meth:`PlayState.step` (one
step by hand pauses Play and drops any target), :meth:`PlayState.to_epoch` and
:meth:`PlayState.to_step` (start training toward a target) and :meth:`PlayState.stop` (the
target was reached, the last stage shown, or training diverged). Pages read the state
through read-only properties. Pure Python: no streamlit, no clock.
"""

from __future__ import annotations

import math

PAUSED, PLAYING, TARGET = "paused", "playing", "target"


class PlayState:
    """Paused, playing, or training toward a target epoch or step (see the module)."""

    __slots__ = ("_mode", "_target_epochs", "_target_start", "_target_step", "_target_label")

    def __init__(self) -> None:
        self._mode = PAUSED
        self._target_epochs: int | None = None
        self._target_start: int | None = None
        self._target_step: int | None = None
        self._target_label = ""

    def __repr__(self) -> str:
        return (
            f"PlayState({self._mode!r}, target_epochs={self._target_epochs}, "
            f"target_start={self._target_start}, target_step={self._target_step})"
        )

    # ------------------------------------------------------------------ read-only state
    @property
    def mode(self) -> str:
        """``"paused"``, ``"playing"`` or ``"target"``."""
        return self._mode

    @property
    def playing(self) -> bool:
        """True while frames run: playing, or training toward a target."""
        return self._mode != PAUSED

    @property
    def targeted(self) -> bool:
        """True while training toward a target epoch or step."""
        return self._mode == TARGET

    @property
    def target_epochs(self) -> int | None:
        """The epoch "train N epochs" (or a long Epoch) trains to, if that is under way."""
        return self._target_epochs

    @property
    def target_start(self) -> int | None:
        """The epoch training toward :attr:`target_epochs` started from."""
        return self._target_start

    @property
    def target_step(self) -> int | None:
        """The step a shared link's replay (or another target step) trains to, if under way."""
        return self._target_step

    @property
    def target_label(self) -> str:
        """What training toward :attr:`target_step` is for, as given to :meth:`to_step`
        (empty: a shared link's replay)."""
        return self._target_label

    # ------------------------------------------------------------------ transitions
    def _become(self, mode: str, epochs=None, start=None, step=None, label: str = "") -> None:
        self._mode = mode
        self._target_epochs, self._target_start, self._target_step = epochs, start, step
        self._target_label = label

    def play(self) -> None:
        """Play (from any state): frames until paused; a target is dropped."""
        self._become(PLAYING)

    def pause(self) -> None:
        """Pause (from any state): a target is dropped."""
        self._become(PAUSED)

    def set_playing(self, playing: bool) -> None:
        """The Play/Pause button: :meth:`play` or :meth:`pause`, never a toggle."""
        if playing:
            self.play()
        else:
            self.pause()

    def step(self) -> None:
        """One step by hand: pauses Play and drops any target (the epoch's or the replay's)."""
        self._become(PAUSED)

    def stop(self) -> None:
        """Playing ends by itself: the target was reached, or training diverged."""
        self._become(PAUSED)

    def to_epoch(self, target: int, start: int) -> None:
        """Train toward epoch ``target``, counting progress from epoch ``start``."""
        self._become(TARGET, epochs=int(target), start=int(start))

    def to_step(self, target: int, label: str = "") -> None:
        """Train toward step ``target`` (a replay, or what ``label`` says, e.g. "Training B
        to A's step"); a target of 0 steps just pauses."""
        if target > 0:
            self._become(TARGET, step=int(target), label=label)
        else:
            self._become(PAUSED)

    # ------------------------------------------------------------------ questions
    def reached(self, epochs: int, steps: int) -> bool:
        """True when the target is set and a trainer at ``epochs``, ``steps`` got there."""
        return (self._target_epochs is not None and epochs >= self._target_epochs) or (
            self._target_step is not None and steps >= self._target_step
        )

    def frame_steps(self, speed: int) -> float:
        """Steps one frame may take: ``speed`` while playing, no count toward a target
        (then the frame's time budget alone cuts it)."""
        return math.inf if self.targeted else speed

    def progress(self, epochs: float, steps: int) -> float | None:
        """How far toward the target, in [0, 1], with ``epochs`` counting the part of the
        current one done; None with no target."""
        if self._target_step is not None:
            return min(1.0, steps / max(1, self._target_step))
        if self._target_epochs is not None:
            start = self._target_start  # set with the target by to_epoch
            frac = (epochs - start) / max(1, self._target_epochs - start)
            return min(1.0, max(0.0, frac))
        return None
