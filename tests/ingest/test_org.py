"""`m3 org import`: every problem listed with file, row and column; all or nothing; idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from m3.errors import InputError
from m3.ingest.models import ImportRun
from m3.ingest.org import org_import
from m3.ingest.problems import ImportRejected
from m3.org.models import CrmIdentity, Leadership, Membership, Person, Unit
from m3.org.selectors import person_unit_on
from m3.vocabulary import ImportStatus

pytestmark = pytest.mark.django_db
DAY1 = dt.date(2026, 2, 2)
DAY2 = dt.date(2026, 3, 2)

UNITS = "unit,parent\nAcme,\nWest,Acme\nTeam Sun,West\nTeam Sea,West\n"
PEOPLE = (
    "name,email,role,unit,leads,crm_id\n"
    "Eve Exec,eve@acme.test,executive,,Acme:director,\n"
    "Wes Lead,wes@acme.test,leader,,West:director,\n"
    "Sam Sun,sam@acme.test,leader,,Team Sun;Team Sea:overlay,005A1\n"
    "Rita Rep,rita@acme.test,rep,Team Sun,,005R1;rita.r\n"
    "Rob Rep,rob@acme.test,rep,Team Sea,,005R2\n"
)


def write(tmp_path: Path, units: str, people: str) -> tuple[Path, Path]:
    u, p = tmp_path / "units.csv", tmp_path / "people.csv"
    u.write_text(units, encoding="utf-8")
    p.write_text(people, encoding="utf-8")
    return u, p


def test_a_valid_org_is_imported_with_leaderships_and_crm_ids(tmp_path: Path) -> None:
    result = org_import(*write(tmp_path, UNITS, PEOPLE), as_of=DAY1)
    assert (result.units_added, result.people_added, result.skipped) == (4, 5, 0)
    assert Unit.objects.get(name="Team Sun").parent == Unit.objects.get(name="West")
    sam = Person.objects.get(email="sam@acme.test")
    assert set(Leadership.objects.filter(person=sam).values_list("unit__name", "kind")) == {
        ("Team Sun", "manager"), ("Team Sea", "overlay")}
    assert set(CrmIdentity.objects.values_list("crm_id", flat=True)) == {
        "005A1", "005R1", "rita.r", "005R2"}
    run = ImportRun.objects.get()
    assert (run.kind, run.status, run.added) == ("org", ImportStatus.SUCCEEDED, 9)


def test_reimporting_the_same_files_changes_nothing(tmp_path: Path) -> None:
    files = write(tmp_path, UNITS, PEOPLE)
    org_import(*files, as_of=DAY1)
    before = (Membership.objects.count(), Leadership.objects.count(), Person.objects.count())
    again = org_import(*files, as_of=DAY2)
    assert (again.units_added, again.units_updated, again.people_added,
            again.people_updated, again.unchanged) == (0, 0, 0, 0, 5)
    assert (Membership.objects.count(), Leadership.objects.count(),
            Person.objects.count()) == before


def test_a_changed_org_file_records_the_move_with_its_date(tmp_path: Path) -> None:
    org_import(*write(tmp_path, UNITS, PEOPLE), as_of=DAY1)
    moved = PEOPLE.replace("rita@acme.test,rep,Team Sun", "rita@acme.test,rep,Team Sea")
    result = org_import(*write(tmp_path, UNITS, moved), as_of=DAY2)
    assert result.moves == 1
    rita = Person.objects.get(email="rita@acme.test")
    assert person_unit_on(rita, DAY2 - dt.timedelta(days=1)).name == "Team Sun"
    assert person_unit_on(rita, DAY2).name == "Team Sea"
    assert list(rita.memberships.values_list("unit__name", "start", "end")) == [
        ("Team Sun", DAY1, DAY2), ("Team Sea", DAY2, None)]


def test_every_problem_is_listed_with_file_row_and_column_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    units = UNITS + "Ghost Team,Nowhere\nLoop A,Loop B\nLoop B,Loop A\nWest,Acme\n"
    people = PEOPLE + (
        "Dup Rep,rita@acme.test,rep,Team Sun,,\n"
        "Odd Role,odd@acme.test,wizard,Team Sun,,\n"
        "No Unit,nounit@acme.test,rep,Team Moon,,\n"
        "Bad Mail,not-an-email,rep,Team Sun,,\n"
        "Taken Id,taken@acme.test,rep,Team Sun,,005R1\n"
    )
    with pytest.raises(ImportRejected) as caught:
        org_import(*write(tmp_path, units, people), as_of=DAY1)
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert ("units.csv", 6, "parent") in found  # Ghost Team's parent does not exist
    assert ("units.csv", 7, "parent") in found  # cycle
    assert ("units.csv", 9, "unit") in found  # West twice
    assert ("people.csv", 7, "email") in found  # duplicate email
    assert ("people.csv", 8, "role") in found
    assert ("people.csv", 9, "unit") in found
    assert ("people.csv", 10, "email") in found
    assert ("people.csv", 11, "crm_id") in found
    assert "cycle" in caught.value.message and "Nothing was imported" in caught.value.message
    assert Unit.objects.count() == 0 and Person.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.REJECTED


def test_skip_invalid_imports_the_valid_rows_and_reports_the_others(tmp_path: Path) -> None:
    people = PEOPLE + "Odd Role,odd@acme.test,wizard,Team Sun,,\n"
    result = org_import(*write(tmp_path, UNITS, people), as_of=DAY1, skip_invalid=True)
    assert (result.people_added, result.skipped) == (5, 1)
    assert result.report_path is not None
    report = result.report_path.read_text(encoding="utf-8")
    assert "people.csv,7,role" in report


def test_a_missing_column_names_the_file_and_the_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"people.csv, row 1: missing column\(s\) crm_id"):
        org_import(*write(tmp_path, UNITS, "name,email,role,unit,leads\n"), as_of=DAY1)


def test_an_empty_file_is_refused_with_the_header_it_needs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="units.csv: the file is empty"):
        org_import(*write(tmp_path, "", PEOPLE), as_of=DAY1)


def test_windows_1252_and_bom_files_are_read(tmp_path: Path) -> None:
    u, p = write(tmp_path, UNITS, PEOPLE.replace("Rob Rep", "Rób Rép"))
    p.write_bytes(PEOPLE.replace("Rob Rep", "Rób Rép").encode("cp1252"))
    u.write_bytes(b"\xef\xbb\xbf" + UNITS.encode("utf-8"))
    org_import(u, p, as_of=DAY1)
    assert Person.objects.get(email="rob@acme.test").name == "Rób Rép"


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    result = org_import(*write(tmp_path, UNITS, PEOPLE), as_of=DAY1, dry_run=True)
    assert result.people_added == 5 and result.dry_run
    assert Person.objects.count() == 0


def test_a_move_dated_before_the_current_membership_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    org_import(*write(tmp_path, UNITS, PEOPLE), as_of=DAY2)
    moved = PEOPLE.replace("rita@acme.test,rep,Team Sun", "rita@acme.test,rep,Team Sea")
    with pytest.raises(InputError, match=f"--as-of after {DAY2}"):
        org_import(*write(tmp_path, UNITS, moved), as_of=DAY1)
    rita = Person.objects.get(email="rita@acme.test")
    assert list(rita.memberships.values_list("unit__name", "start", "end")) == [
        ("Team Sun", DAY2, None)]
    assert ImportRun.objects.order_by("-pk").first().status == ImportStatus.REJECTED


def test_a_move_back_in_time_cannot_overlap_a_later_membership(tmp_path: Path) -> None:
    later = DAY2 + dt.timedelta(days=30)
    org_import(*write(tmp_path, UNITS, PEOPLE), as_of=DAY1)
    there = PEOPLE.replace("rita@acme.test,rep,Team Sun", "rita@acme.test,rep,Team Sea")
    org_import(*write(tmp_path, UNITS, there), as_of=later)  # Sun until `later`, then Sea
    back = PEOPLE  # back to Team Sun, dated before `later`
    with pytest.raises(InputError):
        org_import(*write(tmp_path, UNITS, back), as_of=DAY2)
    rita = Person.objects.get(email="rita@acme.test")
    assert list(rita.memberships.values_list("unit__name", "start", "end")) == [
        ("Team Sun", DAY1, later), ("Team Sea", later, None)]


def test_a_first_import_counts_new_units_as_added_not_updated(tmp_path: Path) -> None:
    result = org_import(*write(tmp_path, UNITS, PEOPLE), as_of=DAY1)
    assert (result.units_added, result.units_updated) == (4, 0)
