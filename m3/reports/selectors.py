"""What each role's overview shows: scope, units, people and recent activity, as plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from m3.facts.selectors import activity_counts_by_week
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.measure.compile import Attribution
from m3.org.models import Membership, Person, Role, Unit
from m3.org.scope import Scope
from m3.org.selectors import active_on, members_of_units_on

OVERVIEW_WEEKS = 12


@dataclass(frozen=True)
class Overview:
    """A viewer's home page: their units, their people and activity over recent weeks."""

    units: tuple[Unit, ...]
    people: tuple[Person, ...]
    activity: pd.DataFrame
    since: dt.date
    until: dt.date


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def recent_weeks(day: dt.date, weeks: int = OVERVIEW_WEEKS) -> tuple[dt.date, dt.date]:
    """The `weeks` whole ISO weeks ending with `day`'s week: (first Monday, next week's Monday)."""
    until = week_start(day) + dt.timedelta(days=7)
    return until - dt.timedelta(weeks=weeks), until


def overview_for(scope: Scope, facts: FactsStore, day: dt.date) -> Overview:
    """The overview of everything in `scope` on `day`, with the last 12 weeks of activity."""
    if scope.everything:
        units = tuple(Unit.objects.filter(parent__isnull=True))
        people = tuple(Person.objects.filter(active=True))
    else:
        units = tuple(
            u for u in Unit.objects.filter(pk__in=scope.unit_ids)
            if u.parent_id not in scope.unit_ids
        )
        people = tuple(Person.objects.filter(pk__in=scope.person_ids))
    since, until = recent_weeks(day)
    activity = activity_counts_by_week(facts, [p.pk for p in people], since, until)
    return Overview(units, people, activity, since, until)


def unit_people_on(unit_ids: frozenset[int], day: dt.date) -> tuple[Person, ...]:
    """The members of the units on `day`."""
    return tuple(members_of_units_on(unit_ids, day))


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
        return self.last_week + dt.timedelta(days=6)


ASK_TREND_WEEKS = 4


def _ask_rows_attribution(scope: Scope, day: dt.date) -> list[tuple[str, int | None, int | None,
                                                                     list[Attribution]]]:
    """Who the viewer's ask board has rows for: themself (rep), their reps (one team) or teams."""
    from m3.measure.evaluate import unit_attribution

    if scope.role is Role.REP and scope.person_id is not None:
        return [("You", scope.person_id, None, [Attribution("You", scope.person_id)])]
    team_ids = set(Membership.objects.filter(active_on(day)).values_list("unit_id", flat=True))
    if not scope.everything:
        team_ids &= scope.unit_ids
    teams = list(Unit.objects.filter(pk__in=team_ids).order_by("name"))
    if len(teams) == 1:
        members = members_of_units_on([teams[0].pk], day).filter(role=Role.REP)
        return [(p.name, p.pk, None, [Attribution(p.name, p.pk)]) for p in members]
    return [(t.name, None, t.pk, unit_attribution(t)) for t in teams]


def ask_boards(scope: Scope, facts: FactsStore, day: dt.date) -> list[AskBoard]:
    """Levers vs targets for every initiative in scope that is running and has asks."""
    from m3.initiatives.selectors import initiatives_visible
    from m3.measure.catalogue import Grain, Target
    from m3.measure.evaluate import metric_result

    last_week = week_start(day) - dt.timedelta(days=7)
    first_week = last_week - dt.timedelta(weeks=ASK_TREND_WEEKS - 1)
    rows_spec = _ask_rows_attribution(scope, day)
    boards = []
    for initiative in initiatives_visible(scope, day).filter(start__lte=day, end__gte=first_week):
        asks = [(a.behaviour, a.lever_metric, a.target_per_rep_per_week)
                for a in initiative.asks.all()]
        if not asks or not rows_spec:
            continue
        metrics = list(dict.fromkeys(metric for _, metric, _ in asks))
        targets = {m: Target(t, per_rep=True, per=Grain.WEEK) for _, m, t in asks}
        attribution = [a for *_, rows in rows_spec for a in rows]
        frame = metric_result(metrics, attribution, Grain.WEEK, first_week,
                              last_week + dt.timedelta(days=6), facts=facts,
                              targets=targets).frame
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
        rows = []
        for label, person_id, unit_id, _ in rows_spec:
            mine = frame[frame["node"] == label]
            last, trend = [], []
            for _, metric, _ in asks:
                series = mine[mine["metric"] == metric]
                latest = series[series["period_start"] == last_week]
                last.append(_cell(latest["value"].sum(min_count=1), latest["target"].sum()))
                trend.append(_cell(series["value"].sum(min_count=1), series["target"].sum()))
            rows.append(AskRow(label, person_id, unit_id, tuple(last), tuple(trend)))
        boards.append(AskBoard(initiative.pk, initiative.title, tuple(asks), last_week,
                               tuple(rows)))
    return boards


def _cell(value: float, target: float) -> AskCell:
    return AskCell(None if pd.isna(value) else float(value),
                   None if pd.isna(target) or target == 0 else float(target))


@dataclass(frozen=True)
class OutputPace:
    """An initiative's output metric per week against its forecast, over its whole scope."""

    metric: str
    unit: str
    weekly: pd.DataFrame  # week, actual, forecast
    last4_actual: float | None
    last4_forecast: float | None
    sql: tuple[str, ...]

    @property
    def pace(self) -> float | None:
        """Actual / forecast over the last four full weeks (None without a forecast)."""
        if self.last4_actual is None or not self.last4_forecast:
            return None
        return self.last4_actual / self.last4_forecast


def output_pace(initiative: Initiative, facts: FactsStore, day: dt.date) -> OutputPace:
    """Weekly output of the initiative's scope from its start to the last full week, vs forecast.

    pace = sum(actual) / sum(forecast) over the last four full weeks (ISO weeks, Monday start).
    """
    from m3.initiatives.selectors import initiative_unit_ids
    from m3.measure.catalogue import Grain
    from m3.measure.evaluate import metric_result

    last_week = week_start(day) - dt.timedelta(days=7)
    first = week_start(initiative.start)
    label = initiative.title
    rows = Membership.objects.filter(unit_id__in=initiative_unit_ids(initiative)).values_list(
        "person_id", "start", "end"
    )
    attribution = [Attribution(label, pid, start, end) for pid, start, end in rows]
    forecast = {f.week: f.value for f in initiative.forecast.all()}
    if last_week < first or not attribution:
        empty = pd.DataFrame({"week": [], "actual": [], "forecast": []})
        return OutputPace(initiative.output_metric, "", empty, None, None, ())
    result = metric_result([initiative.output_metric], attribution, Grain.WEEK, first,
                           last_week + dt.timedelta(days=6), facts=facts)
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
        float(recent.loc[has_forecast, "actual"].fillna(0).sum()) if has_forecast.any() else None,
        float(recent.loc[has_forecast, "forecast"].sum()) if has_forecast.any() else None,
        tuple(result.sql.values()),
    )
