"""Momentum: the four parts, the score and the state, on tiny exact cases."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.momentum.score import (
    MomentumParts,
    MomentumState,
    momentum_parts,
    momentum_score,
    momentum_state,
    unit_momentum,
)
from m3.momentum.signals import HealthSignal, WeekSignals

MONDAY = dt.date(2026, 1, 5)


def weeks(a: list[float | None], morale: list[float | None] | None = None,
          health: list[float | None] | None = None, output: float | None = None,
          forecast: float | None = None) -> list[WeekSignals]:
    n = len(a)
    morale = morale or [None] * n
    health = health or [None] * n
    return [WeekSignals(MONDAY + dt.timedelta(weeks=i), a[i], output, forecast, morale[i],
                        HealthSignal(health[i])) for i in range(n)]


def test_levers_on_target_and_flat_give_a_zero_lever_part() -> None:
    parts = momentum_parts(weeks([1.0, 1.0, 1.0, 1.0]))
    assert parts.levers == 0.0 and parts.direction == 0.0
    assert parts.pace is None and parts.morale is None and parts.message is None


def test_the_lever_part_adds_level_and_four_weeks_of_trend() -> None:
    # mean 0.85, slope -0.1 a week: (0.85 - 1) + 4 * -0.1 = -0.55
    parts = momentum_parts(weeks([1.0, 0.9, 0.8, 0.7]))
    assert parts.levers == pytest.approx(-0.55)


def test_only_the_last_four_weeks_count() -> None:
    assert momentum_parts(weeks([0.1, 0.1, 1.0, 1.0, 1.0, 1.0])).levers == 0.0


def test_pace_morale_and_message_parts_follow_their_formulas() -> None:
    parts = momentum_parts(weeks([1.0] * 4, morale=[4.25] * 4, health=[85.0] * 4, output=90.0,
                                 forecast=100.0))
    assert parts.pace == pytest.approx(-0.1)
    assert parts.morale == pytest.approx((4.25 - 3.5) / 1.5)
    assert parts.message == pytest.approx((85 - 70) / 30)


def test_the_score_is_the_weighted_mean_of_the_parts_present() -> None:
    parts = MomentumParts(levers=0.5, pace=None, morale=-0.5, message=None, direction=0.0)
    assert momentum_score(parts) == pytest.approx((0.4 * 0.5 + 0.2 * -0.5) / 0.6)


@pytest.mark.parametrize(("score", "direction", "state"), [
    (0.3, 0.0, MomentumState.BUILDING),
    (0.3, -0.05, MomentumState.HOLDING),
    (0.0, 0.0, MomentumState.HOLDING),
    (-0.2, 0.0, MomentumState.STALLING),
    (0.2, -0.2, MomentumState.STALLING),
    (-0.05, -0.3, MomentumState.SLIDING),
    (-0.5, 0.1, MomentumState.SLIDING),
    (None, None, MomentumState.INSUFFICIENT),
])
def test_states_follow_the_score_and_the_direction(score: float | None,
                                                   direction: float | None,
                                                   state: MomentumState) -> None:
    assert momentum_state(score, direction) is state


def test_a_unit_with_two_weeks_has_insufficient_data_and_says_so() -> None:
    result = unit_momentum(weeks([1.0, 1.0]))
    assert result.state is MomentumState.INSUFFICIENT and "needs 3" in result.reasons[0]


def test_falling_levers_and_morale_slide_with_reasons_weakest_first() -> None:
    result = unit_momentum(weeks([1.0, 0.85, 0.7, 0.55], morale=[3.8, 3.5, 3.2, 2.9],
                                 health=[80.0] * 4))
    assert result.state is MomentumState.SLIDING
    # morale part clip((3.35 - 3.5) / 1.5 - 4 * 0.3) = -1 is weaker than levers' -0.825
    assert result.reasons[0].startswith("Morale 3.4/5 in the pulse, falling")
    assert result.reasons[1].startswith("Levers at 77% of target")  # 0.775 as 77.49…%
