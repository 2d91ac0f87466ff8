"""Attribution: which facts count for which org node, as dated stretches of one rep.

A fact of rep R dated t counts for node N when an attribution (N, R, start, end) has
start <= t < end (a missing bound is unbounded). Memberships give these stretches (a rep counts
for the unit they belonged to on the fact's day), and so do scopes (a leader sees a rep's facts
only from while the rep was in a unit they lead). This is the one type for that question; it is
pure, and the facts store turns a list of them into a table to join.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

# The bounds an open stretch is given when it must be a timestamp (SQL joins). Every engine M3
# supports (DuckDB, PostgreSQL, Spark) holds these.
FAR_PAST = dt.datetime(1900, 1, 1)
FAR_FUTURE = dt.datetime(9999, 1, 1)


@dataclass(frozen=True)
class Attribution:
    """Facts of `rep_id` dated in [start, end) count for `node` (None: unbounded)."""

    node: str
    rep_id: int
    start: dt.date | None = None
    end: dt.date | None = None

    def for_node(self, node: str) -> Attribution:
        """The same stretch, counted for `node`."""
        return dataclasses.replace(self, node=node)

    @property
    def start_ts(self) -> dt.datetime:
        """The first instant counted (FAR_PAST when unbounded)."""
        return FAR_PAST if self.start is None else dt.datetime.combine(self.start, dt.time())

    @property
    def end_ts(self) -> dt.datetime:
        """The first instant no longer counted (FAR_FUTURE when unbounded)."""
        return FAR_FUTURE if self.end is None else dt.datetime.combine(self.end, dt.time())

    def covers(self, day: dt.date) -> bool:
        """True when a fact dated `day` falls inside the stretch."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)
