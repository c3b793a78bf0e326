"""Home: what backprop is, the four equations, and one-click starts."""

import streamlit as st

from backprop.ui.config import PRESETS, to_query

st.title("Backprop Explorer")
st.markdown("Home page: coming with the 'Ship it' issue.")
for name, cfg in PRESETS.items():
    st.page_link("pages/playground.py", label=name, query_params=to_query(cfg))
