"""Plotly figure builders for Backprop Explorer: data in, ``go.Figure`` out.

The figures redrawn on every training step also come as plain dict specs (``*_spec``,
``{"data": [...], "layout": {...}}``): the same figure without Plotly's per-property
validation, serialised by :func:`spec_json`. ``go.Figure(spec)`` is the public figure.

Pure Plotly (never streamlit). Arrays go to Plotly as float32 so figures serialise as
compact base64 typed arrays; signed quantities use a diverging scale centred at 0 with a
symmetric range; every figure has ``uirevision`` set so zoom survives updates.
Layers count from 1 (layer l is fed by ``weights[l-1]``); layer 0 is the input.
The per-layer quantities and their labels live in one registry, :data:`LAYER_QUANTITIES`.
"""

from ._common import DIVERGING, empty_figure, spec_json
from .animation import layer_animation, network_animation
from .curves import (
    HIST_QUANTITIES,
    NORM_KINDS,
    accuracy_curves,
    cost_curves,
    cost_curves_spec,
    histograms_over_time,
    norm_curves,
)
from .layers import (
    QUANTITIES,
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
    plane_activations,
    regression_curve,
    regression_curve_spec,
)
from .passes import pass_animation
from .quantities import LAYER_QUANTITIES, Quantity

__all__ = [
    "DIVERGING",
    "HIST_QUANTITIES",
    "LAYER_QUANTITIES",
    "NORM_KINDS",
    "QUANTITIES",
    "Quantity",
    "VIEWS",
    "accuracy_curves",
    "cost_curves",
    "cost_curves_spec",
    "decision_boundary",
    "decision_boundary_spec",
    "empty_figure",
    "first_layer_images",
    "first_layer_images_spec",
    "histograms_over_time",
    "layer_animation",
    "layer_grid",
    "layer_grid_spec",
    "layer_heatmap",
    "layer_heatmap_spec",
    "layer_values",
    "network_animation",
    "network_graph",
    "network_graph_spec",
    "pass_animation",
    "with_neuron_maps",
    "neuron_maps",
    "plane_activations",
    "norm_curves",
    "regression_curve",
    "regression_curve_spec",
    "spec_json",
]
