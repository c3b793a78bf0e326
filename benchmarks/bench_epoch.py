"""One epoch of training: the engine against the seed's per-sample loop, PyTorch CPU and
scikit-learn's ``MLPClassifier``.

Runs every side in one process on the same MNIST-shaped data (50,000 random samples of
784 pixels, 10 one-hot classes): sigmoid, quadratic cost, plain SGD, eta = 3.0, for
``[784, 30, 10]`` and ``[784, 100, 10]`` at mini-batches of 10 and 100, in float64 and
(engine and scikit-learn) float32. Prints seconds per epoch (median of ``--repeat`` runs
taken in turns; by default the process's CPU time, as every side runs on one thread, so
that other jobs on a shared machine do not count), the ratios, float32's speed-up over the
engine in float64, the BLAS library and its threads and the load average. The per-sample
loop is the tests' port of network.py (``tests/reference.py``).

scikit-learn's peer is ``MLPClassifier.partial_fit`` over the epoch's data (logistic hidden
units, plain SGD: ``solver="sgd"``, ``momentum=0``, ``alpha=0``, a constant
``learning_rate_init = eta``, which is the book's ``eta / m`` on the mini-batch's sum): its
output layer is softmax with the log-loss (it has no quadratic cost), the same products.

    python benchmarks/bench_epoch.py            # full run, about four minutes
    python benchmarks/bench_epoch.py --quick    # 10,000 samples, for a smoke test
    python benchmarks/bench_epoch.py --sizes 784,100,10 --batches 100 --no-seed
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from reference import SeedNetwork  # noqa: E402  (the tests' port of network.py)

from backprop import Network, Trainer  # noqa: E402

ETA = 3.0
THREADS = 1  # BLAS threads for every side; set from --threads
CLOCK = time.process_time  # the process's CPU time (one thread); --clock wall: perf_counter
ENGINE64: dict[tuple[str, int], float] = {}  # the float64 engine's time, for the speed-up


# ------------------------------------------------------------------------ sides
def time_seed(sizes, X, Y, mb):
    data = [(X[:, i : i + 1].copy(), Y[:, i : i + 1].copy()) for i in range(X.shape[1])]
    net = Network(sizes, seed=0)
    seed = SeedNetwork(net.weights, net.biases)
    t = CLOCK()
    seed.sgd_epoch(data, mb, ETA, np.random.default_rng(0))
    return CLOCK() - t


def time_engine(sizes, X, Y, mb, record, dtype="float64"):
    net = Network(sizes, seed=0)
    kw = {"snapshot_every": 100} if record else {}
    tr = Trainer(
        net, X, Y, eta=ETA, batch_size=mb, record=record, evaluate_epochs=False, dtype=dtype, **kw
    )
    t = CLOCK()
    tr.run_epoch()
    return CLOCK() - t


def time_products(sizes, X, Y, mb, dtype="float64"):
    """The floor: gathering each mini-batch and the epoch's matrix products, nothing else."""
    net = Network(sizes, seed=0)
    Xr = np.ascontiguousarray(X.T, dtype=dtype)
    perm = np.random.default_rng(0).permutation(Xr.shape[0])
    W = [w.astype(dtype) for w in net.weights]
    t = CLOCK()
    for k in range(0, Xr.shape[0], mb):
        a = Xr[perm[k : k + mb]].T
        acts = [a]
        for w in W:
            a = w @ a
            acts.append(a)
        d = a
        for l in range(len(W) - 1, -1, -1):
            _ = d @ acts[l].T  # BP4
            if l:
                d = W[l].T @ d  # BP2 without the Hadamard factor
    return CLOCK() - t


def time_torch(sizes, X, Y, mb):
    import torch

    torch.set_num_threads(THREADS)
    Xr = torch.from_numpy(np.ascontiguousarray(X.T))
    Yr = torch.from_numpy(np.ascontiguousarray(Y.T))
    net = Network(sizes, seed=0)
    params = []
    for w, b in zip(net.weights, net.biases):
        params += [torch.tensor(w, requires_grad=True), torch.tensor(b[:, 0], requires_grad=True)]
    gen = torch.Generator().manual_seed(0)
    t = CLOCK()
    perm = torch.randperm(Xr.shape[0], generator=gen)
    for k in range(0, Xr.shape[0], mb):
        idx = perm[k : k + mb]
        a, y = Xr[idx], Yr[idx]
        for i in range(0, len(params), 2):
            a = torch.sigmoid(a @ params[i].T + params[i + 1])
        loss = 0.5 * ((a - y) ** 2).sum() / a.shape[0]
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= ETA * p.grad
                p.grad = None
    return CLOCK() - t


def time_sklearn(sizes, X, Y, mb, dtype="float64"):
    """One ``partial_fit`` over the epoch's data: scikit-learn shuffles it and steps through
    its mini-batches (input validation of the epoch's array included)."""
    from sklearn.neural_network import MLPClassifier

    Xr = np.ascontiguousarray(X.T, dtype=dtype)
    y = Y.argmax(axis=0)
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(sizes[1:-1]),
        activation="logistic",
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        learning_rate="constant",
        learning_rate_init=ETA,
        batch_size=mb,
        shuffle=True,
        random_state=0,
    )
    t = CLOCK()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(Xr, y, classes=np.arange(sizes[-1]))
    return CLOCK() - t


def medians(sides: dict, repeat: int) -> dict[str, float]:
    """Each side's median of ``repeat`` runs, taken in turns (side A, B, ..., then A again),
    so that a burst of load on the shared machine falls on every side alike."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, fn in sides.items():
            times[name].append(fn())
    return {name: statistics.median(ts) for name, ts in times.items()}


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5, help="median of N (N >= 3)")
    ap.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="cpu: the process's CPU time (every side runs on one thread; robust to other "
        "jobs on a shared machine), wall: perf_counter",
    )
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (1 is fastest here)")
    ap.add_argument("--quick", action="store_true", help="10,000 samples")
    ap.add_argument("--no-seed", action="store_true", help="skip the slow per-sample loop")
    ap.add_argument("--sizes", action="append", help="e.g. 784,100,10 (default: both)")
    ap.add_argument("--batches", default="10,100", help="mini-batch sizes, comma-separated")
    args = ap.parse_args()
    global THREADS, CLOCK
    THREADS = args.threads
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    args.repeat = max(3, args.repeat)
    if args.quick:
        args.samples = 10_000
    sizes_list = [[int(s) for s in v.split(",")] for v in args.sizes or ()] or [
        [784, 30, 10],
        [784, 100, 10],
    ]
    batches = [int(b) for b in args.batches.split(",")]
    rng = np.random.default_rng(0)
    X = rng.random((784, args.samples))
    Y = np.eye(10)[:, rng.integers(0, 10, args.samples)]
    try:
        import torch
    except ImportError:
        torch = None
    try:
        import sklearn
    except ImportError:
        sklearn = None
    with threadpool_limits(args.threads):
        blas = [f"{i['internal_api']} {i.get('version', '')} {i.get('architecture', '')} "
                f"({i['num_threads']} thread(s))"
                for i in threadpool_info() if i["user_api"] == "blas"]  # fmt: skip
        print(f"numpy {np.__version__}, BLAS: {', '.join(blas)}")
        versions = [f"{m.__name__} {m.__version__}" for m in (torch, sklearn) if m is not None]
        print(f"{', '.join(versions) or 'no peers installed'}; {args.samples} samples of 784, "
              f"sigmoid, quadratic cost, SGD eta={ETA}; median of {args.repeat}, {args.clock} "
              "seconds")  # fmt: skip
        print(f"load average before: {load_average()}")
        print(
            f"{'sizes':>14} {'batch':>5} {'dtype':>7} {'seed s':>7} {'engine s':>8} "
            f"{'+record s':>9} {'torch s':>8} {'sklearn s':>9} {'x seed':>7} {'x torch':>7} "
            f"{'x sklearn':>9} {'record %':>8} {'products s':>10} {'x float64':>9}"
        )
        ratios = {}
        for sizes in sizes_list:
            for mb in batches:
                for dtype in ("float64", "float32"):
                    row(sizes, X, Y, mb, dtype, args, torch, sklearn, ratios)
        print(f"load average after: {load_average()}")
        for (sizes, dtype), by_mb in ratios.items():
            text = ", ".join(f"{r:.2f}x at mini-batch {mb}" for mb, r in by_mb.items())  # skl / eng
            print(f"engine faster than scikit-learn, {sizes} {dtype}: {text}")


def row(sizes, X, Y, mb, dtype, args, torch, sklearn, ratios) -> None:
    """Times every side of one (sizes, mini-batch, dtype) and prints the row."""
    run, f64 = (sizes, X, Y, mb), dtype == "float64"
    sides = {
        "engine": lambda: time_engine(*run, False, dtype),
        "record": lambda: time_engine(*run, True, dtype),
        "floor": lambda: time_products(*run, dtype),
    }
    if torch and f64:
        sides["torch"] = lambda: time_torch(*run)
    if sklearn:
        sides["sklearn"] = lambda: time_sklearn(*run, dtype)
    t = medians(sides, args.repeat)
    nan = float("nan")
    seed = (
        medians({"seed": lambda: time_seed(*run)}, 3)["seed"] if f64 and not args.no_seed else nan
    )
    eng, rec, floor = t["engine"], t["record"], t["floor"]
    tor, skl = t.get("torch", nan), t.get("sklearn", nan)
    ratios.setdefault((str(sizes), dtype), {})[mb] = skl / eng
    ENGINE64[(str(sizes), mb)] = eng if f64 else ENGINE64.get((str(sizes), mb), nan)
    speedup = ENGINE64.get((str(sizes), mb), nan) / eng
    print(
        f"{str(sizes):>14} {mb:>5} {dtype:>7} {seed:>7.2f} {eng:>8.3f} {rec:>9.3f} "
        f"{tor:>8.3f} {skl:>9.3f} {seed / eng:>6.1f}x {tor / eng:>6.2f}x {skl / eng:>8.2f}x "
        f"{100 * (rec / eng - 1):>7.0f}% {floor:>7.3f} ({100 * floor / eng:.0f}%) {speedup:>7.2f}x",
        flush=True,
    )


if __name__ == "__main__":
    main()
