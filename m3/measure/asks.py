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
from m3.org.models import Membership, Unit
from m3.org.scope import Scope
from m3.org.selectors import (
    active_on,
    members_of_units_on,
    people_attribution_seen,
    units_tree_attribution,
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
    and an admin's rows count all of them). The org is read set-wise: one tree read and one
    membership read, however many rows.
    """
    def people_rows(people: list[tuple[int, str]]) -> list[AskRowSpec]:
        whole = {pid for pid, _ in people if scope.sees_whole_history(pid)}
        nodes = [(pid, f"person:{pid}") for pid, _ in people]
        seen = people_attribution_seen(nodes, scope.unit_ids, whole)
        return [AskRowSpec(node, label, pid, None,
                           tuple(a for a in seen if a.node == node))
                for (pid, node), (_, label) in zip(nodes, people, strict=True)]

    if scope.role is Role.REP and scope.person_id is not None:
        return people_rows([(scope.person_id, "You")])
    team_ids = set(Membership.objects.filter(active_on(day)).values_list("unit_id", flat=True))
    if not scope.everything:
        team_ids &= scope.unit_ids
    teams = list(Unit.objects.filter(pk__in=team_ids).order_by("name").values_list("pk", "name"))
    if len(teams) == 1:
        members = members_of_units_on([teams[0][0]], day).filter(role=Role.REP)
        return people_rows(list(members.values_list("pk", "name")))
    attribution = units_tree_attribution((pk, f"unit:{pk}") for pk, _ in teams)
    by_node: dict[str, list[Attribution]] = {}
    for a in attribution:
        by_node.setdefault(a.node, []).append(a)
    return [AskRowSpec(f"unit:{pk}", name, None, pk, tuple(by_node.get(f"unit:{pk}", ())))
            for pk, name in teams]


def ask_boards(scope: Scope, facts: FactsStore, day: dt.date) -> list[AskBoard]:
    """Levers vs targets for every initiative in scope that is running and has asks."""
    last_week = last_full_week(day)
    first_week = last_week - dt.timedelta(weeks=ASK_TREND_WEEKS - 1)
    rows_spec = _ask_rows(scope, day)
    boards = []
    running = initiatives_visible(scope, day).filter(start__lte=day, end__gte=first_week)
    for initiative in running.prefetch_related("asks"):
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
        latest = pd.to_datetime(frame["period_start"]).dt.date == last_week
        # Two group-bys for the whole board, not a filter per row and ask.
        trend = _sums(frame)
        last = _sums(frame[latest])
        rows = []
        for spec in rows_spec:
            rows.append(AskRow(
                spec.label, spec.person_id, spec.unit_id,
                tuple(_cell(*last.get((spec.key, m), (NAN, NAN))) for _, m, _ in asks),
                tuple(_cell(*trend.get((spec.key, m), (NAN, NAN))) for _, m, _ in asks)))
        boards.append(AskBoard(initiative.pk, initiative.title, tuple(asks), last_week,
                               tuple(rows)))
    return boards


NAN = float("nan")


def _sums(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
    """(node, metric) → (sum of values, NaN when all are missing; sum of targets)."""
    grouped = frame.groupby(["node", "metric"], sort=False)
    values, targets = grouped["value"].sum(min_count=1), grouped["target"].sum()
    return dict(zip(values.index, zip(values.tolist(), targets.tolist(), strict=True),
                    strict=True))


def _cell(value: float, target: float) -> AskCell:
    return AskCell(None if pd.isna(value) else float(value),
                   None if pd.isna(target) or target == 0 else float(target))
