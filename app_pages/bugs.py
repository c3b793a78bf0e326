"""Bug gallery: the classic backprop bugs, injected into a copy of the backward pass."""

import streamlit as st

from backprop.debug import (
    BUGS,
    BugShapeError,
    buggy_gradients,
    check_gradients,
    train_pair,
    training_budget,
)
from backprop.debug.check import MAX_PER_LAYER, layer_table
from backprop.ui import debugger, live, present
from backprop.ui.common import plain
from backprop.viz.debug import cost_pair, gradient_scatter

BATCH = 8  # samples in the gradient check
DEMOS = {
    "square": ("Square layers [2, 2, 2, 2]", (2, 2, 2, 2), 1.0),
    "nonsquare": ("Non-square layers [2, 4, 3, 2]", (2, 4, 3, 2), 1.0),
}

present.title("Bug gallery")
st.markdown(
    "Switch on one of the classic backprop bugs (or several). They are injected into a "
    "**separate copy** of the backward pass; the engine's own backprop is never touched. "
    "The gradient check shows which layer and which equation break, and the training curve "
    "shows what the bug does, next to a correct run from the same weights on the same "
    "mini-batches."
)

options = dict(DEMOS)
pg = debugger.playground_subject()
if pg is not None:
    options["playground"] = ("The Playground's network", None, pg.eta)
choice = st.segmented_control(
    "Network",
    list(options),
    default="square",
    format_func=lambda k: options[k][0],
    key="bugs_network",
    help="Square layers let the transpose and wrong-layer bugs run and give wrong numbers; "
    "with non-square layers they stop with a shape error.",
) or "square"  # fmt: skip
if choice == "playground" and pg is not None:
    subject = pg
else:
    label, sizes, eta = options[choice]
    subject = debugger.xor_subject(label, sizes, "tanh", "sigmoid", "quadratic", seed=1, eta=eta)
st.caption(plain(f"{subject.describe()}; gradient check on the first {BATCH} samples."))

st.subheader("Bugs")
cols = st.columns(2)
on = [
    key
    for i, (key, bug) in enumerate(BUGS.items())
    if cols[i % 2].toggle(f"{bug.title} ({bug.equation})", key=f"bug_{key}")
]
net = subject.net
X, Y = subject.X[:, :BATCH], subject.Y[:, :BATCH]
for key in on:
    bug = BUGS[key]
    with st.expander(f"{bug.title}: breaks {bug.equation}", expanded=len(on) == 1):
        c1, c2 = st.columns(2)
        c1.caption("Wrong")
        c1.latex(bug.wrong)
        c2.caption("Right")
        c2.latex(bug.right)
        st.markdown(bug.description)
        st.markdown(f"**What to expect.** {bug.symptom}")
        if reason := bug.invisible(net, X.shape[1]):
            st.warning(f"On this network the bug cannot show: {plain(reason)}.")

st.subheader(
    "Gradient check" + (" with the bug" if len(on) == 1 else " with the bugs" if on else "")
)
try:
    grads = buggy_gradients(net, X, Y, on)
except BugShapeError as e:
    grads = None
    st.error(f"**Symptom: a shape error.** {plain(e)}", icon=":material/error:")
    st.caption(
        "With non-square layers the bug cannot even run. Choose the square network to see the "
        "silent version, which only the gradient check catches."
    )
if grads is not None:
    result = check_gradients(net, X, Y, grads, max_per_layer=MAX_PER_LAYER)
    diag = result.diagnosis()
    if diag is None:
        msg = "The check passes in every layer."
        if "update_sign" in on:
            msg += (
                " The gradients are right: the sign bug is in the update, which the check "
                "never looks at. Look at the training curve."
            )
        st.success(plain(msg), icon=":material/check_circle:")
    else:
        st.error(plain(diag.message), icon=":material/error:")
    left, right = st.columns([1, 1])
    with left:
        st.dataframe(
            debugger.fmt_table(layer_table(result.table)), hide_index=True, key="bugs_table"
        )
        st.caption(
            "Per layer: weights (BP4) and biases (BP3) against central differences; "
            "'points to' is the equation a failure there suggests."
        )
    with right:
        groups = [(f"layer {p.layer} {p.param}", p.analytic, p.numeric) for p in result.params]
        live.chart(gradient_scatter(groups), "bug scatter", key="bugs_scatter")

st.subheader("Training: correct against buggy")
if grads is None:
    st.info("No training curve: the buggy backprop stops with the shape error above.")
else:
    budget = training_budget(net.n_parameters(), subject.n)  # a big network trains less
    steps, n_eval = budget.steps, budget.n_eval
    history = train_pair(
        net,
        subject.X[:, :n_eval],
        subject.Y[:, :n_eval],
        on,
        eta=subject.eta,
        batch_size=budget.batch_size,
        steps=steps,
        seed=0,
    )
    labels = None if on else {"correct": "correct backprop", "buggy": "no bug switched on"}
    live.chart(cost_pair(history, labels), "bug training curve", key="bugs_curve")
    last = history.iloc[-1]
    st.caption(
        plain(
            f"{steps} steps of plain SGD (η = {subject.eta:g}, mini-batches of "
            f"{budget.batch_size}), both from the same weights; cost on {n_eval} training"
            f" samples. After {steps} steps: correct {last['correct']:.4g}, buggy "
            f"{last['buggy']:.4g}."
        )
    )
    if "update_sign" in on:
        st.warning(
            "The update adds the gradient instead of subtracting it: each step climbs the cost. "
            "The check above passed because the gradient is right; only training shows this bug.",
            icon=":material/trending_up:",
        )
