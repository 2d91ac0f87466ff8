"""Touchpoints and restatements are scored when written; rescoring; CSV imports all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from m3.errors import AccessDenied, InputError
from m3.ingest.problems import ImportRejected
from m3.initiatives.models import Initiative, KeyPoint
from m3.initiatives.services import initiative_save
from m3.message.encoders import Method
from m3.message.importer import restatements_import, touchpoints_import
from m3.message.models import Restatement, TouchpointScore
from m3.message.services import (
    RestatementInput,
    TouchpointInput,
    initiative_rescore,
    restatement_submit,
    touchpoint_log,
    touchpoints_score,
)
from tests.factories import START, SmallOrg, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db
TODAY = START + dt.timedelta(days=60)
FAITHFUL = ("Start with what the problem costs the customer, use the ROI calculator with them, "
            "and put the number in the proposal.")
AGAINST = "Skip the ROI calculator; just demo the product and talk about features."


def world() -> tuple[SmallOrg, Initiative]:
    org = small_org()
    initiative = initiative_save(roi_input(org, unit_ids=(org.north.pk,)))
    return org, initiative


def log(org: SmallOrg, initiative: Initiative, content: str, **changes: object) -> TouchpointInput:
    data = {"initiative_id": initiative.pk, "leader_id": org.manager_a.pk, "channel": "meeting",
            "date": START + dt.timedelta(days=3), "content": content, "unit_id": org.team_a.pk}
    data.update(changes)
    return TouchpointInput(**data)  # type: ignore[arg-type]


def lexical(initiative: Initiative) -> None:
    initiative_rescore(initiative, Method.LEXICAL)


def test_a_logged_touchpoint_is_scored_and_stored_per_key_point() -> None:
    org, initiative = world()
    lexical(initiative)
    faithful = touchpoint_log(log(org, initiative, FAITHFUL), TODAY).touchpoint
    against = touchpoint_log(log(org, initiative, AGAINST, channel="email"), TODAY).touchpoint
    good, bad = faithful.score, against.score
    assert good.method == "lexical" and good.reliable
    assert [kp["covered"] for kp in good.key_points] == [True, True, True]
    assert bad.key_points[1]["contradicted"] is True
    assert "Skip the ROI calculator" in bad.key_points[1]["contradiction"]
    assert bad.consistency < good.consistency


def test_an_unchanged_relog_keeps_its_score_and_a_changed_one_is_scored_again() -> None:
    org, initiative = world()
    lexical(initiative)
    first = touchpoint_log(log(org, initiative, AGAINST), TODAY).touchpoint.score.consistency
    touchpoint_log(log(org, initiative, AGAINST), TODAY)
    assert TouchpointScore.objects.count() == 1
    again = touchpoint_log(log(org, initiative, FAITHFUL), TODAY)
    again.touchpoint.score.refresh_from_db()
    assert again.outcome == "updated" and again.touchpoint.score.consistency > first


def test_rescoring_after_the_key_points_change_uses_the_new_points() -> None:
    org, initiative = world()
    lexical(initiative)
    tp = touchpoint_log(log(org, initiative, FAITHFUL), TODAY).touchpoint
    old = tp.score.message_digest
    KeyPoint.objects.filter(initiative=initiative, position=3).update(
        text="Book the follow-up meeting before you leave")
    result = initiative_rescore(initiative)
    tp.score.refresh_from_db()
    assert result.touchpoints == 1 and result.method is Method.LEXICAL
    assert tp.score.message_digest != old
    assert tp.score.key_points[2]["point"] == "Book the follow-up meeting before you leave"
    assert tp.score.key_points[2]["covered"] is False


def test_a_rep_in_scope_restates_once_per_day_and_is_scored() -> None:
    org, initiative = world()
    lexical(initiative)
    data = RestatementInput(initiative.pk, org.rep_a1.pk, TODAY, FAITHFUL)
    assert restatement_submit(data, TODAY).outcome == "added"
    assert restatement_submit(data, TODAY).outcome == "unchanged"
    saved = Restatement.objects.get()
    assert saved.method == "lexical" and all(kp["covered"] for kp in saved.key_points)


def test_a_restatement_from_someone_outside_the_initiatives_scope_is_refused() -> None:
    org, initiative = world()
    with pytest.raises(AccessDenied, match="outside the scope of Lead with value"):
        restatement_submit(RestatementInput(initiative.pk, org.rep_c1.pk, TODAY, FAITHFUL), TODAY)
    with pytest.raises(AccessDenied, match="not a rep"):
        restatement_submit(RestatementInput(initiative.pk, org.manager_a.pk, TODAY, FAITHFUL),
                           TODAY)
    with pytest.raises(InputError, match="empty"):
        restatement_submit(RestatementInput(initiative.pk, org.rep_a1.pk, TODAY, "  "), TODAY)
    assert not Restatement.objects.exists()


def test_importing_touchpoints_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    org, initiative = world()
    path = tmp_path / "touchpoints.csv"
    path.write_text(
        "leader,unit,person,channel,date,content\n"
        f"{org.manager_a.email},Team A,,meeting,{START + dt.timedelta(days=3)},\"{FAITHFUL}\"\n"
        f"{org.manager_a.email},Team B,,meeting,{START + dt.timedelta(days=3)},hello\n"
        f"nobody@example.test,Team A,,meeting,2026-13-01,hello\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        touchpoints_import(path, initiative, TODAY)
    text = str(rejected.value)
    assert "touchpoints.csv, row 3, column 'leader': Mia Manager does not lead Team B" in text
    assert "row 4, column 'leader': no person with the email 'nobody@example.test'" in text
    assert "row 4, column 'date'" in text
    assert not TouchpointScore.objects.exists() and not initiative.touchpoints.exists()


def test_importing_the_same_touchpoints_twice_adds_them_once_and_scores_them(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    lexical(initiative)
    path = tmp_path / "touchpoints.csv"
    path.write_text(
        "leader,unit,person,channel,date,content\n"
        f"{org.manager_a.email},Team A,,meeting,{START + dt.timedelta(days=3)},\"{AGAINST}\"\n"
        f"{org.manager_a.email},,{org.rep_a1.email},one_to_one,{START + dt.timedelta(days=4)},"
        f"\"{FAITHFUL}\"\n", encoding="utf-8")
    first = touchpoints_import(path, initiative, TODAY)
    second = touchpoints_import(path, initiative, TODAY)
    assert (first.added, second.added, second.unchanged) == (2, 0, 2)
    assert TouchpointScore.objects.count() == 2


def test_importing_restatements_refuses_a_rep_outside_the_scope_naming_the_row(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    lexical(initiative)
    path = tmp_path / "restatements.csv"
    path.write_text(f"email,date,text\n{org.rep_a1.email},{TODAY},\"{FAITHFUL}\"\n"
                    f"{org.rep_c1.email},{TODAY},\"{FAITHFUL}\"\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="row 3, column 'email': Cal Rep is outside"):
        restatements_import(path, initiative, TODAY)
    assert not Restatement.objects.exists()
    result = restatements_import(path, initiative, TODAY, skip_invalid=True)
    assert (result.added, result.skipped) == (1, 1)
    assert Path(result.report_path).is_file()
    assert Restatement.objects.get().method == "lexical"


def test_scoring_nothing_is_a_no_op() -> None:
    _, initiative = world()
    assert touchpoints_score([], initiative) == 0


def test_a_file_that_repeats_a_touchpoint_or_a_restatement_names_the_repeat(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    lexical(initiative)
    day = START + dt.timedelta(days=3)
    touchpoints = tmp_path / "touchpoints.csv"
    touchpoints.write_text(
        "leader,unit,person,channel,date,content\n"
        f"{org.manager_a.email},Team A,,meeting,{day},first\n"
        f"{org.manager_a.email},Team A,,meeting,{day},second\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="row 3, column 'date': the same leader, audience"):
        touchpoints_import(touchpoints, initiative, TODAY)
    restatements = tmp_path / "restatements.csv"
    restatements.write_text(f"email,date,text\n{org.rep_a1.email},{TODAY},\"{FAITHFUL}\"\n"
                            f"{org.rep_a1.email},{TODAY},again\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="row 3, column 'date': .* in row 2"):
        restatements_import(restatements, initiative, TODAY)
    assert not initiative.touchpoints.exists() and not Restatement.objects.exists()


def test_reimporting_changed_touchpoints_updates_and_rescores_only_those(tmp_path: Path) -> None:
    org, initiative = world()
    lexical(initiative)
    path = tmp_path / "touchpoints.csv"
    day = START + dt.timedelta(days=3)
    rows = (f"{org.manager_a.email},Team A,,meeting,{day},\"{AGAINST}\"\n"
            f"{org.manager_a.email},,{org.rep_a1.email},one_to_one,{day},\"{FAITHFUL}\"\n")
    path.write_text("leader,unit,person,channel,date,content\n" + rows, encoding="utf-8")
    touchpoints_import(path, initiative, TODAY)
    before = dict(TouchpointScore.objects.values_list("touchpoint__channel", "consistency"))
    # The meeting now carries the message; the one-to-one row has no content (kept as it was).
    path.write_text("leader,unit,person,channel,date,content\n"
                    f"{org.manager_a.email},Team A,,meeting,{day},\"{FAITHFUL}\"\n"
                    f"{org.manager_a.email},,{org.rep_a1.email},one_to_one,{day},\n",
                    encoding="utf-8")
    again = touchpoints_import(path, initiative, TODAY)
    after = dict(TouchpointScore.objects.values_list("touchpoint__channel", "consistency"))
    assert (again.added, again.updated, again.unchanged) == (0, 1, 1)
    assert after["meeting"] > before["meeting"] and after["one_to_one"] == before["one_to_one"]
    assert initiative.touchpoints.get(channel="one_to_one").content == FAITHFUL


def test_a_touchpoint_to_a_person_outside_the_leaders_units_is_refused_by_the_scope(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    path = tmp_path / "touchpoints.csv"
    path.write_text("leader,unit,person,channel,date,content\n"
                    f"{org.manager_a.email},,{org.rep_b1.email},one_to_one,"
                    f"{START + dt.timedelta(days=3)},hello\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        touchpoints_import(path, initiative, TODAY)
    assert ("row 2, column 'leader': That person is not in a unit Mia Manager leads on"
            in str(rejected.value))
    assert not initiative.touchpoints.exists()


def test_imported_restatements_are_written_and_scored_in_one_go_and_updated_on_change(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    lexical(initiative)
    path = tmp_path / "restatements.csv"
    day = START + dt.timedelta(days=5)
    path.write_text(f"email,date,text\n{org.rep_a1.email},{day},\"{AGAINST}\"\n"
                    f"{org.rep_a2.email},{day},\"{FAITHFUL}\"\n", encoding="utf-8")
    first = restatements_import(path, initiative, TODAY)
    assert first.added == 2 and all(r.method == "lexical" for r in Restatement.objects.all())
    low = Restatement.objects.get(person=org.rep_a1).consistency
    path.write_text(f"email,date,text\n{org.rep_a1.email},{day},\"{FAITHFUL}\"\n"
                    f"{org.rep_a2.email},{day},\"{FAITHFUL}\"\n", encoding="utf-8")
    second = restatements_import(path, initiative, TODAY)
    assert (second.added, second.updated, second.unchanged) == (0, 1, 1)
    assert Restatement.objects.get(person=org.rep_a1).consistency > low


def test_emails_in_an_import_match_whatever_their_case(tmp_path: Path) -> None:
    org, initiative = world()
    lexical(initiative)
    path = tmp_path / "touchpoints.csv"
    path.write_text("leader,unit,person,channel,date,content\n"
                    f" {org.manager_a.email.upper()},,{org.rep_a1.email.title()},one_to_one,"
                    f"{START + dt.timedelta(days=3)},\"{FAITHFUL}\"\n", encoding="utf-8")
    assert touchpoints_import(path, initiative, TODAY).added == 1
    assert initiative.touchpoints.get().person == org.rep_a1
