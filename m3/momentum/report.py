"""Momentum and early warnings of every unit of an initiative at a date (reads, then pure).

The organisation's lever model is fitted once on every unit's history up to the as-of week
(`warning.lever_model_fit`, teams only, so a region does not count its teams twice); each unit
is then projected to the initiative's end, its momentum read from the initiative's weeks, and
its alerts raised against its peers (units at the same depth of the tree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.momentum.score import Momentum, unit_momentum
from m3.momentum.selectors import (
    HealthLookup,
    UnitSignals,
    initiative_signals,
    message_health_lookup,
)
from m3.momentum.signals import values
from m3.momentum.warning import (
    Alert,
    Projection,
    lever_model_fit,
    output_projection,
    peer_medians,
    unit_alerts,
)


@dataclass(frozen=True)
class UnitMomentum:
    """One unit's signals, momentum, projection and open alerts at the as-of date."""

    signals: UnitSignals
    momentum: Momentum
    projection: Projection
    alerts: tuple[Alert, ...]


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
                                                  medians[u.name]))))
    return out
