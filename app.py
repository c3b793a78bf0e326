"""Backprop Explorer: the router. Run with ``streamlit run app.py``."""

import streamlit as st

from backprop.ui.common import setup_server

st.set_page_config(page_title="Backprop Explorer", page_icon="🧮", layout="wide")
setup_server()

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/playground.py", title="Playground", icon=":material/model_training:"),
    st.Page("pages/stepper.py", title="Step-through", icon=":material/footprint:"),
    st.Page("pages/gradcheck.py", title="Gradient check", icon=":material/rule:"),
    st.Page("pages/bugs.py", title="Bug gallery", icon=":material/bug_report:"),
    st.Page("pages/diff.py", title="Gradient diff", icon=":material/compare:"),
]
nav = st.navigation(PAGES)
st.sidebar.caption("Backprop Explorer: Nielsen's network, every number visible.")
nav.run()
