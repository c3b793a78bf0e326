"""The stages of one pass of backprop, with the engine's numbers, for a step-through view.

:func:`stages` turns a :class:`~backprop.trace.Trace` into the algorithm's steps: the input;
the forward pass layer by layer (``z = w a + b``, ``a = sigma(z)``); the cost; BP1 at the
output; BP2 back through each hidden layer; BP3 and BP4 for each layer; the SGD update.
Each :class:`Stage` carries its equation in symbols, the same equation with the trace's
numbers substituted for one neuron, whole vectors and matrices for small layers, and the
arrays to draw. Numbers are read from the trace (or, for the factors BP1 and BP2 multiply,
from the engine's own activation and cost functions); nothing here is drawn or rendered.
The symbols come from the registries: an activation's ``symbol``, ``latex`` and
``prime_latex`` (:mod:`backprop.activations`), a cost's ``latex`` (:mod:`backprop.costs`).
BP1 and the cost are shown in their general forms; where the engine computes them from
``z`` in a stable closed form (:mod:`backprop.stable`), a note and its numbers say so.

Layers count from 1 as in the app (layer ``l`` is fed by ``weights[l-1]``; ``a^0 = x``), so
the trace's index ``i = l - 1`` holds ``z^l``, ``delta^l``, ``w^l``, ``b^l`` and ``a[l]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..activations import ACTIVATIONS
from ..costs import COSTS, output_error
from ..stable import STABLE
from ..trace import Trace
from ..validation import finite_number, whole_number
from .latex import bmatrix, index, lines, num, par, small, terms

Array = np.ndarray

#: What a stage's ``equation`` can be.
EQUATIONS = ("input", "forward", "cost", "BP1", "BP2", "BP3", "BP4", "update")


@dataclass(frozen=True, eq=False)
class Stage:
    """One step of the algorithm, ready to render.

    ``layer`` is the layer to highlight in the network graph (0 = input .. L = output;
    None for the update, which touches every layer) and ``view`` the graph's view.
    ``numbers`` are LaTeX lines with the trace's numbers for neuron ``neuron`` of that
    layer (and, in BP4, input ``source``); ``full`` writes whole vectors and matrices when
    the layer is small (at most 6 x 6), else it is empty. ``arrays`` are ``(label, array)``
    pairs to draw as heatmaps (per-sample arrays have the batch's ``m`` columns) and
    ``values`` the scalars substituted, by name.
    """

    key: str
    title: str
    equation: str
    layer: int | None
    view: str
    template: str
    numbers: tuple[str, ...]
    full: tuple[str, ...]
    arrays: tuple[tuple[str, Array], ...]
    values: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    neuron: int | None = None
    source: int | None = None


def stages(
    trace: Trace, sample: int = 0, neuron: int = 0, source: int = 0, eta: float = 0.1
) -> list[Stage]:
    """Every stage of one forward and backward pass over ``trace``, in order.

    ``sample`` picks the column of the batch the per-sample numbers are for; ``neuron``
    (``j``) and ``source`` (``k``, the input of a weight in BP4) are clamped to each
    layer's size; ``eta`` is the learning rate of the plain SGD update shown last.
    """
    m = trace.x.shape[1]
    s = whole_number("sample", sample, minimum=0, maximum=m - 1)
    j = whole_number("neuron", neuron, minimum=0)
    k = whole_number("source neuron", source, minimum=0)
    eta = finite_number("eta", eta, positive=True)
    L = trace.n_layers
    out = [_input(trace, s, j)]
    out += [_forward(trace, l, s, j) for l in range(1, L + 1)]
    out.append(_cost(trace, s, j))
    out.append(_bp1(trace, s, j))
    out += [_bp2(trace, l, s, j) for l in range(L - 1, 0, -1)]
    for l in range(L, 0, -1):
        out += [_bp3(trace, l, s, j), _bp4(trace, l, s, j, k)]
    out.append(_update(trace, j, k, eta))
    return out


def clamp_notice(stage: Stage, sizes: list[int], neuron: int, source: int) -> str | None:
    """Why ``stage`` shows another neuron than the ``neuron`` j (or input ``source`` k) asked
    for: the layer is smaller, so its last neuron is shown (None when nothing was clamped).
    ``sizes`` are the network's layer sizes, input first."""
    layers = [stage.layer] if stage.layer is not None else list(range(1, len(sizes)))
    parts = []
    small_j = [l for l in layers if neuron >= sizes[l]]
    if small_j:
        parts.append(_beyond("neuron j", neuron, small_j, sizes))
    if stage.source is not None:
        small_k = [l - 1 for l in layers if l > 0 and source >= sizes[l - 1]]
        if small_k:
            parts.append(_beyond("input k", source, small_k, sizes))
    return " ".join(parts) or None


def _beyond(what: str, asked: int, layers: list[int], sizes: list[int]) -> str:
    shown = ", ".join(f"layer {l} has {sizes[l]} (shown: {sizes[l] - 1})" for l in layers)
    return f"There is no {what} = {asked} here: {shown}; neurons count from 0."


def sgd_update(trace: Trace, eta: float) -> tuple[list[Array], list[Array]]:
    """``(weights, biases)`` after one plain SGD step: ``w - eta nabla_w``, ``b - eta nabla_b``."""
    eta = finite_number("eta", eta, positive=True)
    weights = [w - eta * nw for w, nw in zip(trace.weights, trace.nabla_w)]
    biases = [b - eta * nb for b, nb in zip(trace.biases, trace.nabla_b)]
    return weights, biases


def sigma_prime(trace: Trace, l: int) -> Array:
    """``sigma'(z^l)`` of layer ``l`` (1..L) by the engine's activation, ``(n_l, m)``.

    ValueError for softmax, whose derivative is a Jacobian, not a vector.
    """
    act = ACTIVATIONS[trace.activations[l - 1]]
    if act.prime is None:
        raise ValueError(f"{act.name} has no elementwise derivative (its Jacobian is used)")
    return act.prime(trace.z[l - 1], trace.a[l])


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def sup(n: int) -> str:
    """``n`` in superscript digits, for plain-text labels: ``sup(12) == "¹²"``."""
    return str(n).translate(_SUPERSCRIPTS)


def layer_name(l: int, L: int) -> str:
    return "input" if l == 0 else "output" if l == L else "hidden"


def _clamp(j: int, n: int) -> int:
    return min(j, n - 1)


def _col(arr: Array, s: int) -> Array:
    return np.asarray(arr)[:, s]


# ------------------------------------------------------------------------------ stages
def _input(tr: Trace, s: int, j: int) -> Stage:
    x = _col(tr.x, s)
    j = _clamp(j, len(x))
    full = (rf"a^{{0}} = x = {bmatrix(x)}",) if small(x) else ()
    return Stage(
        key="input",
        title="Input: a⁰ = x",
        equation="input",
        layer=0,
        view="forward",
        template=r"a^{0} = x",
        numbers=(rf"a^{{0}}_{{{j}}} = x_{{{j}}} = {num(x[j])}",),
        full=full,
        arrays=(("x = a⁰", tr.x),),
        values={"x": float(x[j])},
        notes=(f"Sample {s} of the batch: {len(x)} input value(s), one per input neuron.",),
        neuron=j,
    )


def _forward(tr: Trace, l: int, s: int, j: int) -> Stage:
    i, L = l - 1, tr.n_layers
    w, b, z, a_in, a = tr.weights[i], tr.biases[i], tr.z[i], tr.a[i], tr.a[l]
    name = tr.activations[i]
    sigma = ACTIVATIONS[name].symbol
    j = _clamp(j, w.shape[0])
    zs, a_prev, a_out = _col(z, s), _col(a_in, s), _col(a, s)
    products = [f"{par(w[j, k])} \\cdot {par(a_prev[k])}" for k in range(w.shape[1])]
    z_line = (
        rf"z^{{{l}}}_{{{j}}} = \sum_k w^{{{l}}}_{{{index(j, 'k')}}} a^{{{l - 1}}}_k"
        rf" + b^{{{l}}}_{{{j}}}"
        rf" = {terms(products)} + {par(b[j, 0])} = {num(zs[j])}"
    )
    if name == "softmax":
        exps = terms([rf"e^{{{num(v, 3)}}}" for v in zs])
        a_line = (
            rf"a^{{{l}}}_{{{j}}} = \frac{{e^{{z^{{{l}}}_{{{j}}}}}}}{{\sum_k e^{{z^{{{l}}}_k}}}}"
            rf" = \frac{{e^{{{num(zs[j], 3)}}}}}{{{exps}}} = {num(a_out[j])}"
        )
    else:
        a_line = rf"a^{{{l}}}_{{{j}}} = {sigma}({num(zs[j])}) = {num(a_out[j])}"
    full: tuple[str, ...] = ()
    if small(w):
        full = (
            rf"z^{{{l}}} = {bmatrix(w)} {bmatrix(a_prev)} + {bmatrix(b)} = {bmatrix(zs)}",
            rf"a^{{{l}}} = {sigma}\left({bmatrix(zs)}\right) = {bmatrix(a_out)}",
        )
    return Stage(
        key=f"forward_{l}",
        title=f"Forward, layer {l} ({layer_name(l, L)}): z = w a + b, a = σ(z)",
        equation="forward",
        layer=l,
        view="forward",
        template=lines(
            rf"z^{{{l}}} = w^{{{l}}} a^{{{l - 1}}} + b^{{{l}}}, \qquad"
            rf" a^{{{l}}} = {sigma}(z^{{{l}}})",
            ACTIVATIONS[name].latex,
        ),
        numbers=(z_line, a_line),
        full=full,
        arrays=((f"z{sup(l)}", z), (f"a{sup(l)}", a)),
        values={"z": float(zs[j]), "a": float(a_out[j]), "b": float(b[j, 0])},
        notes=(f"Activation of layer {l}: {name}.",),
        neuron=j,
    )


def _cost(tr: Trace, s: int, j: int) -> Stage:
    L, m = tr.n_layers, tr.x.shape[1]
    a, y = _col(tr.a[L], s), _col(tr.y, s)
    form = STABLE.get((tr.activations[L - 1], tr.cost_name))
    col = slice(s, s + 1)
    if form is None:  # the engine's C on one column
        c_x = COSTS[tr.cost_name].fn(tr.a[L][:, col], tr.y[:, col])
    else:
        c_x = form.cost(tr.z[L - 1][:, col], tr.y[:, col])
    if tr.cost_name == "quadratic":
        body = terms([f"({num(a[q])} - {num(y[q])})^2" for q in range(len(a))])
        line = rf"C_x = \tfrac{{1}}{{2}}\big[{body}\big] = {num(c_x)}"
    elif tr.cost_name == "cross_entropy":
        body = terms(
            [rf"{par(y[q])} \ln {num(a[q])} + {par(1 - y[q])} \ln {num(1 - a[q])}"
             for q in range(len(a))]
        )  # fmt: skip
        line = rf"C_x = -\big[{body}\big] = {num(c_x)}"
    else:
        body = terms([rf"{par(y[q])} \ln {num(a[q])}" for q in range(len(a))])
        line = rf"C_x = -\big[{body}\big] = {num(c_x)}"
    numbers = [line]
    if m > 1:
        numbers.append(rf"C = \frac{{1}}{{m}} \sum_x C_x = {num(tr.cost)} \quad (m = {m})")
    full = (rf"a^{{L}} = {bmatrix(a)}, \quad y = {bmatrix(y)}",) if small(a) else ()
    notes = [f"Sample {s}: C_x = {c_x:.6g}; the batch's mean cost C = {tr.cost:.6g}."]
    if form is not None:
        notes.append(
            "The engine computes C from z in the log-sum-exp / softplus form, so it stays "
            "exact where a rounds to 0 or 1 (the logs above would be clamped there)."
        )
    return Stage(
        key="cost",
        title=f"Cost ({tr.cost_name})",
        equation="cost",
        layer=L,
        view="forward",
        template=lines(COSTS[tr.cost_name].latex, r"C = \frac{1}{m} \sum_x C_x"),
        numbers=tuple(numbers),
        full=full,
        arrays=((f"a{sup(L)} (output)", tr.a[L]), ("y (target)", tr.y)),
        values={"cost_x": float(c_x), "cost": float(tr.cost)},
        notes=tuple(notes),
        neuron=_clamp(j, len(a)),
    )


def _bp1(tr: Trace, s: int, j: int) -> Stage:
    L = tr.n_layers
    name = tr.activations[L - 1]
    g, a, z = _col(tr.cost_grad, s), _col(tr.a[L], s), _col(tr.z[L - 1], s)
    general, used = _col(tr.output_delta_general, s), _col(tr.delta[L - 1], s)
    j = _clamp(j, len(g))
    values = {"grad": float(g[j]), "delta_general": float(general[j]), "delta": float(used[j])}
    form = output_error(name, tr.cost_name)
    if form.jacobian:
        dot = float(np.dot(a, g))  # sum_k a_k dC/da_k
        template = [
            r"\delta^{L} = J_{\sigma}(z^{L})^{T}\, \nabla_a C",
            r"\delta^{L}_j = a^{L}_j \Big(\frac{\partial C_x}{\partial a^{L}_j}"
            r" - \sum_k a^{L}_k \frac{\partial C_x}{\partial a^{L}_k}\Big)",
        ]
        lines_j = [
            rf"\sum_k a^{{L}}_k \frac{{\partial C_x}}{{\partial a^{{L}}_k}} = {num(dot)}",
            rf"\delta^{{L}}_{{{j}}} = {num(a[j])} \big({num(g[j])} - {par(dot)}\big)"
            rf" = {num(general[j])}",
        ]
        values["sum_a_grad"] = dot
        full_line = rf"\delta^{{L}} = {bmatrix(general)}"
    else:
        sp = _col(sigma_prime(tr, L), s)
        prime = ACTIVATIONS[name].prime_latex
        template = [r"\delta^{L} = \nabla_a C \odot \sigma'(z^{L})", prime]
        if tr.cost_name == "quadratic":  # the book's eq. (30): nabla_a C = a^L - y
            template.insert(1, r"\delta^{L} = (a^{L} - y) \odot \sigma'(z^{L})")
        lines_j = [
            rf"\sigma'(z^{{L}}_{{{j}}}) = \sigma'({num(z[j])}) = {num(sp[j])}",
            rf"\delta^{{L}}_{{{j}}} = \frac{{\partial C_x}}{{\partial a^{{L}}_{{{j}}}}}"
            rf"\, \sigma'(z^{{L}}_{{{j}}}) = {par(g[j])} \cdot {par(sp[j])} = {num(general[j])}",
        ]
        values["sigma_prime"] = float(sp[j])
        full_line = rf"\delta^{{L}} = {bmatrix(g)} \odot {bmatrix(sp)} = {bmatrix(general)}"
    grad = rf"\frac{{\partial C_x}}{{\partial a^{{L}}_{{{j}}}}} = "
    if tr.cost_name == "quadratic":
        y = _col(tr.y, s)
        grad += rf"a^{{L}}_{{{j}}} - y_{{{j}}} = {num(a[j])} - {par(y[j])} = "
    numbers = [grad + num(g[j]), *lines_j]
    notes = []
    arrays = [("∇ₐC", tr.cost_grad), ("δᴸ general", tr.output_delta_general)]
    if form.shortcut and tr.output_delta_shortcut is not None:
        short = _col(tr.output_delta_shortcut, s)
        y = _col(tr.y, s)
        diff = float(np.max(np.abs(tr.output_delta_general - tr.output_delta_shortcut)))
        template.append(r"\text{shortcut: } \delta^{L} = a^{L} - y")
        numbers.append(
            rf"\text{{shortcut: }} \delta^{{L}}_{{{j}}} = a^{{L}}_{{{j}}} - y_{{{j}}}"
            rf" = {num(a[j])} - {par(y[j])} = {num(short[j])}"
        )
        numbers.append(
            rf"\max \left| \delta^{{L}}_{{\text{{general}}}} - \delta^{{L}}_{{\text{{shortcut}}}}"
            rf" \right| = {num(diff, 2)}"
        )
        values.update(delta_shortcut=float(short[j]), max_abs_difference=diff)
        notes.append(
            f"{name} with {tr.cost_name} is a canonical pair: σ' cancels and BP1 reduces to "
            f"δᴸ = a − y, which the engine uses. The general form agrees with it to "
            f"{diff:.1e} (max |difference| over the batch)."
        )
        arrays.append(("δᴸ shortcut a − y", tr.output_delta_shortcut))
    elif (stable := STABLE.get((name, tr.cost_name))) is not None and stable.delta is not None:
        line, number, note, diff = _stable_bp1(tr, s, j, stable.tex)
        template.append(line)
        numbers.append(number)
        notes.append(note)
        values["max_abs_difference"] = diff
        arrays.append(("δᴸ engine (stable, from z)", tr.delta[L - 1]))
    else:
        notes.append(f"{name} with {tr.cost_name} has no shortcut: the engine uses this form.")
    full = (full_line,) if small(g) else ()
    return Stage(
        key="bp1",
        title="BP1: the error of the output layer",
        equation="BP1",
        layer=L,
        view="backward",
        template=lines(*template),
        numbers=tuple(numbers),
        full=full,
        arrays=tuple(arrays),
        values=values,
        notes=tuple(notes),
        neuron=j,
    )


def _stable_bp1(tr: Trace, s: int, j: int, tex: str) -> tuple[str, str, str, float]:
    """``(template, numbers, note, max |general - engine|)`` for the stable closed form
    from z that the engine uses for BP1 instead of the general product."""
    used, general = tr.delta[-1], tr.output_delta_general
    with np.errstate(invalid="ignore"):
        diff = float(np.max(np.abs(general - used)))
    how = (
        f"here max |general − engine| = {diff:.1e} over the batch"
        if np.isfinite(diff)
        else "here the general form is not even finite"
    )
    note = (
        "The engine computes δᴸ from z in the stable closed form shown last: the general "
        f"form divides by a(1 − a), which rounds to 0 once an output nears 0 or 1; {how}."
    )
    template = r"\text{engine, from } z\text{: } " + tex
    return template, rf"\text{{engine: }} \delta^{{L}}_{{{j}}} = {num(used[j, s])}", note, diff


def _bp2(tr: Trace, l: int, s: int, j: int) -> Stage:
    w_next, d_next = tr.weights[l], _col(tr.delta[l], s)  # w^{l+1}, delta^{l+1}
    d = _col(tr.delta[l - 1], s)
    sp_all = sigma_prime(tr, l)
    sp = _col(sp_all, s)
    j = _clamp(j, len(d))
    back = w_next.T @ d_next  # ((w^{l+1})^T delta^{l+1}), column s
    products = [f"{par(w_next[q, j])} \\cdot {par(d_next[q])}" for q in range(len(d_next))]
    line = (
        rf"\delta^{{{l}}}_{{{j}}} = \Big(\sum_k w^{{{l + 1}}}_{{{index('k', j)}}}"
        rf" \delta^{{{l + 1}}}_k\Big)"
        rf" \sigma'(z^{{{l}}}_{{{j}}}) = \big({terms(products)}\big) \cdot {par(sp[j])}"
        rf" = {par(back[j])} \cdot {par(sp[j])} = {num(d[j])}"
    )
    full: tuple[str, ...] = ()
    if small(w_next):
        full = (
            rf"(w^{{{l + 1}}})^T \delta^{{{l + 1}}} = {bmatrix(w_next.T)} {bmatrix(d_next)}"
            rf" = {bmatrix(back)}",
            rf"\delta^{{{l}}} = {bmatrix(back)} \odot {bmatrix(sp)} = {bmatrix(d)}",
        )
    prime = ACTIVATIONS[tr.activations[l - 1]].prime_latex
    return Stage(
        key=f"bp2_{l}",
        title=f"BP2: the error of layer {l} ({layer_name(l, tr.n_layers)})",
        equation="BP2",
        layer=l,
        view="backward",
        template=lines(
            rf"\delta^{{{l}}} = \left((w^{{{l + 1}}})^T \delta^{{{l + 1}}}\right)"
            rf" \odot \sigma'(z^{{{l}}})",
            prime,
        ),
        numbers=(line,),
        full=full,
        arrays=(
            (f"δ{sup(l + 1)}", tr.delta[l]),
            (f"σ'(z{sup(l)})", sp_all),
            (f"δ{sup(l)}", tr.delta[l - 1]),
        ),
        values={"backprop": float(back[j]), "sigma_prime": float(sp[j]), "delta": float(d[j])},
        notes=(
            f"The error of layer {l + 1} goes back through the transposed weights w{sup(l + 1)}.",
        ),
        neuron=j,
    )


def _mean_terms(values: Array, fmt) -> str:
    """``\\frac{1}{m}\\big[t_0 + ... \\big]`` for the m per-sample terms (elided)."""
    m = len(values)
    return rf"\frac{{1}}{{{m}}}\big[{terms([fmt(x) for x in range(m)])}\big]"


def _bp3(tr: Trace, l: int, s: int, j: int) -> Stage:
    i, m = l - 1, tr.x.shape[1]
    delta, nb = tr.delta[i], tr.nabla_b[i]
    j = _clamp(j, nb.shape[0])
    if m == 1:
        template = rf"\frac{{\partial C}}{{\partial b^{{{l}}}_j}} = \delta^{{{l}}}_j"
        line = (
            rf"\frac{{\partial C}}{{\partial b^{{{l}}}_{{{j}}}}} = \delta^{{{l}}}_{{{j}}}"
            rf" = {num(nb[j, 0])}"
        )
    else:
        template = (
            rf"\frac{{\partial C}}{{\partial b^{{{l}}}_j}} = \frac{{1}}{{m}} \sum_x"
            rf" \delta^{{{l}}}_{{x,j}}"
        )
        body = _mean_terms(delta[j], lambda x: par(delta[j, x]))
        line = rf"\frac{{\partial C}}{{\partial b^{{{l}}}_{{{j}}}}} = {body} = {num(nb[j, 0])}"
    full = (rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} = {bmatrix(nb)}",) if small(nb) else ()
    return Stage(
        key=f"bp3_{l}",
        title=f"BP3: the bias gradient of layer {l}",
        equation="BP3",
        layer=l,
        view="backward",
        template=template,
        numbers=(line,),
        full=full,
        arrays=((f"δ{sup(l)}", delta), (f"∂C/∂b{sup(l)}", nb)),
        values={"nabla_b": float(nb[j, 0]), "delta": float(delta[j, s])},
        notes=("Over a batch, each gradient is the mean of the per-sample ones.",) if m > 1 else (),
        neuron=j,
    )


def _bp4(tr: Trace, l: int, s: int, j: int, k: int) -> Stage:
    i, m = l - 1, tr.x.shape[1]
    delta, a_in, nw = tr.delta[i], tr.a[i], tr.nabla_w[i]
    j, k = _clamp(j, nw.shape[0]), _clamp(k, nw.shape[1])
    lhs = rf"\frac{{\partial C}}{{\partial w^{{{l}}}_{{{index(j, k)}}}}}"
    if m == 1:
        template = (
            rf"\frac{{\partial C}}{{\partial w^{{{l}}}_{{jk}}}} = a^{{{l - 1}}}_k \delta^{{{l}}}_j"
        )
        line = (
            rf"{lhs} = a^{{{l - 1}}}_{{{k}}} \delta^{{{l}}}_{{{j}}} = {par(a_in[k, 0])} \cdot"
            rf" {par(delta[j, 0])} = {num(nw[j, k])}"
        )
    else:
        template = (
            rf"\frac{{\partial C}}{{\partial w^{{{l}}}_{{jk}}}} = \frac{{1}}{{m}} \sum_x"
            rf" a^{{{l - 1}}}_{{x,k}} \delta^{{{l}}}_{{x,j}}"
        )
        body = _mean_terms(delta[j], lambda x: f"{par(a_in[k, x])} \\cdot {par(delta[j, x])}")
        line = rf"{lhs} = {body} = {num(nw[j, k])}"
    full: tuple[str, ...] = ()
    if small(nw):
        if m == 1:
            full = (
                rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = \delta^{{{l}}} (a^{{{l - 1}}})^T"
                rf" = {bmatrix(delta[:, 0])} {bmatrix(a_in[:, 0].reshape(1, -1))}"
                rf" = {bmatrix(nw)}",
            )
        else:
            full = (rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = {bmatrix(nw)}",)
    return Stage(
        key=f"bp4_{l}",
        title=f"BP4: the weight gradient of layer {l}",
        equation="BP4",
        layer=l,
        view="backward",
        template=template,
        numbers=(line,),
        full=full,
        arrays=((f"a{sup(l - 1)}", a_in), (f"δ{sup(l)}", delta), (f"∂C/∂w{sup(l)}", nw)),
        values={"nabla_w": float(nw[j, k]), "a": float(a_in[k, s]), "delta": float(delta[j, s])},
        notes=(f"Weight w{sup(l)}[{j},{k}] connects neuron {k} of layer {l - 1} to neuron {j}.",),
        neuron=j,
        source=k,
    )


def _update(tr: Trace, j: int, k: int, eta: float) -> Stage:
    new_w, new_b = sgd_update(tr, eta)
    numbers, values = [], {}
    for i in range(tr.n_layers):
        l = i + 1
        w, nw, b, nb = tr.weights[i], tr.nabla_w[i], tr.biases[i], tr.nabla_b[i]
        jj, kk = _clamp(j, w.shape[0]), _clamp(k, w.shape[1])
        numbers += [  # a line each: in a narrow column, a shared one wraps inside b's
            rf"w^{{{l}}}_{{{index(jj, kk)}}} \to {num(w[jj, kk])} - {num(eta)} \cdot"
            rf" {par(nw[jj, kk])} = {num(new_w[i][jj, kk])}",
            rf"b^{{{l}}}_{{{jj}}} \to {num(b[jj, 0])} - {num(eta)} \cdot {par(nb[jj, 0])}"
            rf" = {num(new_b[i][jj, 0])}",
        ]
        values[f"w{l}"], values[f"b{l}"] = float(new_w[i][jj, kk]), float(new_b[i][jj, 0])
    arrays = tuple(
        (f"Δw{sup(i + 1)} = −η ∂C/∂w{sup(i + 1)}", new_w[i] - tr.weights[i])
        for i in range(tr.n_layers)
    )
    return Stage(
        key="update",
        title=f"Update: one step of gradient descent (η = {eta:g})",
        equation="update",
        layer=None,
        view="backward",
        template=(
            r"w^{l} \to w^{l} - \eta \frac{\partial C}{\partial w^{l}}, \qquad"
            r" b^{l} \to b^{l} - \eta \frac{\partial C}{\partial b^{l}}"
        ),
        numbers=tuple(numbers),
        full=(),
        arrays=arrays[-4:],
        values=values,
        notes=(
            "Plain SGD, as in the book: every weight and bias moves a step η against its "
            "gradient. (The Playground's momentum and Adam optimisers scale this step.)",
        ),
        neuron=j,
        source=k,
    )
