"""The message pages, their JSON twins, the touchpoint form and API, restating, the due list."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from m3.initiatives.models import Initiative
from m3.initiatives.services import CadenceInput, initiative_save
from m3.message.models import Restatement, Touchpoint
from m3.message.services import (
    RestatementInput,
    TouchpointInput,
    restatement_submit,
    touchpoint_log,
)
from m3.org.models import Person
from m3.vocabulary import CadenceKind
from tests.factories import SmallOrg, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db

FAITHFUL = ("Start with the customer's cost, use the ROI calculator with them, and put the "
            "number in the proposal.")
AGAINST = "Honestly, skip the ROI calculator; just demo the product."


@dataclass(frozen=True)
class Story:
    org: SmallOrg
    initiative: Initiative
    today: dt.date


def client_for(person: Person) -> Client:
    client = Client()
    person.refresh_from_db()
    assert person.user is not None
    client.force_login(person.user)
    return client


@pytest.fixture
def story() -> Story:
    """North (Team A, Team B) hears the message: Team A from two voices, Team B only once."""
    org = small_org()
    today = timezone.localdate()
    start = today - dt.timedelta(days=120)
    plan = (CadenceInput(CadenceKind.DELIVER, ("manager",), due=start + dt.timedelta(days=7)),
            CadenceInput(CadenceKind.REINFORCE, ("manager",), every_days=14))
    initiative = initiative_save(roi_input(org, unit_ids=(org.north.pk,), start=start,
                                           end=today + dt.timedelta(days=200), cadence=plan))
    for leader, unit, content, days_ago in (
        (org.manager_a, org.team_a, FAITHFUL, 10), (org.manager_a, org.team_a, FAITHFUL, 3),
        (org.overlay_a, org.team_a, AGAINST, 8), (org.overlay_a, org.team_a, AGAINST, 2),
        (org.manager_b, org.team_b, FAITHFUL, 115),
    ):
        touchpoint_log(TouchpointInput(initiative.pk, leader.pk, "meeting",
                                       today - dt.timedelta(days=days_ago), content,
                                       unit_id=unit.pk), today)
    restatement_submit(RestatementInput(initiative.pk, org.rep_a1.pk, today, FAITHFUL), today)
    return Story(org, initiative, today)


def test_the_message_page_names_the_two_voices_and_the_unit_never_reinforced(
    story: Story,
) -> None:
    page = client_for(story.org.director_north).get(
        f"/initiatives/{story.initiative.pk}/message/").content.decode()
    assert "Two leaders disagree on point 2: Oli Overlay says “skip the ROI calculator”" in page
    assert "Not reinforced for 115 days" in page
    assert page.index("Team B") < page.index("Team A")  # least healthy first
    assert 'class="contradiction"' in page and "skip the ROI calculator" in page


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


def test_a_manager_sees_only_their_own_team_and_a_rep_is_refused(story: Story) -> None:
    data = client_for(story.org.manager_b).get(
        f"/api/initiatives/{story.initiative.pk}/message").json()
    assert [u["name"] for u in data["units"]] == ["Team B"]
    answer = client_for(story.org.rep_a1).get(f"/initiatives/{story.initiative.pk}/message/")
    assert answer.status_code == 403 and "restate the message" in answer.content.decode()


def test_the_evidence_page_quotes_the_touchpoints_and_the_restatements(story: Story) -> None:
    client = client_for(story.org.manager_a)
    url = f"/initiatives/{story.initiative.pk}/message/units/{story.org.team_a.pk}/"
    page = client.get(url).content.decode()
    assert AGAINST in page and "contradicted: “skip the ROI calculator”" in page
    assert "Rae Rep" in page and "Not answered: Ray Rep." in page
    assert client.get(
        f"/initiatives/{story.initiative.pk}/message/units/{story.org.team_b.pk}/"
    ).status_code == 403
    data = client.get(f"/api/initiatives/{story.initiative.pk}/message/units/"
                      f"{story.org.team_a.pk}").json()
    assert len(data["touchpoints"]) == 4 and data["not_answered"] == ["Ray Rep"]


def test_a_leader_logs_a_touchpoint_in_the_form_and_sees_its_consistency(story: Story) -> None:
    client = client_for(story.org.manager_a)
    form = client.get("/touchpoints/new/").content.decode()
    assert "Team A" in form and "Team B" not in form
    answer = client.post("/touchpoints/new/", {
        "initiative": story.initiative.pk, "audience": f"person:{story.org.rep_a2.pk}",
        "channel": "one_to_one", "date": story.today.isoformat(), "content": AGAINST,
    })
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "Consistency with the message" in page
    assert "✖ Contradicts “Use the ROI calculator”" in page
    refused = client.post("/touchpoints/new/", {
        "initiative": story.initiative.pk, "audience": f"unit:{story.org.team_b.pk}",
        "channel": "meeting", "date": story.today.isoformat(), "content": FAITHFUL,
    })
    assert refused.status_code == 200 and "audience" in refused.context["form"].errors
    assert client_for(story.org.rep_a1).get("/touchpoints/new/").status_code == 403


def test_a_rep_restates_the_message_and_sees_which_points_came_across(story: Story) -> None:
    client = client_for(story.org.rep_a2)
    answer = client.post(f"/initiatives/{story.initiative.pk}/restate/",
                         {"text": "We use the ROI calculator with the customer."})
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "✔ You stated: Use the ROI calculator" in page
    assert "– You did not mention: Put the number in the proposal" in page
    assert Restatement.objects.filter(person=story.org.rep_a2).count() == 1
    outsider = client_for(story.org.rep_c1).get(f"/initiatives/{story.initiative.pk}/restate/")
    assert outsider.status_code == 404
    leader = client_for(story.org.manager_a).get(f"/initiatives/{story.initiative.pk}/restate/")
    assert leader.status_code == 403


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


def test_the_due_list_shows_the_overdue_team_on_the_page_the_json_and_home(
    story: Story, facts: object,
) -> None:
    client = client_for(story.org.manager_b)
    rows = client.get("/api/message/due").json()
    assert [(r["unit"], r["step"], r["days_overdue"]) for r in rows] == [
        ("Team B", "reinforce", 115 - 14)]
    assert "101 days" in client.get("/message/due/").content.decode()
    assert "Message due: 1 team overdue" in client.get("/").content.decode()
    assert client_for(story.org.manager_a).get("/api/message/due").json() == []


def test_the_health_command_prints_the_table_and_json(story: Story) -> None:
    from m3.message.cli import message_group

    runner = CliRunner()
    table = runner.invoke(message_group, ["health", story.initiative.title])
    assert table.exit_code == 0, table.output
    assert "Team B" in table.output and "Not reinforced for 115 days" in table.output
    as_json = runner.invoke(message_group, ["health", story.initiative.title, "--unit", "team a",
                                            "--format", "json"])
    data = json.loads(as_json.output)
    assert [u["unit"] for u in data["units"]] == ["Team A"]
    assert data["units"][0]["findings"][0].startswith("Two leaders disagree on point 2")


def test_the_log_and_rescore_commands_write_and_rescore(story: Story, tmp_path: Path) -> None:
    from m3.message.cli import message_group

    content = tmp_path / "talk.txt"
    content.write_text(FAITHFUL, encoding="utf-8")
    runner = CliRunner()
    logged = runner.invoke(message_group, [
        "log", "--leader", story.org.manager_b.email, "--initiative", story.initiative.title,
        "--unit", "Team B", "--channel", "meeting", "--date", story.today.isoformat(),
        "--content-file", str(content)])
    assert logged.exit_code == 0, logged.output
    assert json.loads(logged.output)["outcome"] == "added"
    rescored = runner.invoke(message_group, ["rescore", story.initiative.title])
    assert "Scored 6 touchpoint(s) and 1 restatement(s) with the lexical method" in (
        rescored.output)
    assert Touchpoint.objects.count() == 6
