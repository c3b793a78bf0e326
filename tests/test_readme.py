"""The README's Python example runs as written."""

import re
import subprocess
import sys
import tomllib

import plotly.graph_objects as go
import pytest
from helpers import ROOT

from backprop import datasets
from backprop.extras import INSTALL, NOTEBOOK


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


NEEDS_PLOTLY = (
    "ModuleNotFoundError: backprop.viz needs Plotly, which the engine-only install leaves out; "
    "install the 'notebook' extra: pip install \"backprop-explorer[notebook]\" "
    '(in a checkout: pip install ".[notebook]")'
)
BLOCKERS = {  # two ways a module can be missing: None in sys.modules, or no finder finds it
    "none": "import sys\nsys.modules['plotly'] = None\n",
    "finder": (
        "import sys\n"
        "class NoPlotly:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'plotly':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoPlotly())\n"
    ),
}


@pytest.mark.parametrize("blocker", list(BLOCKERS))
def test_without_plotly_the_readme_example_names_the_notebook_extra(blocker):
    """The engine-only install (``pip install .``): ``import backprop`` works, and the
    README's example stops at ``backprop.viz`` with the line that installs Plotly."""
    text = (ROOT / "README.md").read_text()
    example = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    assert "from backprop import datasets, viz" in example
    script = BLOCKERS[blocker] + "import backprop\nprint(backprop.__version__)\n" + example
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 1 and out.stdout == "0.1.0\n"
    assert out.stderr.strip().splitlines()[-1] == NEEDS_PLOTLY


def test_without_scikit_learn_its_tables_name_the_notebook_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # find_spec: not installed
    with pytest.raises(ValueError) as e:
        datasets.load("digits")
    assert str(e.value) == (
        "data set 'digits' needs scikit-learn (its data files), which the engine-only install "
        "leaves out; install the 'notebook' extra: pip install \"backprop-explorer[notebook]\" "
        '(in a checkout: pip install ".[notebook]")'
    )


def test_the_named_extra_is_pyprojects_and_adds_plotly_and_scikit_learn():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    notebook = extras["optional-dependencies"][NOTEBOOK]
    assert f'pip install "{extras["name"]}[notebook]"' == INSTALL
    assert sorted(re.split(r"[<>=]", r)[0] for r in notebook) == ["plotly", "scikit-learn"]
