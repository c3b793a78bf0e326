"""Predict, then reveal: one question about a stage's numbers before they are shown.

:func:`question` asks, from the real numbers of a pass (a :class:`Trace`), about the stage
``key`` of :func:`backprop.debug.stages` for sample column ``s``, neuron ``j`` and input
``k`` (clamped to the layer, as the stages are):

- BP1 / BP2 (``bp1``, ``bp2_l``): the sign of ``delta^l_j``, or which neuron of the layer
  has the largest ``|delta^l|``;
- BP4 (``bp4_l``): roughly how large ``|dC/dw^l_jk|`` is (its order of magnitude);
- the update (``update``): whether ``w^L_jk`` goes up or down.

Other stages have no question (None). Which question a stage gets is fixed by its key (the
same pass gives the same quiz). :meth:`Question.check` says right or wrong with the number.
The text is ours (no visitor input) and writes its math as ``$...$`` LaTeX, typeset as the
stages are.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ..trace import Trace
from .latex import index, num, par

MAGNITUDES = ("under 0.001", "0.001 to 0.01", "0.01 to 0.1", "0.1 to 1", "over 1")


@dataclass(frozen=True)
class Question:
    """``text`` with its ``choices``; ``answer`` is the right choice, ``explain`` the real
    number behind it."""

    key: str
    text: str
    choices: tuple[str, ...]
    answer: str
    explain: str

    def check(self, choice: str) -> tuple[bool, str]:
        """(right?, feedback with the real number)."""
        right = choice == self.answer
        head = "Right" if right else f"Not quite: the answer is {self.answer}"
        return right, f"{head}. {self.explain}"


def _clamp(j: int, n: int) -> int:
    return min(max(0, int(j)), n - 1)


def magnitude(x: float) -> str:
    """The :data:`MAGNITUDES` choice of ``|x|``."""
    v = abs(float(x))
    for bound, label in zip((1e-3, 1e-2, 1e-1, 1.0), MAGNITUDES):
        if v < bound:
            return label
    return MAGNITUDES[-1]


def _sign(key: str, l: int, j: int, d: float) -> Question:
    answer = "positive" if d > 0 else "negative" if d < 0 else "zero"
    delta = rf"\delta^{{{l}}}_{{{j}}}"
    return Question(
        key, f"Before you look: is ${delta}$, the error of neuron {j} in layer {l}, "
        "positive or negative?", ("positive", "negative", "zero"), answer,
        f"${delta} = {num(d)}$.",
    )  # fmt: skip


def _largest(key: str, l: int, col: np.ndarray) -> Question:
    big = int(np.argmax(np.abs(col)))
    shown = ", ".join(num(v, 3) for v in col)
    return Question(
        key, rf"Before you look: which neuron of layer {l} has the largest error "
        rf"$\lvert \delta^{{{l}}}_j \rvert$?",
        tuple(f"neuron {i}" for i in range(col.size)), f"neuron {big}",
        rf"$\delta^{{{l}}} = ({shown})$.",
    )  # fmt: skip


def question(
    trace: Trace, key: str, s: int = 0, j: int = 0, k: int = 0, eta: float = 0.1
) -> Question | None:
    """The question about stage ``key`` (see the module), or None for a stage without one."""
    L = trace.n_layers
    if key == "bp1" or key.startswith("bp2_"):
        l = L if key == "bp1" else int(key.split("_")[1])
        col = trace.delta[l - 1][:, _clamp(s, trace.delta[l - 1].shape[1])]
        jj = _clamp(j, col.size)
        if col.size > 1 and zlib.crc32(key.encode()) % 2:
            return _largest(key, l, col)
        return _sign(key, l, jj, float(col[jj]))
    if key.startswith("bp4_"):
        l = int(key.split("_")[1])
        nw = trace.nabla_w[l - 1]
        jj, kk = _clamp(j, nw.shape[0]), _clamp(k, nw.shape[1])
        g = float(nw[jj, kk])
        grad = rf"\partial C / \partial w^{{{l}}}_{{{index(jj, kk)}}}"
        return Question(
            key, rf"Before you look: roughly how large is $\lvert {grad} \rvert$, the gradient "
            f"of the weight from neuron {kk} to neuron {jj} of layer {l}?", MAGNITUDES,
            magnitude(g), f"${grad} = {num(g)}$.",
        )  # fmt: skip
    if key == "update":
        nw = trace.nabla_w[L - 1]
        jj, kk = _clamp(j, nw.shape[0]), _clamp(k, nw.shape[1])
        g, w = float(nw[jj, kk]), float(trace.weights[L - 1][jj, kk])
        step = -eta * g
        answer = "up" if step > 0 else "down" if step < 0 else "stays the same"
        weight = rf"w^{{{L}}}_{{{index(jj, kk)}}}"
        move = rf"-\eta \, \partial C / \partial w = -{num(eta)} \cdot {par(g)} = {num(step)}"
        return Question(
            key, f"Before you look: after the update, does ${weight}$ (now ${num(w)}$) go up "
            "or down?", ("up", "down", "stays the same"), answer,
            f"It moves by ${move}$, to ${num(w + step)}$.",
        )  # fmt: skip
    return None
