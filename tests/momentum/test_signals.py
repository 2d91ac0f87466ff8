"""Signals: missing is NaN, never zero; trends are least-squares slopes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from m3.momentum.signals import HealthSignal, WeekSignals, level, trend, values

MONDAY = dt.date(2026, 1, 5)


def week(i: int, a: float | None, health: float | None = None) -> WeekSignals:
    return WeekSignals(MONDAY + dt.timedelta(weeks=i), a, None, None, None, HealthSignal(health))


def test_missing_values_stay_missing() -> None:
    series = values([week(0, 1.0), week(1, None)], "lever_attainment")
    assert series[0] == 1.0 and np.isnan(series[1])
    assert level(series) == 1.0


def test_trend_is_the_least_squares_slope_of_the_known_weeks() -> None:
    # An independent computation: numpy's polynomial fit of degree 1.
    ys = [1.0, 0.9, None, 0.75, 0.6]
    series = values([week(i, y) for i, y in enumerate(ys)], "lever_attainment")
    known = [(i, y) for i, y in enumerate(ys) if y is not None]
    expected = np.polyfit([i for i, _ in known], [y for _, y in known], 1)[0]
    assert trend(series) == pytest.approx(expected)


def test_trend_needs_three_weeks() -> None:
    assert trend(values([week(0, 1.0), week(1, 0.5)], "lever_attainment")) is None


def test_health_parts_are_read_from_the_health_signal() -> None:
    assert values([week(0, None, health=55.0)], "health")[0] == 55.0
