"""Ask boards: an initiative's asks (lever metrics with a weekly target per rep) measured for the
viewer's people or teams, for the last full week and the last four.

attainment = value / target, where target = the ask's target per rep per week × the number of
reps counted in the row's period (a rep who joined mid-week counts pro rata, see
`measure/compile.py`); None when the target is 0 or a value is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from m3.attribution import Attribution
from m3.facts.store import FactsStore
from m3.initiatives.selectors import initiatives_visible
from m3.measure.evaluate import metric_result
from m3.measure.metric import Target
from m3.org.models import Membership, Person, Unit
from m3.org.scope import Scope
from m3.org.selectors import (
    active_on,
    members_of_units_on,
    person_attribution_seen,
    unit_tree_attribution,
)
from m3.vocabulary import Role
from m3.weeks import Grain, last_full_week, week_end


@dataclass(frozen=True)
class AskCell:
    """One ask's lever value against its target for one row over some weeks."""

    value: float | None
    target: float | None

    @property
    def attainment(self) -> float | None:
        """value / target (None when either is missing or the target is 0)."""
        if self.value is None or not self.target:
            return None
        return self.value / self.target


@dataclass(frozen=True)
class AskRow:
    """A person or a team: the last full week and the last four weeks, per ask."""

    label: str
    person_id: int | None
    unit_id: int | None
    last_week: tuple[AskCell, ...]
    four_weeks: tuple[AskCell, ...]


@dataclass(frozen=True)
class AskBoard:
    """An initiative's asks measured for the viewer's people or teams (levers vs targets)."""

    initiative_id: int
    title: str
    asks: tuple[tuple[str, str, float], ...]  # behaviour, lever metric, target per rep per week
    last_week: dt.date
    rows: tuple[AskRow, ...]

    @property
    def first_week(self) -> dt.date:
        """The Monday of the first of the four weeks shown."""
        return self.last_week - dt.timedelta(weeks=ASK_TREND_WEEKS - 1)

    @property
    def last_day(self) -> dt.date:
        """The Sunday that ends the last full week."""
        return week_end(self.last_week)


ASK_TREND_WEEKS = 4


@dataclass(frozen=True)
class AskRowSpec:
    """One row of an ask board before evaluation: a unique node key, its label and who counts."""

    key: str  # "person:<id>" or "unit:<id>": unique even when two people share a name
    label: str
    person_id: int | None
    unit_id: int | None
    attribution: tuple[Attribution, ...]


def _ask_rows(scope: Scope, day: dt.date) -> list[AskRowSpec]:
    """Who the viewer's ask board has rows for: themself (rep), their reps (one team) or teams.

    A person's facts count only while they belonged to a unit the viewer leads (a rep's own row
    and an admin's rows count all of them).
    """
    def person_row(person_id: int, label: str) -> AskRowSpec:
        key = f"person:{person_id}"
        person = Person.objects.get(pk=person_id)
        seen = person_attribution_seen(person, scope.unit_ids, node=key,
                                       whole_history=scope.sees_whole_history(person_id))
        return AskRowSpec(key, label, person_id, None, tuple(seen))

    if scope.role is Role.REP and scope.person_id is not None:
        return [person_row(scope.person_id, "You")]
    team_ids = set(Membership.objects.filter(active_on(day)).values_list("unit_id", flat=True))
    if not scope.everything:
        team_ids &= scope.unit_ids
    teams = list(Unit.objects.filter(pk__in=team_ids).order_by("name"))
    if len(teams) == 1:
        members = members_of_units_on([teams[0].pk], day).filter(role=Role.REP)
        return [person_row(p.pk, p.name) for p in members]
    return [AskRowSpec(f"unit:{t.pk}", t.name, None, t.pk,
                       tuple(unit_tree_attribution(t, f"unit:{t.pk}"))) for t in teams]


def ask_boards(scope: Scope, facts: FactsStore, day: dt.date) -> list[AskBoard]:
    """Levers vs targets for every initiative in scope that is running and has asks."""
    last_week = last_full_week(day)
    first_week = last_week - dt.timedelta(weeks=ASK_TREND_WEEKS - 1)
    rows_spec = _ask_rows(scope, day)
    boards = []
    for initiative in initiatives_visible(scope, day).filter(start__lte=day, end__gte=first_week):
        asks = [(a.behaviour, a.lever_metric, a.target_per_rep_per_week)
                for a in initiative.asks.all()]
        if not asks or not rows_spec:
            continue
        metrics = list(dict.fromkeys(metric for _, metric, _ in asks))
        targets = {m: Target(t, per_rep=True, per=Grain.WEEK) for _, m, t in asks}
        attribution = [a for spec in rows_spec for a in spec.attribution]
        if not attribution:
            continue
        frame = metric_result(metrics, attribution, Grain.WEEK, first_week,
                              week_end(last_week), facts=facts,
                              targets=targets).frame
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
        rows = []
        for spec in rows_spec:
            mine = frame[frame["node"] == spec.key]
            last, trend = [], []
            for _, metric, _ in asks:
                series = mine[mine["metric"] == metric]
                latest = series[series["period_start"] == last_week]
                last.append(_cell(latest["value"].sum(min_count=1), latest["target"].sum()))
                trend.append(_cell(series["value"].sum(min_count=1), series["target"].sum()))
            rows.append(AskRow(spec.label, spec.person_id, spec.unit_id, tuple(last),
                               tuple(trend)))
        boards.append(AskBoard(initiative.pk, initiative.title, tuple(asks), last_week,
                               tuple(rows)))
    return boards


def _cell(value: float, target: float) -> AskCell:
    return AskCell(None if pd.isna(value) else float(value),
                   None if pd.isna(target) or target == 0 else float(target))
