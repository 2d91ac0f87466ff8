"""The diagnosis of every unit of an initiative at a date: the chain walked for each.

Every unit in scope is listed, teams and the units above them; a unit with too little data
says so (status and cause `insufficient`, with what is missing) instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from m3.diagnose.chain import Diagnosis, unit_diagnosis
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.momentum.report import UnitMomentum, initiative_momentum
from m3.momentum.selectors import HealthLookup


@dataclass(frozen=True)
class UnitDiagnosis:
    """One unit's momentum and the diagnosis the chain gives it."""

    unit: UnitMomentum
    diagnosis: Diagnosis


def initiative_diagnosis(initiative: Initiative, facts: FactsStore, as_of: dt.date,
                         health: HealthLookup | None = None) -> list[UnitDiagnosis]:
    """Every unit's diagnosis at `as_of`, tree order."""
    return [UnitDiagnosis(u, unit_diagnosis(u.signals.since_start, u.projection, u.momentum))
            for u in initiative_momentum(initiative, facts, as_of, health)]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def unit_record(row: UnitDiagnosis) -> dict[str, Any]:
    """One unit's diagnosis, momentum and open alerts as plain JSON data.

    The one shape of a unit's diagnosis outside Python: `m3 diagnose --format json`, the API
    and the weekly state (which stores it per unit and week) all use it. Figures are rounded to
    three decimals.
    """
    u, d = row.unit, row.diagnosis
    return {
        "unit": u.signals.name,
        "unit_id": u.signals.unit_id,
        "path": list(u.signals.path),
        "depth": u.signals.depth,
        "status": str(d.status),
        "cause": str(d.cause),
        "detail": d.detail,
        "momentum": str(u.momentum.state),
        "momentum_score": _rounded(u.momentum.score),
        "momentum_parts": {k: _rounded(v) for k, v in u.momentum.parts.as_dict().items()},
        "reasons": list(u.momentum.reasons),
        "output_to_date_vs_forecast": _rounded(u.projection.to_date),
        "projected_vs_forecast": _rounded(u.projection.projected),
        "evidence": [{"step": str(e.step), "finding": e.finding} for e in d.evidence],
        "alerts": [{"kind": str(a.kind), "first_raised": a.first_raised.isoformat(),
                    "reason": a.reason} for a in u.alerts],
    }
