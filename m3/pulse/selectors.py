"""Reads of pulse answers: an initiative's history for the levels, a rep's answers of a week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from m3.pulse.levels import PULSE_WINDOW_DAYS, PulseHistory, PulseScore
from m3.pulse.models import PulseResponse
from m3.vocabulary import PulseQuestion


def pulse_history(initiative_id: int, since: dt.date, until: dt.date,
                  person_ids: Collection[int] | None = None) -> PulseHistory:
    """The initiative's answers that pulse levels on any day in [since, until] count.

    That is the weeks in (since - PULSE_WINDOW_DAYS, until], of `person_ids` only when given;
    one query.
    """
    rows = PulseResponse.objects.filter(
        initiative_id=initiative_id, week__lte=until,
        week__gt=since - dt.timedelta(days=PULSE_WINDOW_DAYS),
        question__in=PulseQuestion.values,
    )
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    return PulseHistory(tuple(
        PulseScore(person_id, week, PulseQuestion(question), score)
        for person_id, week, question, score in rows.values_list(
            "person_id", "week", "question", "score")
    ))


def pulse_week_answers(initiative_id: int, person_id: int,
                       week: dt.date) -> dict[str, PulseResponse]:
    """A rep's answers for the ISO week starting `week`, by question."""
    return {r.question: r for r in PulseResponse.objects.filter(
        initiative_id=initiative_id, person_id=person_id, week=week)}
