"""Writes for initiatives: create or update one with its key points, asks, forecast and cadence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from m3.errors import InputError
from m3.initiatives.models import (
    Ask,
    CadenceStep,
    ForecastPoint,
    Initiative,
    KeyPoint,
    UnitForecastPoint,
)
from m3.jobs.services import state_refresh_enqueue
from m3.org.models import Person, Unit
from m3.org.selectors import unit_ids_with_descendants
from m3.vocabulary import CadenceKind, LeadershipKind

MIN_KEY_POINTS, MAX_KEY_POINTS = 3, 5


@dataclass(frozen=True)
class AskInput:
    """A behaviour asked of reps, its lever metric and weekly target per rep."""

    behaviour: str
    lever_metric: str
    target_per_rep_per_week: float


@dataclass(frozen=True)
class CadenceInput:
    """One cadence step: deliver by `due`, or redeliver / reinforce every `every_days`."""

    kind: CadenceKind
    leader_kinds: tuple[str, ...]
    due: dt.date | None = None
    every_days: int | None = None


def cadence_order(step: CadenceInput) -> tuple[str, str, dt.date, int]:
    """The order steps are compared in: kind, leaders, due, interval."""
    return (step.kind.value, ",".join(step.leader_kinds), step.due or dt.date.min,
            step.every_days or 0)


@dataclass(frozen=True)
class InitiativeInput:
    """Everything that defines an initiative, as entered in a form, the API or a file.

    `forecast` is the scope's, week by week; `unit_forecast` (unit id, week, value) a unit's own,
    over the same weeks."""

    title: str
    owner_id: int
    unit_ids: tuple[int, ...]
    start: dt.date
    end: dt.date
    why: str
    how: str
    what: str
    key_points: tuple[str, ...]
    asks: tuple[AskInput, ...]
    output_metric: str
    forecast: tuple[tuple[dt.date, float], ...] = ()
    cadence: tuple[CadenceInput, ...] = ()
    unit_forecast: tuple[tuple[int, dt.date, float], ...] = ()


@dataclass(frozen=True)
class InputProblem:
    """One problem with an InitiativeInput: the field it is about (and the item of that tuple,
    when it is one item's, and the part of the item: "week", "value"), and a sentence that says
    what to change."""

    field: str
    text: str
    item: int | None = None
    part: str = ""

    def __str__(self) -> str:
        return self.text


def initiative_input_check(data: InitiativeInput) -> list[InputProblem]:
    """Every problem with `data`, each at its field and saying what to change."""
    problems = []

    def problem(field: str, text: str, item: int | None = None) -> None:
        problems.append(InputProblem(field, text, item))

    if not data.title.strip():
        problem("title", "Give the initiative a title.")
    if data.end <= data.start:
        problem("end", "The end date must be after the start date.")
    if not data.unit_ids:
        problem("unit_ids", "Choose at least one unit in scope.")
    for part in ("why", "how", "what"):
        if not getattr(data, part).strip():
            problem(part, f"Write the {part} of the message.")
    points = [p for p in data.key_points if p.strip()]
    if not MIN_KEY_POINTS <= len(points) <= MAX_KEY_POINTS:
        problem("key_points", f"Give {MIN_KEY_POINTS}–{MAX_KEY_POINTS} key points (you gave "
                f"{len(points)}): every rep must be able to say them.")
    for i, ask in enumerate(data.asks):
        if not ask.lever_metric.strip():
            problem("asks", f"The ask {ask.behaviour!r} needs a lever metric that measures it.", i)
        if ask.target_per_rep_per_week < 0:
            problem("asks", f"The target of {ask.behaviour!r} cannot be negative.", i)
    if not data.output_metric.strip():
        problem("output_metric", "Name the output metric (e.g. won_revenue).")
    problems += _forecast_problems("forecast", [(None, w, v) for w, v in data.forecast])
    problems += _forecast_problems("unit_forecast", list(data.unit_forecast))
    kinds = {k.value for k in LeadershipKind}
    for i, step in enumerate(data.cadence):
        unknown = [k for k in step.leader_kinds if k not in kinds]
        if unknown:
            problem("cadence", f"Unknown leader kind {unknown[0]!r} in the cadence plan; use one "
                    f"of {', '.join(sorted(kinds))}.", i)
        if not step.leader_kinds:
            problem("cadence", f"Say which leaders carry the {step.kind.value} step (leader "
                    f"kinds: {', '.join(sorted(kinds))}).", i)
        if step.kind is CadenceKind.DELIVER:
            if step.due is None:
                problem("cadence", "The deliver step needs a due date.", i)
            if step.every_days:
                problem("cadence", "The deliver step happens once, by its due date: remove "
                        "the interval.", i)
        else:
            if not step.every_days:
                problem("cadence", f"The {step.kind.value} step needs an interval in days.", i)
            if step.due is not None:
                problem("cadence", f"The {step.kind.value} step repeats every few days: give "
                        "an interval instead of a due date.", i)
    if Person.objects.filter(pk=data.owner_id).count() != 1:
        problem("owner_id", "The owner is not a person in the org.")
    if Unit.objects.filter(pk__in=data.unit_ids).count() != len(set(data.unit_ids)):
        problem("unit_ids", "A unit in scope does not exist.")
    if data.unit_forecast:
        problems += _unit_forecast_problems(data)
    return problems


def _forecast_problems(field: str, points: list[tuple[int | None, dt.date, float]]
                       ) -> list[InputProblem]:
    """Each series (the scope's, or one unit's) has Mondays, once each, every week from its
    first to its last, and no negative value."""
    problems = []
    seen: set[tuple[int | None, dt.date]] = set()
    series: dict[int | None, list[tuple[dt.date, int]]] = {}
    for i, (unit, week, value) in enumerate(points):
        if week.weekday() != 0:
            monday = week - dt.timedelta(days=week.weekday())
            problems.append(InputProblem(field, f"Forecast weeks must be Mondays (the start of "
                                         f"the ISO week): {week} is a {week:%A}; use {monday}.",
                                         i, "week"))
        elif (unit, week) in seen:
            problems.append(InputProblem(field, f"The forecast lists the week of {week} twice; "
                                         "keep one value per week.", i, "week"))
        else:
            series.setdefault(unit, []).append((week, i))
        seen.add((unit, week))
        if value < 0:
            problems.append(InputProblem(field, f"The forecast of the week of {week} is "
                                         f"{value:g}; a forecast is 0 or more.", i, "value"))
    for weeks in series.values():
        weeks.sort()
        for (before, _), (after, i) in zip(weeks, weeks[1:], strict=False):
            if after - before > dt.timedelta(days=7):
                missing = (after - before).days // 7 - 1
                problems.append(InputProblem(field, f"The forecast skips {missing} week(s) "
                                             f"between {before} and {after}; give a value for "
                                             "every week (0 when nothing is expected).", i,
                                             "week"))
    return problems


def _unit_forecast_problems(data: InitiativeInput) -> list[InputProblem]:
    """A unit's own forecast is for a unit in scope, over the scope's forecast weeks."""
    problems = []
    if not data.forecast:
        problems.append(InputProblem("forecast", "Give the scope's forecast too: the "
                                     "initiative is judged on it, and units without their own "
                                     "forecast get a share of it."))
    in_scope = unit_ids_with_descendants(data.unit_ids)
    names = dict(Unit.objects.filter(pk__in={u for u, _, _ in data.unit_forecast})
                 .values_list("pk", "name"))
    scope_weeks = {w for w, _ in data.forecast}
    weeks: dict[int, set[dt.date]] = {}
    first: dict[int, int] = {}
    for i, (unit, week, _) in enumerate(data.unit_forecast):
        weeks.setdefault(unit, set()).add(week)
        first.setdefault(unit, i)
    for unit, i in first.items():
        name = names.get(unit, str(unit))
        if unit not in names:
            problems.append(InputProblem("unit_forecast", "A unit with a forecast does not "
                                         "exist.", i))
        elif unit not in in_scope:
            problems.append(InputProblem("unit_forecast", f"{name} is not in the initiative's "
                                         "scope; forecast units of the scope only (or add "
                                         f"{name} to the scope).", i))
        elif scope_weeks and weeks[unit] != scope_weeks:
            problems.append(InputProblem(
                "unit_forecast", f"The forecast of {name} covers {min(weeks[unit])} to "
                f"{max(weeks[unit])} but the scope's covers {min(scope_weeks)} to "
                f"{max(scope_weeks)}; give a unit the same weeks as the scope.", i))
    return problems


@transaction.atomic
def initiative_save(data: InitiativeInput, initiative: Initiative | None = None) -> Initiative:
    """Create (or replace the content of) an initiative from `data`; all or nothing."""
    problems = initiative_input_check(data)
    clash = Initiative.objects.filter(title=data.title.strip())
    if initiative is not None:
        clash = clash.exclude(pk=initiative.pk)
    if clash.exists():
        problems.append(InputProblem("title", f"An initiative called {data.title!r} exists "
                                     "already; choose another title."))
    if problems:
        raise InputError(" ".join(p.text for p in problems))
    initiative = initiative or Initiative()
    initiative.title = data.title.strip()
    initiative.owner_id = data.owner_id
    initiative.start, initiative.end = data.start, data.end
    initiative.why, initiative.how, initiative.what = data.why, data.how, data.what
    initiative.output_metric = data.output_metric.strip()
    initiative.save()
    initiative.units.set(data.unit_ids)
    initiative.key_points.all().delete()
    KeyPoint.objects.bulk_create(
        KeyPoint(initiative=initiative, position=i, text=text.strip())
        for i, text in enumerate((p for p in data.key_points if p.strip()), start=1)
    )
    initiative.asks.all().delete()
    Ask.objects.bulk_create(
        Ask(initiative=initiative, behaviour=a.behaviour, lever_metric=a.lever_metric.strip(),
            target_per_rep_per_week=a.target_per_rep_per_week)
        for a in data.asks
    )
    initiative.forecast.all().delete()
    ForecastPoint.objects.bulk_create(
        ForecastPoint(initiative=initiative, week=week, value=value)
        for week, value in data.forecast
    )
    initiative.unit_forecast.all().delete()
    UnitForecastPoint.objects.bulk_create(
        UnitForecastPoint(initiative=initiative, unit_id=unit, week=week, value=value)
        for unit, week, value in data.unit_forecast
    )
    initiative.cadence.all().delete()
    CadenceStep.objects.bulk_create(
        CadenceStep(initiative=initiative, kind=s.kind, due=s.due, every_days=s.every_days,
                    leader_kinds=",".join(s.leader_kinds))
        for s in data.cadence
    )
    state_refresh_enqueue(f"initiative {initiative.title!r} saved", initiative_id=initiative.pk)
    return initiative
