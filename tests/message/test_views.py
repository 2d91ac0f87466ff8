"""The message pages: health, a team's evidence, the touchpoint form, restating, the due list."""

from __future__ import annotations

import pytest

from m3.message.models import Restatement
from tests.message.story import AGAINST, FAITHFUL, Story, client_for

pytestmark = pytest.mark.django_db


def test_the_message_page_names_the_two_voices_and_the_unit_never_reinforced(
    story: Story,
) -> None:
    page = client_for(story.org.director_north).get(
        f"/initiatives/{story.initiative.pk}/message/").content.decode()
    assert "Two leaders disagree on point 2: Oli Overlay says “skip the ROI calculator”" in page
    assert "Not reinforced for 115 days" in page
    assert page.index("Team B") < page.index("Team A")  # least healthy first
    assert 'class="contradiction"' in page and "skip the ROI calculator" in page


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
