"""Presentation mode, on every page: the sidebar closed, large high-contrast text and charts.

Kept in the URL as ``?present=1`` (a teacher's link opens in it). The router applies it
before the page runs (:func:`apply`); every page shows the same toggle (:func:`toggle`). A
toggle inside a fragment (the Playground's toolbar) reruns only that fragment, so
:func:`follow` reruns the whole page when the mode changed under it.
"""

from __future__ import annotations

import streamlit as st

URL_KEY = "present"
TOGGLE_KEY = "present_toggle"
APPLIED_KEY = "present_applied"  # the mode the last full page run was drawn in

_CSS = """
<style>
.stMainBlockContainer { max-width: 100%; padding-left: 1.5rem; padding-right: 1.5rem; }
.stMainBlockContainer p, .stMainBlockContainer li { font-size: 1.2rem; color: #000; }
.stMainBlockContainer button p, .stMainBlockContainer label p { font-size: 1.15rem; }
.stMainBlockContainer .katex { font-size: 1.3em; }
.stMainBlockContainer [data-testid="stCaptionContainer"] p { font-size: 1.05rem; color: #111; }
.st-key-speed label p { white-space: nowrap; }
</style>
"""


def presenting() -> bool:
    """Presentation mode: ``?present=1`` in the URL (the toggle sets it)."""
    return st.query_params.get(URL_KEY) == "1"


def apply() -> None:
    """The router's part, before the page runs: the sidebar state and the page's text size.
    A change of mode opens or closes the sidebar (``initial_sidebar_state`` is applied
    again when it changes)."""
    on = presenting()
    st.set_page_config(initial_sidebar_state="collapsed" if on else "auto")
    st.session_state[APPLIED_KEY] = on
    if on:
        st.html(_CSS)


def toggle() -> None:
    """The Present toggle (the same key on every page: the mode follows the user)."""
    st.toggle(
        "Present",
        key=TOGGLE_KEY,
        value=presenting(),
        on_change=_toggled,
        help="Presentation mode: sidebar closed, large high-contrast text (?present=1)",
    )


def _toggled() -> None:
    if st.session_state.get(TOGGLE_KEY):
        st.query_params[URL_KEY] = "1"
    else:
        st.query_params.pop(URL_KEY, None)


def follow() -> None:
    """In a fragment: rerun the whole page if the mode changed since it was drawn."""
    if st.session_state.get(APPLIED_KEY, False) != presenting():
        st.rerun(scope="app")


def title(text: str) -> None:
    """A page's title with the Present toggle at the right of its row."""
    left, right = st.columns([6, 1], vertical_alignment="center")
    left.title(text)
    with right:
        toggle()
