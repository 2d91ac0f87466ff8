"""Writes for initiatives: create or update one with its key points, asks, forecast and cadence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from m3.errors import InputError
from m3.initiatives.models import Ask, CadenceStep, ForecastPoint, Initiative, KeyPoint
from m3.jobs.services import state_refresh_enqueue
from m3.org.models import Person, Unit
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


@dataclass(frozen=True)
class InitiativeInput:
    """Everything that defines an initiative, as entered in a form, the API or a file."""

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


def initiative_input_check(data: InitiativeInput) -> list[str]:
    """Every problem with `data`, each a sentence that says what to change."""
    problems = []
    if not data.title.strip():
        problems.append("Give the initiative a title.")
    if data.end <= data.start:
        problems.append("The end date must be after the start date.")
    if not data.unit_ids:
        problems.append("Choose at least one unit in scope.")
    for part in ("why", "how", "what"):
        if not getattr(data, part).strip():
            problems.append(f"Write the {part} of the message.")
    points = [p for p in data.key_points if p.strip()]
    if not MIN_KEY_POINTS <= len(points) <= MAX_KEY_POINTS:
        problems.append(f"Give {MIN_KEY_POINTS}–{MAX_KEY_POINTS} key points (you gave "
                        f"{len(points)}): every rep must be able to say them.")
    for ask in data.asks:
        if not ask.lever_metric.strip():
            problems.append(f"The ask {ask.behaviour!r} needs a lever metric that measures it.")
        if ask.target_per_rep_per_week < 0:
            problems.append(f"The target of {ask.behaviour!r} cannot be negative.")
    if not data.output_metric.strip():
        problems.append("Name the output metric (e.g. won_revenue).")
    weeks = [w for w, _ in data.forecast]
    if any(w.weekday() != 0 for w in weeks):
        problems.append("Forecast weeks must be Mondays (the start of the ISO week).")
    if len(set(weeks)) != len(weeks):
        problems.append("The forecast lists a week twice; keep one value per week.")
    kinds = {k.value for k in LeadershipKind}
    for step in data.cadence:
        unknown = [k for k in step.leader_kinds if k not in kinds]
        if unknown:
            problems.append(f"Unknown leader kind {unknown[0]!r} in the cadence plan; use one of "
                            f"{', '.join(sorted(kinds))}.")
        if step.kind is CadenceKind.DELIVER and step.due is None:
            problems.append("The deliver step needs a due date.")
        if step.kind is not CadenceKind.DELIVER and not step.every_days:
            problems.append(f"The {step.kind.value} step needs an interval in days.")
    if Person.objects.filter(pk=data.owner_id).count() != 1:
        problems.append("The owner is not a person in the org.")
    if Unit.objects.filter(pk__in=data.unit_ids).count() != len(set(data.unit_ids)):
        problems.append("A unit in scope does not exist.")
    return problems


@transaction.atomic
def initiative_save(data: InitiativeInput, initiative: Initiative | None = None) -> Initiative:
    """Create (or replace the content of) an initiative from `data`; all or nothing."""
    problems = initiative_input_check(data)
    clash = Initiative.objects.filter(title=data.title.strip())
    if initiative is not None:
        clash = clash.exclude(pk=initiative.pk)
    if clash.exists():
        problems.append(f"An initiative called {data.title!r} exists already; choose another "
                        "title.")
    if problems:
        raise InputError(" ".join(problems))
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
    initiative.cadence.all().delete()
    CadenceStep.objects.bulk_create(
        CadenceStep(initiative=initiative, kind=s.kind, due=s.due, every_days=s.every_days,
                    leader_kinds=",".join(s.leader_kinds))
        for s in data.cadence
    )
    state_refresh_enqueue(f"initiative {initiative.title!r} saved", initiative_id=initiative.pk)
    return initiative
