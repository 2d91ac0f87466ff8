"""Weekly signals from the app database and the facts: exact, scoped to units, point in time."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from m3.errors import InputError
from m3.facts.store import FactsStore
from m3.initiatives.services import AskInput, initiative_save
from m3.momentum.selectors import as_of_check, initiative_signals, last_counted_week
from m3.pulse.models import PulseResponse
from m3.vocabulary import PulseQuestion
from tests.factories import START, small_org
from tests.initiatives.test_services import roi_input
from tests.measure.test_asks import deals, demos

pytestmark = pytest.mark.django_db
CUT = START + dt.timedelta(weeks=3, days=2)  # a Wednesday: weeks 0, 1 and 2 have ended


def build(facts: FactsStore):  # type: ignore[no-untyped-def]
    org = small_org()
    initiative = initiative_save(roi_input(
        org, unit_ids=(org.north.pk,), asks=(AskInput("Demo", "demos", 2),),
        forecast=tuple((START + dt.timedelta(weeks=w), 100.0) for w in range(8))))
    # rep A1: 3 demos in week 1, 1 in week 4 (after the cut); rep B1 wins 80 in week 2, 500 in 5
    demos(facts, org.rep_a1.pk, [START + dt.timedelta(weeks=1, days=d) for d in range(3)]
          + [START + dt.timedelta(weeks=4)])
    deals(facts, org.rep_b1.pk, [(START + dt.timedelta(weeks=2, days=1), 80.0),
                                 (START + dt.timedelta(weeks=5), 500.0)])
    for week, score in ((START + dt.timedelta(weeks=1), 4), (START + dt.timedelta(weeks=4), 1)):
        for question in (PulseQuestion.CONFIDENCE, PulseQuestion.ENERGY):
            PulseResponse.objects.create(initiative=initiative, person=org.rep_a1, week=week,
                                         question=question, score=score)
    return org, initiative


def test_a_weeks_signals_are_exact_per_unit(facts: FactsStore) -> None:
    org, initiative = build(facts)
    units = {u.name: u for u in initiative_signals(initiative, facts, CUT)}
    assert set(units) == {"North", "Team A", "Team B"}
    team_a = units["Team A"].since_start
    assert [s.week for s in team_a] == [START + dt.timedelta(weeks=w) for w in range(3)]
    # 3 demos against 2 reps × 2 a week
    assert team_a[1].lever_attainment == pytest.approx(3 / 4)
    assert team_a[1].morale == 4.0 and team_a[0].morale is None
    north = units["North"].since_start
    assert north[1].lever_attainment == pytest.approx(3 / 6)  # 3 reps in North
    assert north[2].output == 80.0 and north[2].forecast == pytest.approx(100.0)
    # the deals the opportunity step reads: one won (and closed) for 80 in week 2
    assert (north[2].deals.won, north[2].deals.closed, north[2].deals.won_value) == (1, 1, 80)
    # Team B never recorded a demo: its levers are not measured, not zero
    assert all(s.lever_attainment is None for s in units["Team B"].history)


def test_the_same_data_cut_at_the_as_of_date_gives_the_same_signals(
        facts: FactsStore) -> None:
    org, initiative = build(facts)
    full = initiative_signals(initiative, facts, CUT)
    with facts.connect(write=True) as con:
        cutoff = pd.Timestamp(CUT)
        con.raw_sql(f"DELETE FROM activities WHERE occurred_at >= '{cutoff}'")
        # what the CRM showed on that date: later deals did not exist, a deal closed later
        # was still open
        con.raw_sql(f"DELETE FROM opportunities WHERE created_at >= '{cutoff}'")
        con.raw_sql("UPDATE opportunities SET closed_at = NULL, won = NULL "
                    f"WHERE closed_at >= '{cutoff}'")
    PulseResponse.objects.filter(week__gt=last_counted_week(CUT)).delete()
    assert initiative_signals(initiative, facts, CUT) == full


def test_an_as_of_before_the_start_or_after_today_is_refused() -> None:
    org = small_org()
    initiative = initiative_save(roi_input(org))
    with pytest.raises(InputError, match="before Lead with value started"):
        as_of_check(initiative, START - dt.timedelta(days=1), START + dt.timedelta(days=30))
    with pytest.raises(InputError, match="after today"):
        as_of_check(initiative, START + dt.timedelta(days=31), START + dt.timedelta(days=30))


def test_a_units_own_forecast_is_used_and_the_units_below_share_it(facts: FactsStore) -> None:
    org = small_org()
    weeks = [START + dt.timedelta(weeks=w) for w in range(8)]
    initiative = initiative_save(roi_input(
        org, unit_ids=(org.north.pk,), forecast=tuple((w, 100.0) for w in weeks),
        unit_forecast=tuple((unit.pk, w, value) for unit, value in ((org.north, 90.0),
                                                                    (org.team_a, 50.0))
                            for w in weeks)))
    units = {u.name: u for u in initiative_signals(initiative, facts, CUT)}
    assert [s.forecast for s in units["Team A"].since_start] == [50.0, 50.0, 50.0]
    assert units["North"].since_start[0].forecast == 90.0
    # Team B has no forecast of its own: its headcount share (1 of North's 3 reps) of North's
    # (no output before the start, so shares are by headcount)
    assert units["Team B"].since_start[0].forecast == pytest.approx(30.0)
    assert units["Team A"].forecast_ahead == tuple((w, 50.0) for w in weeks[3:])
    assert units["Team B"].forecast_ahead[0][1] == pytest.approx(30.0)
