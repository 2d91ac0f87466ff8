"""The overview's JSON twin carries the same levers-vs-asks numbers as the page."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client

from m3.facts.store import FactsStore
from tests.factories import PASSWORD
from tests.measure.test_asks import TODAY, setup

pytestmark = pytest.mark.django_db


def test_the_overview_api_gives_a_rep_their_own_levers_against_the_ask(facts: FactsStore) -> None:
    org = setup(facts)
    client = Client()
    assert client.login(username=org.rep_a1.email, password=PASSWORD)
    # The fixture's weeks are fixed dates; the page reads "today" from Django's clock.
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        body = client.get("/api/overview").json()
    [board] = body["asks"]
    [row] = board["rows"]
    assert row["label"] == "You"
    assert row["last_week"] == [{"metric": "demos", "value": 3.0, "target": 2.0,
                                 "attainment": 1.5}]
