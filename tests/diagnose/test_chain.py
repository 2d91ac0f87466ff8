"""The diagnosis chain, one branch per case: measure, none, opportunity, message, momentum."""

from __future__ import annotations

import datetime as dt

from m3.diagnose.chain import (
    Cause,
    DealFigures,
    deal_figures,
    peer_deal_figures,
    unit_diagnosis,
)
from m3.momentum.score import unit_momentum
from m3.momentum.signals import DealSignal, HealthSignal, WeekSignals
from m3.momentum.warning import Projection, Status

MONDAY = dt.date(2026, 1, 5)
BEHIND = Projection(Status.BEHIND, 0.8, 0.75)


def weeks(a: list[float | None], health: float = 80.0, morale: list[float] | None = None,
          frequency: float = 90.0, consistency: float = 85.0) -> list[WeekSignals]:
    morale = morale or [3.9] * len(a)
    return [WeekSignals(MONDAY + dt.timedelta(weeks=i), a[i], 90.0, 100.0, morale[i],
                        HealthSignal(health, 80.0, frequency, consistency, 75.0))
            for i in range(len(a))]


def diagnose(history: list[WeekSignals], projection: Projection = BEHIND,
             fresh: bool = True) -> tuple[Cause, str]:
    result = unit_diagnosis(history, projection, unit_momentum(history), facts_fresh=fresh)
    return result.cause, result.detail


def test_no_lever_data_is_a_measurement_problem_first() -> None:
    assert diagnose(weeks([None] * 4)) == (Cause.MEASURE, "coverage")
    assert diagnose(weeks([1.0] * 4), fresh=False) == (Cause.MEASURE, "freshness")


def test_on_track_has_no_cause() -> None:
    assert diagnose(weeks([1.0] * 4), Projection(Status.ON_TRACK, 1.0, 1.0)) == (Cause.NONE, "")


def test_levers_moving_and_output_behind_is_opportunity() -> None:
    assert diagnose(weeks([1.0] * 4)) == (Cause.OPPORTUNITY, "conversion")


def test_stalled_levers_with_a_weak_message_name_its_weakest_part() -> None:
    assert diagnose(weeks([0.7] * 4, health=45.0, frequency=20.0)) == (Cause.MESSAGE, "frequency")
    assert diagnose(weeks([0.7] * 4, health=45.0, consistency=30.0)) == (
        Cause.MESSAGE, "consistency")


def test_stalled_levers_with_sliding_morale_and_a_sound_message_are_momentum() -> None:
    assert diagnose(weeks([0.7] * 4, morale=[3.8, 3.5, 3.2, 2.9])) == (Cause.MOMENTUM, "morale")
    assert diagnose(weeks([0.7] * 4)) == (Cause.MOMENTUM, "levers")


def test_every_step_walked_leaves_evidence() -> None:
    result = unit_diagnosis(weeks([0.7] * 4, health=45.0, frequency=20.0), BEHIND,
                            unit_momentum(weeks([0.7] * 4)))
    assert [e.step for e in result.evidence] == ["reporting", "output", "levers", "message"]


def dealt(won: float, closed: float, value: float, pipeline: float, n: int = 4,
          ) -> list[WeekSignals]:
    return [WeekSignals(s.week, s.lever_attainment, s.output, s.forecast, s.morale, s.health,
                        DealSignal(won, closed, value, pipeline)) for s in weeks([1.0] * n)]


def test_deal_figures_pool_the_weeks_before_dividing() -> None:
    history = dealt(won=1.0, closed=4.0, value=20_000.0, pipeline=300.0)
    # 4 won of 16 closed, 80,000 over 4 won, 1,200 of pipeline over a forecast of 400
    assert deal_figures(history) == DealFigures(0.25, 20_000.0, 3.0)
    assert deal_figures(weeks([1.0] * 4)) == DealFigures(None, None, None)


def test_peers_are_the_median_of_the_other_units_of_the_group() -> None:
    figures = {"A": DealFigures(0.1, 10.0, 1.0), "B": DealFigures(0.3, 30.0, None),
               "C": DealFigures(0.2, 20.0, 3.0), "R": DealFigures(0.9, 90.0, 9.0)}
    peers = peer_deal_figures(figures, {"A": "team", "B": "team", "C": "team", "R": "region"})
    assert peers["A"] == DealFigures(0.25, 25.0, 3.0)
    assert peers["R"] == DealFigures(None, None, None)


def test_opportunity_names_the_deal_figure_furthest_below_like_units() -> None:
    history = dealt(won=1.0, closed=10.0, value=18_000.0, pipeline=300.0)
    peers = DealFigures(0.25, 20_000.0, 3.0)  # win rate 10% against 25%: 60% short
    result = unit_diagnosis(history, BEHIND, unit_momentum(history), peers=peers)
    assert (result.cause, result.detail) == (Cause.OPPORTUNITY, "win_rate")
    assert result.evidence[-1].step == "opportunity"
    assert "win rate 10% against 25% for like units" in result.evidence[-1].finding
    # within PEER_SHORT of peers on every figure: no single figure to blame
    even = unit_diagnosis(history, BEHIND, unit_momentum(history),
                          peers=DealFigures(0.11, 19_000.0, 3.2))
    assert even.detail == "conversion"
