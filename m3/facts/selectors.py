"""Reads of the facts store for pages: weekly activity counts for dated stretches of reps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import pandas as pd

from m3.attribution import Attribution
from m3.facts.store import FactsStore

EMPTY = pd.DataFrame({"week": [], "type": [], "activities": []})


def activity_counts_by_week(
    facts: FactsStore, spans: Sequence[Attribution] | None, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Activities per ISO week (Monday) and type, from `start` to `end` exclusive.

    Only facts of a span's rep dated inside the span count (`None`: every fact). Spans of one
    rep never overlap (one membership at a time), so no fact counts twice.
    Columns: week (date), type, activities (count of rows).
    """
    if spans is not None and not spans:
        return EMPTY.copy()
    with facts.connect() as con:
        t = con.table("activities")
        facts_in_range = t.filter(t.occurred_at >= start, t.occurred_at < end)
        if spans is not None:
            bounds = ibis.memtable(pd.DataFrame({
                "span_rep": [s.rep_id for s in spans],
                "span_start": [s.start_ts for s in spans],
                "span_end": [s.end_ts for s in spans],
            }))
            facts_in_range = facts_in_range.join(bounds, [
                facts_in_range.rep_id == bounds.span_rep,
                facts_in_range.occurred_at >= bounds.span_start,
                facts_in_range.occurred_at < bounds.span_end,
            ]).select(facts_in_range.columns)
        weekly = facts_in_range.mutate(week=facts_in_range.occurred_at.truncate("W").date())
        expr = (
            weekly.group_by(["week", "type"])
            .aggregate(activities=weekly.count())
            .order_by(["week", "type"])
        )
        return expr.execute()
