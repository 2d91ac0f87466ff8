"""The weekly refresh: compute every unit's week of an initiative and store it in the weekly
state (`m3.state`), recomputing only the weeks a change touches, one transaction per week.

A week is computed from what is *dated* by its Sunday (facts, pulses, touchpoints); data that
arrives later but is dated in or before a week changes that week when its refresh runs.

A week's rows are computed with `as_of` = the Sunday that ends it, so they use only what is
dated by then: a later change can alter that week only if it is dated in it or before it, which
is why a refresh after a change dated `since` recomputes the weeks from `since`'s week on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from pydantic import TypeAdapter

from m3.diagnose.report import (
    UnitDiagnosisAnswer,
    initiative_asks,
    initiative_diagnosis,
    unit_answer,
)
from m3.facts.store import FactsStore, facts_store_from_settings
from m3.initiatives.models import Initiative
from m3.jobs.models import Job
from m3.jobs.services import (
    STATE_REFRESH,
    job_last_failure,
    jobs_waiting,
    state_refresh_enqueue,
)
from m3.momentum.report import alert_rows
from m3.state.selectors import state_computed_at, state_latest_week
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


_RECORD = TypeAdapter(UnitDiagnosisAnswer)


def unit_week_records(initiative: Initiative, facts: FactsStore,
                      as_of: dt.date) -> list[dict[str, Any]]:
    """Every unit's page as of `as_of` (`UnitDiagnosisAnswer`: the diagnosis row with its
    evidence, momentum, figures, alerts, lever model, weekly signals), as the JSON data stored,
    tree order. The same function recomputes a cell on the fly, so stored and fresh compare
    exactly."""
    rows = initiative_diagnosis(initiative, facts, as_of)
    asks = initiative_asks(initiative)
    alerts = alert_rows([r.unit for r in rows], as_of)
    return [_RECORD.dump_python(unit_answer(
        initiative, asks, r, [a for a in alerts if a.unit_id == r.unit.signals.unit_id], as_of),
        mode="json") for r in rows]


def record_load(record: dict[str, Any]) -> UnitDiagnosisAnswer:
    """A stored record back as its type."""
    return _RECORD.validate_python(record)


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
    # Newest first: each week is computed on its own, and the last one is what pages read.
    for i, week in enumerate(reversed(todo)):
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


RETRY_AFTER_FAILURE = dt.timedelta(hours=1)
LATE_DATA_DAYS = 2  # CRM exports of a week's last days often land in the nightly batch after it


def _computed_before_late_data(initiative: Initiative, week: dt.date, today: dt.date) -> bool:
    """True when the stored `week` was computed within LATE_DATA_DAYS of its Sunday and that
    time has passed: facts loaded by a pipeline that queues nothing may have arrived since."""
    settle = week_end(week) + dt.timedelta(days=LATE_DATA_DAYS)
    computed = state_computed_at(initiative, week)
    return (today > settle and computed is not None
            and timezone.localtime(computed).date() <= settle)


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
        failed = job_last_failure(STATE_REFRESH, initiative.pk)
        if failed is not None and failed.finished_at is not None and \
                timezone.now() - failed.finished_at < RETRY_AFTER_FAILURE:
            continue  # the last refresh failed: retry hourly, not on every turn
        latest = state_latest_week(initiative)
        if latest is None or latest < weeks[-1]:
            since = None if latest is None else latest + WEEK
            queued.append(state_refresh_enqueue("a week ended", initiative_id=initiative.pk,
                                                since=since))
        elif _computed_before_late_data(initiative, latest, today):
            queued.append(state_refresh_enqueue("late data for the week", since=latest,
                                                initiative_id=initiative.pk))
    return queued


def state_refresh_job(job: Job) -> str:
    """The `state_refresh` job: refresh what the queued change touched."""
    return state_refresh_all(facts_store_from_settings(), initiative_id=job.initiative_id,
                             since=job.since).summary()

