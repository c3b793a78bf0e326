"""The optional parts of the install and the one line that adds them.

``pip install backprop-explorer`` (or ``pip install .`` in a checkout) is the engine only:
NumPy, pandas, tqdm. Plotly (``backprop.viz``) and scikit-learn (its bundled tables, such
as ``digits``) come with the ``notebook`` extra of ``pyproject.toml``; a module that needs
one says so with :func:`needs`, naming the extra instead of failing on a bare import.
"""

from __future__ import annotations

NOTEBOOK = "notebook"  # the extra's name in pyproject.toml
INSTALL = f'pip install "backprop-explorer[{NOTEBOOK}]"'


def needs(what: str, package: str) -> str:
    """The message for ``what`` (a module or data set) missing ``package``."""
    return (
        f"{what} needs {package}, which the engine-only install leaves out; install the "
        f'{NOTEBOOK!r} extra: {INSTALL} (in a checkout: pip install ".[{NOTEBOOK}]")'
    )
