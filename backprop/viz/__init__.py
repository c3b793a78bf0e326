"""Plotly figure builders for Backprop Explorer: data in, ``go.Figure`` out.

Pure Plotly (never streamlit). Arrays go to Plotly as float32 so figures serialise as
compact base64 typed arrays; signed quantities use a diverging scale centred at 0 with a
symmetric range; every figure has ``uirevision`` set so zoom survives updates.
Layers count from 1 (layer l is fed by ``weights[l-1]``); layer 0 is the input.
"""

from ._common import DIVERGING, empty_figure
from .animation import layer_animation, network_animation
from .curves import (
    HIST_QUANTITIES,
    NORM_KINDS,
    accuracy_curves,
    cost_curves,
    histograms_over_time,
    norm_curves,
)
from .layers import QUANTITIES, layer_heatmap, layer_values
from .network import VIEWS, network_graph
from .output import decision_boundary, first_layer_images, neuron_maps, regression_curve

__all__ = [
    "DIVERGING",
    "HIST_QUANTITIES",
    "NORM_KINDS",
    "QUANTITIES",
    "VIEWS",
    "accuracy_curves",
    "cost_curves",
    "decision_boundary",
    "empty_figure",
    "first_layer_images",
    "histograms_over_time",
    "layer_animation",
    "layer_heatmap",
    "layer_values",
    "network_animation",
    "network_graph",
    "neuron_maps",
    "norm_curves",
    "regression_curve",
]
