"""Diagnosis pages: every unit of an initiative worst first, and one unit's chain and evidence."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from m3.diagnose.selectors import diagnosis_for_viewer, unit_diagnosis_for_viewer
from m3.errors import InputError
from m3.facts.store import facts_store_from_settings
from m3.initiatives.selectors import initiative_for_viewer
from m3.momentum.score import HOLD_BAND, PART_WEIGHTS, SLIDING
from m3.org.scope import request_scope

PART_LABELS = (("levers", "Levers: attainment and its trend"),
               ("pace", "Pace: output against forecast"),
               ("morale", "Morale: confidence and energy"),
               ("message", "Message: health and its trend"))


def as_of_param(request: HttpRequest) -> dt.date | None:
    """The ?as_of=YYYY-MM-DD parameter, or None for today."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"as_of={raw!r} is not a date: use YYYY-MM-DD.") from None


@login_required
def diagnosis(request: HttpRequest, pk: int) -> HttpResponse:
    """Every unit of the initiative in the viewer's scope: status, cause, momentum, worst first."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(pk, scope, today)
    seen = diagnosis_for_viewer(initiative, scope, facts_store_from_settings(),
                                as_of_param(request), today)
    return render(request, "diagnose/initiative.html", {
        "initiative": initiative, "answer": seen.answer, "alerts": seen.alerts,
        "computed_at": seen.computed_at, "waiting": seen.waiting,
        "counts": Counter(str(u.status) for u in seen.answer.units),
    })


@login_required
def diagnosis_unit(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    """One unit's chain step by step, every number with its evidence, momentum and alerts."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(pk, scope, today)
    scope.require_team_diagnosis()
    answer = unit_diagnosis_for_viewer(initiative, unit_id, scope, facts_store_from_settings(),
                                       as_of_param(request), today)
    parts = answer.momentum.parts
    return render(request, "diagnose/unit.html", {
        "initiative": initiative, "a": answer,
        "parts": [(label, parts[name], PART_WEIGHTS[name]) for name, label in PART_LABELS],
        "bands": {"building": HOLD_BAND, "stalling": -HOLD_BAND, "sliding": SLIDING},
    })
