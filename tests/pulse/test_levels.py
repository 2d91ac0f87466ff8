"""Pulse levels on tiny exact cases: the Likert mapping, the window, the group."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.pulse.levels import PulseHistory, PulseLevels, PulseScore, pulse_level
from m3.vocabulary import PulseQuestion

MONDAY = dt.date(2026, 3, 2)
CLARITY, ENERGY = PulseQuestion.CLARITY, PulseQuestion.ENERGY


def week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=n)


def test_pulse_levels_map_likert_one_to_five_onto_zero_to_one() -> None:
    assert pulse_level([1, 5]) == 0.5
    assert pulse_level([5, 5]) == 1.0
    assert pulse_level([1]) == 0.0
    assert pulse_level([]) is None


def test_the_window_holds_the_weeks_whose_monday_is_in_the_28_days_up_to_the_day() -> None:
    history = PulseHistory((PulseScore(1, week(0), CLARITY, 2), PulseScore(1, week(1), CLARITY, 4),
                            PulseScore(1, week(4), CLARITY, 5)))
    # The window is (as_of - 28 days, as_of]: on week 3's Sunday it still holds week 0.
    assert history.scores([1], CLARITY, week(3) + dt.timedelta(days=6)) == [2, 4]
    # On week 4's Monday, week 0's Monday is exactly 28 days back, so it has left.
    assert history.scores([1], CLARITY, week(4)) == [4, 5]
    assert history.scores([1], CLARITY, week(0)) == [2]
    assert history.scores([1], CLARITY, week(0) - dt.timedelta(days=1)) == []

def test_a_groups_level_counts_only_its_own_reps_and_the_question_asked() -> None:
    history = PulseHistory((PulseScore(1, MONDAY, ENERGY, 5), PulseScore(2, MONDAY, ENERGY, 3),
                            PulseScore(3, MONDAY, ENERGY, 1), PulseScore(1, MONDAY, CLARITY, 1)))
    assert history.level([1, 2], ENERGY, MONDAY) == pytest.approx((4 - 1) / 4)
    assert history.levels([1, 2], MONDAY) == PulseLevels(
        clarity=0.0, consistency=None, confidence=None, energy=0.75)
    assert history.level([4], ENERGY, MONDAY) is None
