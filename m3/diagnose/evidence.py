"""Where each number of a diagnosis comes from: the evidence page behind every step and figure.

The chain's steps and the unit page's figures link to pages that already show their rows:
lever and output values to the metric explain page (`metric_explain`: the weekly values against
the ask's target, the SQL and, for one week, the fact rows), message health and its parts to
the team's message evidence (`message_unit`; `message_health` for a unit above teams), and the
projection and morale to the weekly signals on the unit's own diagnosis page (`#weeks`), where
the lever model that drives the projection is written out. URLs are built by name, so a moved
page moves its links with it; every link reads the data as it was on the as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import assert_never
from urllib.parse import urlencode

from django.urls import reverse

from m3.diagnose.chain import Step
from m3.initiatives.models import Ask, Initiative
from m3.momentum.report import UnitMomentum, rounded
from m3.momentum.score import WINDOW
from m3.momentum.signals import level, values
from m3.weeks import WEEK

EXPLAIN_MAX_DAYS = 399  # the explain page refuses ranges longer than 400 days


@dataclass(frozen=True)
class Link:
    """A page that shows where a number comes from."""

    label: str
    url: str


@dataclass(frozen=True)
class Figure:
    """One number of a unit's diagnosis, what it measures and where its evidence is.

    kind says how to read the value: `share` (1.0 = on forecast or on target), `score`
    (0..100), `pulse` (1..5), `momentum` (-1..1).
    """

    name: str
    value: float | None
    kind: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class WeekRow:
    """One week of a unit's signals, each value linked to the rows behind it."""

    week: dt.date
    lever_attainment: float | None
    output: float | None
    forecast: float | None
    morale: float | None
    health: float | None
    output_url: str
    levers: tuple[Link, ...]  # each ask's lever metric that week, with its rows


class UnitEvidence:
    """The evidence pages of one unit of an initiative at the as-of date."""

    def __init__(self, initiative: Initiative, asks: list[Ask], unit: UnitMomentum,
                 as_of: dt.date) -> None:
        self.initiative = initiative
        self.asks = asks
        self.unit = unit
        self.as_of = as_of
        weeks = unit.signals.since_start
        self.first = weeks[0].week if weeks else initiative.start
        self.last = weeks[-1].week + dt.timedelta(days=6) if weeks else as_of
        self.window = weeks[-WINDOW:]

    def explain(self, metric: str, start: dt.date, end: dt.date, target: float | None = None,
                period: dt.date | None = None) -> str:
        """The metric explain page of this unit over [start, end] (weeks)."""
        start = max(start, end - dt.timedelta(days=EXPLAIN_MAX_DAYS))
        query = {"metric": metric, "unit": self.unit.signals.unit_id, "grain": "week",
                 "from": start.isoformat(), "to": end.isoformat()}
        if target is not None:
            query["target"] = f"{target:g}"
        if period is not None:
            query["period"] = period.isoformat()
        return f"{reverse('metric_explain')}?{urlencode(query)}"

    def output_rows(self) -> str:
        """The output metric, week by week since the start."""
        return self.explain(self.initiative.output_metric, self.first, self.last)

    def lever_links(self) -> tuple[Link, ...]:
        """Each ask's lever metric against its target over the chain's window."""
        start = self.window[0].week if self.window else self.first
        return tuple(Link(f"{a.lever_metric} (≥ {a.target_per_rep_per_week:g}/rep/week)",
                          self.explain(a.lever_metric, start, self.last,
                                       a.target_per_rep_per_week))
                     for a in self.asks)

    def message(self) -> str:
        """The team's message evidence (a unit above teams: the initiative's message page)."""
        query = f"?week={self.as_of.isoformat()}"
        if self.unit.signals.is_team:
            return reverse("message_unit", args=[self.initiative.pk,
                                                 self.unit.signals.unit_id]) + query
        return reverse("message_health", args=[self.initiative.pk]) + query

    def page(self, anchor: str) -> str:
        """A section of this unit's own diagnosis page, at the same as-of date."""
        return (reverse("diagnosis_unit", args=[self.initiative.pk, self.unit.signals.unit_id])
                + f"?as_of={self.as_of.isoformat()}#{anchor}")

    def step_url(self, step: Step) -> str:
        """The page that shows what one step of the chain found."""
        if step is Step.REPORTING or step is Step.LEVERS:
            levers = self.lever_links()
            return levers[0].url if levers else reverse("initiative_detail",
                                                        args=[self.initiative.pk])
        if step is Step.OUTPUT:
            return self.output_rows()
        if step is Step.MESSAGE:
            return self.message()
        if step is Step.MORALE:
            return self.page("weeks")
        if step is Step.OPPORTUNITY:
            # The deals the opportunity step compares with like units: won and lost, week by week.
            return self.explain("win_rate", self.first, self.last)
        assert_never(step)

    def figures(self) -> tuple[Figure, ...]:
        """The unit's numbers, each with the pages its evidence is on."""
        p, w = self.unit.projection, self.window
        weekly = Link("weekly signals", self.page("weeks"))
        model = Link("lever model and weekly signals", self.page("weeks"))
        message = Link("message evidence", self.message())
        out = [
            Figure("Output to date vs forecast", rounded(p.to_date), "share",
                   (Link(f"{self.initiative.output_metric} by week", self.output_rows()),
                    weekly)),
            Figure("Projected vs forecast, to the end", rounded(p.projected), "share", (model,)),
            Figure(f"Near term: where today's levers lead (next {WINDOW} weeks)",
                   rounded(p.near_term), "share", (model,)),
            Figure(f"Lever attainment, last {len(w)} weeks",
                   rounded(level(values(w, "lever_attainment"))), "share", self.lever_links()),
            Figure(f"Message health, last {len(w)} weeks", rounded(level(values(w, "health"))),
                   "score", (message,)),
        ]
        out += [Figure(f"· {part}", rounded(level(values(w, part))), "score", (message,))
                for part in ("clarity", "frequency", "consistency", "comprehension")]
        out += [
            Figure(f"Morale (confidence and energy), last {len(w)} weeks",
                   rounded(level(values(w, "morale"))), "pulse", (weekly,)),
            Figure("Momentum score", rounded(self.unit.momentum.score), "momentum",
                   (Link("momentum parts", self.page("momentum")),)),
        ]
        return tuple(out)

    def weeks(self) -> tuple[WeekRow, ...]:
        """The unit's signals week by week since the start, newest first."""
        rows = []
        for s in reversed(self.unit.signals.since_start):
            end = s.week + WEEK - dt.timedelta(days=1)
            rows.append(WeekRow(
                s.week, rounded(s.lever_attainment), rounded(s.output), rounded(s.forecast),
                rounded(s.morale), rounded(s.health.health),
                self.explain(self.initiative.output_metric, s.week, end, period=s.week),
                tuple(Link(a.lever_metric, self.explain(a.lever_metric, s.week, end,
                                                        a.target_per_rep_per_week, s.week))
                      for a in self.asks)))
        return tuple(rows)
