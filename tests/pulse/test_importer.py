"""Importing pulse answers from a CSV: one row per person and week, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from m3.errors import InputError
from m3.ingest.problems import ImportRejected
from m3.initiatives.models import Initiative
from m3.initiatives.services import initiative_save
from m3.pulse.importer import pulses_import
from m3.pulse.models import PulseResponse
from tests.factories import START, SmallOrg, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db
TODAY = START + dt.timedelta(weeks=4)
HEADER = "email,date,clarity,consistency,confidence,energy,comment\n"
GOOD = HEADER + (
    "rae.rep@example.test,2026-01-14,4,3,5,,Clear enough\n"  # a Wednesday: the week of Jan 12
    "bea.rep@example.test,2026-01-12,2,2,2,2,\n"
)


@pytest.fixture
def setup() -> tuple[SmallOrg, Initiative]:
    org = small_org()
    return org, initiative_save(roi_input(org, unit_ids=(org.north.pk,)))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pulse.csv"
    path.write_text(text, encoding="utf-8")
    return path


def stored() -> list[tuple[str, str, str, int, str]]:
    return [(r.person.email, r.week.isoformat(), r.question, r.score, r.comment)
            for r in PulseResponse.objects.select_related("person").order_by(
                "person__email", "week", "question")]


def test_the_answers_are_stored_by_iso_week_and_an_empty_cell_is_no_answer(
        setup: tuple[SmallOrg, Initiative], tmp_path: Path) -> None:
    _, initiative = setup
    result = pulses_import(write(tmp_path, GOOD), initiative, TODAY)
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    rae = [row for row in stored() if row[0] == "rae.rep@example.test"]
    assert rae == [
        ("rae.rep@example.test", "2026-01-12", "clarity", 4, "Clear enough"),
        ("rae.rep@example.test", "2026-01-12", "confidence", 5, ""),
        ("rae.rep@example.test", "2026-01-12", "consistency", 3, ""),
    ]
    assert len(stored()) == 7


def test_the_same_file_again_changes_nothing(setup: tuple[SmallOrg, Initiative],
                                             tmp_path: Path) -> None:
    _, initiative = setup
    path = write(tmp_path, GOOD)
    pulses_import(path, initiative, TODAY)
    before = stored()
    result = pulses_import(path, initiative, TODAY)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 2)
    assert stored() == before


def test_a_row_replaces_that_persons_answers_for_that_week(
        setup: tuple[SmallOrg, Initiative], tmp_path: Path) -> None:
    _, initiative = setup
    pulses_import(write(tmp_path, GOOD), initiative, TODAY)
    again = HEADER + "rae.rep@example.test,2026-01-16,,,1,1,\n"
    result = pulses_import(write(tmp_path, again), initiative, TODAY)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 0)
    rae = [row[2:4] for row in stored() if row[0] == "rae.rep@example.test"]
    assert rae == [("confidence", 1), ("energy", 1)]
    assert len([row for row in stored() if row[0] == "bea.rep@example.test"]) == 4


@pytest.mark.parametrize(("row", "says"), [
    ("rae.rep@example.test,2026-01-12,6,,,,",
     "pulse.csv, row 4, column 'clarity': The answer to 'clarity' must be 1 to 5 (got 6)."),
    ("rae.rep@example.test,2026-01-12,0,,,,",
     "pulse.csv, row 4, column 'clarity': The answer to 'clarity' must be 1 to 5 (got 0)."),
    ("rae.rep@example.test,2026-01-12,,good,,,",
     "pulse.csv, row 4, column 'consistency': 'good' is not a whole number; answer 1 to 5, or "
     "leave the cell empty for no answer."),
    ("rae.rep@example.test,2026-01-12,,,3.5,,",
     "pulse.csv, row 4, column 'confidence': '3.5' is not a whole number"),
    ("rae.rep@example.test,12/01/2026,3,,,,",
     "pulse.csv, row 4, column 'date': '12/01/2026' is not a date; write YYYY-MM-DD (any day of "
     "the week answered)."),
    ("rae.rep@example.test,2026-03-02,3,,,,",
     "pulse.csv, row 4, column 'date': 2026-03-02 is after today; a pulse answers a week that "
     "has begun."),
    ("rae.rap@example.test,2026-01-12,3,,,,",
     "pulse.csv, row 4, column 'email': no person with the email 'rae.rap@example.test' "
     "(closest: rae.rep@example.test, ray.rep@example.test, cal.rep@example.test); check it "
     "or import the org first (m3 org import)."),
    ("cal.rep@example.test,2026-01-12,3,,,,",
     "pulse.csv, row 4, column 'email': Cal Rep is outside the scope of Lead with value that "
     "week."),
    ("mia.manager@example.test,2026-01-12,3,,,,",
     "pulse.csv, row 4, column 'email': Pulses ask reps how the initiative lands"),
    ("rae.rep@example.test,2026-01-12,,,,,Nothing to say",
     "pulse.csv, row 4: Answer at least one question."),
    ("rae.rep@example.test,2025-06-02,3,,,,",
     "pulse.csv, row 4, column 'date': Lead with value is not running in the week of "
     "2025-06-02."),
])
def test_a_bad_row_is_named_and_nothing_is_written(
        setup: tuple[SmallOrg, Initiative], tmp_path: Path, row: str, says: str) -> None:
    _, initiative = setup
    text = GOOD + row + "\n"
    with pytest.raises(ImportRejected) as caught:
        pulses_import(write(tmp_path, text), initiative, TODAY)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1 and problems[0].startswith(says), problems
    assert PulseResponse.objects.count() == 0


def test_two_rows_for_one_person_and_week_are_refused(
        setup: tuple[SmallOrg, Initiative], tmp_path: Path) -> None:
    _, initiative = setup
    text = GOOD + "rae.rep@example.test,2026-01-18,1,,,,\n"
    with pytest.raises(ImportRejected) as caught:
        pulses_import(write(tmp_path, text), initiative, TODAY)
    assert [str(p) for p in caught.value.problems] == [
        "pulse.csv, row 4, column 'date': rae.rep@example.test answers the week of 2026-01-12 in "
        "row 2 already: keep one row per person and week."]
    assert PulseResponse.objects.count() == 0


def test_a_missing_column_is_named(setup: tuple[SmallOrg, Initiative], tmp_path: Path) -> None:
    _, initiative = setup
    missing = r"pulse.csv, row 1: missing column\(s\) consistency, confidence, energy"
    with pytest.raises(InputError, match=missing):
        pulses_import(write(tmp_path, "email,date,clarity\n"), initiative, TODAY)


def test_every_problem_of_every_row_is_listed_in_one_run(
        setup: tuple[SmallOrg, Initiative], tmp_path: Path) -> None:
    _, initiative = setup
    text = GOOD + ("rae.rap@example.test,2026-01-12,3,,,,\n"  # row 4: unknown email
                   "ray.rep@example.test,2026-01-12,6,,x,,\n")  # row 5: out of range, not a number
    with pytest.raises(ImportRejected) as caught:
        pulses_import(write(tmp_path, text), initiative, TODAY)
    assert sorted((p.row, p.column) for p in caught.value.problems) == [
        (4, "email"), (5, "clarity"), (5, "confidence")]
    assert PulseResponse.objects.count() == 0
