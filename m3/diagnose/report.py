"""The diagnosis of every unit of an initiative at a date: the chain walked for each.

Every unit in scope is listed, teams and the units above them; a unit with too little data
says so (status and cause `insufficient`, with what is missing) instead of guessing.

The chain is walked for every unit in one pass (one lever model, one read of the signals), also
when a page shows one unit. The rows below are what `m3 diagnose --format json`, the JSON API
and the pages show: one shape everywhere, each step with the URL of its evidence
(`diagnose/evidence.py`). `worst_first` orders a tree for an executive: each unit followed by
the units below it, and the units of one level worst first. A unit's
deals are compared with the median of like units (the other units at the same depth of the
tree), as the opportunity step of the chain reads them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from m3.diagnose.chain import (
    Cause,
    Diagnosis,
    Step,
    deal_figures,
    peer_deal_figures,
    unit_diagnosis,
)
from m3.diagnose.evidence import Figure, UnitEvidence, WeekRow
from m3.errors import NotFound
from m3.facts.store import FactsStore
from m3.initiatives.models import Ask, Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.momentum.report import (
    AlertRow,
    MomentumRow,
    UnitMomentum,
    alert_rows,
    initiative_momentum,
    momentum_row,
    rounded,
)
from m3.momentum.score import MomentumState
from m3.momentum.selectors import HealthLookup
from m3.momentum.warning import LeverModel, Status
from m3.org.scope import Scope

# Worst first: output short now, then projected short, then not yet readable, then on track.
STATUS_ORDER = {Status.BEHIND: 0, Status.AT_RISK: 1, Status.INSUFFICIENT: 2, Status.ON_TRACK: 3}


@dataclass(frozen=True)
class UnitDiagnosis:
    """One unit's momentum and the diagnosis the chain gives it."""

    unit: UnitMomentum
    diagnosis: Diagnosis


def initiative_diagnosis(initiative: Initiative, facts: FactsStore, as_of: dt.date,
                         health: HealthLookup | None = None) -> list[UnitDiagnosis]:
    """Every unit's diagnosis at `as_of`, tree order."""
    units = initiative_momentum(initiative, facts, as_of, health)
    figures = {u.signals.name: deal_figures(u.signals.since_start) for u in units}
    peers = peer_deal_figures(figures, {u.signals.name: str(u.signals.depth) for u in units})
    return [UnitDiagnosis(u, unit_diagnosis(u.signals.since_start, u.projection, u.momentum,
                                            peers=peers[u.signals.name]))
            for u in units]


def diagnosis_seen(initiative: Initiative, scope: Scope, facts: FactsStore,
                   as_of: dt.date) -> list[UnitDiagnosis]:
    """The diagnosis of the initiative's units the viewer may see, tree order (leaders and
    up: AccessDenied for a rep). Peers and the lever model still count every unit."""
    scope.require_team_diagnosis()
    return [r for r in initiative_diagnosis(initiative, facts, as_of)
            if scope.can_see_unit(r.unit.signals.unit_id)]


def severity(status: Status, projected: float | None, name: str) -> tuple[int, float, str]:
    """The sort key of worst first: status, then projected share of forecast (lowest first)."""
    return (STATUS_ORDER[status], float("inf") if projected is None else projected, name)


T = TypeVar("T")


def tree_worst_first(items: Sequence[T], path: Callable[[T], tuple[str, ...]],
                     severity: Callable[[T], tuple[int, float, str]]) -> list[tuple[T, int]]:
    """`items` as a tree, each with its level (0 for the highest given): an item is followed by
    the items below it, and the items of one level come in `severity` order."""
    paths = {path(r) for r in items}
    below: dict[tuple[str, ...], list[T]] = defaultdict(list)
    top: list[T] = []
    for r in items:
        parent = path(r)[:-1]
        while parent and parent not in paths:  # the nearest ancestor that is shown
            parent = parent[:-1]
        (below[parent] if parent else top).append(r)
    out: list[tuple[T, int]] = []

    def walk(level: Sequence[T], depth: int) -> None:
        for r in sorted(level, key=severity):
            out.append((r, depth))
            walk(below[path(r)], depth + 1)

    walk(top, 0)
    return out


def worst_first(rows: Sequence[UnitDiagnosis]) -> list[tuple[UnitDiagnosis, int]]:
    """The rows as a tree, each with its level (0 for the highest units given): a unit is
    followed by the units below it, and units of one level come worst first (behind, at risk,
    insufficient, on track; then by projected share of forecast, lowest first)."""
    return tree_worst_first(rows, lambda r: r.unit.signals.path, lambda r: severity(
        r.diagnosis.status, r.unit.projection.projected, r.unit.signals.name))


@dataclass(frozen=True)
class EvidenceLine:
    """One step of the chain as walked: the step, what it found, the page that shows it."""

    step: Step
    finding: str
    url: str


@dataclass(frozen=True)
class DiagnosisRow:
    """One unit's diagnosis as the CLI, the API and the pages show it (the issue's shape)."""

    unit_id: int
    unit: str
    path: tuple[str, ...]
    level: int  # 0 for the highest unit listed, +1 per level below
    status: Status
    cause: Cause
    detail: str
    momentum: MomentumState
    output_to_date_vs_forecast: float | None
    projected_vs_forecast: float | None
    evidence: tuple[EvidenceLine, ...]


@dataclass(frozen=True)
class DiagnosisAnswer:
    """Every listed unit's diagnosis in an initiative at a date."""

    initiative_id: int
    initiative: str
    as_of: dt.date
    units: tuple[DiagnosisRow, ...]


@dataclass(frozen=True)
class UnitDiagnosisAnswer:
    """One unit's diagnosis with the evidence of every number, its momentum and open alerts."""

    initiative_id: int
    initiative: str
    as_of: dt.date
    unit: DiagnosisRow
    momentum: MomentumRow
    near_term_vs_forecast: float | None
    figures: tuple[Figure, ...]
    alerts: tuple[AlertRow, ...]
    model: LeverModel | None  # rounded to three decimals
    weeks: tuple[WeekRow, ...]


def initiative_asks(initiative: Initiative) -> list[Ask]:
    return list(initiative.asks.filter(target_per_rep_per_week__gt=0))


def diagnosis_row(initiative: Initiative, asks: list[Ask], row: UnitDiagnosis, level: int,
                  as_of: dt.date) -> DiagnosisRow:
    """The row of one unit's diagnosis, each step with its evidence URL."""
    evidence = UnitEvidence(initiative, asks, row.unit, as_of)
    d, s, p = row.diagnosis, row.unit.signals, row.unit.projection
    return DiagnosisRow(s.unit_id, s.name, s.path, level, d.status, d.cause, d.detail,
                        row.unit.momentum.state, rounded(p.to_date), rounded(p.projected),
                        tuple(EvidenceLine(e.step, e.finding, evidence.step_url(e.step))
                              for e in d.evidence))


def diagnosis_answer(initiative: Initiative, as_of: dt.date,
                     rows: Sequence[tuple[UnitDiagnosis, int]]) -> DiagnosisAnswer:
    """The answer listing `rows` (each with its level) in the order given."""
    asks = initiative_asks(initiative)
    return DiagnosisAnswer(initiative.pk, initiative.title, as_of,
                           tuple(diagnosis_row(initiative, asks, r, level, as_of)
                                 for r, level in rows))


def unit_diagnosis_seen(initiative: Initiative, unit_id: int, scope: Scope, facts: FactsStore,
                        as_of: dt.date) -> UnitDiagnosisAnswer:
    """One unit's diagnosis with its evidence (AccessDenied for a rep or a unit outside the
    viewer's scope, NotFound for a unit the initiative does not cover). The chain is walked for
    every unit, as the lever model and the peers need them all."""
    scope.require_team_diagnosis()
    scope.require_unit(unit_id)
    if unit_id not in initiative_unit_ids(initiative):
        raise NotFound(f"Unit {unit_id} is not covered by {initiative.title}: open one of its "
                       "units on the diagnosis page.")
    rows = initiative_diagnosis(initiative, facts, as_of)
    row = next((r for r in rows if r.unit.signals.unit_id == unit_id), None)
    if row is None:
        raise NotFound(f"{initiative.title} has no whole week by {as_of} to diagnose.")
    return unit_answer(initiative, initiative_asks(initiative), row,
                       alert_rows([row.unit], as_of), as_of)


def unit_answer(initiative: Initiative, asks: list[Ask], row: UnitDiagnosis,
                alerts: Sequence[AlertRow], as_of: dt.date) -> UnitDiagnosisAnswer:
    """One unit's page: its diagnosis row, momentum, every figure with its evidence, the lever
    model and the weekly signals (`alerts` are the unit's open alerts)."""
    evidence = UnitEvidence(initiative, asks, row.unit, as_of)
    m = row.unit.model
    return UnitDiagnosisAnswer(
        initiative.pk, initiative.title, as_of, diagnosis_row(initiative, asks, row, 0, as_of),
        momentum_row(row.unit), rounded(row.unit.projection.near_term), evidence.figures(),
        tuple(alerts),
        None if m is None else replace(m, intercept=round(m.intercept, 3),
                                       slope=round(m.slope, 3), r2=round(m.r2, 3)),
        evidence.weeks())
