"""``python -m backprop``: train from the command line, for runs longer than a browser session.

Writes the network (``network.json`` and ``network.npz``), the per-step and per-epoch
history (``history.csv``, ``epochs.csv``) and the run's settings (``run.json``) into
``--out``. Example (Nielsen, chapter 1, on scikit-learn's digits)::

    python -m backprop --dataset digits --hidden 30 --eta 3 --epochs 30 --out runs/ch1
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import ACTIVATIONS, COSTS, HIDDEN_ACTIVATIONS, INITS, OPTIMIZERS, REGULARIZATIONS
from . import datasets as D
from .io import to_json, to_npz
from .network import Network
from .precision import DTYPES
from .trainer import DivergenceError, Trainer
from .validation import whole_number


def parser() -> argparse.ArgumentParser:
    prog = "python -m backprop" if sys.argv[0].endswith("__main__.py") else "backprop"
    p = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    d = p.add_argument_group("data")
    d.add_argument(
        "--dataset", default="digits", choices=[*D.DATASETS, "mnist", "csv"], help="default: digits"
    )
    d.add_argument("--samples", type=int, default=None, help="synthetic sets: points")
    d.add_argument("--noise", type=float, default=0.0)
    d.add_argument("--test-fraction", type=float, default=0.2)
    d.add_argument("--features", default="x1,x2", help="2-D sets: comma-separated")
    d.add_argument("--mnist-dir", type=Path, help="folder with the four MNIST IDX files")
    d.add_argument("--csv", type=Path, help="a CSV table (with --dataset csv)")
    d.add_argument("--target", help="the CSV's target column (default: the last)")
    n = p.add_argument_group("network")
    n.add_argument("--hidden", default="30", help="hidden layer sizes, e.g. 30 or 16,16")
    n.add_argument("--activation", default="sigmoid", choices=HIDDEN_ACTIVATIONS)
    n.add_argument("--output-activation", default=None, choices=list(ACTIVATIONS))
    n.add_argument("--cost", default="quadratic", choices=list(COSTS))
    n.add_argument("--init", default="standard", choices=list(INITS))
    n.add_argument("--seed", type=int, default=0)
    t = p.add_argument_group("training")
    t.add_argument("--optimizer", default="sgd", choices=list(OPTIMIZERS))
    t.add_argument("--eta", type=float, default=3.0)
    t.add_argument("--batch-size", type=int, default=10)
    t.add_argument("--regularization", default="none", choices=REGULARIZATIONS)
    t.add_argument("--lmbda", type=float, default=0.0)
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument(
        "--dtype",
        default="float64",
        choices=list(DTYPES),
        help="float type of the training step (float32: faster long runs); default: float64",
    )
    p.add_argument(
        "--progress", choices=["on", "off"], default="on", help="a progress bar on stderr"
    )
    p.add_argument("--out", type=Path, default=Path("runs/latest"), help="output folder")
    return p


def load_data(args: argparse.Namespace) -> D.Dataset:
    if args.dataset == "mnist":
        folder = args.mnist_dir or D.mnist_folder()
        if folder is None:
            raise ValueError("MNIST needs --mnist-dir (or BACKPROP_DATA_DIR) with the IDX files")
        return D.load_mnist(folder)
    if args.dataset == "csv":
        if args.csv is None:
            raise ValueError("--dataset csv needs --csv FILE")
        return D.load_csv(args.csv, args.target, test_fraction=args.test_fraction, seed=args.seed)
    feats = tuple(f.strip() for f in args.features.split(",") if f.strip())
    return D.load(
        args.dataset,
        n_samples=args.samples,
        noise=args.noise,
        test_fraction=args.test_fraction,
        features=feats,
        seed=args.seed,
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        ds = load_data(args)
        hidden = [int(h) for h in args.hidden.split(",") if h.strip()]
        net = Network(
            [ds.n_in, *hidden, ds.n_out],
            args.activation,
            args.output_activation,
            args.cost,
            args.init,
            args.seed,
        )
        tr = Trainer(
            net,
            ds.X_train,
            ds.Y_train,
            ds.X_test,
            ds.Y_test,
            eta=args.eta,
            batch_size=min(args.batch_size, ds.n_train),
            optimizer=args.optimizer,
            regularization=args.regularization,
            lmbda=args.lmbda,
            dtype=args.dtype,
        )
        whole_number("epochs", args.epochs, minimum=1, maximum=net.limits.max_epochs)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{ds.name}: {ds.n_train} train / {ds.n_test} test; network {net.sizes}", file=sys.stderr)
    status = 0
    try:
        tr.train(args.epochs, progress=args.progress != "off")
    except DivergenceError as e:
        print(f"\nstopped: {e}; saving the last finite network", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("\ninterrupted; saving what was trained", file=sys.stderr)
        status = 130
    meta = {"dataset": ds.name, "steps": tr.steps, "epochs": tr.epochs, **tr.config()}
    meta["dtype"] = tr.dtype
    (args.out / "network.json").write_text(to_json(net, meta))
    (args.out / "network.npz").write_bytes(to_npz(net, meta))
    tr.history_frame().to_csv(args.out / "history.csv", index=False)
    tr.epoch_frame().to_csv(args.out / "epochs.csv", index=False)
    run = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    (args.out / "run.json").write_text(json.dumps(run, indent=2))
    print(f"wrote {args.out}/network.json, network.npz, history.csv, epochs.csv", file=sys.stderr)
    return status
