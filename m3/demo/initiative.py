"""The initiative: its canonical message, the asks of every rep, its forecast and cadence plan.

`initiative_generate` rolls "Lead with value: ROI-led discovery" out to the whole company; its
forecast is the pre-rollout weekly won revenue lifted by FORECAST_UPLIFT once the levers have had
time to close deals. The touchpoints and restatements paraphrase its key points, in that order.

Cadence kinds and leader kinds come from `m3.vocabulary`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from m3.demo.organisation import COMPANY, Organisation
from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, Timeline
from m3.vocabulary import CadenceKind, LeadershipKind


@dataclass(frozen=True)
class AskSpec:
    """A behaviour asked of every rep, its lever metric and weekly target per rep."""

    behaviour: str
    lever_metric: str
    target_per_rep_per_week: float


@dataclass(frozen=True)
class CadenceSpec:
    """A cadence step: deliver by `due`, or redeliver / reinforce every `every_days`."""

    kind: str  # deliver, redeliver, reinforce
    leader_kinds: tuple[str, ...]
    due: dt.date | None = None
    every_days: int | None = None


@dataclass(frozen=True)
class InitiativeSpec:
    """The initiative rolled out to the whole company."""

    title: str
    owner: int
    units: tuple[str, ...]
    start: dt.date
    end: dt.date
    why: str
    how: str
    what: str
    key_points: tuple[str, ...]
    asks: tuple[AskSpec, ...]
    output_metric: str
    forecast: tuple[tuple[dt.date, float], ...]
    cadence: tuple[CadenceSpec, ...]


TITLE = "Lead with value: ROI-led discovery"
WHY = (
    "Customers buy when they see the value in their own numbers. Our deals stall when we lead "
    "with features, and we lose on price when price is the only number on the table."
)
HOW = (
    "Every rep runs discovery around what the problem costs the customer, builds the ROI case "
    "with them, demos only what moves their numbers and proposes on those figures."
)
WHAT = (
    "Each week, each rep holds five discovery meetings, runs two ROI-led demos and sends one "
    "proposal built on the customer's ROI figures."
)
KEY_POINTS = (
    "Open discovery by asking what the problem costs the customer today.",
    "Build the ROI case with the customer in the ROI calculator before any demo.",
    "Demo only the features that move the customer's numbers.",
    "Send a proposal built on the customer's own ROI figures within a week of the demo.",
)
ASKS = (
    AskSpec("Hold discovery meetings that start with what the problem costs", "meetings", 5),
    AskSpec("Run ROI-led demos with qualified prospects", "demos", 2),
    AskSpec("Send proposals that quote the customer's ROI figures", "proposals", 1),
)
# Forecast: the pre-rollout weekly won revenue, lifted by this much once the levers have had
# time to turn into closed deals.
FORECAST_UPLIFT = 0.2
FORECAST_LAG_WEEKS = 3


def initiative_generate(
    org: Organisation, cal: Timeline, weeks: int, opportunities: pd.DataFrame
) -> InitiativeSpec:
    """The initiative, with a forecast lifted from the pre-rollout won revenue."""
    end = cal.start + dt.timedelta(weeks=max(52, weeks + 13))
    # The forecast a leader would make: recent weekly won revenue per rep, times the reps in
    # scope, lifted by FORECAST_UPLIFT once the levers have had time to close deals.
    won = opportunities[opportunities["won"].fillna(False).astype(bool)]
    pre = won[(won["closed_at"] >= pd.Timestamp(cal.history_start))
              & (won["closed_at"] < pd.Timestamp(cal.start))]
    rollout = BURN_IN_WEEKS + PRE_WEEKS
    rep_weeks = max(1, int((org.team_of[:, rollout - PRE_WEEKS:rollout] >= 0).sum()))
    per_rep_week = float(pre["amount"].sum()) / rep_weeks
    reps_at_start = int((org.team_of[:, rollout] >= 0).sum())
    n_weeks = (end - cal.start).days // 7
    since = np.arange(n_weeks)
    ramp = 1 - np.exp(-np.maximum(since - FORECAST_LAG_WEEKS, 0) / 4)
    values = np.round(per_rep_week * reps_at_start * (1 + FORECAST_UPLIFT * ramp), -2)
    forecast = tuple(
        (cal.start + dt.timedelta(weeks=int(w)), float(v)) for w, v in zip(since, values,
                                                                          strict=True)
    )
    return InitiativeSpec(
        title=TITLE,
        owner=org.executive,
        units=(COMPANY,),
        start=cal.start,
        end=end,
        why=WHY,
        how=HOW,
        what=WHAT,
        key_points=KEY_POINTS,
        asks=ASKS,
        output_metric="won_revenue",
        forecast=forecast,
        cadence=(
            CadenceSpec(CadenceKind.DELIVER, (LeadershipKind.MANAGER,),
                        due=cal.start + dt.timedelta(days=7)),
            CadenceSpec(CadenceKind.REINFORCE, (LeadershipKind.MANAGER,), every_days=14),
            CadenceSpec(CadenceKind.REDELIVER, (LeadershipKind.DIRECTOR,), every_days=28),
        ),
    )
