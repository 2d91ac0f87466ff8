"""The job queue: changes queue one refresh, merged; a worker runs it; failures are recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from m3.facts.store import FactsStore
from m3.ingest.crm.importer import crm_import
from m3.jobs.cli import jobs_group
from m3.jobs.models import Job, JobStatus
from m3.jobs.services import (
    STATE_REFRESH,
    job_enqueue,
    job_handler_register,
    job_run_next,
    jobs_recover,
    jobs_run_pending,
    jobs_waiting,
    state_refresh_enqueue,
)
from m3.pulse.services import PulseAnswers, pulse_answer
from tests.factories import START, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def test_changes_to_one_initiative_merge_into_one_job_from_the_earliest_day() -> None:
    first = state_refresh_enqueue("a pulse", initiative_id=7, since=DAY)
    again = state_refresh_enqueue("a touchpoint", initiative_id=7, since=DAY - dt.timedelta(3))
    other = state_refresh_enqueue("a pulse", initiative_id=8, since=DAY)
    assert again.pk == first.pk and other.pk != first.pk
    first.refresh_from_db()
    assert first.since == DAY - dt.timedelta(3) and first.reason == "a pulse; a touchpoint"


def test_a_change_to_everything_absorbs_the_pending_jobs_of_single_initiatives() -> None:
    state_refresh_enqueue("a pulse", initiative_id=7, since=DAY)
    everything = state_refresh_enqueue("import run 3", since=DAY + dt.timedelta(7))
    assert list(Job.objects.filter(status=JobStatus.PENDING)) == [everything]
    assert everything.initiative_id is None and everything.since == DAY
    # and takes in what comes next; a change with no date (None) means every week
    later = state_refresh_enqueue("initiative saved", initiative_id=9)
    assert later.pk == everything.pk
    later.refresh_from_db()
    assert later.since is None


def test_a_failing_job_is_recorded_and_the_next_one_still_runs() -> None:
    def boom(job: Job) -> str:
        raise ValueError("the facts store is gone")

    job_handler_register("test_boom", boom)
    job_handler_register("test_ok", lambda job: "fine")
    bad = job_enqueue("test_boom")
    good = job_enqueue("test_ok")
    assert [j.pk for j in jobs_run_pending()] == [bad.pk, good.pk]
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == JobStatus.FAILED and "ValueError: the facts store is gone" in bad.result
    assert good.status == JobStatus.DONE and good.result == "fine"
    assert bad.finished_at is not None


def test_a_running_job_is_not_run_twice_and_a_dead_workers_job_is_recovered() -> None:
    job_handler_register("test_ok", lambda job: "fine")
    job = job_enqueue("test_ok")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    assert job_run_next() is None
    assert jobs_waiting("test_ok") == 1
    assert jobs_recover() == 1
    ran = job_run_next()
    assert ran is not None and ran.pk == job.pk and ran.status == JobStatus.DONE


def test_a_pulse_queues_the_refresh_of_its_initiative_from_its_week(facts: FactsStore) -> None:
    from m3.initiatives.services import initiative_save

    org = small_org()
    initiative = initiative_save(roi_input(org))
    Job.objects.all().delete()
    week = START + dt.timedelta(weeks=2)
    pulse_answer(PulseAnswers(initiative.pk, org.rep_a1.pk, week, {"confidence": 4}, {}))
    [job] = Job.objects.filter(kind=STATE_REFRESH)
    assert (job.initiative_id, job.since) == (initiative.pk, week)


def test_an_import_queues_a_refresh_from_its_earliest_row_and_a_rerun_queues_none(
        facts: FactsStore, tmp_path: Path) -> None:
    org = small_org()
    path = tmp_path / "activities.csv"
    path.write_text("id,rep,type,occurred_at\n"
                    f"a1,{org.rep_a1.email},call,2026-02-11\n"
                    f"a2,{org.rep_a1.email},demo,2026-02-03 09:30\n")
    crm_import([path], profile="m3", store=facts, data_dir=tmp_path / "data")
    [job] = Job.objects.filter(kind=STATE_REFRESH)
    assert (job.initiative_id, job.since) == (None, dt.date(2026, 2, 3))
    Job.objects.all().delete()
    crm_import([path], profile="m3", store=facts, data_dir=tmp_path / "data")  # unchanged
    assert not Job.objects.exists()


def test_m3_jobs_run_and_list_report_what_ran() -> None:
    job_handler_register("test_ok", lambda job: "did the thing")
    job_enqueue("test_ok", reason="because")
    listed = CliRunner().invoke(jobs_group, ["list"])
    assert "test_ok" in listed.output and "because" in listed.output
    ran = CliRunner().invoke(jobs_group, ["run"])
    assert ran.exit_code == 0 and "did the thing" in ran.output
    assert "No jobs waiting." in CliRunner().invoke(jobs_group, ["list"]).output


def test_a_busy_database_sends_the_job_back_to_wait_then_gives_up() -> None:
    from m3.errors import FactsBusy
    from m3.jobs.services import MAX_ATTEMPTS

    def busy(job: Job) -> str:
        raise FactsBusy("the facts store is locked by an import")

    job_handler_register("test_busy", busy)
    job = job_enqueue("test_busy")
    ran = job_run_next()
    assert ran is not None and ran.status == JobStatus.PENDING and ran.attempts == 1
    assert ran.not_before is not None
    assert job_run_next() is None  # not before its retry time
    for attempt in range(2, MAX_ATTEMPTS + 1):
        Job.objects.filter(pk=job.pk).update(not_before=None)
        ran = job_run_next()
        assert ran is not None and ran.attempts == attempt
    assert ran.status == JobStatus.FAILED and "locked by an import" in ran.result


def test_the_worker_survives_a_failing_schedule_and_sleeps_after_a_failing_job() -> None:
    from m3.jobs.services import _SCHEDULES, jobs_work

    turns: list[int] = []

    def broken_schedule() -> None:
        turns.append(1)
        raise RuntimeError("a schedule bug")

    def boom(job: Job) -> str:
        raise ValueError("broken")

    job_handler_register("test_boom", boom)
    job_enqueue("test_boom")
    _SCHEDULES.append(broken_schedule)
    try:
        # The test's transaction is the connection: the worker must not close it.
        jobs_work(poll_seconds=0.01, stop=lambda: len(turns) >= 3, fresh_connections=False)
    finally:
        _SCHEDULES.remove(broken_schedule)
    assert len(turns) == 3
    assert Job.objects.get(kind="test_boom").status == JobStatus.FAILED
