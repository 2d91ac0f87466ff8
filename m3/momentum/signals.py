"""What momentum is computed from: one unit's signals in one ISO week (pure).

Every number is what was known by the end of that week (point in time): levers against their
targets, output against the forecast, the pulse's morale and the message's health with its
parts, and the deals opportunity is judged by. A missing value is None (no lever data, no
pulse answers, no forecast), never 0, so that "not measured" is never read as "not done".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HealthSignal:
    """Message health and the parts it is made of, each 0..100 or None."""

    health: float | None
    clarity: float | None = None
    frequency: float | None = None
    consistency: float | None = None
    comprehension: float | None = None


@dataclass(frozen=True)
class DealSignal:
    """The week's deals: counts won and closed (won or lost), the value won and the pipeline
    created (the amounts of the opportunities opened), each None when not read."""

    won: float | None = None
    closed: float | None = None
    won_value: float | None = None
    pipeline: float | None = None


@dataclass(frozen=True)
class WeekSignals:
    """One unit's signals in the ISO week starting `week`."""

    week: dt.date
    lever_attainment: float | None  # Σ lever values / Σ lever targets over the asks
    output: float | None  # the output metric's value that week
    forecast: float | None  # the unit's forecast for that week
    morale: float | None  # mean answer to the confidence and energy questions, 1..5
    health: HealthSignal = HealthSignal(None)
    deals: DealSignal = DealSignal()  # what opportunity is read from: win rate, deal size, pipeline


def values(history: Sequence[WeekSignals], name: str) -> np.ndarray:
    """The named signal over the weeks as floats, NaN where missing."""
    def pick(s: WeekSignals) -> float | None:
        if name in ("health", "clarity", "frequency", "consistency", "comprehension"):
            return getattr(s.health, name)
        if name in ("won", "closed", "won_value", "pipeline"):
            return getattr(s.deals, name)
        return getattr(s, name)

    return np.array([np.nan if (v := pick(s)) is None else float(v) for s in history])


def trend(series: np.ndarray) -> float | None:
    """Ordinary least-squares slope per week of the non-missing values (None below 3 points).

    slope = Σ (t - t̄)(y - ȳ) / Σ (t - t̄)², over the weeks t where y is known.
    """
    t = np.arange(len(series), dtype=float)
    known = ~np.isnan(series)
    if known.sum() < 3:
        return None
    t, y = t[known], series[known]
    spread = ((t - t.mean()) ** 2).sum()
    return float(((t - t.mean()) * (y - y.mean())).sum() / spread) if spread else None


def level(series: np.ndarray) -> float | None:
    """The mean of the non-missing values (None when there are none)."""
    known = series[~np.isnan(series)]
    return float(known.mean()) if known.size else None
