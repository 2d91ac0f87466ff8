"""Reads of pulse answers: the history the levels count, and a rep's answers of one week."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.initiatives.services import initiative_save
from m3.pulse.selectors import pulse_history, pulse_week_answers
from m3.pulse.services import PulseAnswers, pulse_answer
from m3.vocabulary import PulseQuestion
from tests.factories import START, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db


def test_the_history_holds_the_weeks_any_day_of_the_span_counts_and_only_the_reps_asked() -> None:
    org = small_org()
    initiative = initiative_save(roi_input(org, unit_ids=(org.north.pk,)))
    for weeks, rep, score in ((0, org.rep_a1, 2), (3, org.rep_a1, 4), (8, org.rep_a1, 5),
                              (3, org.rep_b1, 1)):
        pulse_answer(PulseAnswers(initiative.pk, rep.pk, START + dt.timedelta(weeks=weeks),
                                  {"clarity": score}, {}))
    since, until = START + dt.timedelta(weeks=4), START + dt.timedelta(weeks=5)
    history = pulse_history(initiative.pk, since, until)
    # Week 0 is more than 28 days before `since`; week 8 is after `until`.
    assert sorted(a.score for a in history.answers) == [1, 4]
    mine = pulse_history(initiative.pk, since, until, {org.rep_a1.pk})
    assert [a.score for a in mine.answers] == [4]
    assert mine.level([org.rep_a1.pk], PulseQuestion.CLARITY, until) == 0.75
    week = pulse_week_answers(initiative.pk, org.rep_a1.pk, START + dt.timedelta(weeks=3))
    assert {q: r.score for q, r in week.items()} == {"clarity": 4}
