"""The weekly refresh: compute every unit's week of an initiative and store it in the weekly
state (`m3.state`), recomputing only the weeks a change touches, one transaction per week.

A week's rows are computed with `as_of` = the Sunday that ends it, so they use only what was
known by then: a later change can alter that week only if it is dated in it or before it, which
is why a refresh after a change dated `since` recomputes the weeks from `since`'s week on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone
from pydantic import TypeAdapter

from m3.diagnose.report import (
    DiagnosisAnswer,
    DiagnosisRow,
    diagnosis_answer,
    diagnosis_row,
    diagnosis_seen,
    initiative_diagnosis,
    severity,
    tree_worst_first,
    worst_first,
)
from m3.facts.store import FactsStore, facts_store_from_settings
from m3.initiatives.models import Initiative
from m3.jobs.models import Job
from m3.jobs.services import STATE_REFRESH, jobs_waiting, state_refresh_enqueue
from m3.momentum.report import AlertRow, MomentumRow, alert_rows, momentum_row
from m3.momentum.selectors import as_of_or_today
from m3.org.scope import Scope
from m3.state.selectors import state_latest_week, state_week
from m3.state.services import state_week_replace, state_weeks, state_weeks_keep
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


def state_refresh(initiative: Initiative, facts: FactsStore, *, since: dt.date | None = None,
                  today: dt.date | None = None,
                  progress: Callable[[str, float], None] | None = None) -> RefreshResult:
    """Recompute the initiative's weekly state from `since`'s week on (every week when None).

    Each week is replaced in one transaction, so a reader sees a week either before or after
    the refresh, never half of it; weeks that no longer exist (the start moved) are removed.
    """
    today = today or timezone.localdate()
    weeks = state_weeks(initiative, today)
    state_weeks_keep(initiative, weeks)
    todo = [w for w in weeks if since is None or w >= week_start(since)]
    rows = 0
    for i, week in enumerate(todo):
        if progress:
            progress(f"{initiative.title}: week of {week}", i / max(len(todo), 1))
        as_of = week_end(week)
        stamp = timezone.now()
        records = unit_week_records(initiative, facts, as_of)
        state_week_replace(initiative, week, as_of, records, stamp)
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


def state_due_enqueue(today: dt.date | None = None) -> list[Job]:
    """Queue the refresh of every running initiative whose last whole week is not stored yet
    (a week ended since the last change); the jobs queued. The worker calls it every turn."""
    today = today or timezone.localdate()
    queued = []
    for initiative in Initiative.objects.filter(start__lte=today,
                                                end__gte=last_full_week(today)):
        weeks = state_weeks(initiative, today)
        if not weeks or jobs_waiting(STATE_REFRESH, initiative.pk):
            continue
        latest = state_latest_week(initiative)
        if latest is None or latest < weeks[-1]:
            since = None if latest is None else latest + WEEK
            queued.append(state_refresh_enqueue("a week ended", initiative_id=initiative.pk,
                                                since=since))
    return queued


def state_refresh_job(job: Job) -> str:
    """The `state_refresh` job: refresh what the queued change touched."""
    return state_refresh_all(facts_store_from_settings(), initiative_id=job.initiative_id,
                             since=job.since).summary()


def record_load(record: dict[str, Any]) -> UnitWeekRecord:
    """A stored record back as its types."""
    return _RECORD.validate_python(record)


@dataclass(frozen=True)
class DiagnosisSeen:
    """The diagnosis page's content: the answer, the open alerts by unit, and where it came
    from (`computed_at` is the weekly state's stamp; None when computed for this request)."""

    answer: DiagnosisAnswer
    alerts: dict[int, list[AlertRow]]
    computed_at: dt.datetime | None
    waiting: int


def diagnosis_for_viewer(initiative: Initiative, scope: Scope, facts: FactsStore,
                         as_of: dt.date | None, today: dt.date) -> DiagnosisSeen:
    """Every unit the viewer may see, worst first within each level.

    Without `as_of`, read from the weekly state when it holds the last whole week (or a
    refresh of it is queued); otherwise computed now, as of `as_of` (default today).
    """
    scope.require_team_diagnosis()
    if as_of is None:
        stored = state_week(initiative, scope)
        if stored.rows and (stored.week == last_full_week(today) or stored.waiting):
            records = [record_load(r.record) for r in stored.rows]
            ordered = tree_worst_first(
                [r.diagnosis for r in records], lambda d: d.path,
                lambda d: severity(d.status, d.projected_vs_forecast, d.unit))
            alerts: dict[int, list[AlertRow]] = defaultdict(list)
            for r in records:
                for alert in r.alerts:
                    alerts[r.diagnosis.unit_id].append(alert)
            answer = DiagnosisAnswer(initiative.pk, initiative.title, stored.rows[0].as_of,
                                     tuple(replace(d, level=level) for d, level in ordered))
            return DiagnosisSeen(answer, dict(alerts), stored.computed_at, stored.waiting)
    day = as_of_or_today(initiative, as_of, today)
    rows = diagnosis_seen(initiative, scope, facts, day)
    fresh: dict[int, list[AlertRow]] = defaultdict(list)
    for alert in alert_rows([r.unit for r in rows], day):
        fresh[alert.unit_id].append(alert)
    return DiagnosisSeen(diagnosis_answer(initiative, day, worst_first(rows)), dict(fresh),
                         None, 0)


HOME_LEVELS = 2  # the units a viewer leads and the level below them
HOME_ALERTS = 8


@dataclass(frozen=True)
class MomentumSummary:
    """A leader's home, for one running initiative: their units' momentum and open alerts."""

    initiative_id: int
    title: str
    as_of: dt.date
    units: tuple[DiagnosisRow, ...]  # the top HOME_LEVELS levels, worst first
    units_total: int
    alerts: tuple[AlertRow, ...]  # the newest HOME_ALERTS
    alerts_total: int


def momentum_summaries(scope: Scope, initiatives: Sequence[Initiative], facts: FactsStore,
                       today: dt.date) -> list[MomentumSummary]:
    """For each initiative running today with a whole week behind it, the viewer's units'
    momentum and alerts (from the weekly state, or one diagnosis per initiative); none for a
    rep (M3 computes momentum per unit, not per rep)."""
    if not scope.may_see_team_diagnosis():
        return []
    out = []
    for initiative in initiatives:
        if not week_end(initiative.start) <= today <= initiative.end:
            continue
        seen = diagnosis_for_viewer(initiative, scope, facts, None, today)
        if not seen.answer.units:
            continue
        alerts = sorted((a for unit in seen.alerts.values() for a in unit),
                        key=lambda a: a.first_raised, reverse=True)
        out.append(MomentumSummary(
            initiative.pk, initiative.title, seen.answer.as_of,
            tuple(u for u in seen.answer.units if u.level < HOME_LEVELS),
            len(seen.answer.units), tuple(alerts[:HOME_ALERTS]), len(alerts)))
    return out
