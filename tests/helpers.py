"""Helpers shared by the test modules (test modules never import each other).

* ``ROOT``, the repository;
* comparing gradients (``assert_close_grad``, ``grads_close``);
* the trainer's next shuffle and copies of a network's parameters;
* hostile files: tiny uploads that claim huge sizes, and a peak-memory probe;
* Playground runs built outside the app (``dataset_for``, ``train_run``, ``digest``) and
  ``BASE``, a valid config that differs from ``DEFAULT`` in every field;
* driving the app with Streamlit's ``AppTest`` (``playground``, ``click``, ``texts``...)
  and reading the charts it shows (``charts``: ``st.plotly_chart`` elements and the live
  component's alike).

The independent maths the engine is checked against is in ``reference.py``. Streamlit is
imported only when an ``AppTest`` helper runs, so engine tests do not load it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from backprop.datasets import DATASETS, Dataset, load
from backprop.ui.config import PlaygroundConfig

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

    from backprop.ui.session import Run

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "explorer.py")  # the router (app.py is its st.App launcher)
PLAYGROUND = "app_pages/playground.py"


# ------------------------------------------------------------------ gradients
def assert_close_grad(analytic, numeric, atol: float = 1e-6, rtol: float = 1e-4, what: str = ""):
    """``|a - n| <= atol + rtol |n|`` entrywise, with a message naming the worst entry."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    assert analytic.shape == numeric.shape, (what, analytic.shape, numeric.shape)
    err = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    worst = np.unravel_index(np.argmax(err), err.shape)
    assert np.all(err <= 0), (
        f"{what}: analytic {analytic[worst]!r} vs numeric {numeric[worst]!r} at {worst}"
    )


def grads_close(analytic, numeric, atol: float = 1e-6, rtol: float = 1e-4) -> bool:
    return bool(np.all(np.abs(np.asarray(analytic) - numeric) <= atol + rtol * np.abs(numeric)))


# ------------------------------------------------------------------- trainer
def predicted_permutation(net, n: int) -> np.ndarray:
    """The shuffle the trainer will draw next: ``net.rng.permutation(n)`` on a copy."""
    rng = np.random.default_rng()
    rng.bit_generator.state = net.rng.bit_generator.state
    return rng.permutation(n)


def params_of(net) -> list[np.ndarray]:
    """Copies of ``[w_0, b_0, w_1, b_1, ...]``."""
    out = []
    for w, b in zip(net.weights, net.biases):
        out += [w.copy(), b.copy()]
    return out


def same_params(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    """Whether two ``params_of`` lists are equal, exactly."""
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


# ------------------------------------------------------------- hostile files
def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def npy_header(shape: tuple[int, ...], descr: str = "|u1", body: bytes = bytes(64)) -> bytes:
    """A ``.npy`` member whose header claims ``shape`` but which holds only ``body``."""
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def with_members(npz: bytes, members: dict[str, bytes | np.ndarray]) -> bytes:
    """The archive ``npz`` with more members (arrays are saved as ``.npy``)."""
    buf = io.BytesIO(npz)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, value in members.items():
            zf.writestr(name, npy_bytes(value) if isinstance(value, np.ndarray) else value)
    return buf.getvalue()


def npz_of(members: dict[str, bytes | np.ndarray]) -> bytes:
    """A fresh archive of ``members`` (arrays saved as ``.npy``, bytes written as they are)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED):
        pass
    return with_members(buf.getvalue(), members)


def nested(depth: int) -> str:
    """JSON lists nested ``depth`` deep."""
    return "[" * depth + "]" * depth


def many_lists(n: int) -> str:
    """A JSON list of ``n`` one-element lists: tiny text, many Python objects."""
    return "[" + ",".join(["[0]"] * n) + "]"


def peak_bytes(fn: Callable[[], object]) -> tuple[BaseException | None, int]:
    """``(the exception fn raised or None, peak bytes it allocated)``; numpy arrays count."""
    tracemalloc.start()
    try:
        fn()
        raised = None
    except Exception as e:
        raised = e
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return raised, peak


# ------------------------------------------------------------- Playground runs
# Differs from DEFAULT in every field, so a fallback to the default is visible. Its output and
# cost stay compatible with either one's default (sigmoid + cross-entropy), so that one of
# them falling back alone does not also trigger the clash rule.
BASE = PlaygroundConfig(
    dataset="moons",
    n_samples=300,
    noise=0.2,
    test_fraction=0.3,
    features=("x1", "x2", "x1*x2"),
    seed=7,
    hidden=(5, 3),
    activation="relu",
    output_activation="sigmoid",
    cost="cross_entropy",
    init="he",
    optimizer="adam",
    eta=0.05,
    batch_size=16,
    regularization="l2",
    lmbda=0.5,
)


def dataset_for(cfg: PlaygroundConfig) -> Dataset:
    """The data set the Playground loads for ``cfg`` (a table: all its rows)."""
    return load(
        cfg.dataset,
        n_samples=cfg.n_samples if DATASETS[cfg.dataset].generated else None,
        noise=cfg.noise,
        test_fraction=cfg.test_fraction,
        features=cfg.features,
        seed=cfg.seed,
    )


def reference_run(cfg: PlaygroundConfig, steps: int = 0) -> Run:
    """The same config built and trained here, outside the app."""
    from backprop.ui.session import build_run

    ref = build_run(cfg, dataset_for(cfg))
    assert ref.train(steps=steps)
    return ref


def train_run(cfg: PlaygroundConfig, epochs: int, steps: int) -> Run:
    """``cfg``'s run built as the Playground builds it, trained ``epochs`` then ``steps``."""
    from backprop.ui.session import build_run

    run = build_run(cfg, dataset_for(cfg))
    assert run.train(epochs=epochs), run.diverged
    assert run.train(steps=steps), run.diverged
    return run


def digest(run: Run) -> str:
    """A hash of the run's histories (CSV text at full precision) and its parameters."""
    h = hashlib.sha256()
    for frame in (run.trainer.history_frame(), run.trainer.epoch_frame()):
        h.update(frame.to_csv(float_format="%.17g").encode())
    for a in (*run.net.weights, *run.net.biases):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


# --------------------------------------------------------------------- AppTest
def ok(at: AppTest) -> AppTest:
    """``at`` after checking the last run raised nothing."""
    assert not at.exception, "\n".join(
        f"{e.value}\n" + "\n".join(e.stack_trace) for e in at.exception
    )
    return at


def run(at: AppTest) -> AppTest:
    return ok(at.run())


def playground(params: dict[str, str] | None = None) -> AppTest:
    """A new session opened on the Playground, with ``params`` as the URL's query.

    (Switching before the first run works because the pages have no custom url_path.)
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.switch_page(PLAYGROUND)
    run(at)
    assert "Playground" in texts(at.title)
    return at


def the_run(at: AppTest) -> Run:
    from backprop.ui.session import RUN_KEY

    return at.session_state[RUN_KEY]


def board_header(at: AppTest) -> dict:
    """The header of the live board's last payload, decoded as the browser decodes it."""
    from backprop.viz import frames

    (board,) = [e for e in at.get("bidi_component") if getattr(e, "key", None) == "live_board"]
    header, _ = frames.unpack(board.proto.bytes)
    return header


def board_counters(at: AppTest) -> dict[str, str]:
    """The counters (label -> text) the live board was last sent: those of its last frame."""
    return dict(board_header(at)["frames"][-1]["counters"])


def metric(at: AppTest, label: str) -> str:
    return board_counters(at)[label]


def counters(at: AppTest) -> tuple[int, int]:
    return int(metric(at, "Step").replace(",", "")), int(metric(at, "Epoch").replace(",", ""))


def click(at: AppTest, key: str) -> AppTest:
    return run(at.button(key=key).click())


def texts(elements) -> list[str]:
    """The messages of ``elements``, with Markdown backslash escapes and the word joiners
    that break autolinks (``common.plain``) removed: the text a visitor reads."""
    return [re.sub(r"\\(.)", r"\1", e.value).replace("\u2060", "") for e in elements]


def query(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state["detail_tab"] = label
    run(at)
    shown = [t.label for t in at.tabs if t.children]
    assert shown == [label], shown  # only the open tab's content runs
    return at


def tab(at: AppTest, label: str):
    (t,) = [t for t in at.tabs if t.label == label]
    return t


@dataclass(frozen=True)
class Chart:
    """A chart as the browser gets it: its key, the file name its toolbar saves
    (``backprop-<name>``), whether it has the SVG button (the live component) or the PNG
    only (``st.plotly_chart``, the fallback without static serving), and its figure JSON."""

    key: str | None
    filename: str
    svg: bool
    figure: dict

    @property
    def layout(self) -> dict:
        return self.figure.get("layout", {})

    @property
    def title(self) -> str:
        t = self.layout.get("title", {})
        return (t.get("text") if isinstance(t, dict) else t) or ""


def charts(node) -> list[Chart]:
    """Every chart under ``node`` (an ``AppTest``, or a block such as ``tab(at, "Curves")``
    or a column), in page order: ``st.plotly_chart`` elements and the figures of the live
    component (``backprop.ui.live``: its data holds the figure's JSON; the live board,
    which sends bytes, is not one)."""
    roots = [node.main, node.sidebar] if hasattr(node, "main") else [node]
    found = []
    for root in roots:
        for el in root:
            kind = getattr(el, "type", None)
            if kind == "plotly_chart":
                opts = json.loads(el.proto.config)["toImageButtonOptions"]
                fig = json.loads(el.proto.spec)
                found.append(Chart(el.key, opts["filename"], False, fig))
            elif kind == "bidi_component" and el.proto.WhichOneof("data") == "json":
                data = json.loads(el.proto.json)
                if "figure" in data:
                    name = data.get("name") or data["key"].removeprefix("live_")
                    found.append(
                        Chart(el.key, f"backprop-{name}", True, json.loads(data["figure"]))
                    )
    return found
