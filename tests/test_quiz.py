"""Predict, then reveal (backprop.debug.quiz): questions answered from the real numbers."""

from __future__ import annotations

import numpy as np

from backprop import Network
from backprop.debug import quiz
from backprop.debug.latex import num, par


def trace(seed: int = 0):
    net = Network([3, 4, 2], seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, 2))
    Y = np.eye(2)[:, [0, 1]]
    return net.trace(X, Y)


def test_the_delta_sign_question_is_answered_by_the_delta():
    tr = trace()
    q = quiz._sign("bp1", 2, 0, float(tr.delta[1][0, 0]))
    want = "positive" if tr.delta[1][0, 0] > 0 else "negative"
    assert q.answer == want
    right, said = q.check(want)
    assert right and said.startswith("Right") and f"{tr.delta[1][0, 0]:.4g}" in said
    wrong = "negative" if want == "positive" else "positive"
    right, said = q.check(wrong)
    assert not right and said.startswith(f"Not quite: the answer is {want}")


def test_every_backward_stage_has_a_question_from_its_numbers():
    for seed in range(6):
        tr = trace(seed)
        for key in ("bp1", "bp2_1"):
            q = quiz.question(tr, key, s=1, j=3, k=1)
            l = 2 if key == "bp1" else 1
            col = tr.delta[l - 1][:, 1]
            if q.text.startswith("Before you look: which neuron"):
                assert q.answer == f"neuron {int(np.argmax(np.abs(col)))}"
            else:
                jj = min(3, col.size - 1)
                assert q.answer == ("positive" if col[jj] > 0 else "negative")
            assert q.answer in q.choices
        g = tr.nabla_w[1][1, 1]
        assert quiz.question(tr, "bp4_2", j=1, k=1).answer == quiz.magnitude(g)
        up = quiz.question(tr, "update", j=1, k=1, eta=0.5)
        assert up.answer == ("up" if -0.5 * g > 0 else "down")
        assert quiz.question(tr, "cost") is None and quiz.question(tr, "forward_1") is None


def test_magnitudes_and_the_question_is_fixed_per_stage():
    assert [quiz.magnitude(x) for x in (5e-4, -0.005, 0.05, 0.5, -7)] == list(quiz.MAGNITUDES)
    tr = trace()
    assert quiz.question(tr, "bp2_1", j=2) == quiz.question(tr, "bp2_1", j=2)


def test_the_questions_write_their_math_as_latex():
    sign = quiz._sign("bp1", 2, 0, -0.25)
    assert sign.text == (
        r"Before you look: is $\delta^{2}_{0}$, the error of neuron 0 in layer 2, "
        "positive or negative?"
    )
    assert sign.check("negative") == (True, r"Right. $\delta^{2}_{0} = {-0.25}$.")
    largest = quiz._largest("bp2_1", 1, np.array([0.5, -2.0]))
    assert largest.text == (
        r"Before you look: which neuron of layer 1 has the largest error "
        r"$\lvert \delta^{1}_j \rvert$?"
    )
    assert largest.explain == r"$\delta^{1} = (0.5, {-2})$."
    tr = trace()
    g, w = float(tr.nabla_w[1][1, 0]), float(tr.weights[1][1, 0])
    bp4 = quiz.question(tr, "bp4_2", j=1, k=0)
    assert bp4.text == (
        r"Before you look: roughly how large is $\lvert \partial C / \partial w^{2}_{10} \rvert$,"
        " the gradient of the weight from neuron 0 to neuron 1 of layer 2?"
    )
    assert bp4.explain == rf"$\partial C / \partial w^{{2}}_{{10}} = {num(g)}$."
    up = quiz.question(tr, "update", j=1, k=0, eta=0.5)
    assert up.text == (
        rf"Before you look: after the update, does $w^{{2}}_{{10}}$ (now ${num(w)}$) go up"
        " or down?"
    )
    step = -0.5 * g
    assert up.explain == (
        rf"It moves by $-\eta \, \partial C / \partial w = -0.5 \cdot {par(g)} = {num(step)}$,"
        rf" to ${num(w + step)}$."
    )
