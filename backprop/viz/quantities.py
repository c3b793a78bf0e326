"""The per-layer quantities the figures and the app's pickers show, in one registry.

``LAYER_QUANTITIES[name]`` says how a quantity is labelled (a figure's title, the symbol
on its colour bar and hovers, the app's picker) and where a trace keeps it. Book
notation: layers count from 1 (layer ``l`` is fed by ``weights[l-1]``), layer 0 is the
input; samples are columns.

Pure data (no Plotly, no Streamlit): the app's pickers read it as well as the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..trace import Trace

Array = np.ndarray


@dataclass(frozen=True)
class Quantity:
    """One layer quantity.

    ``label``: figure titles (``"errors δ = ∂C/∂z"``); ``symbol``: colour bars and hovers
    (``"δ"``); ``menu``: the app's picker (``"deltas delta"``); ``field``: the
    :class:`~backprop.trace.Trace` attribute holding it (None: not in a trace, e.g. the
    update); ``per_sample``: ``(n_l, m)``, one column per sample, else one array per layer.
    """

    name: str
    label: str
    symbol: str
    menu: str
    field: str | None
    per_sample: bool = False

    def of(self, trace: Trace, layer: int) -> Array:
        """The quantity of ``layer`` in ``trace``: ``trace.a[l]`` (``a``, indexed from the
        input), else ``trace.<field>[l - 1]`` (layers ``1..L``). No range checks."""
        if self.field is None:
            raise ValueError(f"a trace does not hold {self.name!r}")
        i = layer if self.name == "a" else layer - 1
        return np.asarray(getattr(trace, self.field)[i])


#: Every quantity a layer heatmap can show, in the order the app offers them.
LAYER_QUANTITIES: dict[str, Quantity] = {
    q.name: q
    for q in (
        Quantity("a", "activations a", "a", "activations a", "a", per_sample=True),
        Quantity("delta", "errors δ = ∂C/∂z", "δ", "deltas delta", "delta", per_sample=True),
        Quantity("z", "weighted inputs z", "z", "weighted inputs z", "z", per_sample=True),
        Quantity("w", "weights w", "w", "weights w", "weights"),
        Quantity("nabla_w", "gradient ∂C/∂w", "∂C/∂w", "gradients nabla_w", "nabla_w"),
        Quantity("nabla_b", "gradient ∂C/∂b", "∂C/∂b", "gradients nabla_b", "nabla_b"),
        Quantity("update", "update Δw", "Δw", "last update", None),
    )
}

QUANTITIES: tuple[str, ...] = tuple(LAYER_QUANTITIES)
PER_SAMPLE: tuple[str, ...] = tuple(n for n, q in LAYER_QUANTITIES.items() if q.per_sample)
LABELS: dict[str, str] = {n: q.label for n, q in LAYER_QUANTITIES.items()}
SYMBOLS: dict[str, str] = {n: q.symbol for n, q in LAYER_QUANTITIES.items()}
MENU_LABELS: dict[str, str] = {n: q.menu for n, q in LAYER_QUANTITIES.items()}
