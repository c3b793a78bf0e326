"""The loss landscape: filter-normalised directions, the surface, the projected path, the
interpolation and the budget (``backprop.landscape``), and their figures (``viz``).

Expected costs come from the network's own ``cost_of`` on a copy set to the point in
question (one plain forward pass), never from the batched evaluation under test.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import params_of, same_params

from backprop import Limits, Network, Trainer, viz
from backprop import landscape as ls
from backprop.datasets import load

CLOSE = {"rtol": 1e-10, "atol": 1e-12}
PAIRS = [  # (hidden activation, output activation, cost): stable forms and general ones
    ("tanh", "softmax", "log_likelihood"),
    ("sigmoid", "sigmoid", "quadratic"),
    ("relu", "sigmoid", "cross_entropy"),
]


@pytest.fixture(scope="module")
def xor():
    return load("xor", n_samples=120, seed=0)


def make_net(pair=PAIRS[0], sizes=(2, 5, 4, 2), seed=0) -> Network:
    act, out, cost = pair
    return Network(list(sizes), activation=act, output_activation=out, cost=cost, seed=seed)


def at_point(net: Network, params) -> Network:
    """A copy of ``net`` with the parameters ``[w_1, b_1, ...]``."""
    new = net.copy()
    new.weights = [np.array(p) for p in params[0::2]]
    new.biases = [np.array(p) for p in params[1::2]]
    return new


def combo(theta, d1, d2, a: float, b: float) -> list:
    return [t + a * u + b * v for t, u, v in zip(theta, d1, d2)]


def trained(xor, snapshot_every=1, steps=12, **kw) -> Trainer:
    tr = Trainer(make_net(), xor.X_train, xor.Y_train, eta=0.5, batch_size=8,
                 snapshot_every=snapshot_every, **kw)  # fmt: skip
    for _ in range(steps):
        tr.step()
    return tr


# ---------------------------------------------------------------------- directions
def test_directions_are_filter_normalised_and_ignore_biases():
    net = make_net(sizes=(3, 6, 4, 2))
    net.weights[0][2] = 0.0  # a dead neuron's row: its direction row is 0 too
    d1, d2 = ls.directions(net, np.random.default_rng(5))
    for d in (d1, d2):
        assert [p.shape for p in d] == [p.shape for p in params_of(net)]
        for w, dw in zip(net.weights, d[0::2]):
            np.testing.assert_allclose(np.linalg.norm(dw, axis=1), np.linalg.norm(w, axis=1))
        assert all(not np.any(db) for db in d[1::2])  # biases: direction 0
    assert not np.any(d1[0][2])
    assert not np.allclose(d1[0], d2[0])  # two different directions
    flat = lambda d: np.concatenate([p.ravel() for p in d])  # noqa: E731
    assert abs(np.corrcoef(flat(d1), flat(d2))[0, 1]) < 0.5


def test_directions_come_from_the_given_generator_only():
    net = make_net()
    before = net.rng.bit_generator.state
    a = ls.directions(net, np.random.default_rng(3))
    b = ls.directions(net, np.random.default_rng(3))
    c = ls.directions(net, np.random.default_rng(4))
    assert all(same_params(x, y) for x, y in zip(a, b))
    assert not same_params(a[0], c[0])
    assert net.rng.bit_generator.state == before
    with pytest.raises(TypeError, match="Generator"):
        ls.directions(net, 3)


# ------------------------------------------------------------------------- surface
@pytest.mark.parametrize("pair", PAIRS)
def test_the_surface_is_the_cost_at_each_point_of_the_plane(xor, pair):
    net = make_net(pair)
    d1, d2 = ls.directions(net, np.random.default_rng(0))
    s = ls.surface(net, None, xor.X_train, xor.Y_train, d1, d2, span=0.8, n=7)
    assert s.cost.shape == (7, 7) and s.samples == xor.X_train.shape[1]
    theta = params_of(net)
    for j, i in [(3, 3), (0, 6), (5, 1), (6, 6)]:  # cost[j, i] is at (alphas[i], betas[j])
        point = at_point(net, combo(theta, d1, d2, s.alphas[i], s.betas[j]))
        want = point.cost_of(xor.X_train, xor.Y_train)
        np.testing.assert_allclose(s.cost[j, i], want, **CLOSE)


def test_the_centre_is_the_networks_cost_on_the_evenly_spaced_subset(xor):
    net = make_net()
    d1, d2 = ls.directions(net, np.random.default_rng(1))
    s = ls.surface(net, None, xor.X_train, xor.Y_train, d1, d2, n=21, max_samples=25)
    X, Y = ls.evenly_spaced(xor.X_train, xor.Y_train, 25)
    assert s.samples == 25 == X.shape[1] and s.notes
    assert s.alphas[10] == 0 and s.betas[10] == 0
    np.testing.assert_allclose(s.cost[10, 10], net.cost_of(X, Y), **CLOSE)
    idx = np.linspace(0, xor.X_train.shape[1] - 1, 25).round().astype(int)
    np.testing.assert_array_equal(X, xor.X_train[:, idx])  # evenly spaced columns


def test_the_penalty_is_added_like_the_trainers(xor):
    tr = trained(xor, steps=3, regularization="l2", lmbda=2.0)
    loss = ls.Loss.of(tr)
    assert (loss.cost, loss.regularization, loss.lmbda, loss.n_train) == (
        "log_likelihood", "l2", 2.0, tr.n,
    )  # fmt: skip
    d1, d2 = ls.directions(tr.net, np.random.default_rng(0))
    s = ls.surface(tr.net, loss, tr.X, tr.Y, d1, d2, n=5)
    plain = ls.surface(tr.net, None, tr.X, tr.Y, d1, d2, n=5)
    want = tr.net.cost_of(tr.X, tr.Y) + tr.penalty()
    np.testing.assert_allclose(s.cost[2, 2], want, **CLOSE)
    corner = at_point(tr.net, combo(params_of(tr.net), d1, d2, 1.0, -1.0))
    extra = s.cost[0, 4] - plain.cost[0, 4]  # (a, b) = (1, -1)
    np.testing.assert_allclose(extra, 1.0 / tr.n * sum((w**2).sum() for w in corner.weights))


def test_the_grid_is_symmetric_in_span(xor):
    net = make_net()
    d1, d2 = ls.directions(net, np.random.default_rng(2))
    s = ls.surface(net, None, xor.X_train, xor.Y_train, d1, d2, span=1.5, n=9)
    for g in (s.alphas, s.betas):
        assert g[0] == -1.5 and g[-1] == 1.5 and g[4] == 0
        np.testing.assert_array_equal(g, -g[::-1])
    flipped = [-p for p in d1], [-p for p in d2]
    f = ls.surface(net, None, xor.X_train, xor.Y_train, *flipped, span=1.5, n=9)
    np.testing.assert_allclose(f.cost, s.cost[::-1, ::-1], **CLOSE)  # (a, b) -> (-a, -b)
    even = ls.grid(2.0, 4)
    np.testing.assert_array_equal(even, -even[::-1])


def test_nothing_changes_the_network(xor):
    tr = trained(xor, steps=5)
    net = tr.net
    before, rng, steps = params_of(net), net.rng.bit_generator.state, tr.steps
    d1, d2 = ls.directions(net, np.random.default_rng(0))
    ls.surface(net, None, tr.X, tr.Y, d1, d2, n=5)
    ls.interpolation(net, None, tr.X, tr.Y, tr.initial_params, params_of(net), n=5)
    ls.of_trainer(tr, seed=1, n=5)
    assert same_params(params_of(net), before) and net.rng.bit_generator.state == rng
    assert tr.steps == steps and all(not np.shares_memory(d, p) for d, p in zip(d1, before))


def test_bad_arguments_are_refused(xor):
    net = make_net()
    d1, d2 = ls.directions(net, np.random.default_rng(0))
    X, Y = xor.X_train, xor.Y_train
    with pytest.raises(ValueError, match="span"):
        ls.surface(net, None, X, Y, d1, d2, span=0.0)
    with pytest.raises(ValueError, match="shaped like"):
        ls.surface(net, None, X, Y, d1[:2], d2)
    with pytest.raises(ValueError, match="unknown cost"):
        ls.surface(net, "hinge", X, Y, d1, d2)
    with pytest.raises(ValueError, match="non-zero"):
        ls.project([params_of(net)], params_of(net), [0 * p for p in d1], d2)


# ---------------------------------------------------------------------------- path
def test_projection_recovers_known_coordinates_exactly():
    net = make_net(sizes=(4, 7, 3))
    theta = params_of(net)
    d1, d2 = ls.directions(net, np.random.default_rng(0))
    d2 = [v + 0.3 * u for u, v in zip(d1, d2)]  # not orthogonal: least squares, not dots
    want = np.array([[0.0, 0.0], [0.25, -1.5], [-3.0, 2.0], [1e-3, 7.0]])
    pts = [combo(theta, d1, d2, a, b) for a, b in want]
    a, b = ls.project(pts, theta, d1, d2)
    np.testing.assert_allclose(np.column_stack([a, b]), want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ls.off_plane(pts, theta, d1, d2, a, b), 0.0, atol=1e-7)
    off = [combo(theta, d1, d2, 1.0, 0.0)]
    off[0][0] = off[0][0] + 10.0  # a move the plane cannot show
    a, b = ls.project(off, theta, d1, d2)
    assert ls.off_plane(off, theta, d1, d2, a, b)[0] > 0.5


def test_the_path_cost_is_the_cost_at_each_snapshot(xor):
    tr = trained(xor, steps=6)
    steps, params = ls.trainer_path(tr)
    assert list(steps) == [s.step for s in tr.snapshots.items] == list(range(7))
    costs, notes = ls.path_cost(tr.net, None, tr.X, tr.Y, params)
    for c, p in zip(costs, params):
        np.testing.assert_allclose(c, at_point(tr.net, p).cost_of(tr.X, tr.Y), **CLOSE)
    assert not notes
    few, notes = ls.path_cost(tr.net, None, tr.X, tr.Y, params, budget=ls.Budget(max_work=2000))
    assert np.isnan(few).any() and np.isfinite(few[[0, -1]]).all() and notes


def test_the_path_ends_at_the_centre_when_snapshots_are_off(xor):
    tr = trained(xor, snapshot_every=0, steps=4)
    steps, params = ls.trainer_path(tr)
    assert list(steps) == [4] and same_params(params[0], params_of(tr.net))
    land = ls.of_trainer(tr, n=5)
    assert land.path.alphas[-1] == pytest.approx(0, abs=1e-12)
    np.testing.assert_allclose(land.path.cost[-1], land.surface.cost[2, 2], **CLOSE)


# ------------------------------------------------------------------ interpolation
@pytest.mark.parametrize("snapshot_every", [0, 1])
def test_the_trainer_keeps_its_initial_parameters(xor, snapshot_every):
    start = make_net()
    tr = trained(xor, snapshot_every=snapshot_every, steps=5)
    assert same_params(list(tr.initial_params), params_of(start))
    assert not same_params(list(tr.initial_params), params_of(tr.net))


def test_interpolation_ends_at_the_costs_of_both_parameter_sets(xor):
    tr = trained(xor, steps=10)
    theta0, theta1 = tr.initial_params, params_of(tr.net)
    line = ls.interpolation(tr.net, None, tr.X, tr.Y, theta0, theta1, n=21)
    assert line.ts[0] == pytest.approx(-0.25) and line.ts[-1] == pytest.approx(1.25)
    assert line.ts.size == 31 and np.all(np.diff(line.ts) > 0)
    i0, i1 = list(line.ts).index(0.0), list(line.ts).index(1.0)
    np.testing.assert_allclose(line.cost[i0], at_point(tr.net, theta0).cost_of(tr.X, tr.Y))
    np.testing.assert_allclose(line.cost[i1], tr.net.cost_of(tr.X, tr.Y), **CLOSE)
    mid = at_point(tr.net, [0.5 * (p + q) for p, q in zip(theta0, theta1)])
    np.testing.assert_allclose(line.cost[i0 + 10], mid.cost_of(tr.X, tr.Y), **CLOSE)
    plain = ls.interpolation(tr.net, None, tr.X, tr.Y, theta0, theta1, n=3, margin=0.0)
    np.testing.assert_array_equal(plain.ts, [0.0, 0.5, 1.0])


# ------------------------------------------------------------------------- budget
def test_the_budget_reduces_a_huge_request_and_says_so(xor):
    net = make_net()
    P = net.n_parameters()
    d1, d2 = ls.directions(net, np.random.default_rng(0))
    budget = ls.Budget(max_work=31 * 31 * 20 * P, min_samples=20)
    s = ls.surface(net, None, xor.X_train, xor.Y_train, d1, d2, n=101, budget=budget)
    assert s.samples == 20 and s.cost.shape == (31, 31)
    assert s.cost.size * s.samples * P <= budget.max_work
    assert any("31 x 31" in n for n in s.notes) and any("20 samples" in n for n in s.notes)
    assert s.alphas[15] == 0 and np.all(np.isfinite(s.cost))
    n, k, notes = ls.Budget(max_work=10).fit_grid(1001, 70_000, 10**6)
    assert (n, k) == (5, 1) and notes  # never refused: the smallest request goes through
    assert ls.Budget().fit_grid(21, 100, P) == (21, 100, [])


def test_the_budget_follows_the_limits(monkeypatch):
    monkeypatch.setenv("BACKPROP_MAX_LANDSCAPE_WORK", "12345")
    assert ls.Budget.of(make_net()).max_work == 12345
    net = Network([2, 3, 1], limits=Limits(max_landscape_work=99))
    assert ls.Budget.of(net).max_work == 99


# ---------------------------------------------------------------------- figures
@pytest.fixture(scope="module")
def land(xor):
    return ls.of_trainer(trained(xor, steps=8), seed=0, n=9)


def test_landscape_figure_shows_the_surface_and_the_path(land):
    spec = viz.landscape_spec(land.surface, land.path)
    contour, path, start, now = spec["data"]
    np.testing.assert_allclose(contour["z"], land.surface.cost, rtol=1e-6)  # narrow: linear
    np.testing.assert_allclose(contour["customdata"], land.surface.cost, rtol=1e-6)
    np.testing.assert_array_equal(contour["x"], np.float32(land.surface.alphas))
    np.testing.assert_allclose(path["x"], land.path.alphas, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(path["y"], land.path.betas, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(path["customdata"][:, 0], land.path.steps)
    np.testing.assert_allclose(path["customdata"][:, 1], land.path.cost, rtol=1e-6)
    assert start["name"] == "start (step 0)" and now["name"] == "now (step 8)"
    assert now["x"][0] == path["x"][-1] and start["y"][0] == path["y"][0]
    assert "step %{customdata[0]" in path["hovertemplate"]


def test_a_wide_cost_range_gets_log_colours(land):
    cost = land.surface.cost.copy()
    cost[0, 0], cost[1, 1] = 1e4, np.inf  # a diverging corner: a gap, not the colour range
    wide = ls.Surface(land.surface.alphas, land.surface.betas, cost, 10)
    (contour,) = viz.landscape_spec(wide)["data"]
    finite = np.isfinite(cost)
    np.testing.assert_allclose(contour["z"][finite], np.log10(cost[finite]), rtol=1e-6)
    assert np.isnan(contour["z"][1, 1]) and np.isnan(contour["customdata"][1, 1])
    bar = contour["colorbar"]
    assert "log" in bar["title"]["text"] and "10000" in bar["ticktext"]
    np.testing.assert_allclose(bar["tickvals"], np.log10([float(t) for t in bar["ticktext"]]))


def test_interpolation_figure_marks_initial_and_current(land):
    line = land.interpolation
    spec = viz.interpolation_spec(line)
    curve, initial, current = spec["data"]
    np.testing.assert_allclose(curve["y"], line.cost, rtol=1e-6)
    assert initial["text"] == ["initial"] and current["text"] == ["current"]
    assert initial["x"][0] == 0 and current["x"][0] == 1
    assert current["y"][0] == np.float32(line.cost[list(line.ts).index(1.0)])
    assert spec["layout"]["yaxis"]["type"] == "linear"
    steep = ls.Interpolation(line.ts, np.geomspace(1e3, 1e-2, line.ts.size), 5)
    assert viz.interpolation_spec(steep)["layout"]["yaxis"]["type"] == "log"


# ------------------------------------------------------------------ path's plane
def test_path_directions_recover_a_path_that_lies_in_a_plane():
    net = make_net()
    theta = ls.params_of(net)
    rng = np.random.default_rng(3)
    u1, u2 = ls.directions(net, rng)
    # orthonormalise the two directions: the path's plane is theirs
    n1 = np.sqrt(ls._dot(u1, u1))
    e1 = [x / n1 for x in u1]
    r = [y - ls._dot(u2, e1) * x for x, y in zip(e1, u2)]
    e2 = [x / np.sqrt(ls._dot(r, r)) for x in r]
    coords = [(3.0, 0.5), (2.0, -0.4), (1.0, 0.2), (0.0, 0.0)]
    path = [combo(theta, e1, e2, a, b) for a, b in coords]
    d1, d2, held = ls.path_directions(path, theta)
    assert np.isclose(ls._dot(d1, d1), 1.0) and np.isclose(ls._dot(d2, d2), 1.0)
    assert abs(ls._dot(d1, d2)) < 1e-10
    assert np.isclose(held.sum(), 1.0) and held[0] > held[1] > 0
    a, b = ls.project(path, theta, d1, d2)
    assert np.allclose(ls.off_plane(path, theta, d1, d2, a, b), 0.0, atol=1e-9)
    # the same distances from now as in the plane it was built in
    assert np.allclose(np.hypot(a, b), [np.hypot(*c) for c in coords])


def test_a_path_on_one_line_or_too_short_is_refused():
    net = make_net()
    theta = ls.params_of(net)
    d1, _ = ls.directions(net, np.random.default_rng(0))
    with pytest.raises(ValueError, match="one line"):
        ls.path_directions([combo(theta, d1, d1, t, 0.0) for t in (2.0, 1.0, 0.0)], theta)
    with pytest.raises(ValueError, match="at least two"):
        ls.path_directions([theta], theta)


def test_the_path_plane_holds_the_path_random_directions_miss(xor):
    tr = trained(xor, steps=30)
    rand = ls.of_trainer(tr, seed=0, n=11, plane="random")
    path = ls.of_trainer(tr, n=11, plane="path")
    assert path.plane == "path" and rand.plane == "random"
    assert path.path.off_plane[0] < 0.5 < rand.path.off_plane[0]
    reach = max(np.abs(path.path.alphas).max(), np.abs(path.path.betas).max())
    assert np.isclose(path.surface.alphas[-1], ls.PATH_MARGIN * reach)  # the path is on it
    assert any("of the path's movement" in n for n in path.notes)
    assert np.isfinite(path.surface.cost).all()
    with pytest.raises(ValueError, match="plane"):
        ls.of_trainer(tr, plane="pca")
