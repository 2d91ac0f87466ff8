"""ISO weeks and periods: every week starts on Monday, every period on its first day."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.weeks import (
    Grain,
    last_full_week,
    period_next,
    period_start,
    periods_between,
    recent_weeks,
    week_bounds,
    week_end,
    week_start,
)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_week_runs_monday_to_sunday_across_a_year_end() -> None:
    assert week_start(day("2025-01-01")) == day("2024-12-30")
    assert week_end(day("2025-01-01")) == day("2025-01-05")
    assert week_start(day("2024-12-30")) == day("2024-12-30")


@pytest.mark.parametrize("text", ["2024-02-29", "2025-06-15", "2026-12-01", "2027-01-03"])
def test_week_start_agrees_with_the_iso_calendar(text: str) -> None:
    # An independent computation: Python's ISO calendar names the same Monday.
    year, week, _ = day(text).isocalendar()
    assert week_start(day(text)) == dt.date.fromisocalendar(year, week, 1)


def test_the_last_full_week_is_the_one_before_the_running_week() -> None:
    assert last_full_week(day("2026-12-02")) == day("2026-11-23")


def test_recent_weeks_are_whole_weeks_ending_with_this_week() -> None:
    assert recent_weeks(day("2026-12-02"), 2) == (day("2026-11-23"), day("2026-12-07"))


def test_a_running_week_is_counted_up_to_today() -> None:
    assert week_bounds(None, day("2026-12-02")) == (day("2026-11-30"), day("2026-12-02"))
    assert week_bounds(day("2026-11-25"), day("2026-12-02")) == (
        day("2026-11-23"), day("2026-11-29"))


def test_periods_start_on_their_first_day_and_follow_each_other() -> None:
    assert period_start(day("2024-11-17"), Grain.QUARTER) == day("2024-10-01")
    assert period_next(day("2024-10-01"), Grain.QUARTER) == day("2025-01-01")
    assert period_next(day("2024-12-01"), Grain.MONTH) == day("2025-01-01")
    assert periods_between(day("2024-01-31"), day("2024-03-01"), Grain.MONTH) == [
        day("2024-01-01"), day("2024-02-01"), day("2024-03-01")]
    assert periods_between(day("2024-01-01"), day("2024-01-03"), Grain.DAY) == [
        day("2024-01-01"), day("2024-01-02"), day("2024-01-03")]
