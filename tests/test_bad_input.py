"""A corpus of bad input at every entry point of the app, driven headlessly with AppTest.

Each case is one bad value (a URL parameter, a widget setting, an uploaded CSV, network,
gradients or MNIST file). The app must answer with a clear message that names the problem
(an error, warning or info element holding a distinctive substring), show no exception
element and no traceback text, and keep what the session had: the previous run is still
there and still trains with a Step afterwards.
"""

from __future__ import annotations

import gzip
import io
import json
import pickle
import re
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    APP,
    PLAYGROUND,
    click,
    many_lists,
    nested,
    npy_header,
    npz_of,
    ok,
    playground,
    run,
    texts,
    the_run,
    with_members,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from backprop import Network
from backprop.debug import export_case
from backprop.io import to_json, to_npz
from backprop.ui.config import DEFAULT, MOMENT_URL_KEYS, UPLOADED, URL_KEYS
from backprop.ui.session import RUN_KEY

DIFF = "app_pages/diff.py"
SIZES = [2, 4, 4, 2]  # the default Playground network


# ----------------------------------------------------------------------- helpers
def messages(at: AppTest) -> list[str]:
    """Every error, warning, info and toast on the page, Markdown escapes removed."""
    return texts(at.error) + texts(at.warning) + texts(at.info) + texts(at.toast)


def all_text(at: AppTest) -> str:
    """The text of every message-like element, to look for leaked tracebacks."""
    parts = messages(at) + texts(at.markdown) + texts(at.caption) + texts(at.code)
    return "\n".join(parts)


def says(at: AppTest, expected: str) -> str:
    """The one message holding ``expected``; checks no exception and no traceback."""
    ok(at)
    body = all_text(at)
    assert "Traceback" not in body and 'File "' not in body, body
    found = [m for m in messages(at) if expected in m]
    assert found, f"no message holds {expected!r}; messages: {messages(at)}"
    return found[0]


def still_trains(at: AppTest, r) -> None:
    """The session's run ``r`` is still the current one and a Step trains it."""
    assert the_run(at) is r
    steps = r.trainer.steps
    click(at, "step")
    assert the_run(at) is r and r.trainer.steps == steps + 1


def trained_playground(params: dict[str, str] | None = None):
    """A Playground session with one Step taken: (AppTest, its run)."""
    at = playground(params)
    click(at, "step")
    r = the_run(at)
    assert r.trainer.steps == 1
    return at, r


class Marker:
    """A pickled object that creates a file when (and only if) it is unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


# Markdown a stranger controls: an image the browser would fetch, a link, bare URLs that
# GitHub Markdown turns into links. Shown in a message it must stay literal text.
IMAGE = "![x](http://127.0.0.1:9/pixel.png)"
LINK = "[click](http://127.0.0.1:9/)"
BARE_URL = "https://example.invalid/x"


def inert(raw: str) -> None:
    """``raw`` (a message as sent to Streamlit's Markdown) can make no link, image or HTML:
    every bracket, parenthesis, ``!`` and ``<`` is escaped, and no autolink can start
    (``://``, ``www.`` or an ``@`` after a word character)."""
    unescaped = re.findall(r"(?<!\\)[\[\]()!<]", raw)
    assert not unescaped, f"unescaped Markdown {unescaped} in {raw!r}"
    for pattern in (r"\\?:\\?/\\?/", r"(?i)www\\?\.", r"[\w.+-]\\?@"):
        assert not re.search(pattern, raw), f"an autolink ({pattern}) can start in {raw!r}"


def says_literally(at: AppTest, text: str) -> None:
    """A message shows ``text`` literally (as a visitor reads it), and none is live Markdown."""
    says(at, text)
    for el in [*at.error, *at.warning, *at.info, *at.toast, *at.success]:
        if text in texts([el])[0]:
            inert(el.value)


# ---------------------------------------------------------------- URL parameters
# id, query parameters, a substring of the message that names the problem
URL_CASES = [
    ("hidden-zero", {"hidden": "0"}, "hidden layer size must be >= 1"),
    ("hidden-zero-in-list", {"hidden": "4,0"}, "hidden layer size must be >= 1"),
    ("hidden-negative", {"hidden": "-3"}, "hidden layer size must be >= 1"),
    ("hidden-huge", {"hidden": "99999"}, "hidden layer 1 size must be <= 256"),
    ("hidden-huge-exponent", {"hidden": "1e3"}, "must be <= 256"),
    ("hidden-non-numeric", {"hidden": "abc"}, "hidden layer size must be a whole number"),
    ("hidden-fraction", {"hidden": "4.5"}, "hidden layer size must be a whole number"),
    ("hidden-nan", {"hidden": "nan"}, "hidden layer size must be a whole number"),
    ("hidden-inf", {"hidden": "inf"}, "hidden layer size must be a whole number"),
    ("hidden-too-many-layers", {"hidden": ",".join(["4"] * 20)}, "over the limit of 8"),
    ("eta-zero", {"eta": "0"}, "learning rate must be >= 1e-05"),
    ("eta-negative", {"eta": "-1"}, "learning rate must be >= 1e-05"),
    ("eta-huge", {"eta": "1e9"}, "learning rate must be <= 1000000.0"),
    ("eta-non-numeric", {"eta": "banana"}, "eta must be a number"),
    ("eta-nan", {"eta": "nan"}, "eta must be finite"),
    ("eta-inf", {"eta": "inf"}, "eta must be finite"),
    ("eta-minus-inf", {"eta": "-inf"}, "eta must be finite"),
    ("lmbda-negative", {"lmbda": "-1"}, "lambda must be >= 0.0"),
    ("lmbda-huge", {"lmbda": "1e9"}, "lambda must be <= 100.0"),
    ("lmbda-non-numeric", {"lmbda": "x"}, "lmbda must be a number"),
    ("lmbda-nan", {"lmbda": "nan"}, "lmbda must be finite"),
    ("lmbda-inf", {"lmbda": "inf"}, "lmbda must be finite"),
    ("bs-zero", {"bs": "0"}, "batch size must be >= 1"),
    ("bs-negative", {"bs": "-5"}, "must be >= 0"),
    ("bs-huge", {"bs": "99999999"}, "batch size must be <= 10000"),
    ("bs-non-numeric", {"bs": "x"}, "batch_size must be a whole number"),
    ("bs-nan", {"bs": "nan"}, "batch_size must be a whole number"),
    ("bs-fraction", {"bs": "2.5"}, "batch_size must be a whole number"),
    ("seed-negative", {"seed": "-1"}, "seed must be >= 0"),
    ("seed-huge", {"seed": "99999999999"}, "seed must be <= 4294967295"),
    ("seed-non-numeric", {"seed": "x"}, "seed must be a whole number"),
    ("seed-nan", {"seed": "nan"}, "seed must be a whole number"),
    ("n-too-few", {"n": "5"}, "number of samples must be >= 10"),
    ("n-huge", {"n": "1e9"}, "number of samples must be <= 70000"),
    ("noise-over-one", {"noise": "2"}, "noise must be <= 1.0"),
    ("test-share-too-big", {"test": "0.99"}, "test share must be <= 0.9"),
    ("activation-unknown", {"act": "nope"}, "unknown activation 'nope'"),
    ("activation-softmax-hidden", {"act": "softmax"}, "unknown activation 'softmax'"),
    ("output-unknown", {"out": "nope"}, "unknown output activation 'nope'"),
    ("cost-unknown", {"cost": "nope"}, "unknown cost 'nope'"),
    ("cost-output-clash", {"cost": "cross_entropy", "out": "relu"}, "settings clash"),
    ("dataset-unknown", {"ds": "nope"}, "unknown dataset 'nope'"),
    ("dataset-wrong-case", {"ds": "CSV"}, "unknown dataset 'CSV'"),
    ("feature-unknown", {"feat": "x9"}, "unknown feature 'x9'"),
    ("feature-empty", {"feat": ""}, "at least one"),
    ("feature-repeated", {"feat": "x1,x1"}, "distinct"),
    ("init-unknown", {"init": "nope"}, "unknown init 'nope'"),
    ("optimizer-unknown", {"opt": "nope"}, "unknown optimizer 'nope'"),
    ("regularization-unknown", {"reg": "l3"}, "unknown regularization 'l3'"),
    ("value-10000-chars", {"eta": "1" * 10_000}, "'eta' is too long"),
    ("hidden-10000-chars", {"hidden": "4," * 5_000}, "'hidden' is too long"),
    ("unknown-key", {"zzz": "1"}, "unknown URL parameter 'zzz'"),
    ("many-unknown-keys", {f"k{i}": "1" for i in range(200)}, "unknown URL parameter"),
    ("unknown-key-10000-chars", {"k" * 10_000: "1"}, "unknown URL parameter"),
    # the moment (backprop.ui.moment): default circle, 25 steps an epoch, 1,000 epochs
    ("step-negative", {"step": "-1"}, "step must be >= 0"),
    ("step-fraction", {"step": "2.5"}, "step must be a whole number"),
    ("step-non-numeric", {"step": "x"}, "step must be a whole number"),
    ("step-nan", {"step": "nan"}, "step must be a whole number"),
    ("step-inf", {"step": "inf"}, "step must be a whole number"),
    ("step-huge-exponent", {"step": "1e300"}, "step must be <= 25,000: 1,000 epochs"),
    ("step-over-the-epoch-limit", {"step": "25001"}, "step must be <= 25,000"),
    ("step-200-digits", {"step": "9" * 200}, "step must be <= 25,000"),
    ("step-10000-chars", {"step": "1" * 10_000}, "'step' is too long"),
    ("view-unknown", {"view": "sideways"}, "view must be one of forward, backward"),
    ("tab-unknown", {"tab": "Layers"}, "tab must be one of layers,"),
    ("layer-zero", {"layer": "0"}, "layer must be >= 1"),
    ("layer-beyond-the-network", {"layer": "4"}, "layer must be <= 3"),
    ("quantity-unknown", {"q": "nope"}, "q must be one of a, delta"),
    ("sample-beyond-the-probe", {"sample": "16"}, "sample must be <= 15"),
    ("sample-negative", {"sample": "-1"}, "sample must be >= 0"),
]


@pytest.mark.parametrize(
    ("params", "expected"), [c[1:] for c in URL_CASES], ids=[c[0] for c in URL_CASES]
)
def test_bad_url_parameter(params, expected):
    at = playground(params)
    msg = says(at, expected)
    assert len(msg) < 1_000, f"the notice is {len(msg)} characters long"
    assert len(at.warning) <= 3, f"{len(at.warning)} warnings for one kind of problem"
    r = the_run(at)
    assert r.cfg == DEFAULT or set(params) <= {"cost", "out"}
    still_trains(at, r)
    assert not at.warning  # shown once, and the URL is cleaned


def test_batch_larger_than_the_data_is_clamped_with_a_note():
    at = playground({"bs": "1000"})
    says(at, "full-batch")
    r = the_run(at)
    assert r.cfg.batch_size == 1000 and r.trainer.batch_size == r.dataset.n_train
    still_trains(at, r)


def test_bad_url_on_a_running_session_keeps_the_run():
    """A link with bad parameters opened in a session that already trains a network."""
    at, r = trained_playground()
    at.query_params.clear()
    at.query_params["eta"] = "nan"
    at.query_params["hidden"] = "0"
    run(at)
    says(at, "eta must be finite")
    says(at, "hidden layer size must be >= 1")
    still_trains(at, r)


MARKDOWN_URL_CASES = [
    ("bare-url-value", {"ds": BARE_URL}, BARE_URL),
    ("www-value", {"act": "www.example.invalid"}, "www.example.invalid"),
    ("email-value", {"cost": "a@example.invalid"}, "a@example.invalid"),
    ("image-value", {"opt": IMAGE}, IMAGE),
    ("link-in-key", {LINK: "1"}, LINK),
    ("html-value", {"init": "<img src=http://127.0.0.1:9/i.png>"}, "<img src="),
    ("image-in-the-view", {"view": IMAGE}, IMAGE),
    ("link-in-the-tab", {"tab": LINK}, LINK),
]


@pytest.mark.parametrize(
    ("params", "text"),
    [c[1:] for c in MARKDOWN_URL_CASES],
    ids=[c[0] for c in MARKDOWN_URL_CASES],
)
def test_markdown_in_a_url_parameter_is_shown_literally(params, text):
    at = playground(params)
    says_literally(at, text)
    still_trains(at, the_run(at))


URL_TEXT = st.text(max_size=40)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.fixed_dictionaries({k: URL_TEXT for k in (*URL_KEYS.values(), *MOMENT_URL_KEYS)}),
    extra=st.dictionaries(st.text(min_size=1, max_size=20), URL_TEXT, max_size=3),
)
def test_fuzzed_url_parameters_never_break_the_page(values, extra):
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in {**extra, **values}.items():
        at.query_params[k] = v
    at.switch_page(PLAYGROUND)
    run(at)
    assert "Playground" in texts(at.title)
    assert "Traceback" not in all_text(at)
    r = at.session_state[RUN_KEY] if RUN_KEY in at.session_state else None  # noqa: SIM401
    if r is None:  # an upload dataset that survived the fuzz: the page asks for the file
        assert at.session_state["pg_cfg"].dataset in UPLOADED
        assert any("upload" in m for m in messages(at))
        return
    still_trains(at, r)


# ----------------------------------------------------------------------- widgets
# id, valid changes first (kind, key, value), the bad change, a substring of the sidebar error
WIDGET_CASES = [
    (
        "cost-cross-entropy-with-tanh-output",
        [("selectbox", "w_cost", "cross_entropy")],
        ("selectbox", "w_output_activation", "tanh"),
        "needs output activation sigmoid or softmax",
    ),
    (
        "log-likelihood-with-linear-output",
        [],
        ("selectbox", "w_output_activation", "linear"),
        "needs output activation softmax or sigmoid",
    ),
    (
        "quadratic-then-log-likelihood-with-relu",
        [("selectbox", "w_cost", "quadratic"), ("selectbox", "w_output_activation", "relu")],
        ("selectbox", "w_cost", "log_likelihood"),
        "not 'relu'",
    ),
    ("empty-feature-list", [], ("multiselect", "w_features", []), "at least one"),
]


@pytest.mark.parametrize(
    ("setup", "bad", "expected"), [c[1:] for c in WIDGET_CASES], ids=[c[0] for c in WIDGET_CASES]
)
def test_bad_widget_setting_keeps_the_previous_config(setup, bad, expected):
    at = playground()
    for kind, key, value in setup:
        run(getattr(at, kind)(key=key).set_value(value))
    assert not at.error, texts(at.error)
    click(at, "step")
    r = the_run(at)
    good, steps = r.cfg, r.trainer.steps
    kind, key, value = bad
    run(getattr(at, kind)(key=key).set_value(value))
    msg = says(at, expected)
    assert msg in texts(at.sidebar.error) and "previous" in msg
    assert the_run(at) is r and r.cfg == good and r.trainer.steps == steps
    still_trains(at, r)


@pytest.mark.parametrize(
    ("setup", "bad", "expected"), [c[1:] for c in WIDGET_CASES], ids=[c[0] for c in WIDGET_CASES]
)
def test_a_refused_widget_setting_is_undone_on_screen(setup, bad, expected):
    """No widget shows a value that is not in effect: the refused one goes back."""
    at = playground()
    for kind, key, value in setup:
        run(getattr(at, kind)(key=key).set_value(value))
    good = the_run(at).cfg
    kind, key, value = bad
    run(getattr(at, kind)(key=key).set_value(value))
    says(at, expected)
    shown = getattr(at, kind)(key=key).value
    field = key.removeprefix("w_")
    assert shown == (list(good.features) if field == "features" else getattr(good, field))


def test_epochs_over_the_limit_from_a_tampered_browser(monkeypatch):
    monkeypatch.setenv("BACKPROP_MAX_EPOCHS", "4")
    at, r = trained_playground()
    run(at.number_input(key="n_epochs").set_value(10_000))
    assert at.number_input(key="n_epochs").value <= 4
    still_trains(at, r)


def test_softmax_on_a_regression_dataset_via_the_widgets():
    """Sine has one output; picking softmax by hand afterwards must not crash the page."""
    at = playground({"ds": "sine"})
    r = the_run(at)
    click(at, "step")
    run(at.selectbox(key="w_output_activation").set_value("softmax"))
    run(at.selectbox(key="w_cost").set_value("log_likelihood"))
    msg = says(at, "softmax")
    assert "one output" in msg or "1 output" in msg or "Cannot build" in msg, msg
    run(at.selectbox(key="w_cost").set_value("quadratic"))
    run(at.selectbox(key="w_output_activation").set_value("sigmoid"))
    still_trains(at, r)


# -------------------------------------------------------------- debugger widgets
# id, page, (widget key, value) changes, a substring of the message
DEBUGGER_WIDGET_CASES = [
    ("stepper-neuron-beyond-the-input", "app_pages/stepper.py",
     [("stepper_neuron", 3)], "There is no neuron j = 3 here"),
    ("gradcheck-eps-far-too-large", "app_pages/gradcheck.py",
     [("gc_eps", 0.1)], "ε = 1e-01 is too large"),
    ("gradcheck-eps-far-too-small", "app_pages/gradcheck.py",
     [("gc_eps", 1e-12)], "ε = 1e-12 is too small"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("page", "changes", "expected"),
    [c[1:] for c in DEBUGGER_WIDGET_CASES],
    ids=[c[0] for c in DEBUGGER_WIDGET_CASES],
)
def test_debugger_widget_values_are_answered_not_misread(page, changes, expected):
    """A value the network or the arithmetic cannot honour gets a message saying what is
    shown instead; no BP equation is blamed for it."""
    at = playground()
    at.switch_page(page)
    run(at)
    for key, value in changes:
        run(at.number_input(key=key).set_value(value))
    says(at, expected)
    assert not at.error, texts(at.error)


# ------------------------------------------------------------------ uploaded CSVs
def _good_rows(n: int = 40) -> list[str]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    return [f"{a:.4f},{b:.4f},{int(a + b > 0)}" for a, b in x]


GOOD_CSV = "a,b,label\n" + "\n".join(_good_rows())

# id, file name, bytes, target column, a substring of the error
CSV_CASES = [
    ("empty", "e.csv", b"", "", "the file is empty"),
    ("whitespace-only", "w.csv", b"  \n\n  \n", "", "the file is empty"),
    ("header-only", "h.csv", b"a,b,label\n", "", "no data rows"),
    ("one-column", "one.csv", b"a\n" + b"\n".join(b"%d" % i for i in range(30)), "", "only 'a'"),
    (
        "non-numeric-feature",
        "t.csv",
        ("a,b,label\n" + "\n".join(f"x{i},{i},{i % 2}" for i in range(30))).encode(),
        "",
        "not numeric",
    ),
    ("nan-cell", "n.csv", GOOD_CSV.replace("\n", "\nnan,1,0\n", 1).encode(), "", "n.csv"),
    ("inf-cell", "i.csv", GOOD_CSV.replace("\n", "\ninf,1,0\n", 1).encode(), "", "i.csv"),
    (
        "one-class-only",
        "c.csv",
        ("a,b,label\n" + "\n".join(f"{i},{i * 2},1" for i in range(30))).encode(),
        "",
        "class",
    ),
    ("target-missing", "m.csv", GOOD_CSV.encode(), "nope", "target column 'nope' not in"),
    (
        "ragged-rows",
        "r.csv",
        GOOD_CSV.replace("\n", "\n1,2,3,4,5\n", 1).encode(),
        "",
        "rows have different lengths",
    ),
    ("utf16", "u16.csv", GOOD_CSV.encode("utf-16"), "", "UTF-16"),
    ("latin1", "l1.csv", ("é" + GOOD_CSV).encode("latin-1"), "", "not UTF-8 text"),
    ("binary-garbage", "g.csv", bytes(range(256)) * 8, "", "binary"),
    (
        "semicolon-ragged",
        "s.csv",
        GOOD_CSV.replace(",", ";").replace("\n", "\n1;2;3;4\n", 1).encode(),
        "",
        "read as semicolon-separated",
    ),
    (
        "tab-separated-text-feature",
        "t.tsv",
        ("a\tb\tlabel\n" + "\n".join(f"x{i}\t{i}\t{i % 2}" for i in range(30))).encode(),
        "",
        "not numeric",
    ),
]


def _csv_session(monkeypatch):
    monkeypatch.delenv("BACKPROP_DATA_DIR", raising=False)
    at, r = trained_playground()
    run(at.selectbox(key="w_dataset").set_value("csv"))
    return at, r


def _back_to_circle(at: AppTest, r) -> None:
    run(at.selectbox(key="w_dataset").set_value("circle"))
    assert not at.error, texts(at.error)
    still_trains(at, r)


@pytest.mark.parametrize(
    ("name", "data", "target", "expected"),
    [c[1:] for c in CSV_CASES],
    ids=[c[0] for c in CSV_CASES],
)
def test_bad_csv_upload(name, data, target, expected, monkeypatch):
    at, r = _csv_session(monkeypatch)
    if target:
        run(at.text_input(key="csv_target").input(target))
    run(at.file_uploader(key="csv_file").upload(name, data, "text/csv"))
    msg = says(at, expected)
    assert msg in texts(at.sidebar.error) and "Cannot use this CSV" in msg
    assert the_run(at) is r and r.trainer.steps == 1
    _back_to_circle(at, r)


def test_markdown_column_names_of_a_csv_are_shown_literally(monkeypatch):
    at, r = _csv_session(monkeypatch)
    rows = "\n".join(f"u{i},v{i},{i},{i % 2}" for i in range(30))
    data = f"{IMAGE},{LINK},{BARE_URL},label\n{rows}".encode()
    run(at.file_uploader(key="csv_file").upload("md.csv", data, "text/csv"))
    for text in (IMAGE, LINK):
        says_literally(at, text)
    assert the_run(at) is r
    _back_to_circle(at, r)


def test_markdown_in_a_csv_file_name_is_shown_literally(monkeypatch):
    at, r = _csv_session(monkeypatch)
    name = "[click](mailto:a@example.invalid) www.example.invalid.csv"  # no "/": a path
    run(at.file_uploader(key="csv_file").upload(name, b"a,b,label\n", "text/csv"))
    says_literally(at, f"{name}: has a header")
    _back_to_circle(at, r)


# Files that used to be refused or silently spoiled, and must now load and train: other
# delimiters and decimal commas (said in a caption), numbers at the edge of float64.
def _edge_rows(fmt: Callable[[int], str], n: int = 40) -> str:
    return "\n".join(fmt(i) for i in range(n))


GOOD_EDGE_CSVS = [
    ("semicolon", GOOD_CSV.replace(",", ";"), "semicolon-separated, decimal point"),
    (
        "semicolon-decimal-comma",
        GOOD_CSV.replace(",", ";").replace(".", ","),
        "semicolon-separated, decimal comma",
    ),
    ("tab", GOOD_CSV.replace(",", "\t"), "tab-separated, decimal point"),
    (
        "feature-1e308",
        "a,b,label\n" + _edge_rows(lambda i: f"{(-1) ** i * 1e308!r},{i},{i % 2}"),
        "comma-separated",
    ),
    (
        "feature-0-to-3.9e201",
        "a,b,label\n" + _edge_rows(lambda i: f"{i * 1e200!r},{i % 7},{i % 2}"),
        "comma-separated",
    ),
    (
        "target-1.7e308",
        "a,b,y\n" + _edge_rows(lambda i: f"{i},{i % 3},{1.7e308 * (2 * i / 39 - 1)!r}"),
        "comma-separated",
    ),
]


@pytest.mark.parametrize(
    ("data", "said"), [c[1:] for c in GOOD_EDGE_CSVS], ids=[c[0] for c in GOOD_EDGE_CSVS]
)
def test_edge_csv_loads_and_trains(data, said, monkeypatch):
    at, r = _csv_session(monkeypatch)
    run(at.selectbox(key="w_output_activation").set_value("sigmoid"))  # fits regression too
    run(at.selectbox(key="w_cost").set_value("quadratic"))
    run(at.file_uploader(key="csv_file").upload("edge.csv", data.encode(), "text/csv"))
    ok(at)
    assert not at.error, texts(at.error)
    assert any(said in c for c in texts(at.sidebar.caption)), texts(at.sidebar.caption)
    new = the_run(at)
    assert new is not r
    X = np.hstack([new.dataset.X_train, new.dataset.X_test])
    assert np.all(np.isfinite(X)) and np.all(X.std(axis=1) > 0.5)  # no feature zeroed
    assert np.all(np.isfinite(new.dataset.Y_train))
    still_trains(at, new)


def test_csv_over_the_upload_limit(monkeypatch):
    monkeypatch.setenv("BACKPROP_MAX_UPLOAD_MB", "1")
    at, r = _csv_session(monkeypatch)
    rows = _good_rows(200)
    big = ("a,b,label\n" + "\n".join(rows * (2**20 // len("\n".join(rows)) + 2))).encode()
    assert len(big) > 2**20
    run(at.file_uploader(key="csv_file").upload("big.csv", big, "text/csv"))
    msg = says(at, "1 MB")
    assert msg in texts(at.sidebar.error)
    _back_to_circle(at, r)


def test_bad_csv_then_a_good_one_builds(monkeypatch):
    at, r = _csv_session(monkeypatch)
    fu = at.file_uploader(key="csv_file")
    run(fu.set_value(("bad.csv", b"a,b,label\n", "text/csv")))
    says(at, "no data rows")
    run(at.file_uploader(key="csv_file").set_value(("good.csv", GOOD_CSV.encode(), "text/csv")))
    assert not at.error, texts(at.error)
    new = the_run(at)
    assert new is not r and new.net.sizes == [2, 4, 4, 2]
    still_trains(at, new)


# -------------------------------------------------------------- uploaded networks
def _net() -> Network:
    return Network(SIZES, "tanh", "softmax", "log_likelihood", "xavier", 3)


def _json_doc() -> dict:
    return json.loads(to_json(_net()))


def _json_with(**changes) -> bytes:
    doc = _json_doc()
    doc.update(changes)
    return json.dumps(doc).encode()


def _npz_with(**changes) -> bytes:
    with np.load(io.BytesIO(to_npz(_net())), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(changes)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _wrong_shape_json() -> bytes:
    doc = _json_doc()
    doc["weights"][0] = [[0.0, 0.0, 0.0]] * 4
    return json.dumps(doc).encode()


def _nan_json() -> bytes:
    doc = _json_doc()
    doc["weights"][1][0][0] = float("nan")
    return json.dumps(doc).encode()  # json writes NaN, which Python's reader accepts


def _deep_rng_state() -> str:
    """An RNG state whose lists nest 600 deep (it raised RecursionError on the page)."""
    return json.dumps({"bit_generator": "PCG64", "state": "@"}).replace('"@"', nested(600))


def _json_plus(junk: str) -> bytes:
    """A valid network file with one more entry, ``junk`` (JSON text)."""
    return (to_json(_net())[:-1] + f', "junk": {junk}}}').encode()


def _npz_raw(**members: bytes) -> bytes:
    """The default network's archive with some members replaced by raw ``.npy`` bytes."""
    with np.load(io.BytesIO(to_npz(_net())), allow_pickle=False) as z:
        arrays = {k + ".npy": z[k] for k in z.files if k not in members}
    return npz_of({**arrays, **{k + ".npy": v for k, v in members.items()}})


def _pickled_npz(marker: Path) -> bytes:
    evil = np.empty(1, dtype=object)
    evil[0] = Marker(marker)
    return _npz_with(weights_0=evil)


# id, file name, content maker (given the marker path), a substring of the error
NETWORK_CASES: list[tuple[str, str, Callable[[Path], bytes], str]] = [
    ("empty", "n.json", lambda m: b"", "empty"),
    ("truncated-json", "n.json", lambda m: to_json(_net()).encode()[:200], "not valid JSON"),
    ("corrupt-bytes", "n.json", lambda m: bytes(range(128, 256)) * 4, "not UTF-8"),
    ("truncated-npz", "n.npz", lambda m: to_npz(_net())[:300], "npz"),
    ("corrupt-npz", "n.npz", lambda m: b"PK\x03\x04" + bytes(500), "npz"),
    ("raw-pickle", "n.npz", lambda m: pickle.dumps(Marker(m)), "Cannot load this network"),
    ("pickled-array-in-npz", "n.npz", _pickled_npz, "pickled"),
    ("json-not-an-object", "n.json", lambda m: b"[1, 2, 3]", "Cannot load this network"),
    ("wrong-format-tag", "n.json", lambda m: _json_with(format="other"), "format"),
    ("wrong-shape", "n.json", lambda m: _wrong_shape_json(), "shape"),
    (
        "wrong-layer-count",
        "n.json",
        lambda m: _json_with(weights=_json_doc()["weights"][:2]),
        "need 3 weights arrays",
    ),
    ("nan-weight", "n.json", lambda m: _nan_json(), "NaN"),
    (
        "nan-weight-npz",
        "n.npz",
        lambda m: _npz_with(biases_1=np.full((4, 1), np.nan)),
        "NaN",
    ),
    (
        "unknown-activation",
        "n.json",
        lambda m: _json_with(config={**_json_doc()["config"], "activation": "nope"}),
        "nope",
    ),
    (
        "huge-layer",
        "n.json",
        lambda m: _json_with(config={**_json_doc()["config"], "sizes": [2, 10**9, 2]}),
        "Cannot load this network",
    ),
    (
        "wrong-input-count",
        "n.json",
        lambda m: to_json(Network([5, 4, 2], "tanh", "softmax", "log_likelihood")).encode(),
        "5 inputs",
    ),
    # hostile files: tiny uploads claiming huge counts, shapes or depths
    (
        "layer-index-10-million",
        "n.npz",
        lambda m: with_members(to_npz(_net()), {"weights_10000000.npy": np.zeros((1, 1))}),
        "weights_10000000",
    ),
    (
        "too-many-members",
        "n.npz",
        lambda m: with_members(to_npz(_net()), {f"x_{i}.npy": b"" for i in range(500)}),
        "members",
    ),
    (
        "header-claims-8-TB",
        "n.npz",
        lambda m: _npz_raw(weights_0=npy_header((10**6, 10**6), "<f8")),
        "truncated",
    ),
    ("200k-one-element-lists", "n.json", lambda m: _json_plus(many_lists(200_000)), "lists"),
    ("3M-values", "n.json", lambda m: _json_plus("[" + "0," * 3_000_000 + "0]"), "values"),
    (
        "deep-rng-state",
        "n.json",
        lambda m: _json_with(rng_state="@").replace(b'"@"', _deep_rng_state().encode()),
        "nested more than",
    ),  # fmt: skip
    (
        "deep-rng-state-npz",
        "n.npz",
        lambda m: _npz_with(rng_state=np.array(_deep_rng_state())),
        "nested more than",
    ),
]


def test_markdown_in_a_network_file_is_shown_literally():
    at, r = trained_playground()
    doc = _json_with(config={**_json_doc()["config"], "activation": IMAGE})
    run(at.file_uploader(key="resume_file").upload("n.json", doc, "application/json"))
    says_literally(at, IMAGE)
    still_trains(at, r)


def test_a_saturated_network_file_is_resumed_with_a_warning():
    """Weights of 1e300 load (they are finite) but saturate every tanh unit: training would
    run with the cost frozen at ln 2, so the page says which layers are dead, and why."""
    at, r = trained_playground()
    net = _net()
    for w, b in zip(net.weights, net.biases):
        w[...], b[...] = 1e300, 1e300
    run(at.file_uploader(key="resume_file").upload("huge.json", to_json(net).encode(), "x"))
    new = the_run(at)
    assert new is not r and new.net.weights[0][0, 0] == 1e300
    msg = says(at, "dead on its training data")
    assert msg in texts(at.warning) and "(layers 1, 2)" in msg and "sigma'(z) = 0" in msg
    assert "BP2 passes no error" in msg and "Reset" in msg
    click(at, "step")
    assert new.trainer.steps == 1 and any("dead on its" in m for m in texts(at.warning))


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [c[1:] for c in NETWORK_CASES],
    ids=[c[0] for c in NETWORK_CASES],
)
def test_bad_network_upload(name, make, expected, tmp_path):
    marker = tmp_path / "unpickled"
    at, r = trained_playground()
    before = [w.copy() for w in r.net.weights]
    run(at.file_uploader(key="resume_file").upload(name, make(marker), "application/json"))
    says(at, expected)
    assert not marker.exists(), "an uploaded pickle was unpickled"
    assert the_run(at) is r and r.trainer.steps == 1
    assert all(np.array_equal(a, b) for a, b in zip(before, r.net.weights))
    still_trains(at, r)


def test_uploaded_network_with_saturated_outputs_trains_exactly():
    """Outputs hundreds of logits apart (softmax + cross_entropy): not a divergence, and the
    cost is exact (log-sum-exp from z), not clamped at ln(tiny)."""
    net = Network(SIZES, "tanh", "softmax", "cross_entropy", "xavier", 3)
    net.weights[-1][:] = 0.0
    net.biases[-1][:, 0] = [800.0, 0.0]
    at, r = trained_playground()
    run(at.file_uploader(key="resume_file").upload("n.json", to_json(net).encode(), "text/json"))
    ok(at)
    new = the_run(at)
    assert new is not r and new.net.cost_name == "cross_entropy"
    X, Y = new.trainer.X, new.trainer.Y  # C_x = -ln a_1 - ln(1 - a_0) = 1600 for class 1
    assert new.net.cost_of(X, Y) == pytest.approx(1600.0 * Y[1].mean(), rel=1e-12)
    still_trains(at, new)
    assert not at.error, texts(at.error)


# ---------------------------------------------------- uploaded gradients (diff page)
def _grads(sizes=SIZES, fill=0.0, layers=None, shape_fix=None) -> dict[str, np.ndarray]:
    L = len(sizes) - 1 if layers is None else layers
    out = {}
    for l in range(L):
        out[f"nabla_b_{l}"] = np.full((sizes[l + 1], 1), fill)
        out[f"nabla_w_{l}"] = np.full((sizes[l + 1], sizes[l]), fill)
    out.update(shape_fix or {})
    return out


def _npz(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _pickled_grads(marker: Path) -> bytes:
    evil = np.empty(1, dtype=object)
    evil[0] = Marker(marker)
    return _npz(_grads(shape_fix={"nabla_w_0": evil}))


def _nan_grads_json(m: Path) -> bytes:
    g = _grads()
    g["nabla_w_1"][0, 0] = np.nan
    doc = {
        "nabla_b": [g[f"nabla_b_{l}"].tolist() for l in range(3)],
        "nabla_w": [g[f"nabla_w_{l}"].tolist() for l in range(3)],
    }
    return json.dumps(doc).encode()


def _case_npz(columns: int) -> bytes:
    """A test case for the default network whose batch X, Y has ``columns`` columns: real
    zeros (int8, so 3 million compress to a few KB) or, past that, only a header."""
    good = export_case(_net(), np.zeros((2, 1)), np.eye(2)[:, :1])
    with np.load(io.BytesIO(good), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k not in ("X", "Y")}
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    if columns <= 10**7:
        batch = {k: np.zeros((2, columns), np.int8) for k in ("X.npy", "Y.npy")}
    else:
        batch = {k: npy_header((2, columns), "<f8") for k in ("X.npy", "Y.npy")}
    return with_members(buf.getvalue(), batch)


def _torch_grads(drop=(), change=None) -> dict[str, np.ndarray]:
    """Gradients under PyTorch's nn.Sequential names (0.weight, 0.bias, 2.weight, ...),
    float32, biases 1-D; ``drop``: names left out, ``change``: {name: array} put in."""
    g, out = _grads(), {}
    for l in range(len(SIZES) - 1):
        out[f"{2 * l}.weight"] = g[f"nabla_w_{l}"].astype(np.float32)
        out[f"{2 * l}.bias"] = g[f"nabla_b_{l}"].reshape(-1).astype(np.float32)
    return {k: v for k, v in out.items() if k not in drop} | (change or {})


HUGE_INDEX = "9" * 5000  # more digits than int() converts by default


# id, uploader key, file name, content maker, a substring of the error
GRADIENT_CASES: list[tuple[str, str, str, Callable[[Path], bytes], str]] = [
    ("empty", "diff_gradients", "g.npz", lambda m: b"", "empty"),
    ("truncated-npz", "diff_gradients", "g.npz", lambda m: _npz(_grads())[:200], "truncated"),
    ("corrupt-bytes", "diff_gradients", "g.npz", lambda m: bytes(range(128, 256)), "UTF-8"),
    ("raw-pickle", "diff_gradients", "g.npz", lambda m: pickle.dumps(Marker(m)), "gradients"),
    ("pickled-array", "diff_gradients", "g.npz", _pickled_grads, "pickled"),
    ("invalid-json", "diff_gradients", "g.json", lambda m: b'{"nabla_b": [', "not valid JSON"),
    ("json-list", "diff_gradients", "g.json", lambda m: b"[]", "must hold a JSON object"),
    (
        "missing-nabla-w",
        "diff_gradients",
        "g.npz",
        lambda m: _npz({k: v for k, v in _grads().items() if "nabla_b" in k}),
        "no nabla_w",
    ),  # fmt: skip
    (
        "wrong-layer-count",
        "diff_gradients",
        "g.npz",
        lambda m: _npz(_grads(layers=2)),
        "needs 3 arrays, got 2",
    ),  # fmt: skip
    (
        "wrong-shape",
        "diff_gradients",
        "g.npz",
        lambda m: _npz(_grads(shape_fix={"nabla_w_1": np.zeros((3, 3))})),
        "nabla_w_1",
    ),  # fmt: skip
    ("nan-values", "diff_gradients", "g.json", _nan_grads_json, "NaN"),
    (
        "inf-values-npz",
        "diff_gradients",
        "g.npz",
        lambda m: _npz(_grads(fill=np.inf)),
        "NaN or infinite",
    ),  # fmt: skip
    (
        "index-10-million",
        "diff_gradients",
        "g.npz",
        lambda m: with_members(_npz(_grads()), {"nabla_w_10000000.npy": np.zeros((1, 1))}),
        "nabla_w_10000000",
    ),  # fmt: skip
    (
        "too-many-members",
        "diff_gradients",
        "g.npz",
        lambda m: npz_of({f"nabla_b_{i}.npy": b"" for i in range(500)}),
        "members",
    ),  # fmt: skip
    (
        "200k-lists-json",
        "diff_gradients",
        "g.json",
        lambda m: b'{"nabla_b": ' + many_lists(200_000).encode() + b"}",
        "lists",
    ),  # fmt: skip
    (
        "deep-json",
        "diff_gradients",
        "g.json",
        lambda m: b'{"nabla_b": ' + nested(600).encode() + b"}",
        "nested more than",
    ),  # fmt: skip
    (
        "torch-bias-missing",
        "diff_gradients",
        "g.npz",
        lambda m: _npz(_torch_grads(drop=["4.bias"])),
        "4.weight has no matching 4.bias",
    ),  # fmt: skip
    (
        "torch-named-twice",
        "diff_gradients",
        "g.npz",
        lambda m: _npz({**_torch_grads(), "0.weight.grad": np.zeros((4, 2))}),
        "0.weight and 0.weight.grad are the same parameter",
    ),  # fmt: skip
    (
        "torch-huge-index",
        "diff_gradients",
        "g.npz",
        lambda m: _npz(
            {f"{HUGE_INDEX}.weight": np.zeros((4, 2)), f"{HUGE_INDEX}.bias": np.zeros(4)}
        ),
        "needs 3 arrays, got 1",
    ),  # fmt: skip
    (
        "torch-bias-3d",
        "diff_gradients",
        "g.npz",
        lambda m: _npz(_torch_grads(change={"2.bias": np.zeros((4, 1, 1))})),
        "2.bias (layer 2) has shape (4, 1, 1)",
    ),  # fmt: skip
    (
        "torch-text-values",
        "diff_gradients",
        "g.json",
        lambda m: json.dumps(
            {k: v.tolist() for k, v in _torch_grads().items()} | {"0.bias": ["x"] * 4}
        ).encode(),
        "0.bias must hold real numbers",
    ),  # fmt: skip
    ("case-corrupt", "diff_case", "c.npz", lambda m: b"PK\x03\x04" + bytes(100), "test case"),
    ("case-raw-pickle", "diff_case", "c.npz", lambda m: pickle.dumps(Marker(m)), "test case"),
    ("case-pickled-array", "diff_case", "c.npz", _pickled_grads, "pickled"),
    ("case-3M-columns", "diff_case", "c.npz", lambda m: _case_npz(3_000_000), "max_batch_size"),
    (
        "case-header-claims-2**40-columns",
        "diff_case",
        "c.npz",
        lambda m: _case_npz(2**40),
        "max_batch_size",
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("key", "name", "make", "expected"),
    [c[1:] for c in GRADIENT_CASES],
    ids=[c[0] for c in GRADIENT_CASES],
)
def test_bad_gradients_upload(key, name, make, expected, tmp_path):
    marker = tmp_path / "unpickled"
    at, r = trained_playground()
    at.switch_page(DIFF)
    run(at)
    assert "Gradient diff" in texts(at.title)
    run(at.file_uploader(key=key).upload(name, make(marker), "application/octet-stream"))
    msg = says(at, expected)
    assert msg in texts(at.error) and "Cannot use this" in msg
    assert not marker.exists(), "an uploaded pickle was unpickled"
    at.switch_page(PLAYGROUND)
    run(at)
    assert the_run(at) is r and r.trainer.steps == 1
    still_trains(at, r)


# ------------------------------------------------------------------- MNIST uploads
def _idx(kind: str, n: int = 10) -> bytes:
    if kind == "images":
        return struct.pack(">BBBBIII", 0, 0, 8, 3, n, 28, 28) + bytes(n * 28 * 28)
    return struct.pack(">BBBBI", 0, 0, 8, 1, n) + bytes(n)


def _mnist_set(**replace: bytes) -> list[tuple[str, bytes, str]]:
    files = {
        "train-images-idx3-ubyte": _idx("images"),
        "train-labels-idx1-ubyte": _idx("labels"),
        "t10k-images-idx3-ubyte": _idx("images", 4),
        "t10k-labels-idx1-ubyte": _idx("labels", 4),
    }
    files.update({k.replace("_", "-"): v for k, v in replace.items()})
    return [(k, v, "application/octet-stream") for k, v in files.items()]


def _mnist_npz(**members: bytes) -> bytes:
    """A small mnist.npz with some members replaced by raw ``.npy`` bytes."""
    shapes = {"x_train": (10, 28, 28), "y_train": (10,), "x_test": (4, 28, 28), "y_test": (4,)}
    arrays = {k: np.zeros(shape, np.uint8) for k, shape in shapes.items()}
    return npz_of({k + ".npy": members.get(k, v) for k, v in arrays.items()})


OCTET = "application/octet-stream"
# id, files, a substring of the error
MNIST_CASES = [
    ("only-one-file", [("train-images-idx3-ubyte", _idx("images"), OCTET)], "files missing"),
    ("unknown-file-name", [("cats.png", b"\x89PNG", OCTET)], "unexpected MNIST file"),
    ("garbage-idx", _mnist_set(train_images_idx3_ubyte=b"garbage!" * 3), "train-images"),
    ("truncated-idx", _mnist_set(t10k_labels_idx1_ubyte=b"\x00\x00"), "truncated"),
    (
        "wrong-image-size",
        _mnist_set(
            train_images_idx3_ubyte=struct.pack(">BBBBIII", 0, 0, 8, 3, 10, 8, 8) + bytes(640)
        ),
        "expected 28x28",
    ),  # fmt: skip
    ("bad-gzip", [(n + ".gz", b"not gzip", t) for n, _, t in _mnist_set()], "not an IDX file"),
    (
        "gzip-of-garbage",
        [(n + ".gz", gzip.compress(b"x" * 40), t) for n, _, t in _mnist_set()],
        "magic",
    ),  # fmt: skip
    ("garbage-npz", [("mnist.npz", b"PK\x03\x04" + bytes(64), OCTET)], "mnist.npz"),
    ("npz-not-a-zip", [("mnist.npz", b"hello", OCTET)], "not an .npz file"),
    (
        "npz-header-claims-2**40-images",
        [("mnist.npz", _mnist_npz(x_train=npy_header((2**40, 28, 28))), OCTET)],
        "over the limit of 70,000",
    ),  # fmt: skip
    (
        "npz-too-many-members",
        [("mnist.npz", npz_of({f"x{i}.npy": b"" for i in range(100)}), OCTET)],
        "members",
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    "files, expected", [c[1:] for c in MNIST_CASES], ids=[c[0] for c in MNIST_CASES]
)
def test_bad_mnist_upload(files, expected, monkeypatch):
    monkeypatch.delenv("BACKPROP_DATA_DIR", raising=False)
    at, r = trained_playground()
    run(at.selectbox(key="w_dataset").set_value("mnist"))
    run(at.file_uploader(key="mnist_files").set_value(files))
    msg = says(at, expected)
    assert msg in texts(at.sidebar.error) and "MNIST" in msg
    assert the_run(at) is r and r.trainer.steps == 1
    _back_to_circle(at, r)


# Memory one visitor can hold: a full-size MNIST is 52 KB of gzip (blank images compress
# well) but 424 MB as float64. Past the session's data budget it is refused before the
# arrays are allocated; within it, sessions uploading the same files share one copy.
def _full_mnist_gz() -> list[tuple[str, bytes, str]]:
    files = []
    for split, n in (("train", 60_000), ("t10k", 10_000)):
        images = struct.pack(">BBBBIII", 0, 0, 8, 3, n, 28, 28) + bytes(n * 784)
        labels = struct.pack(">BBBBI", 0, 0, 8, 1, n) + bytes(i % 10 for i in range(n))
        files.append((f"{split}-images-idx3-ubyte.gz", gzip.compress(images), OCTET))
        files.append((f"{split}-labels-idx1-ubyte.gz", gzip.compress(labels), OCTET))
    assert sum(len(f[1]) for f in files) < 60_000
    return files


def _mnist_session(monkeypatch, files):
    monkeypatch.delenv("BACKPROP_DATA_DIR", raising=False)
    at, r = trained_playground()
    run(at.selectbox(key="w_dataset").set_value("mnist"))
    run(at.file_uploader(key="mnist_files").set_value(files))
    return at, r


def test_mnist_past_the_session_memory_budget_is_refused(monkeypatch):
    monkeypatch.setenv("BACKPROP_SESSION_MEMORY_MB", "100")
    at, r = _mnist_session(monkeypatch, _full_mnist_gz())
    msg = says(at, "data budget of 100 MB")
    assert "70,000 samples" in msg and "BACKPROP_SESSION_MEMORY_MB" in msg
    assert msg in texts(at.sidebar.error)
    assert the_run(at) is r and r.trainer.steps == 1
    _back_to_circle(at, r)


def test_full_mnist_fits_the_budget_and_sessions_share_one_copy(monkeypatch):
    files = _full_mnist_gz()
    at, _ = _mnist_session(monkeypatch, files)
    other, _ = _mnist_session(monkeypatch, [(n, bytes(b), t) for n, b, t in files])
    ok(at)
    ok(other)
    assert not at.error and not other.error, texts(at.error) + texts(other.error)
    ds = the_run(at).dataset
    assert the_run(other).dataset is ds  # one copy for the two sessions
    assert ds.n_train == 50_000 and ds.X_train.dtype == np.float32
    assert ds.nbytes <= 256 * 2**20  # the default Limits.session_memory_mb
    assert not any(a.flags.writeable for a in ds.arrays())  # no session can change it
    still_trains(at, the_run(at))
