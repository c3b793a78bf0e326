"""Server CPU of the Playground's Compare tab (backprop.ui.compare), in-process.

Medians of ``--repeat`` runs (at least 3) with ``time.perf_counter``, in milliseconds, on
the default configuration (circle, ``[2, 4, 4, 2]``) with A and B each trained ``--steps``:

- ``pin``: ``Pinned.of(run)``, the copy "Pin as A" keeps (history frame, network);
- ``figures``: the tab's five figures as ``live.chart`` gets them (validated
  ``go.Figure``: cost, accuracy, gradient norms, A's and B's decision boundary) and their
  JSON, which a Step with the tab open redraws;
- ``specs``: the same overlays as dict specs and ``viz.spec_json`` (what a live chart
  would send), for comparison;
- ``replay``: a link's replay of A, steps per second of training alone (the budgeted ticks
  add the page's reruns), and the seconds the longest link (``BACKPROP_MAX_EPOCHS``
  epochs) would take.

    python benchmarks/bench_compare.py
    python benchmarks/bench_compare.py --steps 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backprop import viz  # noqa: E402
from backprop.ui import compare, moment, views  # noqa: E402
from backprop.ui.config import DEFAULT  # noqa: E402
from backprop.ui.session import build_run, load_dataset  # noqa: E402

LABELS = ("A", "B")


def make_run(steps: int, **cfg):
    c = replace(DEFAULT, **cfg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = build_run(c, load_dataset(c))
    assert run.train(steps=steps), run.diverged
    return run


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def tab_figures(pin: compare.Pinned, b) -> list:
    hb = b.trainer.history_frame()
    return [
        viz.compare_curves(pin.history, hb, "cost", LABELS),
        viz.compare_curves(pin.history, hb, "accuracy", LABELS),
        viz.compare_norms(pin.history, hb, "grad_norm", LABELS),
        compare._output_figure(pin.net, pin.dataset, pin.probe, "A"),
        compare._output_figure(b.net, b.dataset, b.trainer.probe, "B"),
    ]


def tab_specs(pin: compare.Pinned, b) -> list:
    hb = b.trainer.history_frame()
    return [
        viz.compare_curves_spec(pin.history, hb, "cost", LABELS),
        viz.compare_curves_spec(pin.history, hb, "accuracy", LABELS),
        viz.compare_norms_spec(pin.history, hb, "grad_norm", LABELS),
        views.net_output_spec(pin.net, pin.dataset, pin.probe),
        views.net_output_spec(b.net, b.dataset, b.trainer.probe),
    ]


def replay_rate(steps: int) -> float:
    """Steps per second of a fresh run of the default config trained ``steps`` steps."""
    run = make_run(0)
    t = time.perf_counter()
    assert run.train(steps=steps), run.diverged
    return steps / (time.perf_counter() - t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1000, help="steps of A and of B")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    repeat = max(3, args.repeat)
    a, b = make_run(args.steps), make_run(args.steps, eta=0.3)
    pin = compare.Pinned.of(a)
    rows = [
        ("pin (copy of A)", median_ms(lambda: compare.Pinned.of(a), repeat)),
        (
            "figures (5, validated) + JSON",
            median_ms(lambda: [f.to_json() for f in tab_figures(pin, b)], repeat),
        ),
        (
            "specs (5) + spec_json",
            median_ms(lambda: [viz.spec_json(s) for s in tab_specs(pin, b)], repeat),
        ),
    ]
    rates = [replay_rate(2000) for _ in range(repeat)]
    rate = statistics.median(rates)
    longest = moment.max_step(a)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"A and B at {args.steps:,} steps each; medians of {repeat} runs")
    for label, ms in rows:
        print(f"{label:34} {ms:8.1f} ms")
    print(f"{'replay of A (training alone)':34} {rate:8.0f} steps/s")
    print(f"{'longest link (' + format(longest, ',') + ' steps)':34} {longest / rate:8.1f} s")


if __name__ == "__main__":
    main()
