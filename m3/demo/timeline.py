"""The demo's timeline: burn-in weeks, the pre-rollout history, then the weeks since the rollout.

Week indices into the simulation's (rep, week) arrays count from the first burn-in Monday; the
burn-in is simulated only so that opportunities already in flight close during the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

# Weeks of history before the rollout (the baseline the levers are compared with, as long as
# the baseline momentum reads), and weeks
# simulated before that only so that opportunities already in flight close during the history.
PRE_WEEKS = 12
BURN_IN_WEEKS = 8


@dataclass(frozen=True)
class Timeline:
    """The simulated weeks: burn-in, pre-rollout history, then `weeks` weeks since the rollout."""

    sim_start: dt.date
    history_start: dt.date
    start: dt.date
    as_of: dt.date
    n_weeks: int

    def monday(self, week: int) -> dt.date:
        """The Monday of simulated week `week`."""
        return self.sim_start + dt.timedelta(weeks=week)

    @property
    def since_rollout(self) -> np.ndarray:
        """Weeks since the rollout, per simulated week (negative before it)."""
        return np.arange(self.n_weeks) - (BURN_IN_WEEKS + PRE_WEEKS)

    def week_of(self, day: dt.date) -> int:
        """The simulated week `day` falls in."""
        return (day - self.sim_start).days // 7


def timeline_until(today: dt.date, weeks: int) -> Timeline:
    """The timeline whose rollout is `weeks` weeks before the Monday of `today`'s week."""
    as_of = today - dt.timedelta(days=today.weekday())
    start = as_of - dt.timedelta(weeks=weeks)
    history_start = start - dt.timedelta(weeks=PRE_WEEKS)
    return Timeline(
        sim_start=history_start - dt.timedelta(weeks=BURN_IN_WEEKS),
        history_start=history_start,
        start=start,
        as_of=as_of,
        n_weeks=BURN_IN_WEEKS + PRE_WEEKS + weeks,
    )
