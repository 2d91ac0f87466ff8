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
from m3.org.selectors import (
    Span,
    active_on,
    members_of_units_on,
    person_spans_seen,
    unit_spans,
)

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
    spans: list[Span] | None
    if scope.everything:
        spans = None
    elif scope.role is Role.REP and scope.person_id is not None:
        spans = [Span(scope.person_id)]
    else:
        spans = unit_spans(scope.unit_ids)
    activity = activity_counts_by_week(facts, spans, since, until)
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
    from m3.measure.evaluate import unit_attribution

    def person_row(person_id: int, label: str) -> AskRowSpec:
        key = f"person:{person_id}"
        person = Person.objects.get(pk=person_id)
        spans = person_spans_seen(person, scope.unit_ids,
                                  whole_history=scope.sees_whole_history(person_id))
        return AskRowSpec(key, label, person_id, None,
                          tuple(Attribution(key, s.rep_id, s.start, s.end) for s in spans))

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
                       tuple(unit_attribution(t, f"unit:{t.pk}"))) for t in teams]


def ask_boards(scope: Scope, facts: FactsStore, day: dt.date) -> list[AskBoard]:
    """Levers vs targets for every initiative in scope that is running and has asks."""
    from m3.initiatives.selectors import initiatives_visible
    from m3.measure.catalogue import Grain, Target
    from m3.measure.evaluate import metric_result

    last_week = week_start(day) - dt.timedelta(days=7)
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
                              last_week + dt.timedelta(days=6), facts=facts,
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
    from m3.initiatives.selectors import initiative_unit_ids
    from m3.measure.catalogue import Grain
    from m3.measure.evaluate import metric_result

    last_week = week_start(day) - dt.timedelta(days=7)
    first = week_start(initiative.start)
    label = initiative.title
    units = initiative_unit_ids(initiative)
    seen = units if scope.everything else units & scope.unit_ids
    rows = Membership.objects.filter(unit_id__in=seen).values_list("person_id", "start", "end")
    attribution = [Attribution(label, pid, start, end) for pid, start, end in rows]
    whole = seen == units
    forecast = {f.week: f.value for f in initiative.forecast.all()} if whole else {}
    if last_week < first or not attribution:
        empty = pd.DataFrame({"week": [], "actual": [], "forecast": []})
        return OutputPace(initiative.output_metric, "", empty, whole, None, None, ())
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
        whole,
        float(recent.loc[has_forecast, "actual"].fillna(0).sum()) if has_forecast.any() else None,
        float(recent.loc[has_forecast, "forecast"].sum()) if has_forecast.any() else None,
        tuple(result.sql.values()),
    )
