"""Server CPU of the Playground's live figures: build + JSON, per builder, in-process.

For every figure a Playground Step redraws (network graph, output view, cost curve, the
Layers tab's heatmap) it times these paths, each the minimum of ``--repeat`` runs with
``time.perf_counter``, in milliseconds:

- ``before`` (with ``--baseline REV``): that commit's ``backprop/viz`` (loaded beside the
  current one, on the same inputs): the public builder, then ``fig.to_json()``;
- ``figure``: today's public builder (a validated ``go.Figure``), then ``fig.to_json()``;
- ``spec``: the ``*_spec`` builder (a plain dict), then ``viz.spec_json``: what
  ``backprop.ui.live.live_chart`` sends (``-`` if the builder has no spec function).

The ratio is ``before`` (else ``figure``) over ``spec``.

Runs are built like the Playground's: the default configuration (circle, ``[2, 4, 4, 2]``)
trained for 30 steps, plus sine (1-D regression), digits (8x8 images, 32 hidden neurons,
so the graph's 16-neuron cap applies) and iris (the fallback output heatmap).

    python benchmarks/bench_figures.py
    python benchmarks/bench_figures.py --baseline c93a1f3 --repeat 100
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backprop import viz  # noqa: E402
from backprop.ui import views  # noqa: E402
from backprop.ui.config import DEFAULT  # noqa: E402
from backprop.ui.session import build_run, load_dataset  # noqa: E402


def make_run(steps: int = 30, **cfg):
    c = replace(DEFAULT, **cfg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = build_run(c, load_dataset(c))
    run.train(steps=steps)
    return run


def load_baseline(rev: str):
    """``backprop/viz`` as of commit ``rev``, imported as ``backprop._viz_baseline`` (its
    relative imports resolve to today's engine, so both get the same objects)."""
    tmp = Path(tempfile.mkdtemp(prefix="viz_baseline_"))
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", rev, "backprop/viz/"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in names:
        text = subprocess.run(
            ["git", "show", f"{rev}:{name}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        (tmp / Path(name).name).write_text(text)
    spec = importlib.util.spec_from_file_location(
        "backprop._viz_baseline", tmp / "__init__.py", submodule_search_locations=[str(tmp)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def best_ms(build, to_json, a: tuple, kw: dict, repeat: int) -> float:
    """Minimum over ``repeat`` runs of ``to_json(build(*a, **kw))``, in ms (after a warm-up)."""
    to_json(build(*a, **kw))
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        to_json(build(*a, **kw))
        times.append(time.perf_counter() - t)
    return min(times) * 1e3


def figure_json(fig) -> str:
    return fig.to_json()


def cases() -> list[tuple[str, str, tuple, dict]]:
    """``(label, builder name, args, kwargs)`` for every live figure."""
    circle = make_run()
    sine = make_run(dataset="sine", output_activation="sigmoid", cost="quadratic")
    digits = make_run(dataset="digits", hidden=(32,))
    iris = make_run(dataset="iris")
    tr = views.probe_trace(circle)
    big = views.probe_trace(digits)
    return [
        ("network_graph (circle)", "network_graph", (tr, 0, "forward"), {}),
        ("network_graph (digits, capped)", "network_graph", (big, 0, "backward"), {}),
        (
            "decision_boundary (grid 60)",
            "decision_boundary",
            (circle.net, circle.dataset),
            {"grid": views.LIVE_GRID},
        ),
        ("regression_curve (sine)", "regression_curve", (sine.net, sine.dataset), {}),
        (
            "first_layer_images (digits)",
            "first_layer_images",
            (digits.net, digits.dataset.image_shape),
            {},
        ),
        (
            "layer_heatmap (iris output a)",
            "layer_heatmap",
            (views.probe_trace(iris), iris.net.n_layers, "a"),
            {},
        ),
        ("cost_curves", "cost_curves", (circle.trainer.history_frame(),), {}),
        ("layer_heatmap (layer 1, a)", "layer_heatmap", (tr, 1, "a"), {}),
        ("layer_heatmap (layer 2, w)", "layer_heatmap", (tr, 2, "w"), {}),
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--baseline", metavar="REV", help="also time backprop/viz as of this commit")
    args = p.parse_args()
    base = load_baseline(args.baseline) if args.baseline else None
    rows = []
    for label, name, a, kw in cases():
        before = None
        if base is not None:
            before = best_ms(getattr(base, name), figure_json, a, kw, args.repeat)
        fig_ms = best_ms(getattr(viz, name), figure_json, a, kw, args.repeat)
        spec_fn = getattr(viz, name + "_spec", None)
        spec_ms = None
        if spec_fn is not None:
            spec_ms = best_ms(spec_fn, viz.spec_json, a, kw, args.repeat)
        rows.append((label, before, fig_ms, spec_ms))

    def cell(v):
        return f"{v:9.1f}" if v is not None else f"{'-':>9}"

    print(f"min of {args.repeat} runs, ms (build + JSON)")
    print(f"{'figure':32} {'before':>9} {'figure':>9} {'spec':>9} {'ratio':>7}")
    for label, before, fig_ms, spec_ms in rows:
        ref = before if before is not None else fig_ms
        ratio = f"{ref / spec_ms:6.1f}x" if spec_ms else f"{'-':>7}"
        print(f"{label:32} {cell(before)} {cell(fig_ms)} {cell(spec_ms)} {ratio}")


if __name__ == "__main__":
    main()
