"""Output pace: an initiative's output metric per week against its forecast.

pace = Σ actual / Σ forecast over the last four full ISO weeks that have a forecast (None
without one). Actual counts only the initiative's units inside the viewer's scope; the forecast
is the initiative's, for its whole scope, so it is shown only to a viewer who sees all of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.measure.evaluate import metric_result
from m3.org.scope import Scope
from m3.org.selectors import unit_attribution
from m3.weeks import Grain, last_full_week, week_end, week_start


@dataclass(frozen=True)
class OutputPace:
    """An initiative's output metric per week against its forecast, over its whole scope."""

    metric: str
    unit: str
    weekly: pd.DataFrame  # week, actual, forecast
    whole_scope: bool  # False: only the viewer's part of the scope, without the forecast
    last4_actual: float | None
    last4_forecast: float | None
    sql: tuple[str, ...]

    @property
    def pace(self) -> float | None:
        """Actual / forecast over the last four full weeks (None without a forecast)."""
        if self.last4_actual is None or not self.last4_forecast:
            return None
        return self.last4_actual / self.last4_forecast


def output_pace(
    initiative: Initiative, facts: FactsStore, day: dt.date, scope: Scope
) -> OutputPace:
    """Weekly output of the initiative's scope from its start to the last full week, vs forecast.

    Only the initiative's units inside the viewer's scope count (an executive of one region sees
    that region's output); the forecast is the initiative's, for its whole scope, so it is shown
    only to a viewer who sees the whole scope.
    pace = sum(actual) / sum(forecast) over the last four full weeks (ISO weeks, Monday start).
    """
    last_week = last_full_week(day)
    first = week_start(initiative.start)
    label = initiative.title
    units = initiative_unit_ids(initiative)
    seen = units if scope.everything else units & scope.unit_ids
    attribution = unit_attribution(seen, label)
    whole = seen == units
    forecast = {f.week: f.value for f in initiative.forecast.all()} if whole else {}
    if last_week < first or not attribution:
        empty = pd.DataFrame({"week": [], "actual": [], "forecast": []})
        return OutputPace(initiative.output_metric, "", empty, whole, None, None, ())
    result = metric_result([initiative.output_metric], attribution, Grain.WEEK, first,
                           week_end(last_week), facts=facts)
    frame = result.frame
    weeks = pd.to_datetime(frame["period_start"]).dt.date
    weekly = pd.DataFrame({
        "week": weeks,
        "actual": frame["value"].astype("float64"),
        "forecast": [forecast.get(w) for w in weeks],
    }).reset_index(drop=True)
    recent = weekly[weekly["week"] > last_week - dt.timedelta(weeks=4)]
    has_forecast = recent["forecast"].notna()
    return OutputPace(
        initiative.output_metric,
        result.units.get(initiative.output_metric, ""),
        weekly,
        whole,
        float(recent.loc[has_forecast, "actual"].fillna(0).sum()) if has_forecast.any() else None,
        float(recent.loc[has_forecast, "forecast"].sum()) if has_forecast.any() else None,
        tuple(result.sql.values()),
    )
