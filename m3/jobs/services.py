"""The job queue: enqueue work after a change, run it in a worker (`m3 jobs work`, started by
`m3 serve`) or at once (`m3 jobs run`).

Services that change what the weekly state rests on (an import, a touchpoint, a pulse, an
initiative or the organisation) call `state_refresh_enqueue` inside their own transaction, so a
change that rolls back queues nothing. Handlers are registered by the apps that own the work
(`m3.state` registers `state_refresh`), so this module stays below every domain.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from m3.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
JobHandler = Callable[[Job], str]
_HANDLERS: dict[str, JobHandler] = {}
_SCHEDULES: list[Callable[[], object]] = []
STATE_REFRESH = "state_refresh"


def job_handler_register(kind: str, handler: JobHandler) -> None:
    """Make `handler` run the jobs of `kind` (it returns a one-line summary of what it did)."""
    _HANDLERS[kind] = handler


def job_schedule_register(check: Callable[[], object]) -> None:
    """Make the worker call `check` on every turn: it queues what time alone makes due (a
    week that has ended), the way a change queues what it touched."""
    _SCHEDULES.append(check)


def job_enqueue(kind: str, *, initiative_id: int | None = None, since: dt.date | None = None,
                reason: str = "") -> Job:
    """Queue a job, merged into a pending one of the same kind that covers it.

    A pending job for every initiative (initiative_id None) absorbs any other; merging keeps the
    earliest `since` (None, from the beginning, is earliest) and appends the reason.
    """
    with transaction.atomic():
        pending = Job.objects.select_for_update().filter(kind=kind, status=JobStatus.PENDING)
        same = pending.filter(initiative_id__isnull=True).first()
        if same is None and initiative_id is not None:
            same = pending.filter(initiative_id=initiative_id).first()
        if same is None and initiative_id is None:
            # One job for every initiative replaces the pending ones for single initiatives.
            covered = list(pending)
            for job in covered:
                since = _earliest(since, job.since)
            pending.delete()
            if covered:
                reason = "; ".join(filter(None, [*(j.reason for j in covered), reason]))
        if same is not None:
            same.since = _earliest(same.since, since)
            same.reason = "; ".join(filter(None, [same.reason, reason]))[-2000:]
            same.save(update_fields=["since", "reason"])
            return same
        return Job.objects.create(kind=kind, initiative_id=initiative_id, since=since,
                                  reason=reason[-2000:])


def _earliest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return None if a is None or b is None else min(a, b)


def state_refresh_enqueue(reason: str, *, initiative_id: int | None = None,
                          since: dt.date | None = None) -> Job:
    """Queue the weekly state's refresh after a change dated `since` (None: any date)."""
    return job_enqueue(STATE_REFRESH, initiative_id=initiative_id, since=since, reason=reason)


def _claim() -> Job | None:
    """The oldest pending job, marked running (None when the queue is empty)."""
    while True:
        job = Job.objects.filter(status=JobStatus.PENDING).order_by("pk").first()
        if job is None:
            return None
        # Only one worker wins a job: the update succeeds for whoever still sees it pending.
        if Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
                status=JobStatus.RUNNING, started_at=timezone.now()):
            job.refresh_from_db()
            return job


def job_run_next() -> Job | None:
    """Run the oldest pending job; a failure is recorded on the job (and logged), not raised."""
    job = _claim()
    if job is None:
        return None
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        job.result = handler(job)
        job.status = JobStatus.DONE
    except Exception as exc:  # a job's failure must not stop the worker
        log.exception("job %s failed", job)
        job.status = JobStatus.FAILED
        job.result = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"[-4000:]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
    return job


def jobs_run_pending(limit: int | None = None) -> list[Job]:
    """Run pending jobs until the queue is empty (or `limit` have run); the jobs run."""
    done: list[Job] = []
    while limit is None or len(done) < limit:
        job = job_run_next()
        if job is None:
            break
        done.append(job)
    return done


def jobs_recover(older_than: dt.timedelta = dt.timedelta(0)) -> int:
    """Jobs left running by a worker that died go back to pending; how many.

    A worker calls it as it starts: with one worker per data folder, whatever is still running
    then was cut short. (A job that runs twice is harmless: a refresh is idempotent.)
    """
    cutoff = timezone.now() - older_than
    stale = Q(started_at__lte=cutoff) | Q(started_at__isnull=True)
    return Job.objects.filter(stale, status=JobStatus.RUNNING).update(
        status=JobStatus.PENDING, started_at=None)


def jobs_work(poll_seconds: float = 2.0, stop: Callable[[], bool] = lambda: False) -> None:
    """The worker loop: run what is pending, then wait `poll_seconds`; until `stop()`."""
    jobs_recover()
    while not stop():
        for check in _SCHEDULES:
            try:
                check()
            except Exception:  # a failing schedule must not stop the queue
                log.exception("scheduled check %s failed", check)
        if not jobs_run_pending():
            time.sleep(poll_seconds)


def jobs_waiting(kind: str, initiative_id: int | None = None) -> int:
    """How many jobs of `kind` (for the initiative, or for every one) are pending or running."""
    rows = Job.objects.filter(kind=kind, status__in=[JobStatus.PENDING, JobStatus.RUNNING])
    if initiative_id is not None:
        rows = rows.filter(Q(initiative_id=initiative_id) | Q(initiative_id__isnull=True))
    return rows.count()
