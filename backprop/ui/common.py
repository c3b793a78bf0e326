"""Shared page helpers: server set-up, limits, and error display."""

from __future__ import annotations

import re
from functools import cache

import streamlit as st
from threadpoolctl import threadpool_limits

from ..limits import Limits, default_limits
from .live import ensure_plotly_served


@cache
def setup_server() -> None:
    """Once per server process: one BLAS thread (the products are small, and two threads on a
    busy 2-core host were 4x slower), and plotly.js ready for the live charts."""
    threadpool_limits(1)
    ensure_plotly_served()


def limits() -> Limits:
    """The resource limits in force (environment ``BACKPROP_*`` overrides, else defaults)."""
    try:
        return default_limits()
    except ValueError as e:
        st.error(f"Ignoring a bad limit setting: {e}")
        return Limits()


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """``text`` with Markdown escaped (links, images, ``:color[...]``, ``$latex$``), so a
    message that quotes user input, such as a URL parameter, shows it literally."""
    return _MARKDOWN.sub(r"\\\1", text)
