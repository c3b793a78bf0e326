"""Frame chunks for the live board: what the browser gets is what the specs say.

A small Python decoder (``frames.unpack`` / ``frames.value``, the browser's decoding) applies
each chunk to the specs it has, as ``board.js`` does, and the result must equal the spec the
server built for that frame (float32 exactly; one byte a cell within its range for big
grids while playing).
"""

from __future__ import annotations

import copy

import numpy as np
import plotly.graph_objects as go
import pytest

from backprop import Network, viz
from backprop.datasets import load
from backprop.viz import frames
from backprop.viz.frames import FrameEncoder, split, unpack, value


def _set(obj, path, v):
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = v


def _get(obj, path):
    for k in path:
        obj = obj[k]
    return obj


def apply(chunk: bytes, have: dict) -> list[dict]:
    """The browser's view of every frame of ``chunk``: ``have`` (view -> spec) updated."""
    header, binary = unpack(chunk)
    bases = header.get("bases", {})
    out = []
    for frame in header["frames"]:
        for name, ups in frame["views"].items():
            for pid, v in ups:
                if pid == "base":
                    have[name] = frames.decoded(bases[v])
                    continue
                entry = header["paths"][pid]
                path, shape = entry[0], entry[1] if len(entry) > 1 else None
                if isinstance(v, list):
                    arr = value(v, binary, shape)
                    if v[3] == 1:  # keep v[4] values, then these
                        arr = np.concatenate([np.asarray(_get(have[name], path))[: v[4]], arr])
                    v = arr
                _set(have[name], path, v)
        out.append(copy.deepcopy(have))
    return out


def numbers(spec: dict) -> list:
    return [(tuple(p), np.asarray(v, dtype=np.float32)) for p, v in split(spec)[1]]


def same_numbers(got: dict, want: dict, atol: float = 0.0) -> None:
    g, w = dict(numbers(got)), dict(numbers(want))
    w = {k: v for k, v in w.items() if v.size or k in g}  # an empty array is sent as []
    assert g.keys() == w.keys()
    for k in w:
        np.testing.assert_allclose(g[k], w[k], atol=atol, rtol=0, err_msg=str(k))


def decode_base(spec_json_obj: dict) -> dict:
    """A base spec as sent (typed arrays) with its arrays decoded, for comparison."""
    return go.Figure(spec_json_obj).to_plotly_json()


@pytest.fixture
def run():
    ds = load("circle", n_samples=120, test_fraction=0.5, seed=0)
    net = Network([2, 4, 4, 2], "tanh", "softmax", "log_likelihood", seed=0)
    return net, ds


def graph_and_boundary(net, ds) -> dict:
    tr = net.trace(ds.X_train[:, :8], ds.Y_train[:, :8])
    g = viz.with_neuron_maps(viz.network_graph_spec(tr), tr, viz.plane_activations(net, ds, 16))
    return {"graph": g, "output": viz.decision_boundary_spec(net, ds, grid=30)}


def train(net, ds, steps=3):
    for _ in range(steps):
        net.update_mini_batch(ds.X_train[:, :10], ds.Y_train[:, :10], 0.5)


def test_exact_chunks_rebuild_every_frame_exactly(run):
    net, ds = run
    specs = []
    for _ in range(4):
        train(net, ds)
        specs.append(graph_and_boundary(net, ds))
    enc = FrameEncoder()
    chunk = enc.encode([{"step": i} for i in range(4)], specs, exact=True, seq=1)
    header, _ = unpack(chunk)
    assert (
        header["full"]
        and header["seq"] == 1
        and [f["step"] for f in header["frames"]]
        == [
            0,
            1,
            2,
            3,
        ]
    )
    seen = apply(chunk, {})
    for got, want in zip(seen, specs):
        for name in want:
            same_numbers(got[name], want[name])
    # the bases went once; later frames carry only numbers
    assert all(
        u[0] != "base" for f in header["frames"][1:] for ups in f["views"].values() for u in ups
    )


def test_a_delta_sends_only_what_changed_and_less_than_a_base(run):
    net, ds = run
    enc = FrameEncoder()
    first = enc.encode([{}], [graph_and_boundary(net, ds)], exact=True, seq=1)
    enc.commit()
    same = enc.encode([{}], [graph_and_boundary(net, ds)], exact=True, seq=2)
    header, binary = unpack(same)
    assert not header["full"] and header["frames"][0]["views"] == {"graph": [], "output": []}
    assert len(binary) == 0
    train(net, ds)
    changed = enc.encode([{}], [graph_and_boundary(net, ds)], exact=True, seq=3)
    assert 0 < len(changed) < len(first) / 2


def test_playing_quantises_big_grids_within_half_a_step(run):
    net, ds = run
    enc, have = FrameEncoder(), {}
    apply(enc.encode([{}], [graph_and_boundary(net, ds)], exact=True, seq=1), have)
    enc.commit()
    train(net, ds, 20)
    want = graph_and_boundary(net, ds)
    chunk = enc.encode([{}], [want], exact=False, seq=2)
    header, _ = unpack(chunk)
    kinds = {
        header["paths"][pid][0][-1]: ref[2]
        for pid, ref in header["frames"][0]["views"]["output"]
        if isinstance(ref, list)
    }
    assert kinds.get("z") == 1  # the 30x30 boundary went as one byte a cell
    got = apply(chunk, have)[0]
    z_got = np.asarray(got["output"]["data"][0]["z"])
    z_want = want["output"]["data"][0]["z"]
    step = (z_want.max() - z_want.min()) / 254
    assert np.max(np.abs(z_got - z_want)) <= step / 2 + 1e-6
    assert np.max(np.abs(z_got - z_want)) > 0  # it really was quantised


def test_a_growing_curve_sends_its_new_tail():
    def spec(n):
        return {"data": [{"type": "scatter", "x": np.arange(n, dtype=np.float32)}], "layout": {}}

    enc = FrameEncoder()
    enc.encode([{}], [{"cost": spec(50)}], exact=True, seq=1)
    enc.commit()
    chunk = enc.encode([{}], [{"cost": spec(53)}], exact=True, seq=2)
    header, binary = unpack(chunk)
    ((pid, ref),) = header["frames"][0]["views"]["cost"]
    assert ref[3] == 1 and ref[1] == 3 and len(binary) == 16  # 3 floats, padded to 8
    have = {"cost": {"data": [{"type": "scatter", "x": np.arange(50, dtype=np.float32)}]}}
    np.testing.assert_array_equal(apply(chunk, have)[0]["cost"]["data"][0]["x"], np.arange(53))


def test_a_curve_whose_last_point_moved_sends_the_tail_from_there():
    """A curve thinned steadily keeps its head and moves its last point: the browser keeps
    the head (ref[4] values) and gets the rest, and ends with the server's array."""
    x1 = np.arange(100, dtype=np.float32)
    x2 = np.r_[x1[:99], np.float32(99.5), np.arange(100, 110, dtype=np.float32)]

    def spec(x):
        return {"data": [{"type": "scatter", "x": x}], "layout": {}}

    enc = FrameEncoder()
    enc.encode([{}], [{"cost": spec(x1)}], exact=True, seq=1)
    enc.commit()
    chunk = enc.encode([{}], [{"cost": spec(x2)}], exact=True, seq=2)
    header, binary = unpack(chunk)
    ((pid, ref),) = header["frames"][0]["views"]["cost"]
    assert ref[3] == 1 and ref[4] == 99 and ref[1] == 11  # keep 99, then 11 new values
    have = {"cost": spec(x1.copy())}
    np.testing.assert_array_equal(apply(chunk, have)[0]["cost"]["data"][0]["x"], x2)
    enc.commit()  # a curve that changed near its start is sent whole
    x3 = x2.copy()
    x3[3] = -1
    header, _ = unpack(enc.encode([{}], [{"cost": spec(x3)}], exact=True, seq=3))
    ((pid, ref),) = header["frames"][0]["views"]["cost"]
    assert ref[3] == 0 and ref[1] == x3.size


def test_a_new_skeleton_sends_a_new_base_and_reset_sends_everything(run):
    net, ds = run
    enc = FrameEncoder()
    enc.encode([{}], [graph_and_boundary(net, ds)], exact=True, seq=1)
    enc.commit()
    tr = net.trace(ds.X_train[:, :8], ds.Y_train[:, :8])
    backward = {"graph": viz.network_graph_spec(tr, 0, "backward")}
    header, _ = unpack(enc.encode([{}], [backward], exact=True, seq=2))
    assert header["frames"][0]["views"]["graph"][0][0] == "base"
    assert len(header["bases"]) == 1
    enc.reset()
    header, _ = unpack(enc.encode([{}], [backward], exact=True, seq=3))
    assert header["full"]


def test_the_wire_format_is_aligned_and_refuses_other_bytes():
    enc = FrameEncoder()
    spec = {"data": [{"type": "heatmap", "z": np.ones((3, 3), np.float32)}], "layout": {}}
    chunk = enc.encode([{}], [{"v": spec}], exact=True, seq=1, header={"playing": False})
    assert chunk[:4] == frames.MAGIC
    header, binary = unpack(chunk)
    assert header["playing"] is False
    assert (len(chunk) - len(binary)) % 8 == 0
    with pytest.raises(ValueError, match="not a frame chunk"):
        unpack(b"XXXX" + chunk[4:])


def test_neuron_maps_sit_in_the_graphs_hidden_nodes(run):
    net, ds = run
    tr = net.trace(ds.X_train[:, :8], ds.Y_train[:, :8])
    maps = viz.plane_activations(net, ds, 12)
    assert [m.shape for m in maps] == [(2, 12, 12), (4, 12, 12), (4, 12, 12), (2, 12, 12)]
    plain = viz.network_graph_spec(tr)
    spec = viz.with_neuron_maps(plain, tr, maps)
    go.Figure(spec)  # valid Plotly
    heat = [t for t in spec["data"] if t["type"] == "heatmap"]
    assert len(heat) == 8  # one per hidden neuron
    np.testing.assert_allclose(heat[0]["z"], maps[1][0], rtol=1e-6)
    # each map is centred on its layer's x, and the node markers still come last
    assert {round(t["x0"] + t["dx"] * 5.5, 6) for t in heat} == {1.0, 2.0}
    assert spec["data"][-1]["name"] == plain["data"][-1]["name"]
    # 1-D data, or no hidden layer: no maps
    sine = load("sine", n_samples=20, seed=0)
    assert viz.plane_activations(Network([1, 3, 1], seed=0), sine) is None
    assert viz.with_neuron_maps(plain, tr, None) is plain


def test_a_long_live_cost_curve_is_extended_not_sent_again():
    """Past ``MAX_POINTS`` the cost curve is thinned steadily: every 2^k-th step and the
    last, so from one frame to the next only its tail changes (a frame sends a few values,
    not the whole curve), and each drawn point is the history's own (step, cost)."""
    from backprop.viz.curves import MAX_POINTS

    n = 3 * MAX_POINTS + 17
    steps = np.arange(1, n + 1, dtype=np.float64)
    cost = 1.0 / steps
    enc, sizes = FrameEncoder(), []
    for rows in (n - 2, n - 1, n):
        cols = {"step": steps[:rows], "batch_cost": cost[:rows]}
        spec = viz.cost_curves_spec(cols)
        x, y = spec["data"][0]["x"], spec["data"][0]["y"]
        assert len(x) <= MAX_POINTS and x[-1] == rows  # the last step is always drawn
        np.testing.assert_array_equal(x[:-1], np.arange(1, rows, 4, dtype=np.float32))
        np.testing.assert_allclose(y, 1.0 / x, rtol=1e-6)
        sizes.append(len(enc.encode([{}], [{"cost": spec}], exact=True, seq=rows)))
        enc.commit()
    assert sizes[1] < 1000 and sizes[2] < 1000 < sizes[0]  # the tail only, after the first
