"""The live board's steady colour ranges: the graph's colour axes widen to 1, 2 or 5 times
a power of ten, so a Step that moves ``max |a|`` a little needs no Plotly draw."""

from __future__ import annotations

import math

import pytest

from backprop.ui.board import nice_ceiling, steady_colours


@pytest.mark.parametrize(
    ("x", "want"),
    [(0.37, 0.5), (0.5, 0.5), (0.9999992, 1.0), (1.0, 1.0), (1.01, 2.0), (3.0, 5.0),
     (7.0, 10.0), (0.0012, 0.002), (2e5, 2e5), (2.0000001e5, 5e5)],
)  # fmt: skip
def test_nice_ceiling_is_the_next_1_2_or_5_times_a_power_of_ten(x, want):
    assert nice_ceiling(x) == pytest.approx(want)
    assert nice_ceiling(x) >= x * (1 - 1e-12)


@pytest.mark.parametrize("x", [0.0, -1.0, math.inf])
def test_nice_ceiling_leaves_what_is_no_positive_range(x):
    assert nice_ceiling(x) == x
    assert math.isnan(nice_ceiling(math.nan))


def test_steady_colours_widens_symmetric_colour_axes_only():
    graph = {
        "layout": {
            "coloraxis": {"cmin": -0.73, "cmax": 0.73, "colorscale": "RdBu"},
            "coloraxis2": {"cmin": -0.9999992, "cmax": 0.9999992},
            "coloraxis3": {"cmin": 0.0, "cmax": 0.4},  # not symmetric: as it is
            "xaxis": {"range": [0, 3]},
        }
    }
    lay = steady_colours(graph)["layout"]
    assert (lay["coloraxis"]["cmin"], lay["coloraxis"]["cmax"]) == (-1.0, 1.0)
    assert lay["coloraxis"]["colorscale"] == "RdBu"
    assert (lay["coloraxis2"]["cmin"], lay["coloraxis2"]["cmax"]) == (-1.0, 1.0)
    assert (lay["coloraxis3"]["cmin"], lay["coloraxis3"]["cmax"]) == (0.0, 0.4)
    assert lay["xaxis"] == {"range": [0, 3]}
