"""Pulses: a rep answers this week's questions once (again replaces), only inside the scope."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client

from m3.errors import AccessDenied, InputError
from m3.initiatives.services import initiative_save
from m3.pulse.models import PulseResponse
from m3.pulse.services import PulseAnswers, pulse_answer
from m3.weeks import week_start
from tests.factories import PASSWORD, START, SmallOrg, small_org
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


def test_the_pulse_page_saves_this_weeks_answers() -> None:
    org, initiative_id = setup()
    client = Client()
    assert client.login(username=org.rep_a1.email, password=PASSWORD)
    # The fixture's initiative runs in 2026's first half; the page takes "today" from Django.
    with mock.patch("django.utils.timezone.localdate", return_value=WEEK):
        page = client.get(f"/initiatives/{initiative_id}/pulse/")
        assert page.status_code == 200 and b"I can explain what we are doing" in page.content
        sent = client.post(f"/initiatives/{initiative_id}/pulse/",
                           {"clarity": "4", "confidence": "2", "confidence_comment": "pricing"})
        assert sent.status_code == 302
        assert {(r.question, r.score, r.comment) for r in PulseResponse.objects.all()} == {
            ("clarity", 4, ""), ("confidence", 2, "pricing")}
        api = client.post("/api/pulses", {"initiative_id": initiative_id,
                                          "scores": {"energy": 5}},
                          content_type="application/json")
    assert api.status_code == 200 and api.json()["added"] == 1
    rows = {(r.question, r.score, r.week) for r in PulseResponse.objects.all()}
    assert rows == {("energy", 5, week_start(WEEK))}  # the API's answers replaced the page's
