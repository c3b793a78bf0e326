"""Plotly figure builders for Backprop Explorer: data in, dict spec or ``go.Figure`` out.

Every builder comes in one style: ``name_spec(...)`` builds the figure as a plain dict spec
(``{"data": [...], "layout": {...}}``, plus ``"frames"`` for an animation) and
``name(...)`` is ``figure(name_spec(...))``, the same spec validated into a ``go.Figure``
(made by :func:`figure_builder`). The live charts send a spec with :func:`spec_json`,
skipping Plotly's per-property validation; the JSON is the same.

The per-layer quantities (``a``, ``delta``, ``z``, ``w``, ``nabla_w``, ``nabla_b``,
``update``) and their labels live in one registry, :data:`LAYER_QUANTITIES`.

Pure Plotly (never streamlit). Arrays go to Plotly as float32 so figures serialise as
compact base64 typed arrays; signed quantities use a diverging scale centred at 0 with a
symmetric range; every figure has ``uirevision`` set so zoom survives updates.
Layers count from 1 (layer l is fed by ``weights[l-1]``); layer 0 is the input.
Without Plotly (the engine-only install) importing it raises ``ModuleNotFoundError`` naming
the ``notebook`` extra (:mod:`backprop.extras`).
"""

from ..extras import needs

try:
    import plotly  # noqa: F401
except ModuleNotFoundError as e:  # the engine-only install: say which extra adds it
    if e.name != "plotly":
        raise
    raise ModuleNotFoundError(needs("backprop.viz", "Plotly"), name="plotly") from None

from ._common import DIVERGING, empty_figure, empty_spec, figure, figure_builder, spec_json
from .animation import (
    layer_animation,
    layer_animation_spec,
    network_animation,
    network_animation_spec,
)
from .curves import (
    HIST_QUANTITIES,
    NORM_KINDS,
    accuracy_curves,
    accuracy_curves_spec,
    compare_curves,
    compare_curves_spec,
    compare_norms,
    compare_norms_spec,
    cost_curves,
    cost_curves_spec,
    histograms_over_time,
    histograms_over_time_spec,
    norm_curves,
    norm_curves_spec,
)
from .landscape import interpolation, interpolation_spec, landscape, landscape_spec
from .layers import (
    layer_grid,
    layer_grid_spec,
    layer_heatmap,
    layer_heatmap_spec,
    layer_values,
)
from .network import VIEWS, network_graph, network_graph_spec, with_neuron_maps
from .output import (
    decision_boundary,
    decision_boundary_spec,
    first_layer_images,
    first_layer_images_spec,
    neuron_maps,
    neuron_maps_spec,
    plane_activations,
    regression_curve,
    regression_curve_spec,
)
from .passes import pass_animation, pass_animation_spec
from .quantities import LAYER_QUANTITIES, QUANTITIES, Quantity

__all__ = [
    "DIVERGING",
    "HIST_QUANTITIES",
    "LAYER_QUANTITIES",
    "NORM_KINDS",
    "QUANTITIES",
    "Quantity",
    "VIEWS",
    "accuracy_curves",
    "accuracy_curves_spec",
    "compare_curves",
    "compare_curves_spec",
    "compare_norms",
    "compare_norms_spec",
    "cost_curves",
    "cost_curves_spec",
    "decision_boundary",
    "decision_boundary_spec",
    "empty_figure",
    "empty_spec",
    "figure",
    "figure_builder",
    "first_layer_images",
    "first_layer_images_spec",
    "histograms_over_time",
    "histograms_over_time_spec",
    "interpolation",
    "interpolation_spec",
    "landscape",
    "landscape_spec",
    "layer_animation",
    "layer_animation_spec",
    "layer_grid",
    "layer_grid_spec",
    "layer_heatmap",
    "layer_heatmap_spec",
    "layer_values",
    "network_animation",
    "network_animation_spec",
    "network_graph",
    "network_graph_spec",
    "neuron_maps",
    "neuron_maps_spec",
    "norm_curves",
    "norm_curves_spec",
    "pass_animation",
    "pass_animation_spec",
    "plane_activations",
    "regression_curve",
    "regression_curve_spec",
    "spec_json",
    "with_neuron_maps",
]
