"""A rep who moved: each leader sees only what the rep did while in a unit that leader leads."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.test import Client
from django.utils import timezone

from m3.facts.store import FactsStore
from m3.org.services import membership_move
from tests.factories import PASSWORD, small_org

pytestmark = pytest.mark.django_db


def test_a_new_leader_never_sees_what_a_rep_did_in_their_previous_unit(facts: FactsStore) -> None:
    org = small_org()
    today = timezone.localdate()
    moved = today - dt.timedelta(weeks=3)
    membership_move(org.rep_c1, org.team_a, moved)  # Cal leaves South's Team C for Team A
    before, after = moved - dt.timedelta(days=10), moved + dt.timedelta(days=2)
    facts.upsert("activities", pd.DataFrame({
        "source": "t", "id": ["c-before", "c-before-2", "c-after"], "rep_id": org.rep_c1.pk,
        "owner": None, "type": ["demo", "demo", "call"],
        "occurred_at": pd.to_datetime([before, before, after]) + pd.Timedelta(hours=10),
        "product": None, "account": "A", "opportunity": None, "amount": None, "currency": None,
    }))

    def client_for(email: str) -> Client:
        client = Client()
        assert client.login(username=email, password=PASSWORD)
        return client

    def kinds(answer: dict[str, object]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in answer["activity"]:  # type: ignore[attr-defined]
            counts[row["type"]] = counts.get(row["type"], 0) + row["activities"]
        return counts

    manager_a, manager_c = client_for(org.manager_a.email), client_for(org.manager_c.email)
    cal = org.rep_c1.pk
    assert kinds(manager_a.get(f"/api/people/{cal}").json()) == {"call": 1}
    assert kinds(manager_a.get(f"/api/units/{org.team_a.pk}").json()) == {"call": 1}
    assert kinds(manager_a.get("/api/overview").json()) == {"call": 1}
    # Team C keeps the demos Cal did there, though Cal is no longer a member.
    assert kinds(manager_c.get(f"/api/units/{org.team_c.pk}").json()) == {"demo": 2}
    assert kinds(client_for(org.rep_c1.email).get(f"/api/people/{cal}").json()) == {
        "call": 1, "demo": 2}
    explain = manager_a.get("/api/metrics/explain", {
        "metric": "demos", "person": cal, "grain": "week",
        "from": (before - dt.timedelta(days=7)).isoformat(), "to": today.isoformat(),
    }).json()
    assert sum(v["value"] or 0 for v in explain["values"]) == 0


def test_a_one_to_one_before_a_move_stays_with_the_old_leader() -> None:
    from m3.initiatives.services import initiative_save
    from m3.message.services import TouchpointInput, touchpoint_log
    from tests.initiatives.test_services import roi_input

    org = small_org()
    today = timezone.localdate()
    initiative = initiative_save(roi_input(
        org, unit_ids=(org.company.pk,), start=today - dt.timedelta(weeks=10),
        end=today + dt.timedelta(weeks=10), forecast=(), cadence=()))
    moved = today - dt.timedelta(weeks=3)
    touchpoint_log(TouchpointInput(initiative.pk, org.manager_c.pk, "one_to_one",
                                   moved - dt.timedelta(days=5), "PRIVATE SOUTH NOTE",
                                   person_id=org.rep_c1.pk), today)
    membership_move(org.rep_c1, org.team_a, moved)
    touchpoint_log(TouchpointInput(initiative.pk, org.manager_a.pk, "one_to_one",
                                   moved + dt.timedelta(days=1), "Welcome to Team A",
                                   person_id=org.rep_c1.pk), today)

    def contents(email: str) -> set[str]:
        client = Client()
        assert client.login(username=email, password=PASSWORD)
        answer = client.get("/api/touchpoints", {"initiative": initiative.pk})
        return {tp["content"] for tp in answer.json()}

    assert contents(org.manager_a.email) == {"Welcome to Team A"}
    assert contents(org.manager_c.email) == {"PRIVATE SOUTH NOTE"}
    assert contents(org.rep_c1.email) == {"PRIVATE SOUTH NOTE", "Welcome to Team A"}
    assert contents(org.admin.email) == {"PRIVATE SOUTH NOTE", "Welcome to Team A"}
