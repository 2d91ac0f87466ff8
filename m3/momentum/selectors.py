"""The weekly signals of every unit of an initiative, read point in time (selectors).

For each unit in the initiative's scope (the units chosen and every unit below them) and each
ISO week from HISTORY_WEEKS before the start to the last week that ended by the as-of date:

- lever attainment = Σ_asks lever value / Σ_asks target, the target being the ask's target per
  rep per week × the reps counted that week (membership share, `measure/compile.py`); None for
  every week when the unit never recorded any lever (the asks are not measured there);
- output = the initiative's output metric that week;
- forecast = the unit's own forecast that week when the initiative gives it one
  (`UnitForecastPoint`); else the forecast of the nearest unit above it that has one × the
  unit's share of that unit's output over the HISTORY_WEEKS before the start; else the
  initiative's forecast that week × the unit's share, where the share is the unit's output
  over the HISTORY_WEEKS before the start divided by that of the initiative's units (shares by
  headcount when there was no output before the start); None before the start;
- morale = the mean answer to the confidence and energy questions of the unit's reps (members
  that week, units below included);
- deals = deals won and closed (`deals_won`, `deals_closed`), the value won (`won_revenue`)
  and the pipeline created (`pipeline_created`), from the catalogue, for the diagnosis's
  opportunity step (win rate, deal size and pipeline against peers);
- message health = the team's message health on the week's Sunday (`message.health.unit_health`,
  from inputs read once for the whole initiative up to the as-of date); a unit above teams gets
  the mean of its teams' health and parts, weighted by their members.

Only facts dated by the end of each week count (a deal closed later is still open then), and
only pulses of weeks that ended by the as-of date: the same data cut at a date gives the same
signals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from m3.errors import InputError
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.measure.evaluate import metric_result
from m3.measure.metric import Target
from m3.message.health import unit_health
from m3.message.selectors import health_inputs
from m3.momentum.signals import DealSignal, HealthSignal, WeekSignals
from m3.org.models import Membership, Unit
from m3.org.selectors import unit_attribution, unit_ids_with_descendants, unit_tree_read
from m3.pulse.models import PulseResponse
from m3.vocabulary import PulseQuestion
from m3.weeks import WEEK, Grain, week_end, week_start

HISTORY_WEEKS = 12
DEAL_METRICS = {"won": "deals_won", "closed": "deals_closed", "won_value": "won_revenue",
                "pipeline": "pipeline_created"}
MORALE_QUESTIONS = (PulseQuestion.CONFIDENCE, PulseQuestion.ENERGY)
HealthLookup = Callable[[int, dt.date], HealthSignal]


@dataclass(frozen=True)
class UnitSignals:
    """One unit's weekly signals: HISTORY_WEEKS before the start (or fewer), then the rest."""

    unit_id: int
    name: str
    path: tuple[str, ...]  # from the root down to the unit
    depth: int
    is_team: bool  # has members of its own
    history: tuple[WeekSignals, ...]
    first_initiative_week: int  # index in `history` of the initiative's first week
    # The unit's forecast for each week after `history`, in week order (as `forecast` above).
    forecast_ahead: tuple[tuple[dt.date, float], ...] = ()

    @property
    def since_start(self) -> tuple[WeekSignals, ...]:
        """The initiative's weeks only."""
        return self.history[self.first_initiative_week:]


def last_counted_week(as_of: dt.date) -> dt.date:
    """The Monday of the last ISO week that ended on or before `as_of`."""
    return week_start(as_of - dt.timedelta(days=6))


def as_of_check(initiative: Initiative, as_of: dt.date, today: dt.date) -> None:
    """Refuse an as-of date before the initiative's start or after today."""
    if as_of < initiative.start:
        raise InputError(f"--as-of {as_of} is before {initiative.title} started "
                         f"({initiative.start}): choose a date from then on.")
    if as_of > today:
        raise InputError(f"--as-of {as_of} is after today ({today}): M3 knows only what has "
                         "happened.")
    first_sunday = week_end(initiative.start)
    if as_of < first_sunday:
        raise InputError(f"No week of {initiative.title} has ended by {as_of}: momentum is read "
                         f"from whole weeks; use --as-of {first_sunday} or later.")


def as_of_or_today(initiative: Initiative, as_of: dt.date | None, today: dt.date) -> dt.date:
    """The as-of date asked for (default today), checked by `as_of_check`."""
    day = as_of or today
    as_of_check(initiative, day, today)
    return day


def _paths(unit_ids: frozenset[int]) -> dict[int, tuple[str, ...]]:
    rows = {pk: (name, parent) for pk, name, parent in
            Unit.objects.values_list("pk", "name", "parent_id")}
    out: dict[int, tuple[str, ...]] = {}
    for pk in unit_ids:
        chain: list[str] = []
        current: int | None = pk
        while current is not None and current in rows and len(chain) < 100:
            chain.append(rows[current][0])
            current = rows[current][1]
        out[pk] = tuple(reversed(chain))
    return out


def _morale(initiative: Initiative, unit_trees: dict[int, frozenset[int]], weeks: list[dt.date],
            ) -> dict[tuple[int, dt.date], float]:
    """Mean morale answer per (unit, week), by the answering rep's membership that week."""
    answers = list(PulseResponse.objects.filter(
        initiative=initiative, question__in=list(MORALE_QUESTIONS), week__gte=weeks[0],
        week__lte=weeks[-1]).values_list("person_id", "week", "score"))
    if not answers:
        return {}
    spans = defaultdict(list)
    for person_id, unit_id, start, end in Membership.objects.filter(
            person_id__in={a[0] for a in answers}).values_list("person_id", "unit_id", "start",
                                                               "end"):
        spans[person_id].append((unit_id, start, end))
    sums: dict[tuple[int, dt.date], list[float]] = defaultdict(list)
    for person_id, week, score in answers:
        day = week_end(week)
        home = next((u for u, s, e in spans[person_id] if s <= day and (e is None or day < e)),
                    None)
        if home is None:
            continue
        for unit_id, tree in unit_trees.items():
            if home in tree:
                sums[(unit_id, week)].append(float(score))
    return {key: float(np.mean(v)) for key, v in sums.items()}


def message_health_lookup(initiative: Initiative, as_of: dt.date) -> HealthLookup:
    """Message health per (unit, week) up to `as_of`, read once (see the module docstring)."""
    inputs = health_inputs(initiative, as_of, since=initiative.start)
    tree = unit_tree_read()
    cache: dict[tuple[int, dt.date], tuple[HealthSignal, int]] = {}

    def team(unit_id: int, day: dt.date) -> tuple[HealthSignal, int]:
        if (unit_id, day) not in cache:
            row = unit_health(inputs, unit_id, day)
            cache[(unit_id, day)] = (HealthSignal(None), 0) if row is None else (HealthSignal(
                row.health, row.parts.clarity, row.parts.frequency, row.parts.consistency,
                row.parts.comprehension), len(row.members))
        return cache[(unit_id, day)]

    def lookup(unit_id: int, week: dt.date) -> HealthSignal:
        day = min(week_end(week), as_of)
        rows = [team(u, day) for u in tree.with_descendants([unit_id])]
        rows = [(h, n) for h, n in rows if h.health is not None and n]
        if not rows:
            return HealthSignal(None)
        total = sum(n for _, n in rows)

        def mean(name: str) -> float | None:
            known = [(getattr(h, name), n) for h, n in rows if getattr(h, name) is not None]
            weight = sum(n for _, n in known)
            return sum(v * n for v, n in known) / weight if weight else None

        return HealthSignal(sum((h.health or 0.0) * n for h, n in rows) / total,
                            mean("clarity"), mean("frequency"), mean("consistency"),
                            mean("comprehension"))

    return lookup


def initiative_signals(initiative: Initiative, facts: FactsStore, as_of: dt.date,
                       health: HealthLookup | None = None) -> list[UnitSignals]:
    """Every unit's weekly signals up to `as_of` (see the module docstring)."""
    last = last_counted_week(as_of)
    first = week_start(initiative.start) - HISTORY_WEEKS * WEEK
    if last < week_start(initiative.start):
        return []
    weeks = [first + i * WEEK for i in range((last - first) // WEEK + 1)]
    unit_ids = initiative_unit_ids(initiative)
    trees = {pk: unit_ids_with_descendants([pk]) for pk in unit_ids}
    attribution = [a for pk in unit_ids for a in unit_attribution(trees[pk], f"unit:{pk}")]
    asks = list(initiative.asks.filter(target_per_rep_per_week__gt=0))
    levers = list(dict.fromkeys(a.lever_metric for a in asks))
    targets = {a.lever_metric: Target(a.target_per_rep_per_week, per_rep=True, per=Grain.WEEK)
               for a in asks}
    names = list(dict.fromkeys([*levers, initiative.output_metric, *DEAL_METRICS.values()]))
    frame = pd.DataFrame(columns=["node", "period_start", "metric", "value", "target"])
    if attribution:
        frame = metric_result(names, attribution, Grain.WEEK, first, week_end(last),
                              facts=facts, targets=targets).frame
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    cells: dict[tuple[str, dt.date, str], tuple[float, float]] = {
        (str(node), week, str(metric)): (float(value), float(target))
        for node, week, metric, value, target in zip(
            frame["node"], frame["period_start"], frame["metric"],
            frame["value"].astype("float64"), frame["target"].astype("float64"), strict=True)}
    missing = (np.nan, np.nan)
    start_week = week_start(initiative.start)
    forecast = {f.week: f.value for f in initiative.forecast.all()}
    members = defaultdict(set)
    for person_id, unit_id in Membership.objects.filter(unit_id__in=unit_ids).values_list(
            "person_id", "unit_id"):
        members[unit_id].add(person_id)

    def output(pk: int, week: dt.date, metric: str = initiative.output_metric) -> float | None:
        value = cells.get((f"unit:{pk}", week, metric), missing)[0]
        return None if np.isnan(value) else value

    chosen = set(initiative.units.values_list("pk", flat=True))
    pre = [w for w in weeks if w < start_week]
    baseline = {pk: sum(output(pk, w) or 0.0 for w in pre) for pk in unit_ids}
    heads = {pk: len(set().union(*(members[u] for u in trees[pk]))) for pk in unit_ids}
    whole_base = sum(baseline[pk] for pk in chosen)
    whole_heads = sum(heads[pk] for pk in chosen) or 1

    def share(pk: int) -> float:
        return baseline[pk] / whole_base if whole_base > 0 else heads[pk] / whole_heads

    own: dict[int, dict[dt.date, float]] = defaultdict(dict)
    for unit_id, week, value in initiative.unit_forecast.values_list("unit_id", "week", "value"):
        own[unit_id][week] = value
    tree = unit_tree_read() if own else None

    def unit_forecast(pk: int) -> dict[dt.date, float]:
        # Its own; else a share of the nearest forecast above it (a unit's, or the scope's).
        above = next((u for u in tree.chain(pk) if u in own and u in unit_ids),
                     None) if tree else None
        if above is None:
            return {week: value * share(pk) for week, value in forecast.items()}
        part = (baseline[pk] / baseline[above] if baseline[above] > 0
                else heads[pk] / (heads[above] or 1))
        return {week: value * part for week, value in own[above].items()}

    morale = _morale(initiative, trees, weeks)
    paths = _paths(unit_ids)
    out = []
    for pk in unit_ids:
        forecasts = unit_forecast(pk)
        measured = any(cells.get((f"unit:{pk}", w, m), missing)[0] > 0
                       for w in weeks for m in levers)
        history = []
        for week in weeks:
            attainment = None
            if measured:
                pairs = [cells.get((f"unit:{pk}", week, m), missing) for m in levers]
                value = sum(0.0 if np.isnan(v) else v for v, _ in pairs)
                target = sum(0.0 if np.isnan(t) else t for _, t in pairs)
                attainment = value / target if target > 0 else None
            history.append(WeekSignals(
                week=week, lever_attainment=attainment, output=output(pk, week),
                forecast=forecasts.get(week) if week >= start_week else None,
                morale=morale.get((pk, week)),
                health=health(pk, week) if health and week >= start_week else HealthSignal(None),
                deals=DealSignal(**{k: output(pk, week, m) for k, m in DEAL_METRICS.items()}),
            ))
        path = paths[pk]
        ahead = tuple(sorted((w, v) for w, v in forecasts.items() if w > last))
        out.append(UnitSignals(pk, path[-1] if path else str(pk), path, len(path) - 1,
                               bool(members[pk]), tuple(history), len(pre), ahead))
    return sorted(out, key=lambda u: u.path)
