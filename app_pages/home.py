"""Home: what backprop is, the four equations, and one-click starts."""

import streamlit as st

from backprop.ui import present
from backprop.ui.common import plain
from backprop.ui.config import PRESETS, to_query

present.title("Backprop Explorer")
st.markdown(
    "**Backpropagation** computes how the cost $C$ of a neural network changes with every "
    "weight and bias, in one backward sweep: the error $\\delta^L$ of the output layer is "
    "passed back through the transposed weights, layer by layer, and each layer's error "
    "gives its gradients. Gradient descent then moves every parameter a little downhill. "
    "This app runs Michael Nielsen's network (*Neural Networks and Deep Learning*, "
    "`network.py`) in NumPy and shows every number it computes."
)

st.subheader("The four equations (Nielsen, chapter 2)")
c1, c2 = st.columns(2)
with c1:
    st.caption("BP1: the error of the output layer")
    st.latex(r"\delta^L = \nabla_a C \odot \sigma'(z^L)")
    st.caption("BP3: the gradient of a bias")
    st.latex(r"\frac{\partial C}{\partial b^l_j} = \delta^l_j")
with c2:
    st.caption("BP2: the error of a layer from the next one")
    st.latex(r"\delta^l = \left((w^{l+1})^T \delta^{l+1}\right) \odot \sigma'(z^l)")
    st.caption("BP4: the gradient of a weight")
    st.latex(r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \, \delta^l_j")
st.markdown(
    "with $z^l = w^l a^{l-1} + b^l$ and $a^l = \\sigma(z^l)$. Over a mini-batch of $m$ "
    "samples the gradients are averaged, and SGD updates $w \\to w - \\eta\\, \\partial C / "
    "\\partial w$."
)

st.subheader("Start with one click")
blurbs = {
    "Nielsen chapter 1 (digits)": "The book's [64, 30, 10] sigmoid network, quadratic cost, "
    "eta = 3, mini-batches of 10, on scikit-learn's 8x8 digits.",
    "XOR with 2 hidden neurons": "The smallest network that can solve XOR: watch the two "
    "hidden neurons split the plane.",
    "Spiral with tanh": "Two interleaved spirals; sin features and three tanh layers.",
    "Vanishing gradients (deep sigmoid)": "Four sigmoid hidden layers: the Curves tab shows "
    "the early layers learning orders of magnitude more slowly (Nielsen, chapter 5).",
}
cols = st.columns(2)
for i, (name, cfg) in enumerate(PRESETS.items()):
    with cols[i % 2].container(border=True):
        st.page_link(
            "app_pages/playground.py",
            label=name,
            icon=":material/play_circle:",
            query_params=to_query(cfg),
        )
        st.caption(plain(blurbs.get(name, "")))

st.subheader("Pages")
LINKS = (
    (
        "app_pages/playground.py",
        "Playground: train step by step and watch every layer",
        ":material/model_training:",
    ),
    (
        "app_pages/stepper.py",
        "Step-through: one sample forward, then BP1-BP4 with the numbers",
        ":material/footprint:",
    ),
    (
        "app_pages/gradcheck.py",
        "Gradient check: backprop against finite differences",
        ":material/rule:",
    ),
    (
        "app_pages/bugs.py",
        "Bug gallery: the classic backprop bugs and how they show",
        ":material/bug_report:",
    ),
    ("app_pages/diff.py", "Gradient diff: is my own backprop right?", ":material/compare:"),
)
for path, label, icon in LINKS:
    st.page_link(path, label=label, icon=icon)
