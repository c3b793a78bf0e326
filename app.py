"""Backprop Explorer. Run with ``streamlit run app.py``.

A launcher: the pages run from ``explorer.py`` (the router), and beside Streamlit's own
routes the server answers the live board's own line (``backprop/ui/line.py``), a WebSocket
over which Step, Epoch and Play reach the trainer without a script run.
"""

import streamlit as st

from backprop.ui.line import routes

app = st.App("explorer.py", routes=routes())
