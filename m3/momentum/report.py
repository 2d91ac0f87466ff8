"""Momentum and early warnings of every unit of an initiative at a date (reads, then pure).

The organisation's lever model is fitted once on every unit's history up to the as-of week
(`warning.lever_model_fit`, teams only, so a region does not count its teams twice); each unit
is then projected to the initiative's end, its momentum read from the initiative's weeks, and
its alerts raised against its peers (units at the same depth of the tree).

The rows below (`MomentumRow`, `AlertRow` and the answers holding them) are what `m3 momentum`
and `m3 alerts --format json`, the JSON API and the pages show: one shape everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import TypeAdapter

from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.momentum.score import Momentum, MomentumState, unit_momentum
from m3.momentum.selectors import (
    HealthLookup,
    UnitSignals,
    initiative_signals,
    message_health_lookup,
)
from m3.momentum.signals import values
from m3.momentum.warning import (
    Alert,
    AlertKind,
    LeverModel,
    Projection,
    lever_model_fit,
    output_projection,
    peer_medians,
    unit_alerts,
)
from m3.org.models import Leadership
from m3.org.scope import Scope
from m3.org.selectors import active_on


@dataclass(frozen=True)
class UnitMomentum:
    """One unit's signals, momentum, projection and open alerts at the as-of date."""

    signals: UnitSignals
    momentum: Momentum
    projection: Projection
    alerts: tuple[Alert, ...]
    model: LeverModel | None = None  # the organisation's lever model the projection used


def initiative_momentum(initiative: Initiative, facts: FactsStore, as_of: dt.date,
                        health: HealthLookup | None = None) -> list[UnitMomentum]:
    """Every unit's momentum and alerts at `as_of`, tree order (message health read from the
    app database unless `health` is given)."""
    health = health or message_health_lookup(initiative, as_of)
    units = initiative_signals(initiative, facts, as_of, health)
    if not units:
        return []
    model = lever_model_fit([u.history for u in units if u.is_team] or
                            [u.history for u in units])
    recent = {}
    for u in units:
        a = values(u.since_start[-4:], "lever_attainment")
        recent[u.name] = float(np.nanmean(a)) if (~np.isnan(a)).any() else None
    medians = peer_medians(recent, {u.name: str(u.depth) for u in units})
    out = []
    for u in units:
        future = [value for _, value in u.forecast_ahead]
        projection = output_projection(u.history, model, future)
        out.append(UnitMomentum(u, unit_momentum(u.since_start), projection,
                                tuple(unit_alerts(u.name, u.since_start, projection,
                                                  medians[u.name])), model))
    return out


def momentum_seen(initiative: Initiative, scope: Scope, facts: FactsStore,
                  as_of: dt.date) -> list[UnitMomentum]:
    """The momentum of the initiative's units the viewer may see, tree order (leaders and up:
    AccessDenied for a rep). The lever model and the peers still count every unit."""
    scope.require_team_diagnosis()
    return [u for u in initiative_momentum(initiative, facts, as_of)
            if scope.can_see_unit(u.signals.unit_id)]


def rounded(value: float | None) -> float | None:
    """A figure for JSON answers: three decimals, None kept."""
    return None if value is None else round(float(value), 3)


@dataclass(frozen=True)
class MomentumRow:
    """One unit's momentum: its state, score (-1..1), parts (-1..1) and reasons, weakest first."""

    unit_id: int
    unit: str
    path: tuple[str, ...]
    state: MomentumState
    score: float | None
    parts: dict[str, float | None]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MomentumAnswer:
    """Every unit's momentum in an initiative at a date (`m3 momentum`, the API)."""

    initiative_id: int
    initiative: str
    as_of: dt.date
    units: tuple[MomentumRow, ...]


@dataclass(frozen=True)
class AlertRow:
    """An open early warning: the unit, its kind, the week first raised, why, for whom."""

    unit_id: int
    unit: str
    kind: AlertKind
    first_raised: dt.date
    reason: str
    leaders: tuple[str, ...]  # the emails of the unit's leaders on the as-of date


@dataclass(frozen=True)
class AlertsAnswer:
    """Every open alert of an initiative's units at a date (`m3 alerts`, the API)."""

    initiative_id: int
    initiative: str
    as_of: dt.date
    alerts: tuple[AlertRow, ...]


def momentum_row(u: UnitMomentum) -> MomentumRow:
    """The row of one unit's momentum."""
    m = u.momentum
    return MomentumRow(u.signals.unit_id, u.signals.name, u.signals.path, m.state,
                       rounded(m.score), {k: rounded(v) for k, v in m.parts.as_dict().items()},
                       m.reasons)


def momentum_answer(initiative: Initiative, as_of: dt.date,
                    units: Sequence[UnitMomentum]) -> MomentumAnswer:
    """The momentum answer of `units` (in the order given)."""
    return MomentumAnswer(initiative.pk, initiative.title, as_of,
                          tuple(momentum_row(u) for u in units))


def alert_rows(units: Sequence[UnitMomentum], as_of: dt.date) -> tuple[AlertRow, ...]:
    """The open alerts of `units`, each with its unit's leaders on `as_of`, oldest first."""
    leaders: dict[int, list[str]] = defaultdict(list)
    for unit_id, email in Leadership.objects.filter(
            active_on(as_of), unit_id__in=[u.signals.unit_id for u in units]).values_list(
                "unit_id", "person__email"):
        leaders[unit_id].append(email)
    rows = [AlertRow(u.signals.unit_id, a.unit, a.kind, a.first_raised, a.reason,
                     tuple(sorted(leaders[u.signals.unit_id])))
            for u in units for a in u.alerts]
    return tuple(sorted(rows, key=lambda r: r.first_raised))


def answer_json(answer: object) -> str:
    """An answer as the JSON the API sends for it (pydantic's encoding of the dataclass)."""
    return TypeAdapter(type(answer)).dump_json(answer, indent=2).decode()


def alerts_answer(initiative: Initiative, as_of: dt.date,
                  units: Sequence[UnitMomentum]) -> AlertsAnswer:
    """The alerts answer of `units`."""
    return AlertsAnswer(initiative.pk, initiative.title, as_of, alert_rows(units, as_of))
