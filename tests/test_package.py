"""``backprop`` is a package people pip-install: built as a wheel (or from a git URL) and
installed into a fresh venv outside the checkout, the README's Python example and the
``backprop`` console script run there.

The fresh venvs get their third-party packages (NumPy, pandas, ...) from this test's own
environment through a ``.pth`` file, and install ``backprop`` itself with ``--no-deps``: the
test needs no network, and the declared dependencies are checked from the wheel's metadata.
"""

from __future__ import annotations

import email
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT

pytestmark = pytest.mark.slow

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0].strip().lower()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # built from a copy of what the build reads: setuptools writes build/ and *.egg-info
    # beside the sources, which must not land in the checkout
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "backprop", src / "backprop", ignore=shutil.ignore_patterns("__pycache__")
    )
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(src)],
        check=True, cwd=out,
    )  # fmt: skip
    (whl,) = out.glob("backprop_explorer-*.whl")
    return whl


def _venv(where: Path) -> Path:
    """A new venv at ``where`` that sees this environment's third-party packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    py = where / "bin" / "python"
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return py


def _install(py: Path, target: str, cwd: Path) -> None:
    subprocess.run(
        [*PIP, "--python", str(py), "install", "--no-deps", "--no-build-isolation", target],
        check=True, cwd=cwd,
    )  # fmt: skip


README_EXAMPLE = """
import plotly.graph_objects as go, re, pathlib, sys
shown = []
go.Figure.show = lambda self, *a, **k: shown.append(self)
text = pathlib.Path(sys.argv[1]).read_text()
exec(re.findall(r"```python\\n(.*?)```", text, re.S)[0], {})
import backprop
print("SHOWN", len(shown), "FROM", backprop.__file__)
"""


def _check_installed(py: Path, home: Path) -> None:
    run = subprocess.run(
        [py, "-c", README_EXAMPLE, str(ROOT / "README.md")],
        cwd=home, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "test_accuracy" in run.stdout and "SHOWN 2" in run.stdout
    where = Path(run.stdout.split("FROM")[-1].strip())
    assert where.is_relative_to(py.parents[1]) and not where.is_relative_to(ROOT)
    cli = subprocess.run(
        [py.parent / "backprop", "--help"], cwd=home, capture_output=True, text=True
    )
    assert cli.returncode == 0 and cli.stdout.startswith("usage: backprop")
    assert "--epochs" in cli.stdout and "--progress" in cli.stdout


def test_the_wheel_holds_the_backprop_package_only_with_its_declared_dependencies(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        (meta,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(z.read(meta))
        (entry,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_points = z.read(entry).decode()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"backprop"}
    assert "backprop/ui/board.js" in names and "backprop/datasets/core.py" in names
    assert "backprop/ui/vendor/plotly-cartesian.min.js" in names  # the board's plotly.js
    assert "backprop/ui/vendor/LICENSE.plotly.txt" in names
    assert "backprop = backprop.cli:main" in entry_points
    requires = metadata.get_all("Requires-Dist")
    plain = {_name(r) for r in requires if "extra ==" not in r}
    assert plain == {"numpy", "pandas", "tqdm"}
    extras = {_name(r) for r in requires if 'extra == "app"' in r}
    assert {"streamlit", "plotly", "scikit-learn", "threadpoolctl"} <= extras


def test_requirements_txt_is_the_engine_plus_the_app_extra():
    project = _pyproject()["project"]
    declared = {*project["dependencies"], *project["optional-dependencies"]["app"]}
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    listed = {x.strip() for x in lines if x.strip() and not x.startswith("#")}
    assert listed == declared


def test_the_wheel_installs_into_a_fresh_venv_and_runs_the_readme_example(wheel, tmp_path):
    py = _venv(tmp_path / "venv")
    _install(py, str(wheel), tmp_path)
    _check_installed(py, tmp_path)


def test_pip_installs_it_from_a_git_url(tmp_path):
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True).returncode:
        pytest.skip("not a git checkout")
    py = _venv(tmp_path / "venv")
    _install(py, f"git+file://{ROOT}", tmp_path)  # the committed tree, as a user gets it
    _check_installed(py, tmp_path)
