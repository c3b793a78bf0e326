"""Tests for backprop.datasets: synthetic data, tables, MNIST parsing and CSV upload."""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import npy_header, peak_bytes, with_members
from hypothesis import given
from hypothesis import strategies as st

from backprop import datasets
from backprop.datasets import (
    CLASSIFICATION_2D,
    DATASETS,
    FEATURES,
    MNIST_FILES,
    REGRESSION,
    TABLES,
    Dataset,
    load,
    load_csv,
    load_mnist,
    mnist_folder,
    read_table,
)
from backprop.limits import Limits

ROOT = Path(__file__).resolve().parents[1]

ALL = tuple(DATASETS)
SYNTHETIC = CLASSIFICATION_2D + REGRESSION


def arrays_of(ds: Dataset) -> list[np.ndarray]:
    out = [ds.X_train, ds.Y_train, ds.X_test, ds.Y_test]
    return out + [a for a in (ds.raw_train, ds.raw_test, ds.X_val, ds.Y_val) if a is not None]


def labels(Y: np.ndarray) -> np.ndarray:
    return Y.argmax(axis=0)


# ============================================================================ registry
def test_registry_covers_every_name():
    assert FEATURES == ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")
    assert set(DATASETS) == set(CLASSIFICATION_2D) | set(REGRESSION) | set(TABLES)
    assert len(DATASETS) == len(CLASSIFICATION_2D) + len(REGRESSION) + len(TABLES)
    for name in CLASSIFICATION_2D + TABLES:
        assert DATASETS[name].task == "classification"
    for name in REGRESSION:
        assert DATASETS[name].task == "regression"
    # only the generated sets have a size to choose; a table's rows are fixed
    assert [n for n in ALL if DATASETS[n].generated] == list(SYNTHETIC)


# ============================================================== shapes and conventions
@pytest.mark.parametrize("name", ALL)
def test_shapes_follow_the_column_convention(name):
    ds = load(name, n_samples=60, test_fraction=0.25, seed=3)
    assert ds.name == name
    assert ds.task == DATASETS[name].task
    for X, Y in ((ds.X_train, ds.Y_train), (ds.X_test, ds.Y_test)):
        assert X.dtype == np.float64 and Y.dtype == np.float64
        assert X.ndim == 2 and Y.ndim == 2
        assert X.shape[1] == Y.shape[1]
        assert X.shape[0] == ds.n_in == len(ds.feature_names)
        assert Y.shape[0] == ds.n_out
        assert np.all(np.isfinite(X)) and np.all(np.isfinite(Y))
    assert ds.n_train == ds.X_train.shape[1] and ds.n_test == ds.X_test.shape[1]
    assert ds.n_train + ds.n_test == 60
    assert abs(ds.n_test - 15) <= 2  # stratified rounding may move a sample per class
    if ds.task == "classification":
        assert ds.n_out == len(ds.class_names) >= 2
    else:
        assert ds.n_out == 1 and ds.class_names == ()


@pytest.mark.parametrize("name", ALL)
def test_targets_are_one_hot_or_unit_interval(name):
    ds = load(name, n_samples=80, noise=0.3, seed=1)
    for Y in (ds.Y_train, ds.Y_test):
        if ds.task == "classification":
            assert set(np.unique(Y)) <= {0.0, 1.0}
            np.testing.assert_array_equal(Y.sum(axis=0), np.ones(Y.shape[1]))
        else:
            assert Y.min() >= 0.0 and Y.max() <= 1.0


@pytest.mark.parametrize("name", ALL)
def test_same_seed_is_bit_identical_and_other_seed_differs(name):
    a = load(name, n_samples=50, noise=0.2, seed=7)
    b = load(name, n_samples=50, noise=0.2, seed=7)
    c = load(name, n_samples=50, noise=0.2, seed=8)
    for x, y in zip(arrays_of(a), arrays_of(b)):
        assert x.tobytes() == y.tobytes()
    assert any(
        x.shape != z.shape or not np.array_equal(x, z) for x, z in zip(arrays_of(a), arrays_of(c))
    )


def test_global_numpy_rng_is_untouched():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    for name in SYNTHETIC:
        load(name, n_samples=30, noise=0.5, seed=2)
    load("iris", n_samples=30, seed=2)
    after = np.random.get_state()
    np.testing.assert_array_equal(before, after[1])
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    load("spiral", n_samples=30, seed=5)
    np.testing.assert_array_equal(np.random.random(3), expected)


def test_default_sizes():
    assert load("circle").n_train + load("circle").n_test == 500
    iris = load("iris")
    assert iris.n_train + iris.n_test == 150  # tables default to all rows
    capped = load("iris", n_samples=40)
    assert capped.n_train + capped.n_test == 40
    everything = load("wine", n_samples=10_000)  # more than the table has: all rows
    assert everything.n_train + everything.n_test == 178


# ===================================================================== stratification
def test_split_is_stratified_for_tables():
    ds = load("iris", test_fraction=0.2, seed=4)
    np.testing.assert_array_equal(ds.Y_train.sum(axis=1), [40, 40, 40])
    np.testing.assert_array_equal(ds.Y_test.sum(axis=1), [10, 10, 10])


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral", "moons"])
def test_split_is_stratified_for_balanced_2d(name):
    ds = load(name, n_samples=200, test_fraction=0.3, seed=9)
    np.testing.assert_array_equal(ds.Y_train.sum(axis=1), [70, 70])
    np.testing.assert_array_equal(ds.Y_test.sum(axis=1), [30, 30])


@given(
    n=st.integers(10, 300),
    fraction=st.floats(0.01, 0.99),
    seed=st.integers(0, 2**32 - 1),
    name=st.sampled_from(["xor", "circle", "plane", "sine"]),
)
def test_split_partitions_all_samples(n, fraction, seed, name):
    ds = load(name, n_samples=n, test_fraction=fraction, seed=seed)
    assert ds.n_train >= 1 and ds.n_test >= 1
    assert ds.n_train + ds.n_test == n
    if ds.task == "classification":
        for c in range(2):
            total = ds.Y_train[c].sum() + ds.Y_test[c].sum()
            # each class is split in proportion, up to rounding (and the non-empty guard)
            assert abs(ds.Y_test[c].sum() - total * fraction) <= 1.5
    # no sample is duplicated or lost: the raw points are a permutation of distinct points
    raw = ds.raw_train if ds.raw_train is not None else ds.X_train
    raw_t = ds.raw_test if ds.raw_test is not None else ds.X_test
    both = np.hstack([raw, raw_t])
    assert len({tuple(col) for col in both.T}) == n


# ============================================================================ features
def test_features_are_computed_from_raw_coordinates():
    ds = load("circle", n_samples=50, noise=0.2, features=FEATURES, seed=1)
    assert ds.feature_names == FEATURES and ds.n_in == 7
    for raw, X in ((ds.raw_train, ds.X_train), (ds.raw_test, ds.X_test)):
        assert raw.shape == (2, X.shape[1])
        x1, x2 = raw
        expected = [x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)]
        np.testing.assert_allclose(X, np.vstack(expected), rtol=1e-15)


def test_feature_order_is_respected_and_features_of_matches():
    ds = load("xor", n_samples=40, features=("x1*x2", "x1"), seed=2)
    np.testing.assert_array_equal(ds.X_train[0], ds.raw_train[0] * ds.raw_train[1])
    np.testing.assert_array_equal(ds.X_train[1], ds.raw_train[0])
    np.testing.assert_array_equal(ds.features_of(ds.raw_test), ds.X_test)
    grid = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    np.testing.assert_array_equal(ds.features_of(grid), [[4.0, -10.0, -18.0], [1.0, -2.0, 3.0]])


def test_features_of_rejects_bad_input():
    ds = load("circle", n_samples=20)
    with pytest.raises(ValueError, match=r"shape \(2, m\)"):
        ds.features_of(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="not 'iris'"):
        load("iris", n_samples=20).features_of(np.zeros((2, 1)))
    sine = load("sine", n_samples=20)
    np.testing.assert_array_equal(sine.features_of([[0.5, 1.0]]), [[0.5, 1.0]])


def test_tables_and_sine_ignore_features_and_noise():
    a = load("wine", n_samples=50, seed=1)
    b = load("wine", n_samples=50, seed=1, noise=0.9, features=("x1^2",))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert load("sine", features=("x2",)).feature_names == ("x",)
    assert a.raw_train is None and load("sine").raw_train is None


# ================================================================= data definitions
def test_circle_without_noise_is_defined_by_radius():
    ds = load("circle", n_samples=400, noise=0.0, seed=5)
    for raw, Y in ((ds.raw_train, ds.Y_train), (ds.raw_test, ds.Y_test)):
        r = np.hypot(raw[0], raw[1])
        inner = labels(Y) == 1
        assert np.all(r[inner] < 2.5)
        assert np.all((r[~inner] >= 3.5) & (r[~inner] <= 5.0))


def test_circle_noise_flips_labels_near_the_boundary():
    ds = load("circle", n_samples=400, noise=0.5, seed=5)
    r = np.hypot(*ds.raw_train)
    assert np.any((labels(ds.Y_train) == 1) != (r < 2.5))


def test_xor_without_noise_is_defined_by_quadrant():
    ds = load("xor", n_samples=400, noise=0.0, seed=6)
    x1, x2 = ds.raw_train
    assert np.all(np.abs(ds.raw_train) >= 0.3) and np.all(np.abs(ds.raw_train) <= 5.3)
    np.testing.assert_array_equal(labels(ds.Y_train), (x1 * x2 > 0).astype(int))


def test_spiral_without_noise_lies_on_its_own_arm():
    ds = load("spiral", n_samples=300, noise=0.0, seed=2)
    raw, cls = np.hstack([ds.raw_train, ds.raw_test]), labels(np.hstack([ds.Y_train, ds.Y_test]))
    r = np.hypot(*raw)
    t = 1.75 * 2 * np.pi * r / 5.0

    def arm(delta):
        return np.vstack([r * np.sin(t + delta), r * np.cos(t + delta)])

    own = np.where(cls == 1, arm(0.0), arm(np.pi))
    other = np.where(cls == 1, arm(np.pi), arm(0.0))
    np.testing.assert_allclose(raw, own, atol=1e-9)
    far = r > 0.1
    assert np.all(np.hypot(*(raw - other))[far] > 0.1)
    assert r.max() < 5.0


def test_moons_without_noise_lie_on_their_half_circles():
    ds = load("moons", n_samples=200, noise=0.0, seed=3)
    u = ds.raw_train / 4.0 + np.array([[0.5], [0.25]])
    cls = labels(ds.Y_train)
    upper, lower = u[:, cls == 0], u[:, cls == 1]
    np.testing.assert_allclose(np.hypot(*upper), 1.0)
    assert np.all(upper[1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[0] - 1.0, lower[1] - 0.5), 1.0)
    assert np.all(lower[1] <= 0.5 + 1e-12)


def test_gauss_noise_scale_matches_tf_playground():
    for noise, variance in ((0.0, 0.5), (0.5, 4.0)):
        ds = load("gauss", n_samples=4000, noise=noise, test_fraction=0.5, seed=11)
        pos = ds.raw_train[:, labels(ds.Y_train) == 1]
        assert np.allclose(pos.mean(axis=1), [2.0, 2.0], atol=0.2)
        assert np.allclose(pos.var(axis=1), variance, rtol=0.15)


@pytest.mark.parametrize("name", CLASSIFICATION_2D + ("plane",))
def test_2d_coordinates_stay_in_playground_range(name):
    ds = load(name, n_samples=300, noise=0.0, seed=1)
    assert np.all(np.abs(ds.raw_train) <= 6.0)


def test_regression_targets_without_noise():
    sine = load("sine", n_samples=100, noise=0.0, seed=1)
    x = sine.X_train[0]
    assert np.all(np.abs(x) <= 6.0)
    np.testing.assert_allclose(sine.Y_train[0], 0.5 + 0.4 * np.sin(x))
    plane = load("plane", n_samples=100, noise=0.0, seed=1)
    x1, x2 = plane.raw_train
    np.testing.assert_allclose(plane.Y_train[0], 0.5 + (x1 + x2) / 24.0)


def test_regression_noise_keeps_targets_in_unit_interval():
    sine = load("sine", n_samples=500, noise=1.0, seed=1)
    resid = sine.Y_train[0] - (0.5 + 0.4 * np.sin(sine.X_train[0]))
    assert np.abs(resid).max() <= 0.1 and np.abs(resid).max() > 0.05
    plane = load("plane", n_samples=500, noise=1.0, seed=1)
    assert plane.Y_train.min() >= 0.0 and plane.Y_train.max() <= 1.0


# ============================================================================== tables
def test_digits_table():
    ds = load("digits", n_samples=300, seed=0)
    assert ds.image_shape == (8, 8) and ds.n_in == 64 and ds.n_out == 10
    assert ds.class_names == tuple(str(d) for d in range(10))
    assert ds.X_train.min() >= 0.0 and ds.X_train.max() <= 1.0
    assert ds.X_train.max() == 1.0  # 16/16


@pytest.mark.parametrize(
    "name, n_in, n_out", [("iris", 4, 3), ("wine", 13, 3), ("breast_cancer", 30, 2)]
)
def test_tables_are_standardised_with_train_statistics(name, n_in, n_out):
    ds = load(name, seed=2)
    assert (ds.n_in, ds.n_out) == (n_in, n_out)
    np.testing.assert_allclose(ds.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=1), 1.0, atol=1e-12)
    assert not np.allclose(ds.X_test.mean(axis=1), 0.0, atol=1e-12)
    assert ds.image_shape is None


# ========================================================================== validation
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "nope"}, r"unknown dataset 'nope'.*circle.*breast_cancer"),
        ({"name": "mnist"}, r"unknown dataset 'mnist'; valid choices"),
        ({"name": 3}, "unknown dataset 3"),
        ({"n_samples": 5}, r"n_samples must be >= 10, got 5"),
        ({"n_samples": 10.5}, "n_samples must be a whole number"),
        ({"n_samples": "many"}, "n_samples must be a whole number"),
        ({"n_samples": 70_001}, "n_samples must be <= 70000"),
        ({"noise": -0.1}, r"noise must be >= 0"),
        ({"noise": 1.5}, r"noise must be <= 1"),
        ({"noise": float("nan")}, "noise must be finite"),
        ({"noise": "loud"}, "noise must be a number"),
        ({"test_fraction": 0}, r"test_fraction must be between 0 and 1 \(exclusive\), got 0"),
        ({"test_fraction": 1.0}, "test_fraction must be between 0 and 1"),
        ({"test_fraction": -0.5}, "test_fraction must be between 0 and 1"),
        ({"test_fraction": float("inf")}, "test_fraction must be finite"),
        ({"seed": -1}, "seed must be >= 0"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"features": ("x1", "x3")}, r"unknown feature 'x3'; valid choices: x1, x2, x1\^2"),
        ({"features": ("x1", "x1")}, "features are repeated: x1"),
        ({"features": ()}, "at least one feature"),
        ({"features": "x1"}, "features must be a list"),
    ],
)
def test_load_rejects_bad_arguments(kwargs, match):
    kwargs = {"name": "circle", **kwargs}
    name = kwargs.pop("name")
    with pytest.raises(ValueError, match=match):
        load(name, **kwargs)


def test_n_samples_limit_comes_from_limits():
    small = Limits(max_samples=100)
    assert load("xor", n_samples=100, limits=small).n_train == 50
    with pytest.raises(ValueError, match="n_samples must be <= 100"):
        load("xor", n_samples=101, limits=small)
    assert load("xor", limits=Limits(max_samples=50)).n_train == 25  # default capped


def test_default_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BACKPROP_MAX_SAMPLES", "100")
    with pytest.raises(ValueError, match="n_samples must be <= 100"):
        load("circle", n_samples=101)


def test_mnist_folder_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("BACKPROP_DATA_DIR", raising=False)
    assert mnist_folder() is None
    monkeypatch.setenv("BACKPROP_DATA_DIR", str(tmp_path))
    assert mnist_folder() == tmp_path
    monkeypatch.setenv("BACKPROP_DATA_DIR", str(tmp_path / "missing"))
    assert mnist_folder() is None


# =============================================================================== MNIST
N_TRAIN, N_TEST = 120, 30


def idx(array: np.ndarray, dtype_code: int = 0x08, magic_prefix: bytes = b"\x00\x00") -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    header = magic_prefix + bytes([dtype_code, array.ndim])
    return header + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


@pytest.fixture(scope="module")
def mnist_arrays():
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, N_TRAIN, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, N_TEST, dtype=np.uint8),
    }


@pytest.fixture(scope="module")
def mnist_bytes(mnist_arrays):
    a = mnist_arrays
    return dict(
        zip(MNIST_FILES, [idx(a["x_train"]), idx(a["y_train"]), idx(a["x_test"]), idx(a["y_test"])])
    )


def uploads(files: dict[str, bytes]) -> dict[str, io.BytesIO]:
    return {k: io.BytesIO(v) for k, v in files.items()}


def check_mnist(ds: Dataset, a: dict[str, np.ndarray]) -> None:
    n_val = N_TRAIN // 6  # fewer than 60000 training images: the last sixth validates
    assert ds.name == "mnist" and ds.task == "classification"
    assert ds.image_shape == (28, 28) and ds.n_in == 784 and ds.n_out == 10
    assert ds.class_names == tuple("0123456789")
    assert ds.X_train.shape == (784, N_TRAIN - n_val) and ds.Y_train.shape == (10, N_TRAIN - n_val)
    assert ds.X_val.shape == (784, n_val) and ds.Y_val.shape == (10, n_val)
    assert ds.X_test.shape == (784, N_TEST) and ds.Y_test.shape == (10, N_TEST)
    flat = a["x_train"].reshape(N_TRAIN, 784).T / 255.0
    np.testing.assert_allclose(ds.X_train, flat[:, : N_TRAIN - n_val])
    np.testing.assert_allclose(ds.X_val, flat[:, N_TRAIN - n_val :])
    np.testing.assert_allclose(ds.X_test, a["x_test"].reshape(N_TEST, 784).T / 255.0)
    np.testing.assert_array_equal(labels(ds.Y_train), a["y_train"][: N_TRAIN - n_val])
    np.testing.assert_array_equal(labels(ds.Y_val), a["y_train"][N_TRAIN - n_val :])
    np.testing.assert_array_equal(labels(ds.Y_test), a["y_test"])
    for Y in (ds.Y_train, ds.Y_val, ds.Y_test):
        np.testing.assert_array_equal(Y.sum(axis=0), 1.0)
    assert ds.X_train.dtype == np.float64 and ds.X_train.min() >= 0.0 and ds.X_train.max() <= 1.0


def test_mnist_from_plain_uploads(mnist_bytes, mnist_arrays):
    check_mnist(load_mnist(uploads(mnist_bytes)), mnist_arrays)


def test_mnist_from_gzipped_uploads_and_raw_bytes(mnist_bytes, mnist_arrays):
    files = {k + ".gz": gzip.compress(v) for k, v in mnist_bytes.items()}
    check_mnist(load_mnist(uploads(files)), mnist_arrays)
    mixed = dict(mnist_bytes)
    mixed[MNIST_FILES[0]] = gzip.compress(mixed[MNIST_FILES[0]])  # detected by magic, not name
    check_mnist(load_mnist(mixed), mnist_arrays)


def test_mnist_from_folder(tmp_path, mnist_bytes, mnist_arrays):
    for i, (name, data) in enumerate(mnist_bytes.items()):
        if i % 2:
            (tmp_path / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (tmp_path / name).write_bytes(data)
    check_mnist(load_mnist(tmp_path), mnist_arrays)
    check_mnist(load_mnist(str(tmp_path)), mnist_arrays)


def test_mnist_folder_names_missing_files(tmp_path, mnist_bytes):
    (tmp_path / MNIST_FILES[0]).write_bytes(mnist_bytes[MNIST_FILES[0]])
    with pytest.raises(ValueError, match="missing: train-labels-idx1-ubyte.*t10k-images"):
        load_mnist(tmp_path)


def npz_bytes(arrays: dict, **savez_kwargs) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays, **savez_kwargs)
    return buf.getvalue()


def test_mnist_from_npz(tmp_path, mnist_arrays):
    data = npz_bytes(mnist_arrays)
    check_mnist(load_mnist(io.BytesIO(data)), mnist_arrays)
    path = tmp_path / "mnist.npz"
    path.write_bytes(data)
    check_mnist(load_mnist(path), mnist_arrays)
    check_mnist(load_mnist(tmp_path), mnist_arrays)  # a folder holding only mnist.npz


def test_mnist_npz_accepts_flat_images(mnist_arrays):
    flat = dict(mnist_arrays, x_train=mnist_arrays["x_train"].reshape(N_TRAIN, 784))
    check_mnist(load_mnist(io.BytesIO(npz_bytes(flat))), mnist_arrays)


UNPICKLED: list[str] = []


def _record_unpickling() -> str:
    UNPICKLED.append("unpickled")
    return "payload"


class Trap:
    def __reduce__(self):
        return (_record_unpickling, ())


def test_mnist_npz_with_object_array_fails_without_unpickling(mnist_arrays):
    evil = dict(mnist_arrays, y_train=np.array([Trap()] * N_TRAIN, dtype=object))
    data = npz_bytes(evil)
    assert pickle.loads(pickle.dumps(Trap())) == "payload" and UNPICKLED == ["unpickled"]
    UNPICKLED.clear()
    with pytest.raises(ValueError, match="y_train holds Python objects"):
        load_mnist(io.BytesIO(data))
    assert UNPICKLED == []


def test_mnist_npz_with_pickles_is_refused_from_a_path_and_the_data_folder(
    tmp_path, monkeypatch, mnist_arrays
):
    """Every route to an mnist.npz (upload, path, BACKPROP_DATA_DIR) checks its headers."""
    evil = dict(mnist_arrays, x_test=np.array([Trap()] * N_TEST, dtype=object))
    (tmp_path / "mnist.npz").write_bytes(npz_bytes(evil))
    monkeypatch.setenv("BACKPROP_DATA_DIR", str(tmp_path))
    UNPICKLED.clear()
    for source in (tmp_path / "mnist.npz", str(tmp_path / "mnist.npz"), mnist_folder()):
        with pytest.raises(datasets.MnistFileError) as e:
            load_mnist(source)
        assert str(e.value) == (
            "mnist.npz: x_test holds Python objects (pickled data); such files are never loaded"
        )
    rest = {k: v for k, v in mnist_arrays.items() if k != "y_train"}
    raw = with_members(npz_bytes(rest), {"y_train.npy": pickle.dumps(Trap())})  # a bare pickle
    (tmp_path / "mnist.npz").write_bytes(raw)
    with pytest.raises(datasets.MnistFileError, match="mnist.npz: the .npz file is damaged"):
        load_mnist(tmp_path)
    assert UNPICKLED == []


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda a: a.pop("y_test"), "missing arrays y_test"),
        (lambda a: a.update(x_train=a["x_train"] / 255.0), "x_train must hold integer pixels"),
        (lambda a: a.update(x_test=a["x_test"][:, :27]), r"x_test has shape \(30, 27, 28\)"),
        (lambda a: a.update(y_test=a["y_test"][:-1]), "x_test has 30 images but y_test has 29"),
        (lambda a: a.update(y_train=a["y_train"] + 5), "y_train: .* labels outside 0-9"),
        (lambda a: a.update(y_train=a["y_train"].astype(float)), "y_train must be a 1-D array"),
    ],
)
def test_mnist_npz_malformed(mnist_arrays, change, match):
    arrays = dict(mnist_arrays)
    change(arrays)
    with pytest.raises(ValueError, match=match):
        load_mnist(io.BytesIO(npz_bytes(arrays)))


@pytest.mark.parametrize(
    ("member", "match"),
    [
        (npy_header((2**40, 28, 28)), "1,099,511,627,776 items, over the limit of 70,000"),
        (npy_header((60_000, 28, 28)), "x_train is truncated"),  # 47 MB promised, 64 held
        (npy_header((10,), "|O"), "pickled"),
    ],
    ids=["2**40-images", "47MB-header", "object"],
)
def test_mnist_npz_headers_are_checked_before_anything_is_allocated(mnist_arrays, member, match):
    """An 0.7 KB mnist.npz whose header claimed 2**40 images raised MemoryError."""
    arrays = {k: v for k, v in mnist_arrays.items() if k != "x_train"}
    bad = with_members(npz_bytes(arrays), {"x_train.npy": member})
    raised, peak = peak_bytes(lambda: load_mnist(io.BytesIO(bad)))
    assert isinstance(raised, ValueError) and match in str(raised), repr(raised)
    assert peak < 5 * 2**20, f"refusing it allocated {peak / 2**20:.0f} MB"


def test_mnist_failures_are_mnist_file_errors(mnist_arrays, mnist_bytes):
    many = with_members(npz_bytes(mnist_arrays), {f"x{i}.npy": b"" for i in range(20)})
    with pytest.raises(datasets.MnistFileError, match="has 24 members"):
        load_mnist(io.BytesIO(many))
    files = _swap(mnist_bytes, MNIST_FILES[1], b"\x00\x00\x08\x01")
    with pytest.raises(datasets.MnistFileError, match="truncated IDX header"):
        load_mnist(uploads(files))


def test_mnist_single_file_must_be_npz(mnist_bytes):
    with pytest.raises(ValueError, match="not an .npz file.*dict of the four files"):
        load_mnist(io.BytesIO(mnist_bytes[MNIST_FILES[0]]))
    with pytest.raises(ValueError, match="npz file is damaged or truncated"):
        load_mnist(io.BytesIO(b"PK\x03\x04" + b"garbage" * 10))
    with pytest.raises(ValueError, match="neither a folder nor a file"):
        load_mnist("/no/such/place")
    with pytest.raises(ValueError, match="MNIST source must be"):
        load_mnist(42)


def _swap(files: dict[str, bytes], name: str, data: bytes) -> dict[str, bytes]:
    return {**files, name: data}


def test_mnist_missing_upload_is_named(mnist_bytes):
    files = dict(mnist_bytes)
    del files["t10k-labels-idx1-ubyte"]
    with pytest.raises(ValueError, match="MNIST files missing: t10k-labels-idx1-ubyte"):
        load_mnist(uploads(files))
    with pytest.raises(ValueError, match="unexpected MNIST file 'notes.txt'"):
        load_mnist(uploads({**mnist_bytes, "notes.txt": b"hi"}))


@pytest.mark.parametrize(
    "name, make, match",
    [
        (
            "train-images-idx3-ubyte",
            lambda a: idx(a["x_train"], magic_prefix=b"\x12\x34"),
            "wrong magic number 0x1234",
        ),
        (
            "train-images-idx3-ubyte",
            lambda a: idx(a["x_train"], dtype_code=0x0D),
            "data type code 0x0d is not 0x08",
        ),
        (
            "train-images-idx3-ubyte",
            lambda a: idx(a["y_train"]),
            "1 dimensions, expected 3 for images",
        ),
        (
            "t10k-labels-idx1-ubyte",
            lambda a: idx(a["x_test"]),
            "3 dimensions, expected 1 for labels",
        ),
        (
            "train-images-idx3-ubyte",
            lambda a: idx(a["x_train"])[:-5],
            "truncated, header promises 94080 data bytes but only 94075",
        ),
        ("train-images-idx3-ubyte", lambda a: idx(a["x_train"])[:10], "truncated IDX header"),
        ("train-labels-idx1-ubyte", lambda a: idx(a["y_train"])[:2], "truncated, only 2 bytes"),
        (
            "train-labels-idx1-ubyte",
            lambda a: idx(a["y_train"]) + b"\x00",
            "1 unexpected bytes after the data",
        ),
        (
            "train-labels-idx1-ubyte",
            lambda a: idx(a["y_train"][:-1]),
            "has 120 images but train-labels-idx1-ubyte has 119",
        ),
        (
            "t10k-labels-idx1-ubyte",
            lambda a: idx(np.r_[a["y_test"][:-1], 10]),
            "t10k-labels-idx1-ubyte: 1 labels outside 0-9",
        ),
        (
            "t10k-images-idx3-ubyte",
            lambda a: idx(a["x_test"][:, :, :27]),
            "images are 28x27, expected 28x28",
        ),
        (
            "t10k-images-idx3-ubyte",
            lambda a: b"\x1f\x8b" + b"not really gzip",
            "not a valid gzip file",
        ),
        (
            "t10k-images-idx3-ubyte",
            lambda a: gzip.compress(idx(a["x_test"]))[:-12],
            "not a valid gzip file",
        ),
    ],
)
def test_mnist_malformed_idx(mnist_bytes, mnist_arrays, name, make, match):
    files = _swap(mnist_bytes, name, make(mnist_arrays))
    with pytest.raises(ValueError, match=match):
        load_mnist(uploads(files))


def test_mnist_respects_limits(mnist_bytes):
    with pytest.raises(ValueError, match="over the limit"):
        load_mnist(uploads(mnist_bytes), limits=Limits(max_samples=100))
    big = {**mnist_bytes, MNIST_FILES[0]: mnist_bytes[MNIST_FILES[0]] + bytes(2**20)}
    with pytest.raises(ValueError, match="too big.*max_upload_mb"):
        load_mnist(uploads(big), limits=Limits(max_upload_mb=1))


def test_mnist_too_few_training_images():
    rng = np.random.default_rng(1)
    files = {
        MNIST_FILES[0]: idx(rng.integers(0, 256, (5, 28, 28))),
        MNIST_FILES[1]: idx(rng.integers(0, 10, 5)),
        MNIST_FILES[2]: idx(rng.integers(0, 256, (2, 28, 28))),
        MNIST_FILES[3]: idx(rng.integers(0, 10, 2)),
    }
    with pytest.raises(ValueError, match="at least 6 training images, got 5"):
        load_mnist(files)


def _blank_mnist(n_train: int = 60_000, n_test: int = 10_000) -> dict[str, bytes]:
    """Full-size MNIST IDX files of blank images, gzipped: about 52 KB in all."""
    files = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = np.zeros((n, 28, 28), np.uint8)
        files[f"{split}-images-idx3-ubyte.gz"] = gzip.compress(idx(images))
        files[f"{split}-labels-idx1-ubyte.gz"] = gzip.compress(idx(np.arange(n) % 10))
    return files


def test_full_mnist_is_stored_as_float32_within_the_session_budget():
    files = _blank_mnist()
    assert sum(map(len, files.values())) < 60_000
    ds = load_mnist(files)
    for a in ds.arrays():
        assert a.dtype == np.float32
    assert ds.nbytes == 70_000 * (784 + 10) * 4  # 212 MB; float64 took 424 MB
    assert ds.nbytes <= Limits().session_memory_mb * 2**20
    np.testing.assert_array_equal(ds.Y_train.argmax(axis=0), np.arange(50_000) % 10)
    small = load_mnist(_blank_mnist(60, 10))
    assert small.X_train.dtype == np.float64  # small data sets stay exact


def test_mnist_past_the_budget_is_refused_before_allocating():
    import tracemalloc

    files = _blank_mnist()
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"MNIST: 70,000 samples .* data budget of 100 MB"):
            load_mnist(files, limits=Limits(session_memory_mb=100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20  # the files were read (~120 MB), the 212 MB of arrays never made


def test_big_csv_is_refused_past_the_budget():
    text = "a,b,y\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(50_000))  # 1.6 MB
    with pytest.raises(ValueError, match=r"data budget of 1 MB \(BACKPROP_SESSION_MEMORY_MB"):
        load_csv(text.encode(), limits=Limits(session_memory_mb=1))
    assert load_csv(text.encode(), limits=Limits(session_memory_mb=2)).n_train == 40_000


def test_big_csv_with_cr_line_ends_is_refused_as_its_lf_version():
    """The budget is checked on the rows before pandas reads: a file whose lines end in a
    lone CR counts as many rows as its LF version, not one long line."""
    text = "a,b,y\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(50_000))
    small = Limits(session_memory_mb=1)
    with pytest.raises(ValueError) as lf:
        load_csv(text.encode(), limits=small)
    with pytest.raises(ValueError) as cr:
        load_csv(text.replace("\n", "\r").encode(), limits=small)
    assert str(cr.value) == str(lf.value)


def test_trainer_makes_no_copy_of_big_data():
    """The trainer keeps views of the data set: mini-batches and evaluations are gathered
    and cast to float64 chunk by chunk (it used to hold a 186 MB evaluation subset)."""
    import tracemalloc

    from backprop.ui.config import DEFAULT
    from backprop.ui.session import build_run

    ds = load_mnist(_blank_mnist())
    tracemalloc.start()
    try:
        run = build_run(DEFAULT, ds)
        run.train(steps=3)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.shares_memory(run.trainer.batches.Xr, ds.X_train)
    assert held < 0.05 * ds.nbytes, held / 2**20


# ================================================================================= CSV
def csv_text(rows: list[list], header: list[str]) -> str:
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    return "\n".join(lines) + "\n"


@pytest.fixture
def flowers() -> str:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(60):
        kind = ["rose", "daisy", "tulip"][i % 3]
        rows.append([round(float(rng.normal(i % 3, 1)), 4), round(float(rng.normal()), 4), kind])
    return csv_text(rows, ["petal", "stem", "kind"])


def test_csv_classification(flowers):
    ds = load_csv(io.BytesIO(flowers.encode()), test_fraction=0.25, seed=1)
    assert ds.task == "classification"
    assert ds.class_names == ("daisy", "rose", "tulip")  # sorted
    assert ds.feature_names == ("petal", "stem")
    assert ds.X_train.shape == (2, 45) and ds.Y_train.shape == (3, 45)
    assert ds.X_test.shape == (2, 15) and ds.Y_test.shape == (3, 15)
    np.testing.assert_array_equal(ds.Y_train.sum(axis=1), [15, 15, 15])  # stratified
    np.testing.assert_array_equal(ds.Y_train.sum(axis=0), 1.0)
    np.testing.assert_allclose(ds.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=1), 1.0, atol=1e-12)


def test_csv_columns_line_up_with_classes(flowers):
    import pandas as pd

    ds = load_csv(io.StringIO(flowers), test_fraction=0.25, seed=1)
    df = pd.read_csv(io.StringIO(flowers))
    feats = df[["petal", "stem"]].to_numpy().T
    # standardising is a positive affine map per row, so min-max forms of the rows agree
    both = np.hstack([ds.X_train, ds.X_test])
    for j in range(both.shape[1]):
        matches = np.flatnonzero(
            np.all(np.abs(_standard_rank(both)[:, [j]] - _standard_rank(feats)) < 1e-9, axis=0)
        )
        assert len(matches) == 1
        label = np.hstack([ds.Y_train, ds.Y_test])[:, j].argmax()
        assert ds.class_names[label] == df["kind"][matches[0]]


def _standard_rank(X: np.ndarray) -> np.ndarray:
    """Rows mapped to a scale-free form (affine maps with positive scale leave it unchanged)."""
    lo, hi = X.min(axis=1, keepdims=True), X.max(axis=1, keepdims=True)
    return (X - lo) / (hi - lo)


def test_csv_sources_agree(flowers, tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text(flowers)
    a = load_csv(path, seed=2)
    b = load_csv(str(path), seed=2)
    c = load_csv(io.BytesIO(b"\xef\xbb\xbf" + flowers.encode()), seed=2)  # UTF-8 BOM
    d = load_csv(flowers.encode(), seed=2)
    e = load_csv(path, seed=3)
    assert a.name == "flowers.csv"
    for other in (b, c, d):
        for x, y in zip(arrays_of(a), arrays_of(other)):
            assert x.tobytes() == y.tobytes()
        assert other.feature_names == ("petal", "stem")
    assert not np.array_equal(a.X_train, e.X_train)


@pytest.mark.parametrize("end", ["\r", "\r\n"])
def test_csv_with_cr_or_crlf_line_ends_loads_as_its_lf_version(flowers, tmp_path, end):
    """Old spreadsheet exports end lines in a lone CR (Windows: CR LF): the same table."""
    other = flowers.replace("\n", end)
    path = tmp_path / "flowers.csv"
    path.write_bytes(other.encode())
    want = load_csv(flowers.encode(), seed=2)
    for source in (other.encode(), io.BytesIO(other.encode()), io.StringIO(other), path):
        got = load_csv(source, seed=2)
        for x, y in zip(arrays_of(want), arrays_of(got)):
            assert x.tobytes() == y.tobytes()
        assert (got.feature_names, got.class_names, got.notes) == (
            ("petal", "stem"),
            ("daisy", "rose", "tulip"),
            ("Read as comma-separated, decimal point.",),
        )


def test_csv_target_choice_and_integer_classes():
    rows = [[i, i % 3 + 1, (i * 7) % 5 + 0.5] for i in range(30)]
    text = csv_text(rows, ["a", "grade", "score"])
    by_grade = load_csv(io.StringIO(text), target="grade", seed=0)
    assert by_grade.task == "classification" and by_grade.class_names == ("1", "2", "3")
    assert by_grade.feature_names == ("a", "score")
    by_last = load_csv(io.StringIO(text), seed=0)
    assert by_last.task == "regression" and by_last.feature_names == ("a", "grade")


def test_csv_regression_is_min_max_scaled_by_train():
    rng = np.random.default_rng(5)
    x = rng.normal(size=40)
    y = 3.0 * x + 10.0 + rng.normal(size=40) * 0.1
    text = csv_text([[round(a, 6), round(b, 6)] for a, b in zip(x, y)], ["x", "y"])
    ds = load_csv(io.StringIO(text), test_fraction=0.25, seed=0)
    assert ds.task == "regression" and ds.class_names == ()
    assert ds.Y_train.shape == (1, 30) and ds.Y_test.shape == (1, 10)
    assert ds.Y_train.min() == 0.0 and ds.Y_train.max() == 1.0
    lo, hi = ds.target_range
    original = lo + np.hstack([ds.Y_train, ds.Y_test])[0] * (hi - lo)
    np.testing.assert_allclose(np.sort(original), np.sort(np.round(y, 6)), rtol=1e-12)
    many_ints = csv_text([[i, i * 3] for i in range(30)], ["x", "y"])  # 30 distinct integers
    assert load_csv(io.StringIO(many_ints)).task == "regression"


def test_csv_constant_feature_column_is_kept():
    text = csv_text([[1.0, i, i % 2] for i in range(20)], ["const", "x", "y"])
    ds = load_csv(io.StringIO(text))
    np.testing.assert_array_equal(ds.X_train[0], 0.0)
    assert np.all(np.isfinite(ds.X_train))


# ----------------------------------------------------- CSV delimiters and decimal marks
def _rows_with(sep: str, decimal: str = ".") -> bytes:
    rows = [[f"{i * 0.25 + 1:.2f}", f"{-i / 8:.3f}", i % 2] for i in range(24)]
    lines = [sep.join(["a", "b", "label"])]
    lines += [sep.join(str(v).replace(".", decimal) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("sep", "decimal", "said"),
    [
        (",", ".", "comma-separated, decimal point"),
        (";", ".", "semicolon-separated, decimal point"),
        (";", ",", "semicolon-separated, decimal comma"),
        ("\t", ".", "tab-separated, decimal point"),
        ("\t", ",", "tab-separated, decimal comma"),
        ("|", ".", "pipe-separated, decimal point"),
    ],
)
def test_csv_delimiter_and_decimal_mark_are_detected(sep, decimal, said):
    """A semicolon CSV was refused as "only 2 data rows"; every common layout reads the
    same numbers as the comma file, and the data set says how it read the file."""
    reference = load_csv(_rows_with(","), seed=4)
    ds = load_csv(_rows_with(sep, decimal), seed=4)
    assert ds.feature_names == ("a", "b") and ds.class_names == ("0", "1")
    for x, y in zip(arrays_of(reference), arrays_of(ds)):
        assert x.tobytes() == y.tobytes()
    assert any(said in note for note in ds.notes), ds.notes


def test_csv_semicolon_with_a_comma_in_the_header_is_still_semicolon():
    text = "weight, kg;height, cm;y\n" + "".join(f"{i},5;{i * 2},25;{i % 2}\n" for i in range(9))
    ds = load_csv(text.encode())
    assert ds.feature_names == ("weight, kg", "height, cm")
    assert any("semicolon-separated, decimal comma" in n for n in ds.notes)


# ------------------------------------------------------------ numbers at the edge of float64
def _edge_csv(a: list[float], b: list[float], y: list) -> bytes:
    lines = ["a,b,y"] + [f"{p!r},{q!r},{t!r}" for p, q, t in zip(a, b, y)]
    return ("\n".join(lines) + "\n").encode()


def _standardised(ds: Dataset) -> None:
    """Every feature row of the training set has mean 0 and standard deviation 1."""
    assert np.all(np.isfinite(ds.X_train)) and np.all(np.isfinite(ds.X_test))
    np.testing.assert_allclose(ds.X_train.mean(axis=1), 0.0, atol=1e-9)
    np.testing.assert_allclose(ds.X_train.std(axis=1), 1.0, rtol=1e-9)


def test_csv_features_of_plus_minus_1e308_standardise():
    n = 40
    big = [1e308 if i % 2 else -1e308 for i in range(n)]
    ds = load_csv(_edge_csv(big, list(range(n)), [i % 2 for i in range(n)]), seed=0)
    _standardised(ds)
    # the sign pattern survives: +1e308 rows are positive, -1e308 rows negative
    assert set(np.unique(np.sign(ds.X_train[0]))) == {-1.0, 1.0}


def test_csv_features_spanning_0_to_3_9e201_are_not_zeroed():
    n = 40
    wide = [i * 1e200 for i in range(n)]  # 0 .. 3.9e201: the variance overflows float64
    ds = load_csv(_edge_csv(wide, list(range(n)), [i % 2 for i in range(n)]), seed=0)
    _standardised(ds)
    both = np.hstack([ds.X_train, ds.X_test])
    # standardising is affine: the feature keeps its order and its even spacing
    np.testing.assert_allclose(np.diff(np.sort(both[0])), np.diff(np.sort(both[1])), rtol=1e-9)


def test_csv_regression_target_of_plus_minus_1_7e308_is_scaled():
    n = 40
    target = [1.7e308 * (2 * i / (n - 1) - 1) for i in range(n)]  # -1.7e308 .. 1.7e308
    ds = load_csv(_edge_csv(list(range(n)), [i % 3 for i in range(n)], target), seed=0)
    assert ds.task == "regression"
    Y = np.hstack([ds.Y_train, ds.Y_test])[0]
    assert np.all(np.isfinite(Y)) and Y.min() >= 0.0 and Y.max() <= 1.0
    assert len(np.unique(ds.Y_train)) == ds.n_train  # distinct values stay distinct
    lo, hi = ds.target_range
    assert lo < 0 < hi and np.isfinite(lo) and np.isfinite(hi)


def test_standardising_refuses_what_float64_cannot_hold_naming_the_column():
    from backprop.datasets import _standardise

    train = np.array([[0.0, 1e-300, 0.0, 1e-300]])  # (n_in, m): a std of 5e-301
    test = np.array([[1e300]])  # 2e600 standard deviations from the mean
    with pytest.raises(ValueError, match=r"column 'far'.*1e\+300"):
        _standardise(train, test, ("far",))


class SizedUpload(io.BytesIO):
    """Like Streamlit's UploadedFile: knows its size; reading it would be a failure."""

    size = 60 * 2**20

    def read(self, *args):
        raise AssertionError("the size check should come before reading")


@pytest.mark.parametrize(
    "content, kwargs, match",
    [
        (b"", {}, "the file is empty"),
        (b"  \n\n ", {}, "the file is empty"),
        (b"a,b,c\n", {}, r"has a header \(a, b, c\) but no data rows"),
        (
            b"a,b\n1,0\n2,1\n3,0\n4,1\n",
            {"target": "label"},
            "target column 'label' not in .*columns: a, b",
        ),
        (b"name,b,y\nx,1,0\ny,2,1\nz,3,0\nw,4,1\n", {}, "feature columns are not numeric: 'name'"),
        (b"a,b,y\n1,,0\n2,5,1\n,nan,0\n4,4,1\n", {}, r"'a' \(1 missing\); 'b' \(2 missing\)"),
        (b"a,b,y\n1,inf,0\n2,5,1\n3,-inf,0\n4,4,1\n", {}, r"'b' \(2 infinite\)"),
        (
            b"a,b,y\n1,2,0\n3,4,1,9\n5,6,0\n7,8,1\n",
            {},
            "malformed CSV.*Expected 3 fields in line 3, saw 4",
        ),
        (b"a,b\n1,2,3\n4,5,6\n7,8,9\n1,1,1\n", {}, "malformed CSV"),
        (
            "a,b,y\n1,2,caf\xe9\n3,4,th\xe9\n5,6,x\n7,8,y\n".encode("latin-1"),
            {},
            "not UTF-8 text.*0xe9.*UTF-8",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", {}, "binary file"),
        ("a,b\n1,0\n".encode("utf-16"), {}, "binary file.*UTF-16"),
        (b"a,b,y\n1,2,1\n3,4,1\n5,6,1\n7,8,1\n", {}, "single value 1"),
        (b"a,b,y\n1,2,u\n3,4,u\n5,6,u\n7,8,u\n", {}, "one class only \\('u'\\)"),
        (b"a,b,y\n1,2,0\n3,4,1\n5,6,0\n", {}, "only 3 data rows; need at least 4"),
        (b"a\n1\n2\n3\n4\n", {}, "only 'a' .*read as comma-separated"),
        (b"a;b;y\n1;2;0\n3;4;1;7\n5;6;0\n7;8;1\n", {}, "read as semicolon-separated"),
        # a cell over Python's csv field limit (128 KiB): pandas reads it, as text
        (
            b"a,b,y\n" + b"1" * 200_000 + b",2,0\n3,4,1\n5,6,0\n7,8,1\n",
            {},
            "^uploaded CSV: feature columns are not numeric: 'a'; encode them as numbers",
        ),
    ],
)
def test_csv_errors(content, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_csv(io.BytesIO(content), **kwargs)


def test_csv_limits():
    text = csv_text([[i, i % 2] for i in range(20)], ["x", "y"])
    with pytest.raises(ValueError, match="more than 10 rows"):
        load_csv(io.StringIO(text), limits=Limits(max_samples=10))
    big = b"x,y\n" + b"1,0\n2,1\n" * (2**20 // 8 + 1)
    with pytest.raises(ValueError) as e:
        load_csv(io.BytesIO(big), limits=Limits(max_upload_mb=1))
    # just over: bytes, since "1.0 MB; the limit is 1 MB" would read as no problem at all
    assert f"file too big ({len(big):,} bytes); the limit is 1 MB (1,048,576 bytes)" in str(e.value)
    with pytest.raises(ValueError, match=r"too big \(60.0 MB\)"):
        load_csv(SizedUpload(), limits=Limits(max_upload_mb=50))
    with pytest.raises(ValueError, match="over the limit of 2"):
        load_csv(
            io.StringIO(csv_text([[1, 2, 3, i % 2] for i in range(8)], ["a", "b", "c", "y"])),
            limits=Limits(max_inputs=2),
        )


def test_csv_bad_arguments(tmp_path, flowers):
    with pytest.raises(ValueError, match="no such file"):
        load_csv(tmp_path / "absent.csv")
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1"):
        load_csv(io.StringIO(flowers), test_fraction=1)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        load_csv(io.StringIO(flowers), seed=-3)
    with pytest.raises(ValueError, match="expected a path, bytes or a file-like"):
        load_csv(12345)


@pytest.mark.parametrize("name", ["digits", "iris", "wine", "breast_cancer"])
def test_tables_are_scikit_learns_read_from_its_files(name):
    from sklearn import datasets as skd

    bunch = getattr(skd, f"load_{name}")()
    X, y, features, classes = read_table(name)
    assert np.array_equal(X, bunch.data) and np.array_equal(y, bunch.target)
    assert classes == tuple(str(c) for c in bunch.target_names)
    if name != "digits":
        assert features == tuple(str(f) for f in bunch.feature_names)


def test_loading_a_table_does_not_import_scikit_learn():
    """It would add ~65 MB to every server process, and BLAS threads of its own."""
    code = (
        "import sys; from backprop.datasets import load; d = load('wine', seed=0); "
        "print(d.n_in, 'sklearn' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["13", "False", "False"]
