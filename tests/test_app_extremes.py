"""Every Playground sidebar control at its extremes (AppTest): each number input and slider
at its minimum and maximum, every option of each selectbox, no and every input feature, each
preset and New data. Each change, and a Step after it, ends in a working page or a message,
never an exception (``run`` and ``click`` check)."""

from __future__ import annotations

from helpers import click, playground, run, texts, the_run

NUMBERS = {  # key -> the widget kind; lambda is swept with a regulariser on
    "w_n_samples": "number_input",
    "w_seed": "number_input",
    "w_n_hidden": "number_input",
    "w_h0": "number_input",
    "w_h1": "number_input",
    "w_eta": "number_input",
    "w_batch_size": "number_input",
    "w_lmbda": "number_input",
    "w_noise": "slider",
    "w_test_fraction": "slider",
}
CHOICES = (
    "w_dataset",
    "w_activation",
    "w_output_activation",
    "w_cost",
    "w_init",
    "w_optimizer",
    "w_regularization",
)


def changed(at):
    """The rerun after a change, then a Step (where the page offers one)."""
    run(at)
    if "step" in [b.key for b in at.button]:
        click(at, "step")
    return at


def test_the_sidebar_controls_are_all_swept():
    at = playground()
    sb = at.sidebar
    keys = {w.key for w in [*sb.number_input, *sb.slider]}
    assert keys == set(NUMBERS)
    assert {s.key for s in sb.selectbox} == set(CHOICES)


def test_every_number_and_slider_at_its_minimum_and_maximum():
    at = playground()
    run(at.sidebar.selectbox(key="w_regularization").set_value("l2"))  # lambda enabled
    for key, kind in NUMBERS.items():
        widget = getattr(at.sidebar, kind)(key=key)
        default, cast = widget.value, type(widget.value)
        for v in (widget.min, widget.max):
            getattr(at.sidebar, kind)(key=key).set_value(cast(v))
            changed(at)
            assert getattr(at.sidebar, kind)(key=key).value == cast(v), (key, v)
        run(getattr(at.sidebar, kind)(key=key).set_value(default))
    run(at.sidebar.number_input(key="w_n_hidden").set_value(0))
    assert the_run(at).net.n_layers == 1


def test_every_selectbox_option():
    at = playground()
    for key in CHOICES:
        box = at.sidebar.selectbox(key=key)
        default, n = box.value, len(box.options)
        for i in range(n):
            at.sidebar.selectbox(key=key).select_index(i)
            changed(at)
            assert at.sidebar.selectbox(key=key).index == i, (key, i)
        run(at.sidebar.selectbox(key=key).set_value(default))


def test_no_and_every_input_feature_then_each_preset_and_new_data():
    at = playground()
    features = at.sidebar.multiselect(key="w_features")
    everything = list(features.options)
    run(features.set_value([]))
    assert texts(at.error) == [
        "features must be distinct and at least one, got []. Keeping the previous setting."
    ]
    assert the_run(at).net.sizes[0] == 2  # x1, x2 kept
    click(at, "step")
    at.sidebar.multiselect(key="w_features").set_value(everything)
    changed(at)
    assert the_run(at).net.sizes[0] == len(everything)
    for key in [b.key for b in at.sidebar.button]:
        at.sidebar.button(key=key).click()
        changed(at)
