"""The weekly state: stored weeks equal the diagnosis computed on the fly, point in time."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pandas as pd
import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from m3.diagnose.selectors import diagnosis_for_viewer, unit_diagnosis_for_viewer
from m3.diagnose.weekly import (
    state_due_enqueue,
    state_refresh,
    unit_week_records,
)
from m3.diagnose.weekly_cli import state_group
from m3.errors import AccessDenied
from m3.facts.store import FactsStore
from m3.jobs.models import Job, JobStatus
from m3.jobs.services import jobs_run_pending, state_refresh_enqueue
from m3.org.scope import scope_for_person
from m3.state.models import UnitWeek
from m3.state.selectors import state_week
from m3.state.services import state_weeks
from m3.weeks import week_end
from tests.factories import PASSWORD
from tests.momentum.test_selectors import START, build

pytestmark = pytest.mark.django_db
TODAY = START + dt.timedelta(weeks=6, days=2)  # weeks 0–5 have ended


def stored(initiative: object) -> dict[dt.date, list[dict[str, object]]]:
    weeks: dict[dt.date, list[dict[str, object]]] = {}
    for row in UnitWeek.objects.filter(initiative=initiative).order_by("week", "pk"):
        weeks.setdefault(row.week, []).append(row.record)
    return weeks


def on_the_fly(initiative: object, facts: FactsStore,
               weeks: list[dt.date]) -> dict[dt.date, list[dict[str, object]]]:
    return {w: unit_week_records(initiative, facts, week_end(w)) for w in weeks}


def test_every_stored_week_equals_the_diagnosis_computed_on_the_fly(facts: FactsStore) -> None:
    _, initiative = build(facts)
    result = state_refresh(initiative, facts, today=TODAY)
    weeks = state_weeks(initiative, TODAY)
    assert weeks == [START + dt.timedelta(weeks=w) for w in range(6)]
    assert result.weeks == 6 and result.rows == 6 * 3  # North, Team A, Team B each week
    assert stored(initiative) == on_the_fly(initiative, facts, weeks)
    # The columns pages sort on are the record's own figures.
    row = UnitWeek.objects.get(initiative=initiative, unit__name="Team A", week=weeks[-1])
    assert (row.status, row.cause, row.momentum) == (
        row.record["unit"]["status"], row.record["unit"]["cause"],
        row.record["momentum"]["state"])
    assert row.as_of == week_end(weeks[-1])


def test_a_refresh_from_a_later_week_leaves_the_earlier_weeks_as_they_were(
        facts: FactsStore) -> None:
    org, initiative = build(facts)
    state_refresh(initiative, facts, today=TODAY)
    before = {r.pk: r.record for r in UnitWeek.objects.filter(week__lt=START +
                                                                dt.timedelta(weeks=4))}
    later = {(r.unit_id, r.week): r.record for r in UnitWeek.objects.filter(
        week__gte=START + dt.timedelta(weeks=4))}
    # A big deal won in week 4: only weeks 4 and 5 can change.
    day = pd.Timestamp(START + dt.timedelta(weeks=4, days=2))
    facts.upsert("opportunities", pd.DataFrame({
        "source": "t", "id": ["late"], "rep_id": org.rep_b1.pk, "owner": "x", "account": "A",
        "product": None, "stage": "closed_won", "amount": 9000.0, "currency": "USD",
        "created_at": day, "closed_at": day + pd.Timedelta(hours=4), "won": True}))
    result = state_refresh(initiative, facts, since=START + dt.timedelta(weeks=4, days=2),
                           today=TODAY)
    assert result.weeks == 2
    assert {r.pk: r.record for r in UnitWeek.objects.filter(pk__in=before)} == before
    assert {(r.unit_id, r.week): r.record for r in UnitWeek.objects.filter(
        week__gte=START + dt.timedelta(weeks=4))} != later  # the deal shows from week 4 on
    # The incremental refresh and a full recomputation agree on every week.
    assert stored(initiative) == on_the_fly(initiative, facts, state_weeks(initiative, TODAY))


def test_the_queued_refresh_runs_as_a_job_and_says_what_it_did(facts: FactsStore) -> None:
    _, initiative = build(facts)  # saving the initiative queued a refresh of it
    assert Job.objects.filter(status=JobStatus.PENDING, initiative_id=initiative.pk).exists()
    [job] = jobs_run_pending()
    assert job.status == JobStatus.DONE, job.result
    assert "unit-week(s)" in job.result
    assert UnitWeek.objects.filter(initiative=initiative).exists()
    assert jobs_run_pending() == []


def test_the_state_a_viewer_reads_is_scoped_to_their_units(facts: FactsStore) -> None:
    org, initiative = build(facts)
    state_refresh(initiative, facts, today=TODAY)
    day = TODAY
    manager = state_week(initiative, scope_for_person(org.manager_a, day))
    assert [r.unit.name for r in manager.rows] == ["Team A"]
    assert manager.week == START + dt.timedelta(weeks=5) and manager.computed_at is not None
    director = state_week(initiative, scope_for_person(org.director_north, day))
    assert {r.unit.name for r in director.rows} == {"North", "Team A", "Team B"}
    rep = state_week(initiative, scope_for_person(org.rep_a1, day))
    assert rep.rows == ()


def test_waiting_refreshes_are_shown_until_they_have_run(facts: FactsStore) -> None:
    org, initiative = build(facts)
    jobs_run_pending()
    assert state_week(initiative, scope_for_person(org.manager_a, TODAY)).waiting == 0
    state_refresh_enqueue("a pulse", initiative_id=initiative.pk, since=START)
    assert state_week(initiative, scope_for_person(org.manager_a, TODAY)).waiting == 1


def test_m3_state_refresh_recomputes_one_initiative_by_title(facts: FactsStore) -> None:
    _, initiative = build(facts)
    result = CliRunner().invoke(state_group, ["refresh", "lead with value"])
    assert result.exit_code == 0, result.output
    assert "Refreshed" in result.output
    assert UnitWeek.objects.filter(initiative=initiative).count() > 0


def test_a_week_that_ends_queues_its_refresh_once(facts: FactsStore) -> None:
    _, initiative = build(facts)
    Job.objects.all().delete()
    state_refresh(initiative, facts, today=TODAY)
    assert state_due_enqueue(TODAY) == []  # the last whole week is stored
    next_week = TODAY + dt.timedelta(weeks=1)
    [job] = state_due_enqueue(next_week)
    assert (job.initiative_id, job.since) == (initiative.pk, START + dt.timedelta(weeks=6))
    assert state_due_enqueue(next_week) == []  # queued already


def test_the_diagnosis_page_reads_the_stored_week_and_says_so(facts: FactsStore) -> None:
    org, initiative = build(facts)
    state_refresh(initiative, facts, today=TODAY)
    Job.objects.all().delete()  # nothing left waiting
    UnitWeek.objects.filter(initiative=initiative).update(computed_at=dt.datetime(
        2026, 2, 17, 6, 30, tzinfo=dt.UTC))
    scope = scope_for_person(org.director_north, TODAY)
    stored = diagnosis_for_viewer(initiative, scope, facts, None, TODAY)
    fresh = diagnosis_for_viewer(initiative, scope, facts, week_end(START + dt.timedelta(
        weeks=5)), TODAY)
    assert stored.computed_at is not None and fresh.computed_at is None
    assert stored.answer == fresh.answer  # the same rows, order, levels and evidence
    assert stored.alerts == fresh.alerts
    client = Client()
    assert client.login(username=org.director_north.email, password=PASSWORD)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        page = client.get(f"/initiatives/{initiative.pk}/diagnosis/").content.decode()
        api = client.get(f"/api/initiatives/{initiative.pk}/diagnosis")
    assert "the weekly state, computed 2026-02-17" in page
    assert api["Last-Modified"] == "Tue, 17 Feb 2026 06:30:00 GMT"
    assert api["X-M3-Refresh-Waiting"] == "0"
    assert [u["unit"] for u in api.json()["units"]] == [u.unit for u in stored.answer.units]


def test_a_failed_refresh_is_not_queued_again_on_every_turn(facts: FactsStore) -> None:
    _, initiative = build(facts)
    Job.objects.all().delete()
    Job.objects.create(kind="state_refresh", initiative_id=initiative.pk,
                       status=JobStatus.FAILED, finished_at=timezone.now(), result="NotFound")
    assert state_due_enqueue(TODAY) == []  # nothing stored, but the last try just failed
    Job.objects.update(finished_at=timezone.now() - dt.timedelta(hours=2))
    [job] = state_due_enqueue(TODAY)  # an hour later it is tried again
    assert job.since is None


def test_a_week_computed_on_its_monday_is_computed_again_for_late_data(
        facts: FactsStore) -> None:
    _, initiative = build(facts)
    state_refresh(initiative, facts, today=TODAY)
    Job.objects.all().delete()
    last = START + dt.timedelta(weeks=5)
    monday = dt.datetime.combine(week_end(last) + dt.timedelta(days=1), dt.time(1),
                                 tzinfo=dt.UTC)
    UnitWeek.objects.filter(initiative=initiative, week=last).update(computed_at=monday)
    assert state_due_enqueue(week_end(last) + dt.timedelta(days=2)) == []  # still settling
    [job] = state_due_enqueue(week_end(last) + dt.timedelta(days=3))
    assert (job.initiative_id, job.since) == (initiative.pk, last)


def test_a_units_page_is_read_from_the_stored_week_without_touching_the_facts(
        facts: FactsStore) -> None:
    org, initiative = build(facts)
    state_refresh(initiative, facts, today=TODAY)
    Job.objects.all().delete()
    scope = scope_for_person(org.director_north, TODAY)
    sunday = week_end(START + dt.timedelta(weeks=5))
    stored = unit_diagnosis_for_viewer(initiative, org.team_a.pk, scope, facts, None, TODAY)
    assert stored == unit_diagnosis_for_viewer(initiative, org.team_a.pk, scope, facts, sunday,
                                               TODAY)  # the same page as computed on the fly
    with facts.connect(write=True) as con:
        con.raw_sql("DELETE FROM activities")
    assert unit_diagnosis_for_viewer(initiative, org.team_a.pk, scope, facts, None,
                                     TODAY) == stored
    assert unit_diagnosis_for_viewer(initiative, org.team_a.pk, scope, facts, sunday,
                                     TODAY) != stored
    with pytest.raises(AccessDenied):
        unit_diagnosis_for_viewer(initiative, org.team_b.pk,
                                  scope_for_person(org.manager_a, TODAY), facts, None, TODAY)


def test_an_ended_initiative_is_shown_as_of_its_last_week_from_the_state(
        facts: FactsStore) -> None:
    org, initiative = build(facts)  # runs 26 weeks from START
    later = START + dt.timedelta(weeks=40)
    last = START + dt.timedelta(weeks=26)
    state_refresh(initiative, facts, since=last, today=later)  # only the last week
    Job.objects.all().delete()
    seen = diagnosis_for_viewer(initiative, scope_for_person(org.director_north, later), facts,
                                None, later)
    assert seen.computed_at is not None and seen.answer.as_of == week_end(last)
