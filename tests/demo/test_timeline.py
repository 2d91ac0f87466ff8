"""The demo's timeline: burn-in, then the pre-rollout history, then the weeks since the rollout."""

from __future__ import annotations

import datetime as dt

from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, timeline_until


def test_the_rollout_is_weeks_before_the_monday_of_today_after_history_and_burn_in() -> None:
    cal = timeline_until(dt.date(2026, 3, 4), 16)  # a Wednesday
    assert cal.as_of == dt.date(2026, 3, 2)
    assert cal.start == dt.date(2025, 11, 10)
    assert cal.history_start == dt.date(2025, 8, 18)
    assert cal.sim_start == dt.date(2025, 6, 23)
    assert cal.n_weeks == BURN_IN_WEEKS + PRE_WEEKS + 16 == 36


def test_a_monday_today_is_its_own_as_of() -> None:
    assert timeline_until(dt.date(2026, 3, 2), 8).as_of == dt.date(2026, 3, 2)


def test_weeks_count_from_the_first_burn_in_monday() -> None:
    cal = timeline_until(dt.date(2026, 3, 4), 16)
    assert cal.monday(0) == cal.sim_start
    assert cal.monday(BURN_IN_WEEKS) == cal.history_start
    assert cal.monday(20) == cal.start
    assert cal.week_of(cal.start + dt.timedelta(days=6)) == 20
    assert cal.week_of(cal.start + dt.timedelta(days=7)) == 21


def test_weeks_since_the_rollout_are_negative_before_it() -> None:
    since = timeline_until(dt.date(2026, 3, 4), 16).since_rollout
    assert since.tolist() == list(range(-20, 16))
