"""Gradient diff: is my own backprop right? Export a case, upload gradients, compare."""

import streamlit as st

from backprop.costs import COSTS
from backprop.debug import (
    RECIPE,
    Case,
    CaseFileError,
    buggy_gradients,
    compare,
    export_case,
    gradients_file,
    read_case,
    read_gradients,
    torch_recipe,
)
from backprop.debug.diff import ATOL, RTOL
from backprop.debug.latex import lines
from backprop.ui import common, debugger, live, present
from backprop.ui.common import plain
from backprop.viz.debug import difference_heatmap

present.title("Gradient diff")
st.markdown(
    "**Is my backprop right?** Download a test case (a network's choices, sizes, weights and "
    "biases, and a batch *X*, *Y* with samples as columns), compute ∂C/∂b and ∂C/∂w with your "
    "own code, and upload them. The page compares them with the engine's, layer by layer, "
    "and names the first layer, counting back from the output as backprop does, and the "
    "equation where they part."
)
lim = common.limits()
subject = debugger.choose_subject("diff")
X, Y, first = debugger.pick_batch(subject, "diff", max_m=16, default_m=4, mixed=True)
case = Case.of(subject.net, X, Y)

st.subheader("1. Download the test case")
c = st.columns(4)
c[0].download_button("Test case (.npz)", export_case(subject.net, X, Y, "npz"),
                     "gradient-case.npz", "application/octet-stream", key="diff_case_npz",
                     on_click="ignore")  # fmt: skip
c[1].download_button("Test case (.json)", export_case(subject.net, X, Y, "json"),
                     "gradient-case.json", "application/json", key="diff_case_json",
                     on_click="ignore")  # fmt: skip
right = case.gradients()
c[2].download_button("Example answer: right", gradients_file(*right), "right-gradients.npz",
                     "application/octet-stream", key="diff_example_right", on_click="ignore",
                     help="What a correct upload looks like")  # fmt: skip
if subject.net.n_layers > 1:
    wrong = buggy_gradients(case.network(), case.X, case.Y, ["bp2_no_sigma_prime"])
    c[3].download_button("Example answer: with a bug", gradients_file(*wrong),
                         "buggy-gradients.npz", "application/octet-stream",
                         key="diff_example_buggy", on_click="ignore",
                         help="These forget σ'(z) in BP2")  # fmt: skip
st.caption(
    plain(
        f"sizes {list(case.sizes)}, {case.activation} hidden, {case.output_activation} output, "
        f"{case.cost} cost, batch of {case.X.shape[1]}. The cost is the mean over the batch."
    )
)

st.subheader("2. Compute the gradients with your code")
recipes = st.container()  # filled below, for the case the comparison uses

st.subheader("3. Upload them")
u1, u2 = st.columns(2)
grads_file = u1.file_uploader(
    "Your gradients (.npz or .json)", type=["npz", "json"], key="diff_gradients"
)
case_file = u2.file_uploader(
    "The test case they are for (optional: else the one above)",
    type=["npz", "json"],
    key="diff_case",
)
if case_file is not None:
    try:
        case = read_case(case_file.getvalue(), limits=lim)
    except CaseFileError as e:
        st.error(f"Cannot use this test case file: {plain(e)}", icon=":material/error:")
        st.stop()
    right = case.gradients()
    st.caption(plain(f"Comparing with the uploaded test case: sizes {list(case.sizes)}."))
with recipes:
    st.markdown(
        f"The cost is the **mean** over the batch of $m = {plain(case.X.shape[1])}$ samples of "
        f"the {plain(case.cost)} cost $C_x$ of each (not the sum):"
    )
    st.latex(lines(COSTS[case.cost].latex, r"C = \frac{1}{m} \sum_x C_x"))
    numpy_tab, torch_tab = st.tabs(["NumPy", "PyTorch"])
    numpy_tab.code(RECIPE, language="python")
    torch_tab.caption(
        "PyTorch's own losses reduce differently (MSELoss has no ½ and also divides by the "
        "number of outputs), so the recipe writes the cost out. The file it saves, with "
        "names 0.weight, 0.bias, 2.weight, ... and 1-D biases, can be uploaded as it is."
    )
    torch_tab.code(torch_recipe(case), language="python")
if grads_file is None:
    st.info("Upload your gradients to compare them with the engine's.")
    st.stop()
try:
    yours = read_gradients(grads_file.getvalue(), case.sizes, limits=lim)
except CaseFileError as e:
    st.error(f"Cannot use this gradients file: {plain(e)}", icon=":material/error:")
    st.stop()

result = compare(right, yours, batch_size=case.X.shape[1])
if result.passed:
    st.success(
        "Your gradients match the engine's in every layer. Your backprop is right on this case.",
        icon=":material/check_circle:",
    )
else:
    st.error(plain(result.diagnosis.message), icon=":material/error:")
st.caption(
    plain(
        f"An entry matches when |yours − engine| ≤ {ATOL:g} + {RTOL:g} · |engine|. Layers "
        "count from 1 (layer l is fed by weights_{l-1}, so file index l − 1)."
    )
)
left, rightcol = st.columns([1, 1])
with left:
    st.dataframe(debugger.fmt_table(result.table), hide_index=True, key="diff_table")
with rightcol:
    L = len(case.sizes) - 1
    focus_layer, focus_param = result.focus  # a new result opens on where it first differs
    token = debugger.digest(*right[0], *right[1], *yours[0], *yours[1])
    debugger.follow(token, "diff_shown", {"diff_layer": focus_layer, "diff_param": focus_param})
    s1, s2 = st.columns(2)
    layer = s1.selectbox("Layer", range(1, L + 1), key="diff_layer")
    param = s2.segmented_control("Gradient", ["w", "b"], key="diff_param") or "w"
    live.chart(
        difference_heatmap(result.difference(int(layer), param), int(layer), param),
        "gradient difference",
        key="diff_heatmap",
    )
