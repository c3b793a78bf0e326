"""Memory one Playground session holds, per data set: the bundled ones, a full-size MNIST
and a 49 MB CSV.

Method. Every measurement runs in a fresh Python process (``--one CASE``), so no data set
shares its allocator with another. The process imports everything, sets glibc's malloc as
the server does (``backprop/ui/common.py``), then does what one session does: it keeps the
uploaded bytes (Streamlit keeps an upload for the session), loads the data set the way the
sidebar does (``backprop.store.shared_csv``, ``shared_mnist``; the cached loader for
the bundled ones), builds the run (network and trainer) and trains 5 steps. It prints

- held: RSS after the session, after a full garbage collection and ``malloc_trim``,
  minus RSS before it (``/proc/self/status``): what one more visitor costs the server;
- peak: the highest RSS during the load (``VmHWM``) minus RSS before it;
- arrays: the bytes of the data set's arrays (``Dataset.nbytes``) and their dtype;
- for ``mnist`` and ``csv49``, ``+1 same``: what a second session that loads the same
  file adds (the sessions share one read-only copy).

Each number is the median of ``--repeat`` processes (default 3). The full-size MNIST is
built here: 60,000 + 10,000 blank 28x28 images with labels 0-9, in the four gzipped IDX
files (about 52 KB of gzip, as a visitor could upload). The CSV is 70,000 rows of 350
one-digit cells (49 MB): the most cells 49 MB of CSV can hold. About two minutes.

    python benchmarks/bench_memory.py
    python benchmarks/bench_memory.py --cases iris,mnist --repeat 5
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import gzip
import json
import statistics
import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUNDLED = ("circle", "xor", "gauss", "spiral", "moons", "sine", "plane", "digits", "iris",
           "wine", "breast_cancer")  # fmt: skip
UPLOADS = ("mnist", "csv49")
STEPS = 5


def status_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Make ``VmHWM`` restart from the current RSS (Linux: write 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def mnist_files() -> dict[str, bytes]:
    """The four gzipped IDX files of a full-size, blank MNIST (60,000 + 10,000 images)."""

    def idx(array: np.ndarray) -> bytes:
        head = b"\x00\x00\x08" + bytes([array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
        return gzip.compress(head + array.tobytes(), compresslevel=9)

    out = {}
    for split, n in (("train", 60_000), ("t10k", 10_000)):
        out[f"{split}-images-idx3-ubyte.gz"] = idx(np.zeros((n, 28, 28), np.uint8))
        out[f"{split}-labels-idx1-ubyte.gz"] = idx((np.arange(n) % 10).astype(np.uint8))
    return out


def csv49() -> bytes:
    """70,000 rows of 350 one-digit cells (the last one the class), about 49 MB."""
    cols = 350
    header = ",".join(f"c{i}" for i in range(cols - 1)) + ",label\n"
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 10, (70_000, cols)).astype(np.uint8) + ord("0")
    body = np.full((70_000, 2 * cols), ord(","), np.uint8)
    body[:, 0::2] = digits
    body[:, -1] = ord("\n")
    return header.encode() + body.tobytes()


def upload(name: str) -> object:
    """What the sidebar's file uploader hands the app for the upload case ``name``."""
    from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

    def one(file_name: str, data: bytes) -> UploadedFile:
        rec = UploadedFileRec(file_id=file_name, name=file_name, type="", data=data)
        return UploadedFile(rec, None)

    if name == "mnist":
        return [one(k, v) for k, v in mnist_files().items()]
    return one("big.csv", csv49())


def session(name: str, uploaded: object) -> object:
    """One session's run on data set ``name`` (trained a few steps), as the app builds it."""
    from backprop.ui.config import DEFAULT
    from backprop.ui.session import build_run, load_dataset

    cfg = replace(DEFAULT, dataset=name if name in BUNDLED else name[:3])
    if name in ("sine", "plane"):  # one output, as the sidebar switches it
        cfg = replace(cfg, output_activation="sigmoid", cost="quadratic")
    if name in BUNDLED:
        ds = load_dataset(cfg)
    else:
        ds = _load_upload(cfg.dataset, uploaded)
    run = build_run(cfg, ds)
    run.train(steps=STEPS)
    return run


def _load_upload(kind: str, uploaded: object) -> object:
    """What the sidebar calls: the loaders that share one copy per file."""
    from backprop.store import shared_csv, shared_mnist

    if kind == "csv":
        return shared_csv(uploaded)
    return shared_mnist({f.name: f for f in uploaded})


def nbytes(ds: object) -> int:
    keys = ("X_train", "Y_train", "X_test", "Y_test", "X_val", "Y_val", "raw_train", "raw_test")
    return sum(a.nbytes for a in (getattr(ds, k) for k in keys) if a is not None)


def release() -> float:
    """RSS after a full collection and glibc's ``malloc_trim`` (as the server does)."""
    from backprop.ui.common import release_memory

    release_memory()
    return status_mb("VmRSS")


def measure(name: str) -> dict:
    """One process's numbers for data set ``name``."""
    import backprop.ui.session  # noqa: F401  (everything the session needs, imported)
    from backprop.ui.common import (
        M_ARENA_MAX,
        M_MMAP_THRESHOLD,
        MALLOC_ARENAS,
        MMAP_THRESHOLD,
        _glibc,
        _import_everything,
    )

    _import_everything()
    if libc := _glibc():
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    uploaded = upload(name) if name in UPLOADS else None
    for f in uploaded if isinstance(uploaded, list) else [uploaded] if uploaded else []:
        f.seek(0)
    before = release()
    reset_peak()
    run = session(name, uploaded)
    peak = status_mb("VmHWM") - before
    held = release() - before
    out = {
        "held": held,
        "peak": peak,
        "arrays": nbytes(run.dataset) / 2**20,
        "dtype": str(run.dataset.X_train.dtype),
    }
    if name in UPLOADS:
        for f in uploaded if isinstance(uploaded, list) else [uploaded]:
            f.seek(0)
        second = session(name, uploaded)
        out["second"] = release() - before - held
        del second
    del run
    gc.collect()
    return out


def one_process(name: str) -> dict:
    cmd = [sys.executable, __file__, "--one", name]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{name}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median(runs: list[dict], key: str) -> str:
    vals = [r[key] for r in runs if key in r]
    return f"{statistics.median(vals):.1f}" if vals else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=",".join(BUNDLED + UPLOADS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    print(f"load average at start: {loadavg()}; medians of {args.repeat} processes, MB")
    print(f"{'data set':<14} {'held':>7} {'peak':>7} {'arrays':>7} {'dtype':>8} {'+1 same':>8}")
    for name in args.cases.split(","):
        runs = [one_process(name) for _ in range(args.repeat)]
        dtype = runs[0]["dtype"].replace("float", "f")
        cols = [median(runs, k) for k in ("held", "peak", "arrays")]
        print(f"{name:<14} {cols[0]:>7} {cols[1]:>7} {cols[2]:>7} {dtype:>8}", end=" ")
        print(f"{median(runs, 'second'):>8}")
    print(f"load average at end: {loadavg()}")


if __name__ == "__main__":
    main()
