"""Gradient check: backprop against central finite differences, layer by layer."""

import streamlit as st

from backprop.debug import check_gradients
from backprop.debug.check import ATOL, EPS, EPS_RANGE, MAX_PER_LAYER, RTOL, verdict_table
from backprop.ui import debugger, live, present
from backprop.ui.common import plain
from backprop.validation import finite_number
from backprop.viz.debug import gradient_scatter, relative_error_heatmaps

present.title("Gradient check")
st.markdown(
    "Backprop's gradients against **central finite differences**: nudge one parameter *p* "
    "by ±ε, measure the cost both times, and divide: "
    "$\\frac{\\partial C}{\\partial p} \\approx \\frac{C(p + \\varepsilon) - C(p - "
    "\\varepsilon)}{2\\varepsilon}$. If backprop is right, every point lies on the diagonal."
)
st.info(
    "**Why central differences in float64?** The central difference has a truncation error of "
    "O(ε²), against O(ε) for the one-sided (C(p + ε) − C(p)) / ε, so it is far closer to the "
    "true derivative at the same ε. Float64 keeps the rounding error of the difference near "
    "10⁻¹⁶ / ε, so ε ≈ 10⁻⁶ balances the two at about 10⁻¹⁰, whereas float32's 10⁻⁷ / ε "
    "would swamp the comparison.",
    icon=":material/lightbulb:",
)

subject = debugger.choose_subject("gradcheck")
c = st.columns(3)
X, Y, first = debugger.pick_batch(subject, "gradcheck", max_m=32, default_m=8, cols=c[:2])
raw_eps = c[2].number_input(
    "Epsilon ε",
    value=EPS,
    step=1e-7,
    format="%.2e",
    key="gc_eps",
    help=f"Between {EPS_RANGE[0]:g} and {EPS_RANGE[1]:g}. Try 1e-2 (truncation error) or "
    "1e-12 (rounding error) to see each side of the balance.",
)
try:
    eps = finite_number("epsilon", raw_eps, minimum=EPS_RANGE[0], maximum=EPS_RANGE[1])
except ValueError as e:
    st.error(f"Cannot check with this epsilon: {plain(e)}.", icon=":material/error:")
    st.stop()

st.caption(
    plain(
        f"Tolerance: an entry passes when |analytic − numeric| ≤ {ATOL:g} + {RTOL:g} · "
        "|numeric| (PyTorch's gradcheck rule). Big networks: at most "
        f"{MAX_PER_LAYER} weights and {MAX_PER_LAYER} biases per layer are checked, a random "
        "subset (seed 0), so the check stays quick."
    )
)
result = check_gradients(subject.net, X, Y, eps=eps, max_per_layer=MAX_PER_LAYER)
diag = result.diagnosis()
if result.passed:
    st.success(
        plain(f"Backprop passes in every layer (ε = {eps:.1e}, batch of {X.shape[1]})."),
        icon=":material/check_circle:",
    )
elif diag is None:
    st.warning(plain(result.eps_advice()), icon=":material/tune:")
else:
    st.error(plain(diag.message), icon=":material/error:")
if diag is not None and (advice := result.eps_advice()):
    st.warning(plain(advice), icon=":material/tune:")
if result.verdicts:
    st.dataframe(debugger.fmt_table(verdict_table(result)), hide_index=True, key="gc_verdicts")
if worst := result.worst():
    j, k = worst["index"]
    where = f"w[{j}, {k}]" if worst["param"] == "w" else f"b[{j}]"
    st.caption(
        plain(
            f"Worst entry: layer {worst['layer']} {where}: analytic {worst['analytic']:.6g}, "
            f"numeric {worst['numeric']:.6g} (relative error {worst['rel_error']:.2g}, "
            f"{worst['ratio']:.3g} × the tolerance)."
        )
    )
if result.capped:
    st.caption("Some layers are larger than the cap: the 'checked' column says how many.")
st.dataframe(debugger.fmt_table(result.table), hide_index=True, key="gc_table")
st.caption(
    "The relative error |a − n| / (|a| + |n|) is large only where both are tiny (near 0), "
    "which the absolute tolerance allows."
)
groups = [(f"layer {p.layer} {p.param}", p.analytic, p.numeric) for p in result.params]
live.chart(gradient_scatter(groups), "gradient check scatter", key="gc_scatter")
errors = {}
for p in result.params:
    errors.setdefault(p.layer, {})[p.param] = p.relative_errors()
layers = [(layer, e["w"], e["b"]) for layer, e in sorted(errors.items())]
live.chart(relative_error_heatmaps(layers, rtol=RTOL), "relative errors", key="gc_relerr")
