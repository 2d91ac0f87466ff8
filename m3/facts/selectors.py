"""Reads of the facts store for pages: weekly activity counts for a set of reps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pandas as pd

from m3.facts.store import FactsStore


def activity_counts_by_week(
    facts: FactsStore, rep_ids: Collection[int], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Activities per ISO week (Monday) and type for `rep_ids`, from `start` to `end` exclusive.

    Columns: week (date), type, activities (count of rows).
    """
    if not rep_ids:
        return pd.DataFrame({"week": [], "type": [], "activities": []})
    with facts.connect() as con:
        t = con.table("activities")
        in_range = t.filter(
            t.rep_id.isin(list(rep_ids)), t.occurred_at >= start, t.occurred_at < end
        )
        weekly = in_range.mutate(week=in_range.occurred_at.truncate("W").date())
        expr = (
            weekly.group_by(["week", "type"])
            .aggregate(activities=weekly.count())
            .order_by(["week", "type"])
        )
        return expr.execute()
