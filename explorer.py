"""Backprop Explorer's pages: the router, run by the launcher ``app.py`` (``streamlit run app.py``).

Run on its own (``streamlit run explorer.py``), the app works without the live board's own line
(``backprop/ui/line.py``): the board then falls back to Streamlit reruns.
"""

import streamlit as st

from backprop.ui import present, priority, reconnect
from backprop.ui.common import setup_server

st.set_page_config(page_title="Backprop Explorer", page_icon="🧮", layout="wide")
setup_server()
present.apply()  # presentation mode (?present=1): the sidebar closed, large text
reconnect.detect()  # a session that begins on a reconnect: said on the page

# The folder is app_pages/, not pages/: Streamlit treats a folder named pages/ as its old
# multipage layout until this router has run once, so the first deep link after a server
# start (a shared Playground URL) would run the page without this file.
PAGES = [
    st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("app_pages/playground.py", title="Playground", icon=":material/model_training:"),
    st.Page("app_pages/stepper.py", title="Step-through", icon=":material/footprint:"),
    st.Page("app_pages/gradcheck.py", title="Gradient check", icon=":material/rule:"),
    st.Page("app_pages/bugs.py", title="Bug gallery", icon=":material/bug_report:"),
    st.Page("app_pages/diff.py", title="Gradient diff", icon=":material/compare:"),
]
nav = st.navigation(PAGES)
st.sidebar.caption("Backprop Explorer: Nielsen's network, every number visible.")
with priority.interactive():  # a Play chunk in another session makes way for this run
    nav.run()
