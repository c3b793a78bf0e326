"""The README's Python example runs as written."""

import re

import plotly.graph_objects as go
import pytest
from helpers import ROOT


def test_readme_python_example_runs(monkeypatch, capsys):
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "no Python example in the README"
    assert len(blocks[0].strip().splitlines()) <= 10  # "a ten-line notebook example"
    shown = []
    monkeypatch.setattr(go.Figure, "show", lambda self, *a, **k: shown.append(self))
    exec(compile(blocks[0], "README.md", "exec"), {})  # noqa: S102 - our own README
    assert len(shown) == 2 and all(isinstance(f, go.Figure) for f in shown)
    out = capsys.readouterr().out
    assert "test_accuracy" in out


@pytest.mark.parametrize("command", ["streamlit run app.py", "python -m pytest"])
def test_readme_has_the_two_commands(command):
    assert command in (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    (command,) = [line for line in readme.splitlines() if "requirements-dev.txt" in line]
    assert command.strip() in ci
