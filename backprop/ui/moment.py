"""The moment of a Playground run in the URL: the step it reached and what is on screen.

Next to the config (``config.URL_KEYS``) the URL carries ``config.MOMENT_URL_KEYS``:
``step`` (trainer steps taken), ``view`` (forward/backward), ``tab`` (the open detail tab,
lower case), ``layer`` and ``q`` (the Layers tab's layer and quantity), ``sample`` (the
probe column the graph shows), ``show_test`` and ``discretize`` (the output's toggles, 0 or
1). Only values that differ from the defaults are written, and only while paused
(:func:`to_url`), so Play frames never touch the URL.

A link whose moment this session did not write (a shared one) is read by :func:`restore`:
the widgets take its view, and a fresh network of the same config is replayed to its step
in Play frames (``controls.play_tick``, with a progress bar), then paused. Training is
deterministic per seed, so the replayed weights equal the sharer's bit for bit, provided
the settings were not changed mid-run. Every value is checked against the run's limits; a
refused one falls back to its default with a notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import streamlit as st

from ..validation import whole_number
from ..viz.quantities import LAYER_QUANTITIES
from .common import plain
from .config import MAX_URL_VALUE, MOMENT_URL_KEYS
from .session import RUN_KEY, Run, build_run
from .views import DETAIL_TABS, DISCRETIZE_KEY, SHOW_TEST_KEY, VIEW_LABELS, output_choice

MOMENT_STATE_KEY = "pg_moment_written"  # the moment parameters this page last wrote or read
# (first, last): the steps the live board has since written into the URL itself (see to_url)
MOMENT_BOARD_KEY = "pg_moment_board_steps"
WIDGETS = {  # moment field -> the widget key that shows it
    "view": "graph_view",
    "tab": "detail_tab",
    "layer": "layers_layer",
    "q": "layers_quantity",
    "sample": "graph_sample",
    "show_test": SHOW_TEST_KEY,
    "discretize": DISCRETIZE_KEY,
}
FLAGS = {"0": False, "1": True}  # a toggle's URL text


@dataclass(frozen=True)
class Moment:
    """A step and the view on it (every field named as its URL key)."""

    step: int = 0
    view: str = "forward"
    tab: str = "layers"
    layer: int = 1
    q: str = "a"
    sample: int = 0
    show_test: bool = True
    discretize: bool = False


DEFAULT_MOMENT = Moment()
assert tuple(f.name for f in fields(Moment)) == MOMENT_URL_KEYS


def steps_per_epoch(run: Run) -> int:
    """Mini-batches in one epoch of the run's trainer: ceil(n / batch_size)."""
    tr = run.trainer
    return -(-tr.n // tr.batch_size)


def max_step(run: Run) -> int:
    """The last step a link may ask for: ``max_epochs`` epochs (BACKPROP_MAX_EPOCHS)."""
    return run.net.limits.max_epochs * steps_per_epoch(run)


def _parse_one(key: str, raw: str, run: Run) -> object:
    """One moment value from its URL text; ValueError naming what is wrong."""
    if key == "step":
        top, spe = max_step(run), steps_per_epoch(run)
        step = whole_number("step", raw, minimum=0)
        if step > top:
            limit = run.net.limits.max_epochs
            raise ValueError(f"step must be <= {top:,}: {limit:,} epochs of {spe} steps")
        return step
    if key == "layer":
        return whole_number("layer", raw, minimum=1, maximum=run.net.n_layers)
    if key == "sample":
        n_probe = run.trainer.probe[0].shape[1]
        return whole_number("sample", raw, minimum=0, maximum=n_probe - 1)
    if key in ("show_test", "discretize"):
        if raw not in FLAGS:
            raise ValueError(f"{key} must be 0 or 1")
        return FLAGS[raw]
    names = {
        "view": tuple(VIEW_LABELS),
        "tab": tuple(t.lower() for t in DETAIL_TABS),
        "q": tuple(LAYER_QUANTITIES),
    }[key]
    if raw not in names:
        raise ValueError(f"{key} must be one of {', '.join(names)}")
    return raw


def parse(params: Mapping[str, str | list[str]], run: Run) -> tuple[dict[str, object], list[str]]:
    """The moment's values in ``params`` that pass the checks against ``run`` (other keys
    ignored), and a notice for each value refused (it falls back to its default)."""
    values: dict[str, object] = {}
    notices: list[str] = []
    for key in MOMENT_URL_KEYS:
        if key not in params:
            continue
        raw = params[key]
        if isinstance(raw, list):
            raw = raw[-1] if raw else ""
        default = getattr(DEFAULT_MOMENT, key)
        default = _text(default) if isinstance(default, bool) else default  # a flag: 0 or 1
        if len(raw) > MAX_URL_VALUE:
            notices.append(f"URL parameter {key!r} is too long; using {default!r}.")
            continue
        try:
            values[key] = _parse_one(key, raw, run)
        except (ValueError, TypeError) as e:
            notices.append(f"URL parameter {key}={raw[:40]!r} is invalid ({e}); using {default!r}.")
    return values, notices


def to_query(moment: Moment) -> dict[str, str]:
    """The moment's URL parameters: only the fields that differ from the defaults."""
    return {k: _text(v) for k, v in asdict(moment).items() if v != getattr(DEFAULT_MOMENT, k)}


def _text(value: object) -> str:
    """A moment value as URL text (a flag as 0 or 1)."""
    return str(int(value)) if isinstance(value, bool) else str(value)


def _tab_label(name: str) -> str:
    return {t.lower(): t for t in DETAIL_TABS}.get(name, DETAIL_TABS[0])


def _whole(value: object, low: int, high: int, default: int) -> int:
    """``value`` if it is a whole number in ``low..high``, else ``default``: a widget's
    session value can be stale, or the label a browser still shows for an option the
    network no longer has (Streamlit hands back that text, and a run that does not draw the
    widget, such as the board's, reads it)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return default
    return value


def _name(value: object, names: Mapping[str, object], default: str) -> str:
    """``value`` if it is one of ``names``, else ``default``."""
    return value if isinstance(value, str) and value in names else default


def current(run: Run) -> Moment:
    """The moment on screen: the run's step and the widgets' values (the defaults where
    unset or not valid for the run's network: with no hidden layer, layer 1, the output)."""
    ss, d = st.session_state, DEFAULT_MOMENT
    tab = ss.get(WIDGETS["tab"]) or DETAIL_TABS[0]
    n_probe = run.trainer.probe[0].shape[1]
    output = output_choice()
    return Moment(
        step=run.trainer.steps,
        view=_name(ss.get(WIDGETS["view"]), VIEW_LABELS, d.view),
        tab=str(tab).lower(),
        layer=_whole(ss.get(WIDGETS["layer"]), 1, run.net.n_layers, d.layer),
        q=_name(ss.get(WIDGETS["q"]), LAYER_QUANTITIES, d.q),
        sample=_whole(ss.get(WIDGETS["sample"]), 0, n_probe - 1, d.sample),
        show_test=output.show_test,
        discretize=output.discretize,
    )


def _url_moment() -> dict[str, str]:
    params = st.query_params.to_dict()
    return {k: params[k] for k in MOMENT_URL_KEYS if k in params}


def restore(run: Run) -> Run:
    """Apply a shared link's moment (once: when the URL holds one this page did not write).

    Sets the view widgets, shows a notice per refused value, and starts replaying a fresh
    network of the same config to the link's step. Returns the session's run (a new one
    when the replay had to start from scratch). Call before the widgets are drawn."""
    url = _url_moment()
    if not url or url == st.session_state.get(MOMENT_STATE_KEY) or _board_wrote(url):
        return run
    st.session_state[MOMENT_STATE_KEY] = url
    st.session_state.pop(MOMENT_BOARD_KEY, None)
    values, notices = parse(url, run)
    for notice in notices:
        st.warning(plain(notice), icon=":material/link_off:")
    moment = Moment(**values)  # what the link leaves out (or gets wrong) is the default
    for field, key in WIDGETS.items():
        value = getattr(moment, field)
        st.session_state[key] = _tab_label(value) if field == "tab" else value
    step_refused = "step" in url and "step" not in values  # then the run is kept as it is
    if not step_refused and moment.step != run.trainer.steps:
        if run.trainer.steps:  # replay from the start: the same seed gives the same steps
            run = build_run(run.cfg, run.dataset)
            st.session_state[RUN_KEY] = run
        run.play.to_step(moment.step)  # step 0: paused
    return run


def _but_step(moment: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in moment.items() if k != "step"}


def _step_of(moment: Mapping[str, str]) -> int:
    try:
        return int(moment.get("step", 0))
    except ValueError:
        return -1


def _board_wrote(url: Mapping[str, str]) -> bool:
    """The URL's moment is one this session's live board wrote: the moment this page last
    wrote but for a step the board has since shown."""
    steps, written = st.session_state.get(MOMENT_BOARD_KEY), st.session_state.get(MOMENT_STATE_KEY)
    if not steps or written is None or _but_step(url) != _but_step(written):
        return False
    return steps[0] <= _step_of(url) <= steps[1]


def to_url(run: Run, board_writes_step: bool = False) -> None:
    """Put the moment on screen into the URL, while paused and only if it changed: after a
    Step, a Pause or a view change, never during Play (nor a replay).

    ``board_writes_step``: this rerun answers a Step the live board took, and the board puts
    the new step into the URL itself, in place. Streamlit's own query-parameter change adds
    a browser history entry (Back would walk through every Step) and re-renders the whole
    page, about 50 ms of the browser's CPU per Step; the server then writes the URL only
    when more than the step changed."""
    if run.play.playing:
        return
    query, url = to_query(current(run)), _url_moment()
    if query == url:
        return
    if board_writes_step and _but_step(query) == _but_step(url):
        first = st.session_state.get(MOMENT_BOARD_KEY, (_step_of(url),))[0]
        st.session_state[MOMENT_BOARD_KEY] = (min(first, run.trainer.steps), run.trainer.steps)
        return
    params = st.query_params.to_dict()
    rest = {k: v for k, v in params.items() if k not in MOMENT_URL_KEYS}
    st.query_params.from_dict({**rest, **query})  # one URL change (one history entry)
    st.session_state[MOMENT_STATE_KEY] = query
    st.session_state.pop(MOMENT_BOARD_KEY, None)
