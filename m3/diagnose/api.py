"""JSON twins of the diagnosis pages: every unit worst first, and one unit with its evidence."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from ninja import Router

from m3.diagnose.report import (
    DiagnosisAnswer,
    UnitDiagnosisAnswer,
)
from m3.diagnose.selectors import diagnosis_for_viewer, unit_diagnosis_for_viewer
from m3.facts.store import facts_store_from_settings
from m3.initiatives.selectors import initiative_for_viewer
from m3.org.scope import request_scope

router = Router(tags=["diagnosis"])


@router.get("/initiatives/{initiative_id}/diagnosis", response=DiagnosisAnswer)
def diagnosis_get(request: HttpRequest, response: HttpResponse, initiative_id: int,
                  as_of: dt.date | None = None) -> DiagnosisAnswer:
    """Every unit of the initiative in the viewer's scope, as a tree worst first within each
    level: status, cause, detail, momentum, output and projection against forecast, and the
    chain's evidence (the shape of `m3 diagnose --format json`). Leaders and up. Without
    `as_of`, the last whole week from the weekly state (as of its Sunday): then the answer's
    `Last-Modified` header is when it was computed, and `X-M3-Refresh-Waiting` counts the
    refreshes queued or running."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(initiative_id, scope, today)
    seen = diagnosis_for_viewer(initiative, scope, facts_store_from_settings(), as_of, today)
    if seen.computed_at is not None:
        response["Last-Modified"] = http_date(seen.computed_at.timestamp())
        response["X-M3-Refresh-Waiting"] = str(seen.waiting)
    return seen.answer


@router.get("/initiatives/{initiative_id}/diagnosis/units/{unit_id}",
            response=UnitDiagnosisAnswer)
def diagnosis_unit_get(request: HttpRequest, initiative_id: int, unit_id: int,
                       as_of: dt.date | None = None) -> UnitDiagnosisAnswer:
    """One unit's diagnosis: the chain, every figure with its evidence URLs, the momentum parts
    and reasons, open alerts, the lever model and the weekly signals."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(initiative_id, scope, today)
    scope.require_team_diagnosis()
    return unit_diagnosis_for_viewer(initiative, unit_id, scope, facts_store_from_settings(),
                                     as_of, today)
