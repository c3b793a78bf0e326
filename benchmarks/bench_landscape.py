"""Time of the Landscape tab's Compute: the landscape and its two figures, on one core.

For each run it times, with ``time.perf_counter``, medians of ``--repeat`` runs (after a
warm-up), in seconds:

- ``compute``: ``backprop.landscape.of_trainer`` at the tab's defaults (seed 0, a 21 x 21
  grid, span 1): the directions, the surface, the projected path with its real costs and
  the interpolation from the initial parameters;
- ``figures``: ``viz.landscape`` and ``viz.interpolation`` (validated ``go.Figure``s, as the
  tab draws them with ``live.chart``) and their JSON;
- ``total``: both. Goal: at most 2 s for digits [64, 30, 10].

Runs are built as the Playground builds them (``build_run``, data from
``backprop.datasets.load`` through the app's loader): the default configuration (circle,
[2, 4, 4, 2]) and digits with one hidden layer of 30 (all 1,797 samples), each trained
``--epochs`` epochs first (snapshots every step, as in the app). BLAS runs on one thread
(set before numpy is imported), as on the server.

    python benchmarks/bench_landscape.py
    python benchmarks/bench_landscape.py --repeat 5 --grid 41
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backprop import landscape, viz  # noqa: E402
from backprop.ui.config import DEFAULT  # noqa: E402
from backprop.ui.session import build_run, load_dataset  # noqa: E402

CASES = {
    "Playground default (circle 2-4-4-2)": {},
    "digits [64, 30, 10]": {"dataset": "digits", "hidden": (30,), "n_samples": 1797},
}
GOAL_S = 2.0  # digits [64, 30, 10]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def make_run(epochs: int, **changes):
    cfg = replace(DEFAULT, **changes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Streamlit's cache outside a server
        run = build_run(cfg, load_dataset(cfg))
    assert run.train(epochs=epochs), run.diverged
    return run


def figures(land: landscape.Landscape) -> int:
    """Both figures built and turned into JSON, as the tab sends them; their bytes."""
    fig = viz.landscape(land.surface, land.path, f"Loss landscape at step {land.step}")
    line = viz.interpolation(land.interpolation)
    return len(fig.to_json()) + len(line.to_json())


def time_one(run, grid: int, span: float) -> tuple[float, float, landscape.Landscape, int]:
    t = time.perf_counter()
    land = landscape.of_trainer(run.trainer, seed=0, n=grid, span=span)
    t_compute = time.perf_counter() - t
    t = time.perf_counter()
    size = figures(land)
    return t_compute, time.perf_counter() - t, land, size


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--grid", type=int, default=21)
    p.add_argument("--span", type=float, default=1.0)
    args = p.parse_args()
    print(f"{os.cpu_count()} CPUs, one BLAS thread; load average at start {loadavg()}")
    print(f"medians of {args.repeat} runs, seconds; grid {args.grid} x {args.grid}, "
          f"span {args.span}, after {args.epochs} epochs")  # fmt: skip
    print(f"{'run':38} {'params':>7} {'samples':>7} {'path':>5} {'compute':>8} "
          f"{'figures':>8} {'total':>7}  JSON")  # fmt: skip
    for label, changes in CASES.items():
        run = make_run(args.epochs, **changes)
        time_one(run, args.grid, args.span)  # warm-up
        rows = [time_one(run, args.grid, args.span) for _ in range(args.repeat)]
        compute = statistics.median(r[0] for r in rows)
        figs = statistics.median(r[1] for r in rows)
        total = statistics.median(r[0] + r[1] for r in rows)
        land, size = rows[-1][2], rows[-1][3]
        goal = f"  (goal <= {GOAL_S:g} s)" if "digits" in label else ""
        print(f"{label:38} {run.net.n_parameters():7,} {land.surface.samples:7,} "
              f"{len(land.path.steps):5} {compute:8.3f} {figs:8.3f} {total:7.3f}  "
              f"{size / 1024:.0f} KB{goal}")  # fmt: skip
        for note in land.notes:
            print(f"{'':38} reduced: {note}")
    print(f"load average at the end {loadavg()}")


if __name__ == "__main__":
    main()
