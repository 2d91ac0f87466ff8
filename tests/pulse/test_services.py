"""Answering pulses: once per week (again replaces), only reps, only inside the scope."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.errors import AccessDenied, InputError
from m3.initiatives.services import initiative_save
from m3.pulse.models import PulseResponse
from m3.pulse.services import PulseAnswers, pulse_answer
from tests.factories import START, SmallOrg, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db
WEEK = START + dt.timedelta(weeks=3)


def setup() -> tuple[SmallOrg, int]:
    org = small_org()
    return org, initiative_save(roi_input(org, unit_ids=(org.north.pk,))).pk


def answers(initiative_id: int, person_id: int, **scores: int) -> PulseAnswers:
    return PulseAnswers(initiative_id, person_id, WEEK, scores, {"clarity": "clear enough"})


def test_answering_the_same_week_again_replaces_the_answers() -> None:
    org, initiative_id = setup()
    assert pulse_answer(answers(initiative_id, org.rep_a1.pk, clarity=4, energy=2)) == (2, 0)
    assert pulse_answer(answers(initiative_id, org.rep_a1.pk, clarity=5)) == (0, 1)
    rows = dict(PulseResponse.objects.values_list("question", "score"))
    assert rows == {"clarity": 5}  # the week's answers are replaced as a whole
    assert PulseResponse.objects.get(question="clarity").comment == "clear enough"


@pytest.mark.parametrize(("scores", "named"), [
    ({"clarity": 6}, "1 to 5"), ({"mood": 3}, "Unknown question"), ({}, "at least one"),
    ({"clarity": True}, "1 to 5"), ({"energy": 3}, "needs an answer"),
])
def test_bad_answers_say_what_to_fix_and_write_nothing(scores: dict[str, int], named: str) -> None:
    org, initiative_id = setup()
    with pytest.raises(InputError, match=named):
        pulse_answer(PulseAnswers(initiative_id, org.rep_a1.pk, WEEK, scores,
                                  {"clarity": "a comment"} if "energy" in scores else {}))
    assert PulseResponse.objects.count() == 0


def test_only_reps_inside_the_scope_answer() -> None:
    org, initiative_id = setup()
    with pytest.raises(AccessDenied, match="outside the scope"):
        pulse_answer(answers(initiative_id, org.rep_c1.pk, clarity=3))
    with pytest.raises(AccessDenied, match="reps"):
        pulse_answer(answers(initiative_id, org.manager_a.pk, clarity=3))


def test_a_rep_answers_only_while_the_initiative_runs() -> None:
    org, initiative_id = setup()
    late = PulseAnswers(initiative_id, org.rep_a1.pk, START + dt.timedelta(weeks=30),
                        {"clarity": 3}, {})
    with pytest.raises(AccessDenied, match="not running in the week"):
        pulse_answer(late)
