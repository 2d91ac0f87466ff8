"""One team's evidence: computed from that team's rows only, equal to its row on the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from m3.errors import AccessDenied, NotFound
from m3.message.evidence import unit_message_evidence
from m3.message.selectors import initiative_message_health
from m3.org.scope import scope_for_person
from tests.message.story import AGAINST, Story

pytestmark = pytest.mark.django_db


def test_the_evidence_row_is_the_pages_row_and_quotes_what_reached_the_team(
        story: Story) -> None:
    org = story.org
    scope = scope_for_person(org.director_north, story.today)
    page = initiative_message_health(story.initiative, scope, today=story.today)
    evidence = unit_message_evidence(story.initiative, org.team_a.pk, scope, today=story.today)
    assert evidence.row == next(r for r in page.units if r.unit_id == org.team_a.pk)
    assert (evidence.week, evidence.as_of, evidence.key_points) == (
        page.week, page.as_of, page.key_points)
    assert [t.content for t in evidence.touchpoints].count(AGAINST) == 2
    overlay = next(t for t in evidence.touchpoints if t.content == AGAINST)
    assert overlay.kind == "overlay" and overlay.key_points[1].contradicted
    assert [r.person for r in evidence.restatements] == ["Rae Rep"]
    assert evidence.not_answered == ("Ray Rep",)
    assert evidence.names[org.overlay_a.pk] == "Oli Overlay"


def queries_of(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_evidence_reads_as_the_page_does_plus_its_texts(story: Story) -> None:
    org = story.org
    scope = scope_for_person(org.admin, story.today)
    page = queries_of(lambda: initiative_message_health(story.initiative, scope,
                                                        today=story.today))
    team_a = queries_of(lambda: unit_message_evidence(story.initiative, org.team_a.pk, scope,
                                                      today=story.today))
    team_b = queries_of(lambda: unit_message_evidence(story.initiative, org.team_b.pk, scope,
                                                      today=story.today))
    # One query per table, as the page, which also reads the scoring method; the evidence
    # reads the touchpoints' and restatements' texts instead (Team B has no restatement).
    assert (team_a, team_b) == (page - 1 + 2, page - 1 + 1)
    with pytest.raises(NotFound, match="not a team"):
        unit_message_evidence(story.initiative, org.north.pk, scope, today=story.today)
    with pytest.raises(AccessDenied):
        unit_message_evidence(story.initiative, org.team_a.pk,
                              scope_for_person(org.manager_b, story.today), today=story.today)
