"""Server CPU of a hands-on edit in the Playground, in-process, in milliseconds.

For the default run (circle, 250 training samples, ``[2, 4, 4, 2]``, 30 steps) it times, as
medians of ``--repeat`` runs (``time.perf_counter``):

- ``decode+apply 50``: reading the longest URL value (50 added points) and replaying it
  onto the generated data (what a shared link costs);
- ``set_data``: handing the edited set to the trainer (new batch order, probe, evaluator);
- ``click``: one click on the output chart as the page handles it (the op, the replay of all
  edits so far onto the generated data, ``set_data``, the costs evaluated), with 50 edits;
- ``weight``: setting one weight and evaluating the costs;
- ``views``: the board's four views rebuilt afterwards (what every edit also costs).

    python benchmarks/bench_handson.py --repeat 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backprop.datasets import edits  # noqa: E402
from backprop.param_edit import set_parameter  # noqa: E402
from backprop.ui.board import views_of  # noqa: E402
from backprop.ui.config import DEFAULT  # noqa: E402
from backprop.ui.session import build_run, load_dataset  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    repeat = max(3, args.repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = build_run(DEFAULT, load_dataset(DEFAULT))
        run.train(steps=30)
    base = run.dataset
    ops = [edits.add_op(-4.5 + 0.18 * i, 4.5, i % 2) for i in range(edits.MAX_EDITS)]
    text = edits.encode(ops)
    edited = edits.apply(base, ops)
    tr = run.trainer

    def click() -> None:
        ds = edits.apply(base, [*ops[:-1], edits.add_op(4.5, -4.5, 1)])
        tr.set_data(ds.X_train, ds.Y_train)
        tr.evaluate()

    def weight() -> None:
        set_parameter(run.net, 2, 1, 0, 0.5)
        tr.evaluate()

    rows = {
        "decode+apply 50": median_ms(lambda: edits.apply(base, edits.decode(text)), repeat),
        "set_data": median_ms(lambda: tr.set_data(edited.X_train, edited.Y_train), repeat),
        "click": median_ms(click, repeat),
        "weight": median_ms(weight, repeat),
        "views": median_ms(lambda: views_of(run), repeat),
    }
    for name, ms in rows.items():
        print(f"{name:<16} {ms:8.2f} ms   (median of {repeat})")
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
