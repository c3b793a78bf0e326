"""Serve Backprop Explorer to a class: N Streamlit workers behind nginx under supervisord.

``python -m deploy up --workers 2 --port 8080`` (see ``deploy/up.py`` and README "Deploy").
Nothing here imports the app: the workers are ``streamlit run app.py`` processes.
"""
