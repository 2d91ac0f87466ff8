"""Calendar arithmetic: ISO weeks (Monday to Sunday) and the periods metrics are bucketed by.

Every week in M3 is an ISO week named by its Monday; a period of a grain is named by its first
day. This module is the one place that arithmetic lives; it is pure (no ORM, no I/O).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import assert_never

WEEK = dt.timedelta(days=7)
PAGE_WEEKS = 12  # the recent weeks a page shows by default


class Grain(enum.Enum):
    """The period a metric is bucketed by; weeks are ISO weeks starting on Monday."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def week_end(day: dt.date) -> dt.date:
    """The Sunday that ends `day`'s ISO week."""
    return week_start(day) + dt.timedelta(days=6)


def last_full_week(day: dt.date) -> dt.date:
    """The Monday of the last ISO week that ended before `day`'s week began."""
    return week_start(day) - WEEK


def recent_weeks(day: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """The `weeks` whole ISO weeks ending with `day`'s week: (first Monday, next week's Monday)."""
    until = week_start(day) + WEEK
    return until - weeks * WEEK, until


def week_bounds(week: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """(Monday, last day counted) of the ISO week holding `week` (default: today's week).

    The last day counted is the Sunday, or `today` while the week is still running.
    """
    monday = week_start(week or today)
    return monday, min(monday + dt.timedelta(days=6), today)


def period_start(day: dt.date, grain: Grain) -> dt.date:
    """The first day of the period of `grain` that contains `day`."""
    if grain is Grain.DAY:
        return day
    if grain is Grain.WEEK:
        return week_start(day)
    if grain is Grain.MONTH:
        return day.replace(day=1)
    if grain is Grain.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    assert_never(grain)


def period_next(start: dt.date, grain: Grain) -> dt.date:
    """The first day of the period after the one starting on `start`."""
    if grain is Grain.DAY:
        return start + dt.timedelta(days=1)
    if grain is Grain.WEEK:
        return start + WEEK
    if grain is Grain.MONTH or grain is Grain.QUARTER:
        months = 1 if grain is Grain.MONTH else 3
        month = start.month - 1 + months
        return dt.date(start.year + month // 12, month % 12 + 1, 1)
    assert_never(grain)


def periods_between(start: dt.date, end: dt.date, grain: Grain) -> list[dt.date]:
    """The start days of every period of `grain` touching [start, end] (both days included)."""
    out: list[dt.date] = []
    current = period_start(start, grain)
    while current <= end:
        out.append(current)
        current = period_next(current, grain)
    return out
