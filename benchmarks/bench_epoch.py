"""One epoch of training: the engine against the seed's per-sample loop and PyTorch CPU.

Runs every side in one process on the same MNIST-shaped data (50,000 random samples of
784 pixels, 10 one-hot classes): sigmoid, quadratic cost, plain SGD, eta = 3.0, for
``[784, 30, 10]`` and ``[784, 100, 10]`` at mini-batches of 10 and 100. Prints seconds
per epoch (best of ``--repeat``) and the ratios, plus the BLAS library and its threads.
The per-sample loop is the tests' port of network.py (``tests/reference.py``).

    python benchmarks/bench_epoch.py            # full run, about two minutes
    python benchmarks/bench_epoch.py --quick    # 10,000 samples, for a smoke test
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from reference import SeedNetwork  # noqa: E402  (the tests' port of network.py)

from backprop import Network, Trainer  # noqa: E402

ETA = 3.0
THREADS = 1  # BLAS threads for every side; set from --threads


# ------------------------------------------------------------------------ sides
def time_seed(sizes, X, Y, mb):
    data = [(X[:, i : i + 1].copy(), Y[:, i : i + 1].copy()) for i in range(X.shape[1])]
    net = Network(sizes, seed=0)
    seed = SeedNetwork(net.weights, net.biases)
    t = time.perf_counter()
    seed.sgd_epoch(data, mb, ETA, np.random.default_rng(0))
    return time.perf_counter() - t


def time_engine(sizes, X, Y, mb, record):
    net = Network(sizes, seed=0)
    kw = {"snapshot_every": 100} if record else {}
    tr = Trainer(net, X, Y, eta=ETA, batch_size=mb, record=record, evaluate_epochs=False, **kw)
    t = time.perf_counter()
    tr.run_epoch()
    return time.perf_counter() - t


def time_products(sizes, X, Y, mb):
    """The floor: gathering each mini-batch and the epoch's matrix products, nothing else."""
    net = Network(sizes, seed=0)
    Xr = np.ascontiguousarray(X.T)
    perm = np.random.default_rng(0).permutation(Xr.shape[0])
    W = net.weights
    t = time.perf_counter()
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
    return time.perf_counter() - t


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
    t = time.perf_counter()
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
    return time.perf_counter() - t


def best(fn, repeat):
    return min(fn() for _ in range(repeat))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3, help="best of N for the fast sides")
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (1 is fastest here)")
    ap.add_argument("--quick", action="store_true", help="10,000 samples, one repeat")
    ap.add_argument("--no-seed", action="store_true", help="skip the slow per-sample loop")
    args = ap.parse_args()
    global THREADS
    THREADS = args.threads
    if args.quick:
        args.samples, args.repeat = 10_000, 1
    rng = np.random.default_rng(0)
    X = rng.random((784, args.samples))
    Y = np.eye(10)[:, rng.integers(0, 10, args.samples)]
    try:
        import torch
    except ImportError:
        torch = None
    with threadpool_limits(args.threads):
        blas = [f"{i['internal_api']} {i.get('version', '')} {i.get('architecture', '')} "
                f"({i['num_threads']} thread(s))"
                for i in threadpool_info() if i["user_api"] == "blas"]  # fmt: skip
        print(f"numpy {np.__version__}, BLAS: {', '.join(blas)}")
        print(f"torch {torch.__version__ if torch else 'not installed'}; "
              f"{args.samples} samples of 784, sigmoid, quadratic cost, SGD eta={ETA}")  # fmt: skip
        print(
            f"{'sizes':>14} {'batch':>5} {'seed s':>7} {'engine s':>8} {'+record s':>9} "
            f"{'torch s':>8} {'x seed':>7} {'x torch':>7} {'record %':>8} {'products s':>10}"
        )
        for sizes in ([784, 30, 10], [784, 100, 10]):
            for mb in (10, 100):
                run = (sizes, X, Y, mb)
                eng = best(lambda r=run: time_engine(*r, False), args.repeat)
                rec = best(lambda r=run: time_engine(*r, True), args.repeat)
                seed = float("nan") if args.no_seed else best(lambda r=run: time_seed(*r), 2)
                floor = best(lambda r=run: time_products(*r), args.repeat)
                tor = best(lambda r=run: time_torch(*r), args.repeat) if torch else float("nan")
                print(
                    f"{str(sizes):>14} {mb:>5} {seed:>7.2f} {eng:>8.3f} {rec:>9.3f} {tor:>8.3f} "
                    f"{seed / eng:>6.1f}x {tor / eng:>6.2f}x {100 * (rec / eng - 1):>7.0f}% "
                    f"{floor:>7.3f} ({100 * floor / eng:.0f}%)"
                )


if __name__ == "__main__":
    main()
