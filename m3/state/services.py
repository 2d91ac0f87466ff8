"""Refreshing the weekly state: recompute the weeks a change touches, one transaction per week.

A week's rows are computed with `as_of` = the Sunday that ends it, so they use only what was
known by then: a later change can alter that week only if it is dated in it or before it, which
is why a refresh after a change dated `since` recomputes the weeks from `since`'s week on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import TypeAdapter

from m3.diagnose.report import DiagnosisRow, diagnosis_row, initiative_diagnosis
from m3.facts.store import FactsStore, facts_store_from_settings
from m3.initiatives.models import Initiative
from m3.jobs.models import Job
from m3.momentum.report import AlertRow, MomentumRow, alert_rows, momentum_row
from m3.state.models import UnitWeek
from m3.weeks import WEEK, last_full_week, week_end, week_start


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh recomputed."""

    initiatives: int
    weeks: int
    rows: int

    def summary(self) -> str:
        """One line for the job's result and the CLI."""
        return (f"{self.rows} unit-week(s) over {self.weeks} week(s) of "
                f"{self.initiatives} initiative(s)")


@dataclass(frozen=True)
class UnitWeekRecord:
    """What the weekly state keeps of a unit in a week: the rows the CLI, API and pages show."""

    diagnosis: DiagnosisRow
    momentum: MomentumRow
    alerts: tuple[AlertRow, ...]


_RECORD = TypeAdapter(UnitWeekRecord)


def unit_week_records(initiative: Initiative, facts: FactsStore,
                      as_of: dt.date) -> list[dict[str, Any]]:
    """Every unit's record as of `as_of`, as the JSON data stored (tree order).

    The same function recomputes a cell on the fly, so stored and fresh compare exactly.
    """
    rows = initiative_diagnosis(initiative, facts, as_of)
    if not rows:
        return []
    asks = list(initiative.asks.filter(target_per_rep_per_week__gt=0))
    top = min(r.unit.signals.depth for r in rows)
    alerts = alert_rows([r.unit for r in rows], as_of)
    return [_RECORD.dump_python(UnitWeekRecord(
        diagnosis_row(initiative, asks, r, r.unit.signals.depth - top, as_of),
        momentum_row(r.unit),
        tuple(a for a in alerts if a.unit_id == r.unit.signals.unit_id)), mode="json")
        for r in rows]


def state_weeks(initiative: Initiative, today: dt.date) -> list[dt.date]:
    """The Mondays of the initiative's weeks that have ended by `today` (to its last week)."""
    first = week_start(initiative.start)
    last = min(last_full_week(today), week_start(initiative.end))
    weeks = []
    week = first
    while week <= last:
        weeks.append(week)
        week += WEEK
    return weeks


def state_refresh(initiative: Initiative, facts: FactsStore, *, since: dt.date | None = None,
                  today: dt.date | None = None,
                  progress: Callable[[str, float], None] | None = None) -> RefreshResult:
    """Recompute the initiative's weekly state from `since`'s week on (every week when None).

    Each week is replaced in one transaction, so a reader sees a week either before or after
    the refresh, never half of it; weeks that no longer exist (the start moved) are removed.
    """
    today = today or timezone.localdate()
    weeks = state_weeks(initiative, today)
    UnitWeek.objects.filter(initiative=initiative).exclude(week__in=weeks).delete()
    todo = [w for w in weeks if since is None or w >= week_start(since)]
    rows = 0
    for i, week in enumerate(todo):
        if progress:
            progress(f"{initiative.title}: week of {week}", i / max(len(todo), 1))
        as_of = week_end(week)
        stamp = timezone.now()
        records = unit_week_records(initiative, facts, as_of)
        with transaction.atomic():
            UnitWeek.objects.filter(initiative=initiative, week=week).delete()
            UnitWeek.objects.bulk_create(UnitWeek(
                initiative=initiative, unit_id=r["diagnosis"]["unit_id"], week=week,
                as_of=as_of, status=r["diagnosis"]["status"], cause=r["diagnosis"]["cause"],
                detail=r["diagnosis"]["detail"] or "", momentum=r["momentum"]["state"],
                momentum_score=r["momentum"]["score"],
                to_date=r["diagnosis"]["output_to_date_vs_forecast"],
                projected=r["diagnosis"]["projected_vs_forecast"], alerts=len(r["alerts"]),
                record=r, computed_at=stamp) for r in records)
        rows += len(records)
    return RefreshResult(1, len(todo), rows)


def state_refresh_all(facts: FactsStore, *, initiative_id: int | None = None,
                      since: dt.date | None = None, today: dt.date | None = None,
                      progress: Callable[[str, float], None] | None = None) -> RefreshResult:
    """`state_refresh` for one initiative, or for every initiative running in the window."""
    today = today or timezone.localdate()
    initiatives = Initiative.objects.filter(start__lte=today).order_by("pk")
    if initiative_id is not None:
        initiatives = initiatives.filter(pk=initiative_id)
    if since is not None:
        initiatives = initiatives.filter(end__gte=week_start(since))
    totals = RefreshResult(0, 0, 0)
    for initiative in initiatives:
        got = state_refresh(initiative, facts, since=since, today=today, progress=progress)
        totals = RefreshResult(totals.initiatives + 1, totals.weeks + got.weeks,
                               totals.rows + got.rows)
    return totals


def state_refresh_job(job: Job) -> str:
    """The `state_refresh` job: refresh what the queued change touched."""
    return state_refresh_all(facts_store_from_settings(), initiative_id=job.initiative_id,
                             since=job.since).summary()
