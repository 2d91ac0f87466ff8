"""The pulse API: a rep answers this week's questions (the JSON twin of the pulse page)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import StrictInt

from m3.initiatives.selectors import initiative_for_viewer
from m3.org.scope import request_scope
from m3.pulse.services import PulseAnswers, pulse_answer
from m3.weeks import week_start

router = Router(tags=["pulse"])


class PulseIn(Schema):
    initiative_id: int
    scores: dict[str, StrictInt]
    comments: dict[str, str] = {}


class PulseOut(Schema):
    week: str
    added: int
    updated: int


@router.post("/pulses", response=PulseOut)
def pulse_post(request: HttpRequest, body: PulseIn) -> PulseOut:
    """Answer this week's pulse (scores 1–5 by question); answering again replaces it."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(body.initiative_id, scope, today)
    person_id = scope.linked_person_id(
        "Your login is not linked to a person: only reps answer pulses.")
    week = week_start(today)
    added, updated = pulse_answer(PulseAnswers(initiative.pk, person_id, week, body.scores,
                                               body.comments))
    return PulseOut(week=week.isoformat(), added=added, updated=updated)
