"""The message API: the JSON twins of the health page, and touchpoint logging and listing."""

from __future__ import annotations

import json

import pytest

from tests.message.story import FAITHFUL, Story, client_for

pytestmark = pytest.mark.django_db


def test_the_json_twin_has_the_same_units_findings_and_matrix(story: Story) -> None:
    data = client_for(story.org.director_north).get(
        f"/api/initiatives/{story.initiative.pk}/message").json()
    units = {u["name"]: u for u in data["units"]}
    assert units["Team B"]["findings"][0]["text"] == "Not reinforced for 115 days"
    assert units["Team B"]["days_since_reinforcement"] == 115
    assert units["Team A"]["findings"][0]["kind"] == "disagreement"
    assert units["Team A"]["point_share"] == [1.0, 1.0, 1.0]
    overlay = next(r for r in data["leaders"] if r["name"] == "Oli Overlay")
    assert overlay["contradictions"][1] == "skip the ROI calculator"
    assert data["leaders"][0]["name"] == "Oli Overlay"  # contradicting leaders first


def test_the_api_logs_a_touchpoint_once_and_lists_it_in_scope(story: Story) -> None:
    client = client_for(story.org.manager_b)
    body = {"initiative_id": story.initiative.pk, "unit_id": story.org.team_b.pk,
            "channel": "email", "date": story.today.isoformat(), "content": FAITHFUL}
    first = client.post("/api/touchpoints", json.dumps(body), content_type="application/json")
    again = client.post("/api/touchpoints", json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["score"]["key_points"][1]["covered"] is True
    listed = client.get(f"/api/touchpoints?initiative={story.initiative.pk}").json()
    assert {t["unit_id"] for t in listed} == {story.org.team_b.pk}
    denied = client.post("/api/touchpoints", json.dumps({**body, "unit_id": story.org.team_a.pk}),
                         content_type="application/json")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
