"""The Playground's configuration widgets, bound to the URL.

The canonical config lives in ``st.session_state[CFG_KEY]`` (it survives page switches,
which drop widget state); widgets are re-seeded from it whenever their keys are missing.
On a session's first run the config is read from the URL (with notices for anything
invalid); after every run the URL is rewritten from the config. The moment's keys
(``config.MOMENT_URL_KEYS``, see ``backprop.ui.moment``) are kept as they are.
"""

from __future__ import annotations

from dataclasses import fields, replace

import streamlit as st

from ..datasets import DATASETS, Dataset, mnist_folder
from ..limits import Limits
from ..store import shared_csv, shared_mnist, shared_mnist_folder
from . import lessons
from .common import plain
from .config import (
    DATASET_CHOICES,
    DEFAULT,
    FIELDS,
    HIDE_URL_KEY,
    PRESETS,
    VIEW_KEYS,
    PlaygroundConfig,
    check,
    from_query,
    to_query,
)

CFG_KEY = "pg_cfg"
NOTICES_KEY = "pg_url_notices"
URL_STATE_KEY = "pg_url_written"  # the query parameters this page last wrote
UPLOAD_KEY = "pg_uploaded_dataset"
W = "w_"  # prefix of the widget keys: w_<field>, w_h<i> for hidden layer sizes

_LABELS = {
    "circle": "circle (2-D)",
    "xor": "xor (2-D)",
    "gauss": "gauss (2-D)",
    "spiral": "spiral (2-D)",
    "moons": "moons (2-D)",
    "sine": "sine (1-D regression)",
    "plane": "plane (2-D regression)",
    "digits": "digits 8x8 (1,797 images)",
    "iris": "iris",
    "wine": "wine",
    "breast_cancer": "breast cancer",
    "csv": "my CSV file (upload)",
    "mnist": "MNIST (IDX or .npz files)",
}


def config() -> PlaygroundConfig:
    """This session's current Playground config: read from the URL the first time, and
    again when the URL holds parameters this page did not write (a link such as the home
    page's presets); an empty URL (the navigation menu) keeps the session's config."""
    params = _split_query()[0]
    first = CFG_KEY not in st.session_state
    if first or (params and params != st.session_state.get(URL_STATE_KEY)):
        params, notices = lessons.expand_preset(params)  # a lesson link's preset
        cfg, more = from_query(params)
        notices += more + lessons.parse_hide(st.query_params.get(HIDE_URL_KEY))[1]
        if first:
            st.session_state[CFG_KEY] = cfg
        else:
            apply_config(cfg)
        st.session_state[NOTICES_KEY] = notices
    return st.session_state[CFG_KEY]


def _split_query() -> tuple[dict[str, str], dict[str, str]]:
    """The URL's query parameters: (the config's, the view's: the moment and presentation
    mode, which the config rewrite keeps)."""
    params = st.query_params.to_dict()
    moment = {k: v for k, v in params.items() if k in VIEW_KEYS}
    return {k: v for k, v in params.items() if k not in moment}, moment


def apply_config(cfg: PlaygroundConfig) -> None:
    """Make ``cfg`` current and re-seed every widget from it (use in on_click callbacks)."""
    st.session_state[CFG_KEY] = cfg
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(W)]:
        del st.session_state[key]


def _widget_values(cfg: PlaygroundConfig) -> dict[str, object]:
    """The value of each sidebar widget (by key) that shows ``cfg``."""
    values: dict[str, object] = {}
    for f in fields(cfg):
        value = getattr(cfg, f.name)
        if f.name == "hidden":
            values[W + "n_hidden"] = len(value)
            values.update({f"{W}h{i}": h for i, h in enumerate(value)})
        else:
            values[W + f.name] = list(value) if f.name == "features" else value
    return values


def _seed_widgets(cfg: PlaygroundConfig) -> None:
    """Give every widget without a value the one of ``cfg`` (new layer-size boxes: 4)."""
    for key, value in _widget_values(cfg).items():
        st.session_state.setdefault(key, value)
    for i in range(int(st.session_state[W + "n_hidden"])):
        st.session_state.setdefault(f"{W}h{i}", 4)


def _show_config(cfg: PlaygroundConfig) -> None:
    """Set every widget to ``cfg`` (before any is drawn), so none shows a refused value."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(W)]:
        del st.session_state[key]
    for key, value in _widget_values(cfg).items():
        st.session_state[key] = value


def _forget_hidden_widgets(shown: set[str]) -> None:
    """Drop the state of the widgets not drawn this run (e.g. the features while MNIST is
    picked): the next time one is drawn it is seeded from the config afresh. A kept stale
    value reaches the browser as no value, and the widget came back empty."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(W)]:
        if key not in shown:
            del st.session_state[key]


def _on_dataset_change() -> None:
    """Regression data has one output: switch a softmax output to sigmoid + quadratic."""
    name = st.session_state[W + "dataset"]
    regression = name in DATASETS and DATASETS[name].task == "regression"
    if regression and st.session_state.get(W + "output_activation") == "softmax":
        st.session_state[W + "output_activation"] = "sigmoid"
        st.session_state[W + "cost"] = "quadratic"
        st.toast("Regression has one output: output set to sigmoid with quadratic cost.")


def _regenerate() -> None:
    st.session_state[W + "seed"] = (st.session_state.get(W + "seed", 0) + 1) % (Limits.max_seed + 1)


def render(limits: Limits) -> tuple[PlaygroundConfig, Dataset | None]:
    """Draw the sidebar; return the (valid) config and an uploaded dataset, if any.

    The widgets' values are checked before any is drawn: a refused change is reported at
    the top of the sidebar and every widget is set back to the config in effect."""
    cfg = config()
    _seed_widgets(cfg)
    new, refusal = _checked(cfg, limits)
    sb = st.sidebar
    if refusal:
        _show_config(cfg)
        sb.error(plain(refusal), icon=":material/block:")
        st.toast(plain(refusal), icon=":material/block:")
    hide = lessons.hidden()  # a lesson link's hidden controls: not drawn, values kept
    if "presets" not in hide:
        with sb.expander("Presets", expanded=False):
            for name, preset in PRESETS.items():
                st.button(
                    name, key=f"preset_{name}", on_click=apply_config, args=(preset,),
                    width="stretch",
                )  # fmt: skip
            st.button("Defaults", key="preset_defaults", on_click=apply_config, args=(DEFAULT,))
    uploaded, shown = _data_widgets(sb, limits, hide)
    shown |= _network_widgets(sb, limits, hide)
    shown |= _training_widgets(sb, limits, hide)
    _forget_hidden_widgets(shown)
    st.session_state[CFG_KEY] = new
    query = to_query(new)
    st.session_state[URL_STATE_KEY] = query
    params, moment = _split_query()
    if params != query:
        st.query_params.from_dict({**query, **moment})
    return new, uploaded


def _checked(cfg: PlaygroundConfig, limits: Limits) -> tuple[PlaygroundConfig, str | None]:
    """The config the widgets hold, checked; else ``cfg`` and why the change is refused."""
    try:
        return check(_from_widgets(cfg), limits), None
    except ValueError as e:
        return cfg, f"{e}. Keeping the previous setting."


def _data_widgets(sb, limits: Limits, hide=frozenset()) -> tuple[Dataset | None, set[str]]:
    """Dataset, its uploads and options, seed (less what ``hide`` names); the uploaded
    dataset and the keys drawn."""
    sb.subheader("Data")
    shown: set[str] = set()
    if "dataset" not in hide:
        sb.selectbox(
            "Dataset",
            DATASET_CHOICES,
            key=W + "dataset",
            on_change=_on_dataset_change,
            format_func=lambda n: _LABELS.get(n, n),
        )
        shown.add(W + "dataset")
    name = st.session_state[W + "dataset"]
    uploaded = None if "dataset" in hide else _upload_widgets(sb, name, limits)
    kind = DATASETS[name].kind if name in DATASETS else "upload"
    if "data" in hide:
        kind = "hidden"
    if kind not in ("upload", "hidden") and DATASETS[name].generated:  # a table uses all rows
        lo, hi = FIELDS["n_samples"].bounds(limits)
        sb.number_input("Samples", min_value=lo, max_value=hi, step=50, key=W + "n_samples")
        sb.slider(
            "Noise",
            *FIELDS["noise"].bounds(),
            step=0.05,
            key=W + "noise",
            help="TensorFlow Playground's noise / 100: 0.5 is its maximum of 50.",
        )
        shown |= {W + "n_samples", W + "noise"}
    if kind == "2d":
        sb.multiselect("Input features", FIELDS["feature"].choices(), key=W + "features")
        shown.add(W + "features")
    if name in DATASETS and "data" not in hide:
        sb.slider(
            "Test share", *FIELDS["test_fraction"].bounds(), step=0.05, key=W + "test_fraction"
        )
        shown.add(W + "test_fraction")
    if "seed" not in hide:
        c1, c2 = sb.columns([3, 2], vertical_alignment="bottom")
        lo, hi = FIELDS["seed"].bounds(limits)
        c1.number_input("Seed", min_value=lo, max_value=hi, step=1, key=W + "seed")
        c2.button("New data", key="regenerate", on_click=_regenerate, help="Next seed")
        shown.add(W + "seed")
    return uploaded, shown


def _network_widgets(sb, limits: Limits, hide=frozenset()) -> set[str]:
    """Layer sizes, activations, cost and initialisation (less what ``hide`` names); the
    keys drawn."""
    sb.subheader("Network")
    shown: set[str] = set()
    if "layers" not in hide:
        layers = FIELDS["hidden_layers"].bounds(limits)
        size = FIELDS["hidden_size"].bounds(limits)
        n_hidden = sb.number_input("Hidden layers", *layers, step=1, key=W + "n_hidden")
        cols = sb.columns(4)
        for i in range(int(n_hidden)):
            cols[i % 4].number_input(f"L{i + 1}", *size, step=1, key=f"{W}h{i}")
        shown |= {W + "n_hidden"} | {f"{W}h{i}" for i in range(int(n_hidden))}
    if "activation" not in hide:
        sb.selectbox("Activation", FIELDS["activation"].choices(), key=W + "activation")
        sb.selectbox(
            "Output activation", FIELDS["output_activation"].choices(),
            key=W + "output_activation",
        )  # fmt: skip
        shown |= {W + "activation", W + "output_activation"}
    if "cost" not in hide:
        sb.selectbox("Cost", FIELDS["cost"].choices(), key=W + "cost")
        shown.add(W + "cost")
    if "init" not in hide:
        sb.selectbox(
            "Initialisation",
            FIELDS["init"].choices(),
            key=W + "init",
            help="standard: N(0,1) (network.py); scaled: N(0,1/n_in) (network2.py)",
        )
        shown.add(W + "init")
    return shown


def _training_widgets(sb, limits: Limits, hide=frozenset()) -> set[str]:
    """Optimiser, learning rate, batch size and regularisation (less what ``hide`` names);
    the keys drawn."""
    sb.subheader("Training")
    shown: set[str] = set()
    if "optimizer" not in hide:
        sb.selectbox("Optimiser", FIELDS["optimizer"].choices(), key=W + "optimizer")
        shown.add(W + "optimizer")
    if "eta" not in hide:
        sb.number_input(
            "Learning rate (eta)", *FIELDS["eta"].bounds(), step=0.01, format="%.5g",
            key=W + "eta",
        )  # fmt: skip
        shown.add(W + "eta")
    if "batch" not in hide:
        batch = FIELDS["batch_size"].bounds(limits)
        sb.number_input("Mini-batch size", *batch, step=1, key=W + "batch_size")
        shown.add(W + "batch_size")
    if "regularization" not in hide:
        sb.selectbox("Regularisation", FIELDS["regularization"].choices(), key=W + "regularization")
        sb.number_input(
            "Lambda",
            *FIELDS["lmbda"].bounds(),
            step=0.1,
            format="%.4g",
            key=W + "lmbda",
            disabled=st.session_state[W + "regularization"] == "none",
        )
        shown |= {W + "regularization", W + "lmbda"}
    return shown


def _from_widgets(cfg: PlaygroundConfig) -> PlaygroundConfig:
    ss = st.session_state
    values = {f.name: ss.get(W + f.name, getattr(cfg, f.name)) for f in fields(cfg)}
    values["hidden"] = tuple(int(ss[f"{W}h{i}"]) for i in range(int(ss[W + "n_hidden"])))
    values["features"] = tuple(ss.get(W + "features", cfg.features))
    for k in ("n_samples", "seed", "batch_size"):
        values[k] = int(values[k])
    for k in ("noise", "test_fraction", "eta", "lmbda"):
        values[k] = float(values[k])
    return replace(cfg, **values)


def _upload_widgets(sb, name: str, limits: Limits) -> Dataset | None:
    """File uploaders for ``csv`` and ``mnist``; the loaded dataset, or None with a message."""
    if name not in ("csv", "mnist"):
        return None
    cache = st.session_state.get(UPLOAD_KEY)
    if name == "csv":
        f = sb.file_uploader(
            "CSV file (one row per sample)", type=["csv", "tsv", "txt"], key="csv_file"
        )
        target = sb.text_input("Target column (empty: the last)", key="csv_target")
        if f is None:
            sb.info("Upload a CSV with a header row; the target column holds classes or values.")
            return None
        key = ("csv", f.file_id, target, st.session_state.get(W + "test_fraction"))
        if cache and cache[0] == key:
            ds = cache[1]
        else:
            try:
                ds = shared_csv(
                    f,
                    target or None,
                    test_fraction=st.session_state[W + "test_fraction"],
                    seed=int(st.session_state[W + "seed"]),
                    limits=limits,
                )
            except ValueError as e:
                sb.error(f"Cannot use this CSV: {plain(e)}")
                return None
            st.session_state[UPLOAD_KEY] = (key, ds)
        for note in ds.notes:
            sb.caption(plain(note))
        return ds
    folder = mnist_folder()
    if folder is not None:
        key = ("mnist-folder", str(folder))
        if cache and cache[0] == key:
            return cache[1]
        try:
            ds = shared_mnist_folder(folder, limits=limits)
        except (ValueError, OSError) as e:
            sb.error(f"Cannot read MNIST from the configured data folder: {plain(e)}")
            return None
        st.session_state[UPLOAD_KEY] = (key, ds)
        sb.caption(f"MNIST from the data folder {plain(folder)}")
        return ds
    files = sb.file_uploader(
        "MNIST: the four IDX files (.gz or not) or one mnist.npz",
        type=None,
        accept_multiple_files=True,
        key="mnist_files",
    )
    if not files:
        sb.info("Upload train/t10k images and labels (IDX) or mnist.npz. Nothing is downloaded.")
        return None
    key = ("mnist", tuple(f.file_id for f in files))
    if cache and cache[0] == key:
        return cache[1]
    try:
        ds = shared_mnist({f.name: f for f in files}, limits=limits)
    except (ValueError, OSError) as e:
        sb.error(f"Cannot use these MNIST files: {plain(e)}")
        return None
    st.session_state[UPLOAD_KEY] = (key, ds)
    return ds
