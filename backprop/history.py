"""Bounded recorders: the step history (a pandas DataFrame) and parameter snapshots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .trace import Trace

Array = np.ndarray


class History:
    """Float columns appended one row at a time into a preallocated array.

    When ``max_rows`` is reached every second row is dropped (first and last kept),
    so a long run keeps its whole shape at a coarser resolution and memory stays bounded.
    """

    def __init__(self, columns: list[str], max_rows: int = 20_000) -> None:
        self.columns = list(columns)
        self.index = {c: i for i, c in enumerate(self.columns)}
        self.max_rows = max(4, int(max_rows))
        self._data = np.full((min(1024, self.max_rows), len(self.columns)), np.nan)
        self.n = 0
        self.thinned = 0  # how many times rows were halved

    def new_row(self) -> Array:
        """A NaN-filled row to fill in place (a view into the buffer)."""
        if self.n == self._data.shape[0]:
            if self.n >= self.max_rows:
                keep = np.r_[0 : self.n - 1 : 2, self.n - 1]
                kept = self._data[keep]
                self._data[: len(keep)] = kept
                self._data[len(keep) :] = np.nan
                self.n = len(keep)
                self.thinned += 1
            else:
                grown = np.full((min(2 * self.n, self.max_rows), len(self.columns)), np.nan)
                grown[: self.n] = self._data[: self.n]
                self._data = grown
        row = self._data[self.n]
        self.n += 1
        return row

    def last(self) -> dict[str, float]:
        return dict(zip(self.columns, self._data[self.n - 1].tolist())) if self.n else {}

    def last_valid(self, column: str) -> float:
        """The latest non-NaN value of ``column`` (NaN if there is none)."""
        col = self._data[: self.n, self.index[column]]
        ok = np.flatnonzero(~np.isnan(col))
        return float(col[ok[-1]]) if len(ok) else float("nan")

    def column(self, name: str) -> Array:
        """The recorded values of ``name``, ``(n,)``: a read-only view, no copy."""
        view = self._data[: self.n, self.index[name]]
        view.flags.writeable = False
        return view

    def frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows as a DataFrame (a copy), of ``columns`` only if given."""
        if columns is None:
            df = pd.DataFrame(self._data[: self.n].copy(), columns=self.columns)
        else:
            idx = [self.index[c] for c in columns]
            df = pd.DataFrame(self._data[: self.n, idx], columns=list(columns))
        for c in ("step", "epoch"):
            if c in df:
                df[c] = df[c].astype(np.int64)
        return df

    @property
    def nbytes(self) -> int:
        return self._data.nbytes


@dataclass(frozen=True)
class Snapshot:
    """Parameters after ``step`` steps, and a trace on the trainer's fixed probe batch."""

    step: int
    epoch: int
    weights: tuple[Array, ...]
    biases: tuple[Array, ...]
    trace: Trace | None

    @property
    def nbytes(self) -> int:
        n = sum(w.nbytes + b.nbytes for w, b in zip(self.weights, self.biases))
        if self.trace is not None:
            t = self.trace
            groups = [t.z, t.a, t.delta, t.nabla_w, t.nabla_b]
            if t.weights is not self.weights:  # the snapshot usually shares the trace's copies
                groups += [t.weights, t.biases]
            for group in groups:
                n += sum(x.nbytes for x in group)
        return n


MAX_SNAPSHOTS = 256  # enough frames to scrub through a run; each holds ~30 small objects


class SnapshotBuffer:
    """Snapshots every ``every`` steps within ``budget_bytes`` and ``max_items``.

    Past either, every second snapshot is dropped and ``every`` doubles, so the buffer
    always spans the whole run (scrub from step 0 to now) in bounded memory, and with a
    bounded number of objects for the garbage collector to walk.
    """

    def __init__(self, every: int, budget_bytes: int, max_items: int = MAX_SNAPSHOTS) -> None:
        self.every = int(every)
        self.budget_bytes = int(budget_bytes)
        self.max_items = max(3, int(max_items))
        self.items: list[Snapshot] = []
        self.nbytes = 0

    def due(self, step: int) -> bool:
        return self.every > 0 and step % self.every == 0

    def add(self, snap: Snapshot) -> None:
        if self.items and self.items[-1].step == snap.step:
            return
        self.items.append(snap)
        self.nbytes += snap.nbytes
        while (self.nbytes > self.budget_bytes or len(self.items) > self.max_items) and len(
            self.items
        ) > 2:
            self.every *= 2
            keep = self.items[:-1:2] + [self.items[-1]]
            self.items = keep
            self.nbytes = sum(s.nbytes for s in keep)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Snapshot:
        return self.items[i]

    @property
    def steps(self) -> list[int]:
        return [s.step for s in self.items]
