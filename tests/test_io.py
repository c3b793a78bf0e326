"""Saving and loading networks: exact round trips, and clear errors for bad files."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import many_lists, nested, npy_bytes, npy_header, npz_of, peak_bytes, with_members
from hypothesis import given
from hypothesis import strategies as st

from backprop import Limits, Network, Trainer
from backprop.io import (
    FORMAT,
    NetworkFileError,
    from_json,
    from_npz,
    load,
    read_network,
    save,
    to_json,
    to_npz,
)

ARCHS = [
    dict(sizes=[2, 3, 1], seed=0),
    dict(
        sizes=[3, 5, 4, 2],
        activation="tanh",
        output_activation="softmax",
        cost="log_likelihood",
        init="xavier",
        seed=7,
    ),
    dict(
        sizes=[4, 6, 3],
        activation="relu",
        output_activation="sigmoid",
        cost="cross_entropy",
        init="he",
        seed=None,
    ),
    dict(sizes=[1, 1], activation="linear", init="scaled", seed=2**32 - 1),  # the largest
    dict(
        sizes=[2, 8, 8, 3],
        activation="leaky_relu",
        output_activation="softmax",
        cost="cross_entropy",
        seed=12345,
    ),
]
SPECIAL = [-0.0, 5e-324, -5e-324, 1e-300, 1.7976931348623157e308, 0.1, 1 / 3]
META = {"trainer": {"eta": 0.5, "batch_size": 4, "optimizer": "adam"}, "steps": 17, "note": "é"}


def make(**kw) -> Network:
    """A network whose parameters include awkward floats (-0.0, subnormals, huge)."""
    net = Network(**kw)
    flat = net.weights[0].reshape(-1)
    k = min(len(flat), len(SPECIAL))
    flat[:k] = SPECIAL[:k]
    net.biases[-1][0, 0] = -0.0
    net.rng.random(3)  # move the generator away from its post-init state
    return net


def bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64).tobytes()


def assert_same(a: Network, b: Network) -> None:
    assert b.config() == a.config()
    assert len(b.weights) == len(a.weights) and len(b.biases) == len(a.biases)
    for wa, wb, ba, bb in zip(a.weights, b.weights, a.biases, b.biases):
        assert wb.dtype == np.float64 and bb.dtype == np.float64
        assert np.array_equal(wa, wb) and np.array_equal(ba, bb)
        assert bits(wa) == bits(wb) and bits(ba) == bits(bb)  # -0.0 is not 0.0 here
    X = np.linspace(-1, 1, a.sizes[0] * 5).reshape(a.sizes[0], 5)
    with np.errstate(all="ignore"):
        assert np.array_equal(a.feedforward(X), b.feedforward(X), equal_nan=True)
    assert np.array_equal(a.copy().rng.random(8), b.copy().rng.random(8))


def corrupt_npz(net: Network, **replace) -> bytes:
    """``to_npz(net)`` with some entries replaced (``None`` removes it); pickles allowed."""
    with np.load(io.BytesIO(to_npz(net))) as npz:
        arrays = {k: npz[k] for k in npz.files}
    for k, v in replace.items():
        if v is None:
            arrays.pop(k)
        else:
            arrays[k] = v
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=True, **arrays)
    return buf.getvalue()


def corrupt_json(net: Network, **replace) -> str:
    doc = json.loads(to_json(net))
    for k, v in replace.items():
        if v is None:
            doc.pop(k)
        else:
            doc[k] = v
    return json.dumps(doc, default=lambda a: a.tolist())


def both(net: Network, **replace) -> list[bytes | str]:
    """The same damage done to each format (keys as in JSON; weights per layer)."""
    npz_rep = {}
    for k, v in replace.items():
        if v is None:
            npz_rep[k] = None
        elif k in ("weights", "biases"):
            npz_rep.update({f"{k}_{l}": np.asarray(a) for l, a in enumerate(v)})
        elif k in ("format", "version"):
            npz_rep[k] = np.array(v)
        else:
            npz_rep[k] = np.array(json.dumps(v))
    return [corrupt_json(net, **replace), corrupt_npz(net, **npz_rep)]


# ------------------------------------------------------------------- round trips
@pytest.mark.parametrize("kw", ARCHS, ids=lambda kw: "-".join(map(str, kw["sizes"])))
def test_round_trip_both_formats(kw):
    net = make(**kw)
    text, blob = to_json(net, META), to_npz(net, META)
    assert isinstance(text, str) and isinstance(blob, bytes) and blob[:2] == b"PK"
    assert json.loads(text)["format"] == FORMAT and json.loads(text)["version"] == 1
    for loaded in (
        from_json(text),
        from_json(text.encode()),
        from_json(io.StringIO(text)),
        from_json(io.BytesIO(text.encode())),
        from_npz(blob),
        from_npz(io.BytesIO(blob)),
    ):
        assert_same(net, loaded)
    for data in (text, blob, io.BytesIO(blob)):
        loaded, meta = read_network(data)
        assert_same(net, loaded)
        assert meta == META


def test_loaded_network_is_independent():
    net = make(sizes=[2, 3, 1], seed=1)
    loaded = from_npz(to_npz(net))
    loaded.weights[0][0, 0] += 1.0
    assert loaded.weights[0][0, 0] != net.weights[0][0, 0]
    assert loaded.weights[0].flags.writeable and loaded.weights[0].flags.c_contiguous


def test_save_and_load_paths(tmp_path: Path):
    net = make(**ARCHS[1])
    for name in ("net.json", "net.npz", "NET.NPZ"):
        path = tmp_path / name
        save(net, path, meta={"steps": 3})
        assert_same(net, load(path))
        assert_same(net, load(str(path)))
        loaded, meta = read_network(path)
        assert_same(net, loaded)
        assert meta == {"steps": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["NET.NPZ", "net.json", "net.npz"]
    assert json.loads((tmp_path / "net.json").read_text("utf-8"))["config"] == net.config()


def test_meta_defaults_to_empty_and_accepts_numpy_scalars():
    net = Network([2, 2], seed=0)
    assert read_network(to_json(net))[1] == {}
    assert read_network(to_npz(net))[1] == {}
    meta = {"steps": np.int64(5), "cost": np.float64(0.25), "v": np.arange(3)}
    for data in (to_json(net, meta), to_npz(net, meta)):
        assert read_network(data)[1] == {"steps": 5, "cost": 0.25, "v": [0, 1, 2]}


def test_bad_meta_or_params_refused_on_save():
    net = Network([2, 2], seed=0)
    with pytest.raises(ValueError, match="meta must be a dict"):
        to_json(net, meta=[1, 2])
    with pytest.raises(ValueError, match="meta cannot be written as JSON"):
        to_npz(net, meta={"f": object()})
    net.weights[0][0, 0] = np.nan
    for writer in (to_json, to_npz):
        with pytest.raises(ValueError, match=r"weights\[0\] contains NaN"):
            writer(net)


def test_rng_state_resumes_training_identically():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2, 40))
    Y = (X.sum(axis=0, keepdims=True) > 0).astype(float)
    net = Network([2, 4, 1], seed=5)
    Trainer(net, X, Y, eta=1.0, batch_size=7).train(2)
    for data in (to_json(net), to_npz(net)):
        a, b = net.copy(), read_network(data)[0]
        Trainer(a, X, Y, eta=1.0, batch_size=7).train(2)
        Trainer(b, X, Y, eta=1.0, batch_size=7).train(2)
        assert_same(a, b)
    fresh = Network([2, 4, 1], seed=5)  # without the state, the shuffles would differ
    assert not np.array_equal(fresh.rng.permutation(40), net.copy().rng.permutation(40))


def test_missing_or_invalid_rng_state_falls_back_to_seed():
    net = make(sizes=[2, 3, 1], seed=4)
    seeded = Network([2, 3, 1], seed=4)  # its generator as right after initialisation
    bad_states = [None, {"bit_generator": "MT19937"}, {"bit_generator": "PCG64", "state": 1.5}]
    for state in bad_states:
        for data in both(net, rng_state=state):
            loaded = read_network(data)[0]
            assert np.array_equal(loaded.weights[0], net.weights[0])
            assert np.array_equal(loaded.copy().rng.random(4), seeded.copy().rng.random(4))


# --------------------------------------------------------------- damaged files
def test_truncated_files():
    net = make(**ARCHS[1])
    text, blob = to_json(net), to_npz(net)
    for data in (text[: len(text) // 2], text.encode()[: len(text) // 2]):
        with pytest.raises(NetworkFileError, match="not valid JSON"):
            from_json(data)
    for data in (blob[: len(blob) // 2], blob[:-10], blob[:100]):
        with pytest.raises(NetworkFileError):
            from_npz(data)
        with pytest.raises(NetworkFileError):
            read_network(data)
    with pytest.raises(NetworkFileError, match="empty"):
        read_network(b"")


def test_random_and_wrong_kind_of_bytes():
    noise = np.random.default_rng(0).bytes(4096)
    for reader in (from_json, from_npz, read_network):
        with pytest.raises(NetworkFileError):
            reader(noise)
        with pytest.raises(NetworkFileError):
            reader(b"PK" + noise)
    with pytest.raises(NetworkFileError, match="not UTF-8"):
        from_json(b'{"format": "\xff\xfe"}')
    with pytest.raises(NetworkFileError, match="npz"):
        from_json(to_npz(Network([2, 2])))
    with pytest.raises(NetworkFileError, match="zip"):
        from_npz(to_json(Network([2, 2])).encode())
    with pytest.raises(NetworkFileError, match="pathlib.Path"):
        from_json("net.json")  # a str is JSON text, not a file name
    for doc in ("[1, 2]", "3", "null", '"x"'):
        with pytest.raises(NetworkFileError, match="JSON object"):
            from_json(doc)
    buf = io.BytesIO()
    np.save(buf, np.zeros(3))  # a bare .npy, not an archive
    with pytest.raises(NetworkFileError):
        read_network(buf.getvalue())


@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_raise_network_file_error(data):
    for reader in (read_network, from_json, from_npz):
        with contextlib.suppress(NetworkFileError):
            reader(data)


@given(st.data())
def test_damaged_archives_load_or_raise_network_file_error(data):
    net = Network([3, 4, 2], seed=1)
    for good in (to_npz(net), to_json(net).encode()):
        i = data.draw(st.integers(0, len(good) - 1))
        flipped = good[:i] + bytes([good[i] ^ data.draw(st.integers(1, 255))]) + good[i + 1 :]
        for bad in (flipped, good[:i]):
            with contextlib.suppress(NetworkFileError):
                read_network(bad)


def test_pickled_object_array_is_never_unpickled(tmp_path: Path):
    class Payload:
        def __init__(self, marker: Path) -> None:
            self.marker = marker

        def __reduce__(self):
            return (open, (str(self.marker), "w"))  # unpickling creates the marker file

    def object_array(marker: Path) -> np.ndarray:
        arr = np.empty((3, 2), dtype=object)
        arr[...] = Payload(marker)
        return arr

    # the payload is live: numpy with allow_pickle=True would run it
    probe = tmp_path / "probe"
    live = corrupt_npz(Network([2, 3, 1]), weights_0=object_array(probe))
    with np.load(io.BytesIO(live), allow_pickle=True) as npz:
        for handle in npz["weights_0"].flat:  # the files that unpickling opened
            handle.close()
    assert probe.exists()

    marker = tmp_path / "pwned"
    net = Network([2, 3, 1])
    for key in ("weights_0", "biases_1", "config", "meta", "rng_state", "format", "version"):
        data = corrupt_npz(net, **{key: object_array(marker)})
        for reader in (from_npz, read_network):
            with pytest.raises(NetworkFileError):
                reader(data)
        path = tmp_path / "evil.npz"
        path.write_bytes(data)
        with pytest.raises(NetworkFileError, match="pickle|objects|damaged"):
            load(path)
        assert not marker.exists(), key


def test_wrong_shapes():
    net = Network([2, 4, 1], seed=0)
    w_bad = [net.weights[0], np.zeros((3, 4))]
    for data in both(net, weights=w_bad):
        with pytest.raises(
            NetworkFileError,
            match=r"weights\[1\] has shape \(3, 4\) but sizes \[2, 4, 1\] need \(1, 4\)",
        ):
            read_network(data)
    b_bad = [net.biases[0].ravel(), net.biases[1]]
    for data in both(net, biases=b_bad):
        with pytest.raises(
            NetworkFileError, match=r"biases\[0\] has shape \(4,\) but .* need \(4, 1\)"
        ):
            read_network(data)
    ragged = corrupt_json(net, weights=[[[1.0, 2.0], [3.0]], net.weights[1].tolist()])
    with pytest.raises(NetworkFileError, match=r"weights\[0\] is not a rectangular array"):
        from_json(ragged)
    strings = corrupt_json(net, weights=[[["1", "2"]] * 4, net.weights[1].tolist()])
    with pytest.raises(NetworkFileError, match=r"weights\[0\]"):
        from_json(strings)
    npz = corrupt_npz(net, weights_0=np.ones((4, 2), dtype=complex))
    with pytest.raises(NetworkFileError, match=r"weights\[0\] must hold real numbers"):
        from_npz(npz)


def test_wrong_number_of_layers():
    net = Network([2, 4, 1], seed=0)
    extra = [*net.weights, np.zeros((1, 1))]
    for data in both(net, weights=extra):
        with pytest.raises(
            NetworkFileError, match=r"sizes \[2, 4, 1\] need 2 weights arrays.* got 3"
        ):
            read_network(data)
    short = corrupt_json(net, biases=[net.biases[0].tolist()])
    with pytest.raises(NetworkFileError, match="need 2 biases arrays .* got 1"):
        from_json(short)
    gap = corrupt_npz(net, weights_1=None, weights_2=np.zeros((1, 4)))
    with pytest.raises(NetworkFileError, match="no 'weights_1' entry"):
        from_npz(gap)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values(bad):
    net = Network([2, 4, 1], seed=0)
    b = [x.copy() for x in net.biases]
    b[1][0, 0] = bad
    for data in both(net, biases=b):
        with pytest.raises(NetworkFileError, match=r"biases\[1\] contains NaN or infinite"):
            read_network(data)
    w = [x.copy() for x in net.weights]
    w[0][1, 1] = 12345.5
    doc = corrupt_json(net, weights=w).replace("12345.5", "-1e999")  # parses as -inf
    with pytest.raises(NetworkFileError, match=r"weights\[0\] contains NaN or infinite"):
        from_json(doc)


def test_invalid_config_uses_engine_checks():
    net = Network([2, 4, 1], seed=0)
    for data in both(net, config={**net.config(), "activation": "swish"}):
        with pytest.raises(
            NetworkFileError, match="unknown activation 'swish'; valid choices:.*relu"
        ):
            read_network(data)
    for data in both(net, config={**net.config(), "cost": "hinge"}):
        with pytest.raises(NetworkFileError, match="valid choices: quadratic"):
            read_network(data)
    cfg = {**net.config(), "sizes": [2, 300, 1]}
    for data in both(net, config=cfg):
        with pytest.raises(NetworkFileError, match="over the limit|must be <= 256"):
            read_network(data)
    for cfg in ({"sizes": [2, 4, 1]}, [1, 2], {**net.config(), "sizes": "2,4,1"}):
        for data in both(net, config=cfg):
            with pytest.raises(NetworkFileError, match="config"):
                read_network(data)
    # the engine's limits apply: a smaller cap refuses the same file
    with pytest.raises(NetworkFileError, match="must be <= 3"):
        read_network(to_json(net), limits=Limits(max_neurons=3))


def test_format_tag_and_version():
    net = Network([2, 2], seed=0)
    for data in both(net, format="some-other-format"):
        with pytest.raises(NetworkFileError, match="format tag 'some-other-format'"):
            read_network(data)
    for data in both(net, version=2):
        with pytest.raises(NetworkFileError, match="version 2, newer than this program"):
            read_network(data)
    for data in both(net, version=0):
        with pytest.raises(NetworkFileError, match="unknown format version 0"):
            read_network(data)
    with pytest.raises(NetworkFileError, match="whole number"):
        from_json(corrupt_json(net, version="1"))
    for data in both(net, format=None):
        with pytest.raises(NetworkFileError, match="no format tag"):
            read_network(data)
    for data in both(net, version=None):
        with pytest.raises(NetworkFileError, match="no format version"):
            read_network(data)
    for data in both(net, meta=[1]):
        with pytest.raises(NetworkFileError, match="meta must be a JSON object"):
            read_network(data)


def test_missing_keys():
    net = Network([2, 2], seed=0)
    for key in ("config", "weights", "biases"):
        with pytest.raises(NetworkFileError, match=f"no '{key}' entry"):
            from_json(corrupt_json(net, **{key: None}))
    with pytest.raises(NetworkFileError, match="no 'config' entry"):
        from_npz(corrupt_npz(net, config=None))
    with pytest.raises(NetworkFileError, match="need 1 biases arrays"):
        from_npz(corrupt_npz(net, biases_0=None))


class CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.sizes.append(size)
        return super().read(size)


def test_oversize_input_refused(tmp_path: Path):
    small = Limits(max_upload_mb=1)
    cap = 2**20
    big = b" " * (cap + 1)
    for reader in (from_json, from_npz, read_network):
        with pytest.raises(NetworkFileError, match="upload limit of 1 MB"):
            reader(big, limits=small)
    stream = CountingReader(b"{" + b" " * (5 * cap))
    with pytest.raises(NetworkFileError, match="upload limit"):
        read_network(stream, limits=small)
    assert stream.sizes == [cap + 1] and stream.tell() == cap + 1  # never read it all
    path = tmp_path / "big.json"
    path.write_bytes(big)
    with pytest.raises(NetworkFileError, match="upload limit"):
        load(path, limits=small)
    # exactly at the cap is still read (and then found to be no network)
    with pytest.raises(NetworkFileError, match="not valid JSON"):
        from_json(b" " * cap, limits=small)


def test_npz_that_unpacks_beyond_the_limit_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("padding.npy", b"\0" * (3 * 2**20))  # compresses to a few KB
    assert len(buf.getvalue()) < 2**20
    with pytest.raises(NetworkFileError, match="unpacks to"):
        from_npz(buf.getvalue(), limits=Limits(max_upload_mb=1))


def test_unknown_suffix(tmp_path: Path):
    net = Network([2, 2])
    for name in ("net.pkl", "net"):
        with pytest.raises(ValueError, match=r"valid choices: \.json, \.npz"):
            save(net, tmp_path / name)
        with pytest.raises(ValueError, match=r"valid choices: \.json, \.npz"):
            load(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_wrong_argument_types():
    with pytest.raises(TypeError, match="Network"):
        to_json({"sizes": [2, 2]})
    with pytest.raises(TypeError, match="expected JSON text"):
        read_network(12)


# ------------------------------------------- hostile files: cost bounded by the limits
MB = 2**20


@pytest.mark.parametrize("index", [10_000_000, 10**40], ids=["1e7", "1e40"])
def test_a_huge_layer_index_is_a_gap_found_at_no_cost(index):
    """A 3 KB archive with a member ``weights_10000000`` once built a range up to it."""
    bad = with_members(to_npz(make(**ARCHS[1])), {f"weights_{index}.npy": np.zeros((1, 1))})
    assert len(bad) < 8_000
    raised, peak = peak_bytes(lambda: read_network(bad))
    assert peak < 5 * MB, f"refusing it allocated {peak / MB:.0f} MB"
    assert isinstance(raised, NetworkFileError), raised
    assert "no 'weights_3' entry" in str(raised) and f"weights_{index}" in str(raised)


def test_more_members_than_a_network_has_are_refused_unread():
    bad = with_members(to_npz(make(**ARCHS[0])), {f"extra_{i}.npy": b"" for i in range(100)})
    with pytest.raises(NetworkFileError, match=r"has 1\d\d members .* at most 23"):
        read_network(bad)


@pytest.mark.parametrize(
    ("member", "match"),
    [
        (npy_header((10**6, 10**6), "<f8"), "truncated"),  # 8 TB promised, 64 bytes held
        (npy_header((2,), "|O"), "pickled"),
        (npy_header((2,), "<M8[s]"), "only numbers and text"),
        (npy_header((2,), "|V8"), "only numbers and text"),
    ],
    ids=["8TB-header", "object", "datetime", "void"],
)
def test_npy_headers_are_checked_before_anything_is_allocated(member, match):
    bad = corrupt_npz(make(**ARCHS[0]), weights_0=None)
    bad = with_members(bad, {"weights_0.npy": member})
    raised, peak = peak_bytes(lambda: read_network(bad))
    assert isinstance(raised, NetworkFileError) and match in str(raised), raised
    assert peak < 5 * MB


@pytest.mark.parametrize(
    ("junk", "match"),
    [(many_lists(50_000), "JSON lists and objects"), ("[" + "0," * 2_000_000 + "0]", "values")],
    ids=["50k-lists", "2M-values"],
)
def test_json_larger_than_any_network_is_refused_before_parsing(junk, match):
    """A 28 MB JSON of 7.3 M one-element lists held the server for 9 s and +956 MB."""
    text = to_json(make(**ARCHS[0]))[:-1] + ', "junk": ' + junk + "}"
    raised, peak = peak_bytes(lambda: read_network(text))
    assert peak < 2 * MB, f"reading {len(text) / MB:.1f} MB of text allocated {peak / MB:.0f} MB"
    assert isinstance(raised, NetworkFileError) and match in str(raised), raised


def test_the_largest_network_the_limits_allow_still_loads():
    lim = Limits()
    sizes = [lim.max_inputs] + [lim.max_neurons] * lim.max_layers + [lim.max_outputs]
    net = Network(sizes, seed=1)
    for data in (to_json(net), to_npz(net)):
        assert_same(net, read_network(data, limits=lim)[0])


@pytest.mark.parametrize("fmt", ["json", "npz"])
def test_a_deeply_nested_rng_state_is_refused_with_a_message(fmt):
    """600 levels raised RecursionError, shown on the page as an exception."""
    state = json.dumps({"bit_generator": "PCG64", "state": "@"}).replace('"@"', nested(600))
    net = make(**ARCHS[0])
    if fmt == "json":
        data: bytes | str = corrupt_json(net, rng_state="@").replace('"@"', state)
    else:
        data = corrupt_npz(net, rng_state=np.array(state))
    with pytest.raises(NetworkFileError, match="nested more than 32 levels deep"):
        read_network(data)
    meta = {"a": {"b": {"c": {"d": [[[[1]]]]}}}}  # ordinary nesting still loads
    assert read_network(to_json(net, meta))[1] == meta


def test_a_member_inflating_past_its_declared_size_costs_only_the_declared_size():
    """A zip bomb whose directory understates a member: only the declared bytes inflate."""
    net = make(**ARCHS[0])
    member = npy_bytes(net.biases[0]) + bytes(20 * MB)  # 20 MB of zeros past the array
    bomb = npz_of({"biases_0.npy": member})
    declared = struct.pack("<L", len(member) - 20 * MB)
    for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local and central headers
        i = bomb.index(sig)
        bomb = bomb[: i + at] + declared + bomb[i + at + 4 :]
    arrays = {f"{k}.npy": v for k, v in _npz_arrays(net).items() if k != "biases_0"}
    bad = with_members(bomb, arrays)
    raised, peak = peak_bytes(lambda: read_network(bad))
    assert peak < 5 * MB, f"reading it allocated {peak / MB:.0f} MB"
    assert isinstance(raised, NetworkFileError) and "damaged" in str(raised), raised  # CRC


def _npz_arrays(net: Network) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(to_npz(net)), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def test_a_zip64_directory_is_refused_before_it_is_read(monkeypatch):
    """zip64 records can declare a directory far larger than the checked 32-bit one."""
    buf = io.BytesIO()
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 0)  # makes zipfile write zip64
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("format.npy", npy_bytes(np.array(FORMAT)))
    monkeypatch.undo()
    with pytest.raises(NetworkFileError, match="zip64"):
        read_network(buf.getvalue())


def test_brackets_inside_strings_do_not_count_as_nesting():
    net = make(**ARCHS[0])
    meta = {"note": "[" * 100 + '\\"{' * 50, "quote": 'say "[[[["', "deep": [[[["]]]]"]]]]}
    assert read_network(to_json(net, meta))[1] == meta
    assert read_network(to_npz(net, meta))[1] == meta


def test_the_json_budget_counts_rows_too():
    """Raised limits: 20,000 one-weight rows are 20,000 more lists than parameters."""
    lim = Limits(max_neurons=20_000, max_parameters=230_000)
    net = Network([1, 20_000, 9, 1], seed=0, limits=lim)
    assert_same(net, read_network(to_json(net), limits=lim)[0])
