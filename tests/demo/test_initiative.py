"""The initiative: a clear canonical message, its asks and cadence, a forecast from history."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from m3.demo.initiative import FORECAST_LAG_WEEKS, initiative_generate
from m3.demo.organisation import organisation_generate
from m3.demo.story import Story, story_generate
from m3.demo.timeline import timeline_until
from m3.message.clarity import message_clarity
from m3.message.text import CanonicalMessage

TODAY = dt.date(2026, 3, 4)  # a Wednesday


def test_the_canonical_message_is_clear() -> None:
    spec = story_generate(reps=12, weeks=8, today=TODAY).initiative
    message = CanonicalMessage(spec.why, spec.how, spec.what, spec.key_points)
    assert message_clarity(message).score >= 80


def test_the_initiative_has_key_points_asks_cadence_and_a_rising_forecast(story: Story) -> None:
    spec = story.initiative
    assert len(spec.key_points) == 4
    assert {a.lever_metric: a.target_per_rep_per_week for a in spec.asks} == {
        "meetings": 5, "demos": 2, "proposals": 1}
    assert {c.kind for c in spec.cadence} == {"deliver", "reinforce", "redeliver"}
    values = [v for _, v in spec.forecast]
    assert spec.forecast[0][0] == story.start and all(w.weekday() == 0 for w, _ in spec.forecast)
    assert values[-1] > values[0] > 0


def test_the_forecast_is_the_pre_rollout_won_revenue_per_rep_week_lifted_after_a_lag() -> None:
    cal = timeline_until(TODAY, 8)
    org = organisation_generate(np.random.default_rng(1), 12, cal)
    day = pd.Timestamp(cal.history_start) + pd.Timedelta(days=3)
    opportunities = pd.DataFrame({
        # Won in the history, lost, won before the history, won at the rollout, still open.
        "won": pd.array([True, False, True, True, pd.NA], dtype="boolean"),
        "closed_at": [day, day, day - pd.Timedelta(days=7), pd.Timestamp(cal.start), pd.NaT],
        "amount": [144_000.0, 50_000.0, 30_000.0, 20_000.0, 10_000.0],
    })
    spec = initiative_generate(org, cal, 8, opportunities)
    # 144,000 won over 12 reps x 12 weeks = 1,000 per rep-week, times the 12 reps at the rollout.
    values = [v for _, v in spec.forecast]
    assert len(values) == 52 and spec.end == cal.start + dt.timedelta(weeks=52)
    assert values[:FORECAST_LAG_WEEKS + 1] == [12_000.0] * (FORECAST_LAG_WEEKS + 1)
    assert values[FORECAST_LAG_WEEKS + 1] == round(12_000 * (1 + 0.2 * (1 - np.exp(-1 / 4))), -2)
    assert values[-1] == 14_400.0  # the full 20% uplift
    assert spec.owner == org.executive and spec.units == ("Atlas Systems",)
