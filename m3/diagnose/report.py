"""The diagnosis of every unit of an initiative at a date: the chain walked for each.

Every unit in scope is listed, teams and the units above them; a unit with too little data
says so (status and cause `insufficient`, with what is missing) instead of guessing. A unit's
deals are compared with the median of like units (the other units at the same depth of the
tree), as the opportunity step of the chain reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from m3.diagnose.chain import Diagnosis, deal_figures, peer_deal_figures, unit_diagnosis
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
    units = initiative_momentum(initiative, facts, as_of, health)
    figures = {u.signals.name: deal_figures(u.signals.since_start) for u in units}
    peers = peer_deal_figures(figures, {u.signals.name: str(u.signals.depth) for u in units})
    return [UnitDiagnosis(u, unit_diagnosis(u.signals.since_start, u.projection, u.momentum,
                                            peers=peers[u.signals.name]))
            for u in units]
