"""Charts: every week of the range is shown, zeros included, and forecasts beside actuals."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from m3.charts import output_pace_figure, weekly_activity_figure


def test_weekly_activity_shows_every_week_with_zeros_and_known_types_first() -> None:
    counts = pd.DataFrame({"week": [dt.date(2026, 1, 12)], "type": ["demo"], "activities": [3]})
    figure = json.loads(weekly_activity_figure(counts, "t", dt.date(2026, 1, 5),
                                               dt.date(2026, 1, 19)))
    (bars,) = figure["data"]
    assert bars["name"] == "demo"
    assert bars["x"] == ["2026-01-05", "2026-01-12"] and bars["y"] == [0, 3]


def test_an_empty_range_says_no_activity_was_recorded() -> None:
    empty = pd.DataFrame({"week": [], "type": [], "activities": []})
    figure = json.loads(weekly_activity_figure(empty, "t", dt.date(2026, 1, 5),
                                               dt.date(2026, 1, 12)))
    assert figure["layout"]["annotations"][0]["text"].startswith("No activity")


def test_output_pace_draws_actual_bars_and_the_forecast_line() -> None:
    weekly = pd.DataFrame({"week": [dt.date(2026, 1, 5), dt.date(2026, 1, 12)],
                           "actual": [10.0, None], "forecast": [12.0, 12.0]})
    bars, line = json.loads(output_pace_figure(weekly, "won_revenue", "USD"))["data"]
    assert bars["y"] == [10.0, 0] and line["y"] == [12.0, 12.0]
