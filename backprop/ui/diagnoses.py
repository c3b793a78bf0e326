"""The Playground's Diagnoses panel: what :func:`backprop.diagnose` finds wrong with the run.

It sits in the live board's fragment, so it follows every Step and every chunk of Play.
The findings are recomputed at most once every ``EVERY`` steps (and when the run or its
settings change), kept in ``st.session_state``; in between a rerun only draws them.
"""

from __future__ import annotations

import weakref
from collections.abc import MutableMapping
from dataclasses import dataclass

import streamlit as st

from .. import diagnose
from ..diagnose import LABELS, PROBLEM, WARNING, Finding, waiting
from ..trainer import Trainer
from .common import plain
from .config import PlaygroundConfig
from .session import Run

CACHE_KEY = "diagnoses"
EVERY = 10  # steps between diagnoses: its windows span 20-50 steps, so nothing is missed
SEVERITY_ICONS = {PROBLEM: ":red[:material/error:]", WARNING: ":orange[:material/warning:]"}


@dataclass(frozen=True)
class Diagnosis:
    """The ``findings`` on a trainer (held weakly: a Reset frees it) after ``steps``;
    ``key`` is ``(steps // EVERY, the run's config)`` when they were computed."""

    trainer: weakref.ref
    key: tuple[int, PlaygroundConfig]
    steps: int
    findings: tuple[Finding, ...]


def findings(run: Run, store: MutableMapping | None = None) -> Diagnosis:
    """This run's diagnosis: the cached one (in ``store``, default the session's state) if
    it is for the same trainer, settings and ``steps // EVERY``, else computed now and
    cached."""
    tr: Trainer = run.trainer
    key = (tr.steps // EVERY, run.cfg)
    store = st.session_state if store is None else store
    cached: Diagnosis | None = store.get(CACHE_KEY)
    if cached is not None and cached.trainer() is tr and cached.key == key:
        return cached
    fresh = Diagnosis(weakref.ref(tr), key, tr.steps, tuple(diagnose(tr)))
    store[CACHE_KEY] = fresh
    return fresh


def summary(run: Run, store: MutableMapping | None = None) -> list[list[str]] | None:
    """``[[severity, title], ...]`` of this run's findings (``[]``: healthy), or None while
    there are too few steps to judge: the live board shows it beside its counters, on the
    first screen (the panel itself is further down)."""
    if waiting(run.trainer) is not None:
        return None
    return [[f.severity, f.title] for f in findings(run, store).findings]


def _number(x: object) -> str:
    if isinstance(x, float):
        return f"{x:.3g}"
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(_number(v) for v in x) + "]"
    if isinstance(x, dict):
        return ", ".join(f"layer {k}: {_number(v)}" for k, v in x.items())
    return str(x)


def evidence_text(evidence: dict) -> str:
    """``"delta ratio 0.14; speed ratio 0.05; ..."``: the numbers a finding was judged on."""
    return "; ".join(f"{k.replace('_', ' ')} {_number(v)}" for k, v in evidence.items())


def panel(run: Run) -> None:
    """One line per finding (icon, title, message) with its evidence, chart and advice
    folded away; "No problems found" (and what was checked) when healthy; "Not enough
    steps yet" early."""
    with st.container(key="diagnoses-panel"):
        early = waiting(run.trainer)
        if early is not None:
            st.caption(":material/hourglass_empty: **Diagnoses.** " + plain(early))
            return
        d = findings(run)
        if not d.findings:
            checked = ", ".join(LABELS.values())
            st.caption(
                ":green[:material/check_circle:] **Diagnoses: no problems found** "
                f"(step {plain(f'{d.steps:,}')}). Checked: {plain(checked)}."
            )
            return
        st.caption(f"**Diagnoses** (step {plain(f'{d.steps:,}')})")
        for f in d.findings:
            st.markdown(f"{SEVERITY_ICONS[f.severity]} **{plain(f.title)}**: {plain(f.message)}")
            with st.expander("Evidence and what to try"):
                st.caption(f"**Try:** {plain(f.advice)}")
                st.caption(f"**See:** {plain(f.chart)}. **Evidence:** "
                           f"{plain(evidence_text(f.evidence))}.")  # fmt: skip
