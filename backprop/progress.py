"""Progress of long runs: a tqdm bar (a widget in a notebook, a line in a terminal).

``progress_bar(epochs, steps, show)`` is a context manager whose ``update(row)`` advances one
epoch and shows that epoch's costs and accuracy (``row``: the epoch history's last row).
``show=None`` decides for the caller: a bar for runs of at least ``LONG_RUN`` steps, when
there is someone to see it (a terminal on stderr, or a notebook kernel).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

LONG_RUN = 5_000  # steps: about a second of the book's [784, 30, 10] network or more


class _Bar:
    def __init__(self, bar) -> None:
        self.bar = bar

    def update(self, row: dict[str, float]) -> None:
        if self.bar is None:
            return
        shown = {}
        for key, label in (("train_cost", "cost"), ("test_cost", "test cost")):
            if row.get(key, float("nan")) == row.get(key, float("nan")):  # not NaN
                shown[label] = f"{row[key]:.4f}"
        acc = row.get("test_accuracy", row.get("train_accuracy", float("nan")))
        if acc == acc:
            shown["accuracy"] = f"{100 * acc:.1f}%"
        self.bar.set_postfix(shown, refresh=False)
        self.bar.update(1)


def _watched() -> bool:
    """Someone can see a bar: stderr is a terminal, or this runs in a notebook kernel."""
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress_bar(epochs: int, steps: int, show: bool | None = None) -> Iterator[_Bar]:
    """A bar over ``epochs`` epochs (``steps`` steps in all) if ``show`` (None: a long run
    that someone watches); otherwise a bar that does nothing."""
    if show is None:
        show = steps >= LONG_RUN and _watched()
    if not show:
        yield _Bar(None)
        return
    from tqdm.auto import tqdm  # a notebook widget where ipywidgets is there, else text

    bar = tqdm(total=epochs, desc="epoch", unit="epoch", file=sys.stderr, dynamic_ncols=True)
    try:
        yield _Bar(bar)
    finally:
        bar.close()
