"""The pulse page and its JSON twin: a rep answers this week's questions, again replaces."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client

from m3.initiatives.services import initiative_save
from m3.pulse.models import PulseResponse
from m3.weeks import week_start
from tests.factories import PASSWORD, START, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db
WEEK = START + dt.timedelta(weeks=3)


def test_the_pulse_page_saves_this_weeks_answers() -> None:
    org = small_org()
    initiative_id = initiative_save(roi_input(org, unit_ids=(org.north.pk,))).pk
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


def test_only_reps_see_the_pulse_page() -> None:
    org = small_org()
    initiative_id = initiative_save(roi_input(org, unit_ids=(org.north.pk,))).pk
    client = Client()
    assert client.login(username=org.manager_a.email, password=PASSWORD)
    with mock.patch("django.utils.timezone.localdate", return_value=WEEK):
        page = client.get(f"/initiatives/{initiative_id}/pulse/")
        api = client.post("/api/pulses", {"initiative_id": initiative_id, "scores": {"energy": 5}},
                          content_type="application/json")
    assert page.status_code == 403 and b"leaders read them on the message health" in page.content
    assert api.status_code == 403 and "they don't answer" in api.json()["error"]["message"]
