"""The debugger pages driven headlessly with Streamlit's AppTest: stepper, check, bugs, diff.

Each test starts its own simulated session. AppTest does not run fragments on a timer, so
the stepper's Play is driven by full reruns (each one is one tick of the fragment). The
gradient diff's uploads go through AppTest's file_uploader, so the page's own reading and
error display are what is tested.
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import APP, charts, ok
from helpers import texts as message_texts
from streamlit.testing.v1 import AppTest

from backprop import Network
from backprop.datasets import FEATURES
from backprop.debug import BUGS, Case, buggy_gradients, export_case, gradients_file, stages
from backprop.ui.config import DEFAULT, to_query
from backprop.ui.debugger import default_subject, mixed_start

STEPPER, GRADCHECK = "app_pages/stepper.py", "app_pages/gradcheck.py"
BUGS_PAGE, DIFF = "app_pages/bugs.py", "app_pages/diff.py"


def open_page(path: str, via_playground: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if via_playground:  # build the Playground's run first, as a visitor would
        at.switch_page("app_pages/playground.py")
        ok(at.run())
    at.switch_page(path)
    return ok(at.run())


def visible(element) -> str:
    """An element's text as a visitor reads it (Markdown escapes and word joiners removed)."""
    return message_texts([element])[0]


def texts(elements) -> str:
    """The text of ``elements``: as sent for LaTeX, as a visitor reads it for the rest."""
    return "\n".join(e.value if e.type == "latex" else visible(e) for e in elements)


@pytest.mark.parametrize("path", [STEPPER, GRADCHECK, BUGS_PAGE, DIFF])
def test_every_debugger_page_loads(path):
    at = open_page(path)
    assert at.title[0].value in ("Step-through", "Gradient check", "Bug gallery", "Gradient diff")
    assert not at.error


# ------------------------------------------------------------------------------ stepper
def stage_title(at: AppTest) -> str:
    return next(s.value for s in at.subheader if s.value.startswith("Stage "))


def test_the_stepper_walks_every_stage_with_next_and_back():
    at = open_page(STEPPER)
    first = stage_title(at)
    n = int(re.match(r"Stage 1 of (\d+): Input", first).group(1))
    assert n == 11  # [2, 3, 2]: input, 2 forward, cost, BP1, BP2, 2 x (BP3, BP4), update
    subject = default_subject()  # the page's own: its numbers must be the trace's
    expected = stages(subject.net.trace(subject.X[:, :1], subject.Y[:, :1]))
    titles = [first]
    for i in range(1, n + 1):
        if i > 1:
            ok(at.button(key="stage_next").click().run())
            titles.append(stage_title(at))
        assert stage_title(at) == f"Stage {i} of {n}: {expected[i - 1].title}"
        shown = [e.value.removeprefix("$$\n").removesuffix("\n$$") for e in at.latex]
        assert expected[i - 1].template in shown
        assert all(line in shown for line in expected[i - 1].numbers)
    assert len(set(titles)) == n and titles[-1].endswith("(η = 0.1)")
    assert at.button(key="stage_next").disabled and not at.button(key="stage_prev").disabled
    ok(at.button(key="stage_prev").click().run())
    assert stage_title(at) == titles[-2]
    ok(at.selectbox(key="stage").set_value(4).run())  # jump to BP1
    assert stage_title(at) == titles[4] and "BP1" in titles[4]


@pytest.mark.parametrize("path", [STEPPER, DIFF])
def test_the_default_network_is_the_books_and_the_others_can_be_picked(path):
    at = open_page(path)
    assert "sigmoid hidden, sigmoid output, quadratic cost" in texts(at.caption)
    if path == DIFF:
        assert any("C_x = \\tfrac{1}{2}" in e.value for e in at.latex)  # the cost written out
    else:
        ok(at.selectbox(key="stage").set_value(4).run())  # BP1
        shown = texts(at.latex)  # chapter 2's BP1, with the quadratic cost's a - y
        assert r"\delta^{L} = \nabla_a C \odot \sigma'(z^{L})" in shown
        assert r"\delta^{L} = (a^{L} - y) \odot \sigma'(z^{L})" in shown
        assert r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))" in shown
        assert r"a^{L}_{0} - y_{0} = " in shown and "J_{\\sigma}" not in shown
    key = f"{'stepper' if path == STEPPER else 'diff'}_preset"
    ok(at.selectbox(key=key).set_value("softmax").run())
    assert "tanh hidden, softmax output, log_likelihood cost" in texts(at.caption)
    shown = texts(at.latex)
    if path == DIFF:
        assert "-(y * torch.log(a)).sum(dim=1)" in texts(at.code)
    else:  # the Jacobian form, and the canonical pair's shortcut a - y
        assert r"\delta^{L} = J_{\sigma}(z^{L})^{T}\, \nabla_a C" in shown
        assert r"\text{shortcut: }" in shown and r"\max \left| \delta^{L}_{\text{general}}" in shown


def test_play_walks_to_the_last_stage_and_stops():
    at = open_page(STEPPER)
    ok(at.button(key="stage_play").click().run())
    assert at.session_state["stage_player"].playing and at.button(key="stage_play").label == "Pause"
    seen = {stage_title(at)}
    for _ in range(20):
        if not at.session_state["stage_player"].playing:
            break
        ok(at.run())
        seen.add(stage_title(at))
    assert not at.session_state["stage_player"].playing
    assert stage_title(at).startswith("Stage 11 of 11") and len(seen) >= 10
    assert at.button(key="stage_play").label == "Play"
    ok(at.button(key="stage_play").click().run())  # Play at the end starts again
    assert stage_title(at).startswith("Stage 2 of 11")
    ok(at.button(key="stage_play").click().run())  # Pause
    assert not at.session_state["stage_player"].playing


def test_the_stepper_follows_the_playground_network_and_a_batch():
    at = open_page(STEPPER, via_playground=True)
    assert at.segmented_control(key="stepper_source").value == "playground"
    assert "Playground's network" in texts(at.caption)
    ok(at.number_input(key="stepper_m").set_value(4).run())
    ok(at.number_input(key="stepper_column").set_value(3).run())
    ok(at.number_input(key="stepper_neuron").set_value(3).run())
    n = int(re.match(r"Stage 1 of (\d+)", stage_title(at)).group(1))
    for _ in range(n - 1):
        ok(at.button(key="stage_next").click().run())
    ok(at.segmented_control(key="stepper_source").set_value("default").run())
    assert "Default network" in texts(at.caption)


def test_the_stepper_on_wider_layers_from_the_playground_url():
    """Seven inputs and layers of 12 and 8 (no whole matrices written out), relu and a
    sigmoid output with cross-entropy (a canonical pair), set through the Playground's URL."""
    cfg = to_query(
        replace(DEFAULT, features=FEATURES, hidden=(12, 8), activation="relu",
                output_activation="sigmoid", cost="cross_entropy")
    )  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(cfg)
    at.switch_page("app_pages/playground.py")
    ok(at.run())
    at.switch_page(STEPPER)
    ok(at.run())
    assert "sizes [7, 12, 8, 2], relu hidden, sigmoid output" in texts(at.caption)
    n = int(re.match(r"Stage 1 of (\d+)", stage_title(at)).group(1))
    assert n == 15  # input, 3 forward, cost, BP1, 2 BP2, 3 x (BP3, BP4), update
    for _ in range(n - 1):
        ok(at.button(key="stage_next").click().run())
        if "BP1" in stage_title(at):
            assert r"\text{shortcut: }" in texts(at.latex)
        if "BP2: the error of layer 2" in stage_title(at):
            assert not any("The whole layer" in visible(c) for c in at.caption)  # 8 x 12: too big
    assert stage_title(at).startswith(f"Stage {n} of {n}")


def test_a_neuron_j_beyond_a_layer_is_clamped_visibly():
    """The Playground's [2, 4, 4, 2] network with j = 3 and k = 3: the 2-neuron input and
    output layers show their neuron 1 and say so; the 4-neuron layers show neuron 3."""
    at = open_page(STEPPER, via_playground=True)
    ok(at.number_input(key="stepper_neuron").set_value(3).run())
    ok(at.number_input(key="stepper_source_k").set_value(3).run())
    seen = {}
    for i in range(16):
        if i:
            ok(at.button(key="stage_next").click().run())
        seen[stage_title(at)] = texts(at.warning)
        if at.button(key="stage_next").disabled:
            break
    by = {re.sub(r"^Stage \d+ of \d+: ", "", t): w for t, w in seen.items()}
    clamp_in = "There is no neuron j = 3 here: layer 0 has 2 (shown: 1)"
    assert clamp_in in by["Input: a⁰ = x"]
    assert by["Forward, layer 1 (hidden): z = w a + b, a = σ(z)"] == ""
    bp1 = by["BP1: the error of the output layer"]
    assert "no neuron j = 3 here: layer 3 has 2 (shown: 1)" in bp1
    bp4 = by["BP4: the weight gradient of layer 1"]
    assert "no neuron j" not in bp4 and "no input k = 3 here: layer 0 has 2 (shown: 1)" in bp4
    update = next(w for t, w in by.items() if t.startswith("Update"))
    assert "layer 3 has 2 (shown: 1)" in update and "input k = 3 here: layer 0 has 2" in update
    assert "layer 1 has" not in update and "layer 2 has" not in update
    numbers = next(s for s in at.latex if "w^{3}" in s.value).value
    assert "w^{3}_{13}" in numbers, numbers  # the output layer's last neuron j = 1, k = 3


# ------------------------------------------------------------------------ gradient check
def test_the_gradient_check_passes_the_engine():
    at = open_page(GRADCHECK)
    assert "passes in every layer" in visible(at.success[0])
    table = at.dataframe[0].value
    assert list(table["passed"]) == ["pass"] * 4 and list(table["checked"])[0] == "6 of 6"
    assert "O(ε²)" in visible(at.info[0]) and "float64" in visible(at.info[0]).lower()


def test_a_bad_epsilon_is_an_error_naming_it():
    at = open_page(GRADCHECK)
    for eps in (0.0, -1e-6, 1.0):
        ok(at.number_input(key="gc_eps").set_value(eps).run())
        assert "epsilon" in visible(at.error[0]) and not at.dataframe, eps
    ok(at.number_input(key="gc_eps").set_value(1e-5).run())
    assert not at.error and "passes" in visible(at.success[0])


def test_the_gradient_check_on_the_playground_network():
    at = open_page(GRADCHECK, via_playground=True)
    ok(at.number_input(key="gradcheck_m").set_value(16).run())
    assert "passes in every layer" in visible(at.success[0])


@pytest.mark.parametrize(("eps", "says"), [(0.1, "is too large"), (1e-12, "is too small")])
def test_a_bad_epsilon_is_blamed_not_backprop(eps, says):
    """At eps = 1e-2 (default net) or 0.1 the page blamed BP4, at 1e-12 BP3: the finite
    differences' own truncation and rounding errors. Checked at other eps, they go away."""
    at = open_page(GRADCHECK, via_playground=True)
    ok(at.number_input(key="gc_eps").set_value(eps).run())
    assert not at.error, texts(at.error)  # no BP equation blamed
    assert not at.success  # and no false "passes" at this eps either
    (warning,) = [visible(w) for w in at.warning]
    assert f"ε = {eps:.0e} {says}" in warning and "not backprop" in warning
    (verdicts,) = [d.value for d in at.dataframe if "verdict" in d.value.columns]
    assert len(verdicts) and all("passes at ε = " in v for v in verdicts["verdict"])
    worst = [visible(c) for c in at.caption if visible(c).startswith("Worst entry: layer ")]
    assert len(worst) == 1 and "analytic" in worst[0] and "numeric" in worst[0]
    heat = charts(at)[1].figure
    assert [t["type"] for t in heat["data"]] == ["heatmap"] * 3  # one per layer


# --------------------------------------------------------------------------- bug gallery
EXPECTED = {  # on the square [2, 2, 2, 2] network: the diagnosis names this layer and equation
    "bp1_no_sigma_prime": "layer 3 (counting back from the output): the output error δᴸ",
    "bp2_no_sigma_prime": "layer 2 (counting back from the output): the error δ² is wrong",
    "bp2_no_transpose": "layer 2 (counting back from the output): the error δ² is wrong",
    "summed_not_averaged": "summed over the batch instead of averaged → BP3 and BP4",
    "bias_wrong_layer": "only the bias gradient of layer 2 is off → BP3",
    "wrong_activation_prime": "→ BP2",
}


def test_the_gallery_passes_the_correct_path():
    at = open_page(BUGS_PAGE)
    assert "passes in every layer" in visible(at.success[0])
    assert set(at.dataframe[0].value["points to"]) == {"-"}


def test_every_bug_toggle_is_flagged():
    at = open_page(BUGS_PAGE)
    for key in BUGS:
        ok(at.toggle(key=f"bug_{key}").set_value(True).run())
        table = at.dataframe[0].value
        if key == "update_sign":  # the gradient is right: the check passes, training climbs
            assert "passes in every layer" in visible(at.success[0])
            assert "never looks at" in visible(at.success[0]) and "climbs" in visible(at.warning[0])
            assert set(table["weights"]) == set(table["biases"]) == {"pass"}
        else:
            assert not at.success, key
            assert EXPECTED[key] in visible(at.error[0]), (key, visible(at.error[0]))
            assert "FAIL" in set(table["weights"]) | set(table["biases"]), key
        assert any(visible(c).startswith("150 steps") for c in at.caption), key
        ok(at.toggle(key=f"bug_{key}").set_value(False).run())
        assert "passes in every layer" in visible(at.success[0]), key  # and back to correct


def test_non_square_layers_show_the_shape_error():
    at = open_page(BUGS_PAGE)
    ok(at.segmented_control(key="bugs_network").set_value("nonsquare").run())
    for key, where in (
        ("bp2_no_transpose", "BP2 at layer 2"),
        ("bias_wrong_layer", "BP3 at layer 2"),
    ):
        ok(at.toggle(key=f"bug_{key}").set_value(True).run())
        err = visible(at.error[0])
        assert "shape error" in err and where in err, err
        assert "No training curve" in visible(at.info[0])
        ok(at.toggle(key=f"bug_{key}").set_value(False).run())


def test_all_bugs_at_once_on_the_playground_network():
    at = open_page(BUGS_PAGE, via_playground=True)
    ok(at.segmented_control(key="bugs_network").set_value("playground").run())
    for key in BUGS:
        at.toggle(key=f"bug_{key}").set_value(True)
    ok(at.run())
    assert at.error  # a shape error or a failed check, never an exception


# ------------------------------------------------------------------------- gradient diff
def page_case(m: int = 4) -> Case:
    """The case the diff page shows by default: the default network, m samples from the
    first window of m that holds more than one class."""
    s = default_subject()
    first = mixed_start(s.Y, m)
    return Case.of(s.net, s.X[:, first : first + m], s.Y[:, first : first + m])


def upload(at: AppTest, key: str, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=key).set_value((name, data, "application/octet-stream"))
    return ok(at.run())


def test_a_correct_upload_passes():
    case = page_case()
    at = open_page(DIFF)
    for fmt in ("npz", "json"):
        upload(at, "diff_gradients", f"mine.{fmt}", gradients_file(*case.gradients(), fmt=fmt))
        assert "match the engine's in every layer" in visible(at.success[0]), fmt
        assert set(at.dataframe[0].value["passed"]) == {"pass"}
        assert charts(at), "the difference heatmap"


def test_a_wrong_upload_names_the_layer_and_the_equation():
    case = page_case()
    wrong = buggy_gradients(case.network(), case.X, case.Y, ["bp2_no_sigma_prime"])
    at = open_page(DIFF)
    upload(at, "diff_gradients", "mine.npz", gradients_file(*wrong))
    err = visible(at.error[0])
    assert "First difference at layer 1" in err and "→ BP2" in err
    assert at.selectbox(key="diff_layer").value == 1
    nb, nw = (list(g) for g in case.gradients())
    nb[1] = nb[1] + 0.01  # only the output bias: BP3
    upload(at, "diff_gradients", "mine2.npz", gradients_file(nb, nw))
    assert "layer 2" in visible(at.error[0]) and "→ BP3" in visible(at.error[0])


def test_an_uploaded_case_is_used_for_the_comparison():
    net = Network([2, 2, 2, 2], "relu", "softmax", "log_likelihood", seed=5)
    X, Y = default_subject().X[:, 5:8], default_subject().Y[:, 5:8]
    at = open_page(DIFF)
    upload(at, "diff_case", "case.json", export_case(net, X, Y, "json"))
    upload(at, "diff_gradients", "mine.npz", gradients_file(*net.backprop(X, Y)))
    assert "match the engine's" in visible(at.success[0])
    assert "sizes [2, 2, 2, 2]" in texts(at.caption)
    upload(at, "diff_case", "broken.json", b'{"format": "backprop-explorer-gradient-case"}')
    assert "Cannot use this test case file" in visible(at.error[0])


def heatmap(at: AppTest) -> tuple[str, np.ndarray]:
    """The title and the values of the difference heatmap, read from the chart's spec."""
    spec = charts(at)[0].figure
    z = spec["data"][0]["z"]
    values = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
    return spec["layout"]["title"]["text"], values


def test_every_view_follows_the_current_upload():
    case = page_case()
    right = case.gradients()
    buggy = buggy_gradients(case.network(), case.X, case.Y, ["bp2_no_sigma_prime"])
    flipped = (right[0][:-1] + [-right[0][-1]], right[1][:-1] + [-right[1][-1]])
    at = open_page(DIFF)
    for name, grads, layer in (("buggy", buggy, 1), ("flipped", flipped, 2), ("buggy", buggy, 1),
                               ("right", right, 2), ("buggy", buggy, 1)):  # fmt: skip
        upload(at, "diff_gradients", f"{name}.npz", gradients_file(*grads))
        title, z = heatmap(at)
        shown = at.selectbox(key="diff_layer").value
        assert shown == layer and f"layer {layer} " in title, (name, shown, title)
        if name == "right":
            assert "match the engine's" in at.success[0].value and not np.any(z)
        else:
            assert f"First difference at layer {layer}" in at.error[0].value
            assert np.any(z), (name, "the heatmap shows the layer's differences")


def test_the_heatmap_opens_on_the_parameter_that_differs():
    case = page_case()
    nb, nw = (list(g) for g in case.gradients())
    at = open_page(DIFF)
    upload(at, "diff_gradients", "w.npz", gradients_file(nb, [nw[0], nw[1] + 0.01]))
    assert at.segmented_control(key="diff_param").value == "w"
    upload(at, "diff_gradients", "b.npz", gradients_file([nb[0] + 0.01, nb[1]], nw))
    assert at.selectbox(key="diff_layer").value == 1
    assert at.segmented_control(key="diff_param").value == "b" and "∂C/∂b" in heatmap(at)[0]
    at.segmented_control(key="diff_param").set_value("w")
    ok(at.run())  # the visitor's own choice holds while the upload stays the same
    assert at.segmented_control(key="diff_param").value == "w" and "∂C/∂w" in heatmap(at)[0]


def test_the_default_batch_holds_both_classes():
    case = page_case()
    at = open_page(DIFF)
    first = at.number_input(key="diff_first").value
    assert first == mixed_start(default_subject().Y, 4)
    assert len(set(case.Y.argmax(axis=0))) == 2, case.Y
    upload(at, "diff_gradients", "mine.npz", gradients_file(*case.gradients()))
    assert "match the engine's" in at.success[0].value  # the page's case is this one


def torch_file(case: Case, flip: str | None = None) -> bytes:
    """What the page's PyTorch recipe saves, written with NumPy: ``nn.Sequential`` names,
    float32, 1-D biases. The numbers are the engine's, rounded to float32."""
    arrays = {}
    for l, (b, w) in enumerate(zip(*case.gradients())):
        arrays[f"{2 * l}.weight"] = w.astype(np.float32)
        arrays[f"{2 * l}.bias"] = b.reshape(-1).astype(np.float32)
    if flip:
        arrays[flip] = -arrays[flip]
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_a_pytorch_upload_and_recipe():
    case = page_case()
    at = open_page(DIFF)
    code = texts(at.code)
    assert "torch.nn.Sequential" in code and "0.5 * ((a - y) ** 2).sum(dim=1)" in code
    assert any(r"\frac{1}{m}" in e.value and "C_x" in e.value for e in at.latex)
    upload(at, "diff_gradients", "torch.npz", torch_file(case))
    assert "match the engine's in every layer" in at.success[0].value
    upload(at, "diff_gradients", "torch-bad.npz", torch_file(case, flip="2.weight"))
    assert "First difference at layer 2" in at.error[0].value


class Trap:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def malformed(case: Case, marker: Path) -> dict[str, tuple[bytes, str]]:
    nb, nw = case.gradients()

    def npz(**changes) -> bytes:
        arrays = {f"nabla_b_{l}": b for l, b in enumerate(nb)}
        arrays.update({f"nabla_w_{l}": w for l, w in enumerate(nw)})
        arrays.update(changes)
        buf = io.BytesIO()
        np.savez(buf, **{k: v for k, v in arrays.items() if v is not None})
        return buf.getvalue()

    good = npz()
    return {
        "wrong shape": (npz(nabla_w_0=nw[0].T), "it looks transposed"),
        "too few layers": (npz(nabla_w_1=None, nabla_b_1=None), "needs 2 arrays, got 1"),
        "nan": (npz(nabla_b_1=np.full((2, 1), np.nan)), "contains NaN"),
        "truncated": (good[: len(good) // 3], "damaged or truncated"),
        "pickle": (npz(nabla_b_0=np.array([Trap(marker)], dtype=object)), "pickled"),
        "json": (json.dumps({"nabla_b": [1, 2]}).encode(), "no nabla_w"),
        "garbage": (b"\xff\xfe\x00garbage" * 10, "neither an .npz archive nor UTF-8"),
    }


def test_malformed_uploads_show_a_clear_error(tmp_path):
    marker = tmp_path / "unpickled"
    at = open_page(DIFF)
    for name, (data, needle) in malformed(page_case(), marker).items():
        upload(at, "diff_gradients", f"{name}.npz", data)
        assert at.error, name
        err = visible(at.error[0])
        assert err.startswith("Cannot use this gradients file") and needle in err, (name, err)
        assert not at.dataframe
    assert not marker.exists()


def test_the_quiz_asks_before_the_numbers_and_keeps_a_score():
    """Quiz on: BP1's numbers are hidden behind a question drawn from them; a right answer
    says so with the number, a wrong one gives the answer, and the pass keeps a score."""
    from backprop.debug.quiz import question

    at = open_page(STEPPER)
    subject = default_subject()
    tr = subject.net.trace(subject.X[:, :1], subject.Y[:, :1])
    ok(at.toggle(key="stepper_quiz").set_value(True).run())
    ok(at.selectbox(key="stage").set_value(4).run())  # BP1
    q = question(tr, "bp1", 0, 0, 0, subject.eta)
    assert at.radio(key="quiz_choice_bp1").label == q.text
    assert not at.latex  # no numbers before the answer
    ok(at.button(key="quiz_reveal").click().run())  # nothing picked: asked again
    assert "Pick an answer first" in texts(at.caption) and not at.latex
    ok(at.radio(key="quiz_choice_bp1").set_value(q.answer).run())
    ok(at.button(key="quiz_reveal").click().run())
    (said,) = [visible(s) for s in at.success]
    assert said.startswith("Right.") and "Score this pass: 1 of 1 right." in said
    assert any(r"\delta^{L}" in e.value for e in at.latex)  # now the stage is shown
    ok(at.selectbox(key="stage").set_value(10).run())  # the update
    q = question(tr, "update", 0, 0, 0, subject.eta)
    wrong = next(c for c in q.choices if c != q.answer)
    ok(at.radio(key="quiz_choice_update").set_value(wrong).run())
    ok(at.button(key="quiz_reveal").click().run())
    (said,) = [visible(s) for s in at.warning if "Score" in visible(s)]
    assert said.startswith(f"Not quite: the answer is {q.answer}.")
    assert "Score this pass: 1 of 2 right." in said
    ok(at.toggle(key="stepper_quiz").set_value(False).run())
    assert not at.get("radio") or not [r for r in at.radio if r.key.startswith("quiz_")]


def stage_graph_names(at: AppTest) -> list[str]:
    """The class names beside the output neurons of the stepper's network graph."""
    (graph,) = [c for c in charts(at) if c.key == "stepper_graph"]
    notes = graph.layout.get("annotations", [])
    return [a["text"] for a in notes if a.get("name", "").startswith("class of neuron ")]


def test_the_stepper_graph_names_the_output_neurons_classes():
    at = open_page(STEPPER)  # the default network on xor
    assert stage_graph_names(at) == ["class 0", "class 1"]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"ds": "digits", "hidden": "8"})
    at.switch_page("app_pages/playground.py")
    ok(at.run())
    at.switch_page(STEPPER)
    ok(at.run())
    assert stage_graph_names(at) == [str(d) for d in range(10)]  # the Playground's digits
