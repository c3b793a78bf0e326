"""Lesson links: a URL that opens a preset and a view and hides chosen controls.

As TensorFlow Playground lets a teacher "tailor the playground to a lesson"
(``HIDABLE_CONTROLS``): ``?preset=<slug>`` starts from one of ``config.PRESETS`` (the
link's own config parameters, if any, override it; the URL then holds the whole config),
and ``hide=<name>,<name>`` leaves out the controls named in :data:`HIDABLE`. Hidden
controls are not drawn; their values still apply. The value is checked before it is split
(length, count, names); what is refused gets a notice and nothing else changes.
:func:`builder` writes such links on the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urljoin, urlsplit

import streamlit as st

from .charts import slug
from .config import HIDE_URL_KEY, PRESET_URL_KEY, PRESETS, PlaygroundConfig, to_query

HIDABLE = {  # control -> what it hides
    "presets": "the Presets menu",
    "dataset": "the dataset picker and its uploads",
    "data": "samples, noise, input features and test share",
    "seed": "the data seed and New data",
    "layers": "the number and sizes of hidden layers",
    "activation": "the hidden and output activations",
    "cost": "the cost",
    "init": "the initialisation",
    "optimizer": "the optimiser",
    "eta": "the learning rate",
    "batch": "the mini-batch size",
    "regularization": "regularisation and lambda",
    "present": "the Present toggle",
    "tabs": "the detail tabs",
    "downloads": "Export and resume",
}
MAX_HIDE_CHARS = 400  # longer than every name joined: refused before it is split
MAX_URL_CHARS = 2000  # the page's URL as the browser reports it: longer is not used


PRESET_SLUGS = {slug(name): name for name in PRESETS}


def parse_hide(raw: object) -> tuple[frozenset[str], list[str]]:
    """The controls ``raw`` (``"eta,seed"``) hides, and a notice for what is refused."""
    if not isinstance(raw, str) or not raw:
        return frozenset(), []
    if len(raw) > MAX_HIDE_CHARS:
        return frozenset(), [f"URL parameter 'hide' is too long ({len(raw):,} characters); "
                             "nothing is hidden."]  # fmt: skip
    names = [n.strip().lower() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in HIDABLE]
    notices = []
    if unknown:
        shown = ", ".join(repr(n[:30]) for n in unknown[:5])
        notices.append(f"URL parameter 'hide' names unknown controls ({shown}); they are "
                       f"ignored. Known: {', '.join(HIDABLE)}.")  # fmt: skip
    return frozenset(n for n in names if n in HIDABLE), notices


def hidden() -> frozenset[str]:
    """The controls this page's URL hides."""
    return parse_hide(st.query_params.get(HIDE_URL_KEY))[0]


def hides(name: str) -> bool:
    assert name in HIDABLE, name
    return name in hidden()


def expand_preset(params: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """``params`` with a ``preset`` replaced by that preset's config parameters (the
    link's own ones win); a notice if the preset is unknown (then it is dropped)."""
    params = dict(params)
    raw = params.pop(PRESET_URL_KEY, None)
    if raw is None:
        return params, []
    name = PRESET_SLUGS.get(str(raw)[:80].lower())
    if name is None:
        known = ", ".join(PRESET_SLUGS)
        return params, [f"URL parameter preset={str(raw)[:40]!r} is not a preset; known: {known}."]
    return {**to_query(PRESETS[name]), **params}, []


def link(preset: str | None, hide: list[str], tab: str | None = None) -> str:
    """The relative link (``?preset=...&hide=...&tab=...``) of a lesson."""
    params: dict[str, str] = {}
    if preset:
        params[PRESET_URL_KEY] = slug(preset)
    if hide:
        params[HIDE_URL_KEY] = ",".join(h for h in HIDABLE if h in hide)
    if tab:
        params["tab"] = tab.lower()
    return "playground" + ("?" + urlencode(params, safe=",") if params else "")


def absolute(relative: str) -> str:
    """``relative`` (a page and its query, as :func:`link` writes it) as an absolute link,
    resolved as the browser resolves it against this page's address (``st.context.url``:
    scheme, host and any path prefix the app is served under, by a proxy or
    ``server.baseUrlPath``). The browser sends that address: what is not a plain http(s)
    URL (or nothing, as in tests) leaves the link relative."""
    here = st.context.url
    if not isinstance(here, str) or len(here) > MAX_URL_CHARS:
        return relative
    try:
        parts = urlsplit(here)
    except ValueError:
        return relative
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return relative
    return urljoin(here, relative)


def builder(tabs: tuple[str, ...], cfg: PlaygroundConfig) -> None:
    """An expander where a teacher picks a preset, the tab to open and the controls to
    hide, and gets the link."""
    with st.expander("Lesson link", icon=":material/school:"):
        st.caption("A link that opens a preset and a tab with chosen controls hidden, for a "
                   "class: hidden controls keep their values, the rest stays usable.")  # fmt: skip
        c1, c2 = st.columns(2)
        preset = c1.selectbox(
            "Preset", [None, *PRESETS], key="lesson_preset",
            format_func=lambda p: "the current settings" if p is None else p,
        )  # fmt: skip
        tab = c2.selectbox("Open tab", tabs, key="lesson_tab")
        hide = st.multiselect("Hide", list(HIDABLE), key="lesson_hide",
                              format_func=lambda h: f"{h}: {HIDABLE[h]}")  # fmt: skip
        url = link(preset, hide, None if tab == tabs[0] else tab)
        if preset is None and to_query(cfg):  # the current settings, as the URL writes them
            url += ("&" if "?" in url else "?") + urlencode(to_query(cfg), safe=",")
        st.code(absolute(url), language=None)  # shown literally
