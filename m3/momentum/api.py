"""JSON API of momentum and early warnings: every unit's state and the open alerts, scoped."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from m3.facts.store import facts_store_from_settings
from m3.initiatives.selectors import initiative_for_viewer
from m3.momentum.report import (
    AlertsAnswer,
    MomentumAnswer,
    alerts_answer,
    momentum_answer,
    momentum_seen,
)
from m3.momentum.selectors import as_of_or_today
from m3.org.scope import request_scope

router = Router(tags=["momentum"])


@router.get("/initiatives/{initiative_id}/momentum", response=MomentumAnswer)
def momentum_get(request: HttpRequest, initiative_id: int,
                 as_of: dt.date | None = None) -> MomentumAnswer:
    """The momentum of every unit of the initiative in the viewer's scope, tree order: state,
    score, parts and reasons (the shape of `m3 momentum --format json`). Leaders and up."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(initiative_id, scope, today)
    scope.require_team_diagnosis()
    day = as_of_or_today(initiative, as_of, today)
    return momentum_answer(initiative, day,
                           momentum_seen(initiative, scope, facts_store_from_settings(), day))


@router.get("/initiatives/{initiative_id}/alerts", response=AlertsAnswer)
def alerts_get(request: HttpRequest, initiative_id: int,
               as_of: dt.date | None = None) -> AlertsAnswer:
    """The open early warnings of the initiative's units in the viewer's scope, oldest first:
    unit, kind, first raised, reason and the unit's leaders (the shape of `m3 alerts`)."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(initiative_id, scope, today)
    scope.require_team_diagnosis()
    day = as_of_or_today(initiative, as_of, today)
    return alerts_answer(initiative, day,
                         momentum_seen(initiative, scope, facts_store_from_settings(), day))
