"""The layering, checked on the source: pages > ``backprop/ui`` > ``backprop/viz`` > engine.

Every ``.py`` file of the repository is parsed, and every import in it (at the top, inside
functions and classes, under ``if``/``try``, relative ones resolved against the file's
package, and ``importlib.import_module`` / ``__import__`` of a literal name) is given the
layer of what it imports. No import may go up:

* engine (``backprop/`` but its ``viz`` and ``ui``): never viz, ui, plotly or streamlit;
* viz (``backprop/viz/``): never ui or streamlit (plotly is the viz layer's library);
* ui (``backprop/ui/``): never the pages;
* pages (``app.py``, ``app_pages/``): anything below.

``tests/``, ``benchmarks/``, ``scripts/`` and ``deploy/`` are tools above every layer: they
may import anything, and no layer may import them. A ``.py`` file anywhere else has no layer
and fails the test until it is given one here.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT

ENGINE, VIZ, UI, PAGES, TOOLS, BEYOND = range(6)
LAYER_NAMES = ("engine", "viz", "ui", "pages", "tools", "beyond the top-level package")
TOOL_DIRS = ("tests", "benchmarks", "scripts", "deploy")
# third-party libraries that belong to a layer: importing them puts a module in it
LIBRARY_LAYER = {"plotly": VIZ, "streamlit": UI}
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages"}


# ------------------------------------------------------------------------ files
def python_files(root: Path = ROOT) -> list[Path]:
    """Every ``.py`` file under ``root``, skipping hidden folders, caches and virtualenvs."""
    found = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in SKIP_DIRS
            and not (Path(here, d) / "pyvenv.cfg").exists()
        )
        found += [Path(here, f) for f in sorted(files) if f.endswith(".py")]
    return found


def module_of(rel: str) -> tuple[str, ...]:
    """The dotted name of a repository file, as parts: ``backprop/ui/board.py`` ->
    ``("backprop", "ui", "board")``; a package's ``__init__.py`` is the package."""
    parts = tuple(Path(rel).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def layer_of_file(rel: str) -> int | None:
    """The layer of a file given by its path relative to the root, or None if it has none."""
    parts = Path(rel).parts
    if parts[0] in TOOL_DIRS:
        return TOOLS
    if rel in ("app.py", "explorer.py") or parts[0] == "app_pages":
        return PAGES
    if parts[0] == "backprop":
        return {"viz": VIZ, "ui": UI}.get(parts[1], ENGINE) if len(parts) > 2 else ENGINE
    return None


# the modules the tools hold, by the names they are imported under (tests/ is on sys.path)
TOOL_MODULES = {
    p.stem
    for p in python_files()
    if layer_of_file(p.relative_to(ROOT).as_posix()) == TOOLS and p.stem != "__init__"
} | set(TOOL_DIRS)


def layer_of_module(name: str) -> int | None:
    """The layer of an imported dotted name, or None for the standard library and other
    third-party code (which every layer may use)."""
    parts = name.split(".")
    if parts[0] == "backprop":
        return {"viz": VIZ, "ui": UI}.get(parts[1], ENGINE) if len(parts) > 1 else ENGINE
    if parts[0] in ("app", "app_pages"):
        return PAGES
    if parts[0] in LIBRARY_LAYER:
        return LIBRARY_LAYER[parts[0]]
    if parts[0] in TOOL_MODULES:
        return TOOLS
    return None


# ---------------------------------------------------------------------- imports
def imports(tree: ast.AST, module: tuple[str, ...], is_package: bool) -> Iterator[tuple[int, str]]:
    """``(line, dotted name)`` of everything ``tree`` imports, wherever the statement is.

    ``from a import b`` yields ``a.b`` (``b`` may be a submodule); a relative import is
    resolved against the package of ``module``; one that climbs above the top-level package
    yields its dotted text as written (``...x``), which no layer may import.
    """
    package = module if is_package else module[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                up = node.level - 1
                if up >= len(package):  # beyond the top-level package
                    for alias in node.names:
                        rest = [p for p in (node.module, alias.name) if p and p != "*"]
                        yield node.lineno, "." * node.level + ".".join(rest)
                    continue
                base = list(package[: len(package) - up])
            else:
                base = []
            base += node.module.split(".") if node.module else []
            for alias in node.names:
                yield node.lineno, ".".join(base if alias.name == "*" else [*base, alias.name])
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield node.lineno, arg.value


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def violations(source: str, rel: str) -> list[str]:
    """Each import in the file ``rel`` (with this ``source``) that goes up a layer."""
    layer = layer_of_file(rel)
    if layer is None:
        return [f"{rel}: no layer (add its folder to tests/test_layers.py)"]
    if layer == TOOLS:
        return []
    module = module_of(rel)
    bad = []
    for line, name in imports(ast.parse(source, rel), module, rel.endswith("__init__.py")):
        target = BEYOND if name.startswith(".") else layer_of_module(name)
        if target is not None and target > layer:
            bad.append(
                f"{rel}:{line}: the {LAYER_NAMES[layer]} layer imports {name}"
                f" ({LAYER_NAMES[target]})"
            )
    return bad


# ------------------------------------------------------------------------ tests
def test_no_import_goes_up_a_layer():
    bad, seen = [], dict.fromkeys(LAYER_NAMES, 0)
    for path in python_files():
        rel = path.relative_to(ROOT).as_posix()
        bad += violations(path.read_text(encoding="utf-8"), rel)
        layer = layer_of_file(rel)
        if layer is not None:
            seen[LAYER_NAMES[layer]] += 1
    assert not bad, "imports that go up a layer:\n" + "\n".join(bad)
    # the walk really covered the project (a wrong root cannot pass by finding nothing)
    assert seen["engine"] >= 10 and seen["viz"] >= 5 and seen["ui"] >= 5, seen
    assert seen["pages"] >= 2 and seen["tools"] >= 10, seen


BAD_MODULES = [
    # (file, source, the import that must be named)
    ("backprop/network.py", "def f():\n    import streamlit as st\n", "streamlit"),
    ("backprop/network.py", "import plotly.graph_objects as go\n", "plotly.graph_objects"),
    ("backprop/trace.py", "from .viz import network_graph\n", "backprop.viz.network_graph"),
    ("backprop/__init__.py", "from . import viz\n", "backprop.viz"),
    ("backprop/debug/bugs.py", "class A:\n    from ..ui import board\n", "backprop.ui.board"),
    (
        "backprop/cli.py",
        "try:\n    from backprop.ui.config import X\nexcept E:\n    pass\n",
        "backprop.ui.config.X",
    ),  # fmt: skip
    (
        "backprop/viz/curves.py",
        "if T:\n    from ..ui.common import plain\n",
        "backprop.ui.common.plain",
    ),  # fmt: skip
    (
        "backprop/viz/curves.py",
        "def f():\n    from streamlit import session_state\n",
        "streamlit.session_state",
    ),  # fmt: skip
    ("backprop/ui/board.py", "from app_pages import playground\n", "app_pages.playground"),
    ("backprop/ui/board.py", "def f():\n    importlib.import_module('app')\n", "app"),
    ("backprop/ui/board.py", "x = __import__('app_pages.home')\n", "app_pages.home"),
    ("backprop/io.py", "from helpers import ROOT\n", "helpers.ROOT"),
    ("app_pages/home.py", "from tests.helpers import ROOT\n", "tests.helpers.ROOT"),
    ("backprop/io.py", "from ... import x\n", "...x"),
]


@pytest.mark.parametrize(("rel", "source", "name"), BAD_MODULES)
def test_the_walker_flags_an_import_that_goes_up(rel, source, name):
    bad = violations(source, rel)
    assert len(bad) == 1, bad
    assert bad[0].startswith(f"{rel}:") and f" imports {name} (" in bad[0], bad


GOOD_MODULES = [
    ("backprop/network.py", "import numpy as np\nfrom . import activations\nfrom .io import x\n"),
    ("backprop/debug/bugs.py", "from .. import Network\nfrom ..trace import Trace\n"),
    ("backprop/viz/curves.py", "import plotly.graph_objects as go\nfrom .. import Network\n"),
    ("backprop/ui/board.py", "import streamlit\nfrom ..viz import frames\nfrom . import common\n"),
    (
        "app_pages/home.py",
        "import streamlit\nfrom backprop.ui import board\nfrom backprop import viz\n",
    ),
    ("app.py", "import streamlit as st\nimportlib.import_module('app_pages.home')\n"),
    ("tests/test_x.py", "from app_pages import home\nimport streamlit\n"),
]


@pytest.mark.parametrize(("rel", "source"), GOOD_MODULES)
def test_the_walker_allows_imports_down_or_across(rel, source):
    assert violations(source, rel) == []


def test_relative_imports_resolve_against_the_package():
    src = "from . import a\nfrom .b import c\nfrom .. import d\nfrom ..e.f import g\n"
    tree = ast.parse(src)
    got = [name for _, name in imports(tree, ("backprop", "viz", "curves"), False)]
    assert got == ["backprop.viz.a", "backprop.viz.b.c", "backprop.d", "backprop.e.f.g"]
    got = [name for _, name in imports(tree, ("backprop", "viz"), True)]  # viz/__init__.py
    assert got == ["backprop.viz.a", "backprop.viz.b.c", "backprop.d", "backprop.e.f.g"]


def test_a_file_outside_every_layer_is_reported():
    assert violations("import os\n", "docs/make.py") == [
        "docs/make.py: no layer (add its folder to tests/test_layers.py)"
    ]
    assert layer_of_file("backprop/viz/__init__.py") == VIZ
    assert layer_of_file("backprop/ui/board.py") == UI
    assert layer_of_file("backprop/debug/__init__.py") == ENGINE
    assert layer_of_file("backprop/__init__.py") == ENGINE
