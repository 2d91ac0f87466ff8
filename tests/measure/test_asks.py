"""Ask boards: levers vs targets per rep or team, scoped like the viewer."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from m3.facts.store import FactsStore
from m3.initiatives.services import AskInput, initiative_save
from m3.measure.asks import ask_boards
from m3.org.scope import scope_for_person
from m3.weeks import week_start
from tests.factories import START, SmallOrg, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db
TODAY = START + dt.timedelta(weeks=6, days=2)  # a Wednesday
LAST_WEEK = week_start(TODAY) - dt.timedelta(days=7)


def demos(facts: FactsStore, rep_id: int, days: list[dt.date]) -> None:
    facts.upsert("activities", pd.DataFrame({
        "source": "t", "id": [f"{rep_id}-{i}" for i in range(len(days))], "rep_id": rep_id,
        "owner": "x", "type": "demo", "occurred_at": pd.to_datetime(days) + pd.Timedelta(hours=10),
        "product": None, "account": "A", "opportunity": None, "amount": None, "currency": None,
    }))


def deals(facts: FactsStore, rep_id: int, closed: list[tuple[dt.date, float]]) -> None:
    facts.upsert("opportunities", pd.DataFrame({
        "source": "t", "id": [f"o{rep_id}-{i}" for i in range(len(closed))], "rep_id": rep_id,
        "owner": "x", "account": "A", "product": None, "stage": "closed_won",
        "amount": [a for _, a in closed], "currency": "USD",
        "created_at": pd.to_datetime([d for d, _ in closed]) - pd.Timedelta(days=20),
        "closed_at": pd.to_datetime([d for d, _ in closed]), "won": True,
    }))


def setup(facts: FactsStore) -> SmallOrg:
    org = small_org()
    initiative_save(roi_input(org, unit_ids=(org.north.pk,), asks=(AskInput("Demo", "demos", 2),),
                              forecast=tuple((LAST_WEEK - dt.timedelta(weeks=w), 100.0)
                                             for w in range(4))))
    demos(facts, org.rep_a1.pk, [LAST_WEEK, LAST_WEEK + dt.timedelta(days=1),
                                 LAST_WEEK + dt.timedelta(days=2)])
    demos(facts, org.rep_a2.pk, [LAST_WEEK - dt.timedelta(days=7)])
    deals(facts, org.rep_b1.pk, [(LAST_WEEK, 250.0), (LAST_WEEK - dt.timedelta(weeks=2), 50.0)])
    return org


def test_a_rep_sees_only_their_own_levers_against_the_ask(facts: FactsStore) -> None:
    org = setup(facts)
    [board] = ask_boards(scope_for_person(org.rep_a1, TODAY), facts, TODAY)
    [row] = board.rows
    assert row.label == "You" and board.last_week == LAST_WEEK
    assert (row.last_week[0].value, row.last_week[0].target) == (3, 2)
    assert (row.four_weeks[0].value, row.four_weeks[0].target) == (3, 8)


def test_a_manager_of_one_team_sees_a_row_per_rep(facts: FactsStore) -> None:
    org = setup(facts)
    [board] = ask_boards(scope_for_person(org.manager_a, TODAY), facts, TODAY)
    values = {r.label: (r.last_week[0].value, r.four_weeks[0].value) for r in board.rows}
    assert values == {"Rae Rep": (3, 3), "Ray Rep": (0, 1)}


def test_a_director_sees_a_row_per_team_with_team_targets(facts: FactsStore) -> None:
    org = setup(facts)
    [board] = ask_boards(scope_for_person(org.director_north, TODAY), facts, TODAY)
    cells = {r.label: r.four_weeks[0] for r in board.rows}
    assert cells["Team A"].value == 4 and cells["Team A"].target == 2 * 2 * 4
    assert cells["Team B"].value == 0 and cells["Team B"].target == 2 * 1 * 4
    assert cells["Team A"].attainment == pytest.approx(4 / 16)
