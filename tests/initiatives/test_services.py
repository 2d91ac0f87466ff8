"""Saving initiatives: checked as a whole, all or nothing, and scoped selectors."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from m3.errors import InputError
from m3.initiatives.models import Initiative, KeyPoint
from m3.initiatives.selectors import initiative_by_title, initiatives_visible
from m3.initiatives.services import AskInput, CadenceInput, InitiativeInput, initiative_save
from m3.org.scope import scope_for_person
from m3.vocabulary import CadenceKind
from tests.factories import START, SmallOrg, small_org

pytestmark = pytest.mark.django_db


def roi_input(org: SmallOrg, **changes: object) -> InitiativeInput:
    data = InitiativeInput(
        title="Lead with value",
        owner_id=org.director_north.pk,
        unit_ids=(org.team_a.pk,),
        start=START,
        end=START + dt.timedelta(weeks=26),
        why="Buyers cut budgets; only a quantified case gets signed.",
        how="Open every discovery with the ROI calculator.",
        what="Run two ROI demos a week and send a proposal with the number in it.",
        key_points=("Start with the customer's cost", "Use the ROI calculator",
                    "Put the number in the proposal"),
        asks=(AskInput("Run an ROI demo", "demos", 2), AskInput("Send a proposal", "proposals", 1)),
        output_metric="won_revenue",
        forecast=((START, 1000.0), (START + dt.timedelta(weeks=1), 1200.0)),
        cadence=(CadenceInput(CadenceKind.DELIVER, ("manager",), due=START),
                 CadenceInput(CadenceKind.REINFORCE, ("manager",), every_days=14)),
    )
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


def test_a_complete_initiative_is_saved_with_its_parts() -> None:
    org = small_org()
    saved = initiative_save(roi_input(org))
    assert [kp.text for kp in saved.key_points.all()][1] == "Use the ROI calculator"
    assert saved.asks.count() == 2 and saved.forecast.count() == 2 and saved.cadence.count() == 2
    assert initiative_by_title("lead with value") == saved


def test_every_problem_is_reported_at_once_and_nothing_is_written() -> None:
    org = small_org()
    bad = roi_input(org, key_points=("one", "two"), why=" ", end=START,
                    forecast=((START + dt.timedelta(days=2), 1.0),),
                    asks=(AskInput("Demo", "", 2),))
    with pytest.raises(InputError) as caught:
        initiative_save(bad)
    for words in ("3–5 key points", "why", "end date", "Mondays", "lever metric"):
        assert words in caught.value.message
    assert Initiative.objects.count() == 0 and KeyPoint.objects.count() == 0


def test_editing_replaces_the_parts_without_duplicating_them() -> None:
    org = small_org()
    saved = initiative_save(roi_input(org))
    again = initiative_save(roi_input(org, key_points=("a", "b", "c", "d")), saved)
    assert again.pk == saved.pk and again.key_points.count() == 4
    assert Initiative.objects.count() == 1


def test_two_initiatives_cannot_share_a_title() -> None:
    org = small_org()
    initiative_save(roi_input(org))
    with pytest.raises(InputError, match="exists already"):
        initiative_save(roi_input(org))


def test_initiatives_are_visible_to_the_scope_they_touch() -> None:
    org = small_org()
    team_a = initiative_save(roi_input(org))
    south = initiative_save(roi_input(org, title="South push", unit_ids=(org.south.pk,)))
    visible = {p: set(initiatives_visible(scope_for_person(p, START), START))
               for p in (org.executive, org.director_north, org.manager_c, org.rep_a1,
                         org.rep_c1, org.rep_b1)}
    assert visible[org.executive] == {team_a, south}
    assert visible[org.director_north] == {team_a}
    assert visible[org.manager_c] == {south}
    assert visible[org.rep_a1] == {team_a}
    assert visible[org.rep_c1] == {south}
    assert visible[org.rep_b1] == set()
