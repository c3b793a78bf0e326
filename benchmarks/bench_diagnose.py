"""Server time of ``backprop.diagnose`` against a Playground Step, in-process.

For each run (built as the Playground builds it, with one BLAS thread as the server runs,
and trained ``--warmup`` steps first) it times, in milliseconds, medians of ``--rounds``
rounds (each the mean of ``--steps`` Steps or ``--calls`` diagnoses):

- ``step``: ``Run.train(steps=1)``, the engine's part of a Step (training, the history row,
  the every-step evaluation on small data, the snapshot);
- ``step+views``: that plus ``board.views_of``, every live view's figure spec (the server's
  work for a Step but Streamlit's own and the frame encoding);
- ``diagnose``: ``backprop.diagnose(run.trainer)`` once;
- ``amortised``: ``diagnose`` over ``backprop.ui.diagnoses.EVERY``, as the Playground's
  panel runs it (once every ``EVERY`` steps), and its ratio to ``step`` and ``step+views``.

    python benchmarks/bench_diagnose.py
    python benchmarks/bench_diagnose.py --rounds 9 --steps 100
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import backprop  # noqa: E402
from backprop.ui import board, diagnoses  # noqa: E402
from backprop.ui.config import DEFAULT, PRESETS  # noqa: E402
from backprop.ui.session import build_run, load_dataset  # noqa: E402

RUNS = {
    "Playground default (circle, 2-4-4-2)": DEFAULT,
    "digits [64, 30, 10]": replace(PRESETS["Nielsen chapter 1 (digits)"]),
}


def make_run(cfg, warmup: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = build_run(cfg, load_dataset(cfg))
    assert run.train(steps=warmup), run.diverged
    return run


def per_call_ms(fn, n: int, rounds: int) -> float:
    """Median over ``rounds`` of the mean time of ``n`` calls of ``fn``, in ms."""
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t) / n)
    return statistics.median(times) * 1e3


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7, help="rounds, median taken (default 7)")
    p.add_argument("--steps", type=int, default=50, help="Steps per round (default 50)")
    p.add_argument("--calls", type=int, default=20, help="diagnoses per round (default 20)")
    p.add_argument("--warmup", type=int, default=500, help="steps trained first (default 500)")
    args = p.parse_args()
    args.rounds = max(5, args.rounds)
    logging.disable(logging.WARNING)  # st.session_state outside a Streamlit runtime
    k = diagnoses.EVERY
    print(f"medians of {args.rounds} rounds, ms per call; diagnosed every {k} steps")
    print(
        f"{'run':38} {'step':>7} {'+views':>7} {'diagnose':>9} {'amortised':>9}"
        f" {'/ step':>7} {'/ +views':>8} {'findings':>8}"
    )
    with threadpool_limits(1):
        for label, cfg in RUNS.items():
            run = make_run(cfg, args.warmup)
            step = per_call_ms(lambda r=run: r.train(steps=1), args.steps, args.rounds)
            full = per_call_ms(
                lambda r=run: (r.train(steps=1), board.views_of(r)), args.steps, args.rounds
            )
            dx = per_call_ms(lambda r=run: backprop.diagnose(r.trainer), args.calls, args.rounds)
            n = len(backprop.diagnose(run.trainer))
            am = dx / k
            print(
                f"{label:38} {step:7.3f} {full:7.3f} {dx:9.3f} {am:9.3f}"
                f" {am / step:6.1%} {am / full:8.1%} {n:8d}"
            )
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
