"""The job queue: enqueue work after a change, run it in a worker (`m3 jobs work`, started by
`m3 serve`) or at once (`m3 jobs run`).

Services that change what the weekly state rests on (an import, a touchpoint, a pulse, an
initiative or the organisation) call `state_refresh_enqueue` inside their own transaction, so a
change that rolls back queues nothing. Handlers are registered by the apps that own the work
(`m3.diagnose` registers `state_refresh`), so this module stays below every domain.

A job that fails because a database is busy (the facts store locked by an import, SQLite
locked) goes back to the queue and is retried after 30 s, 60 s, 120 s … up to `MAX_ATTEMPTS`
runs; any other failure is final and recorded on the job, with its traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable

from django.db import OperationalError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from m3.errors import FactsBusy
from m3.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
JobHandler = Callable[[Job], str]
_HANDLERS: dict[str, JobHandler] = {}
_SCHEDULES: list[Callable[[], object]] = []
STATE_REFRESH = "state_refresh"
MAX_ATTEMPTS = 5
RETRY_SECONDS = 30


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
    """The oldest pending job that may run now, marked running (None when there is none)."""
    while True:
        due = Q(not_before__isnull=True) | Q(not_before__lte=timezone.now())
        job = Job.objects.filter(due, status=JobStatus.PENDING).order_by("pk").first()
        if job is None:
            return None
        # Only one worker wins a job: the update succeeds for whoever still sees it pending.
        if Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
                status=JobStatus.RUNNING, started_at=timezone.now(),
                attempts=job.attempts + 1):
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
    except (FactsBusy, OperationalError) as exc:
        job.result = f"{type(exc).__name__}: {exc}"[-4000:]
        if job.attempts < MAX_ATTEMPTS:  # busy, not broken: try again later
            log.warning("job %s: %s; retrying", job, exc)
            job.status = JobStatus.PENDING
            job.not_before = timezone.now() + dt.timedelta(
                seconds=RETRY_SECONDS * 2 ** (job.attempts - 1))
        else:
            job.status = JobStatus.FAILED
    except Exception as exc:  # a job's failure must not stop the worker
        log.exception("job %s failed", job)
        job.status = JobStatus.FAILED
        job.result = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"[-4000:]
    job.finished_at = timezone.now() if job.status != JobStatus.PENDING else None
    job.save(update_fields=["status", "result", "finished_at", "not_before"])
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


def jobs_work(poll_seconds: float = 2.0, stop: Callable[[], bool] = lambda: False, *,
              fresh_connections: bool = True) -> None:
    """The worker loop: run the schedules and what is pending, wait `poll_seconds`; until
    `stop()`. A database that is down or locked costs a turn, not the worker: each turn starts
    on a usable connection (`fresh_connections`, off only inside a test's transaction)."""
    jobs_recover()
    while not stop():
        ran: list[Job] = []
        try:
            if fresh_connections:
                close_old_connections()
            for check in _SCHEDULES:
                try:
                    check()
                except Exception:  # a failing schedule must not stop the queue
                    log.exception("scheduled check %s failed", check)
            ran = jobs_run_pending()
        except Exception:
            log.exception("the job worker's turn failed; trying again")
        # Sleep unless something succeeded: a failing job must not spin the CPU.
        if not any(job.status == JobStatus.DONE for job in ran):
            time.sleep(poll_seconds)


def jobs_waiting(kind: str, initiative_id: int | None = None) -> int:
    """How many jobs of `kind` (for the initiative, or for every one) are pending or running."""
    rows = Job.objects.filter(kind=kind, status__in=[JobStatus.PENDING, JobStatus.RUNNING])
    if initiative_id is not None:
        rows = rows.filter(Q(initiative_id=initiative_id) | Q(initiative_id__isnull=True))
    return rows.count()


def job_last_failure(kind: str, initiative_id: int | None = None) -> Job | None:
    """The latest job of `kind` (for the initiative or every one) when it failed, else None."""
    rows = Job.objects.filter(kind=kind, status__in=[JobStatus.DONE, JobStatus.FAILED])
    if initiative_id is not None:
        rows = rows.filter(Q(initiative_id=initiative_id) | Q(initiative_id__isnull=True))
    last = rows.order_by("-finished_at", "-pk").first()
    return last if last is not None and last.status == JobStatus.FAILED else None
