"""CSV imports of touchpoints and restatements: all or nothing, every problem named.

Rules of m3/ingest/problems.py: every row is checked first and each problem points at the file,
the row and the column with what to do; with any problem nothing is written (unless
`skip_invalid`, which writes the valid rows and the problems to a report). Re-importing a file
is idempotent: a touchpoint is one per leader, audience, channel and date; a restatement one per
rep, initiative and date.

The checks are the services' own (`touchpoint_problems`, `restatement_problems`, the scopes),
with the org read once per import (`OrgLookups`); the rows are written in bulk and scored in one
batch, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.db import IntegrityError, transaction

from m3.errors import InputError
from m3.ingest.csvfile import CsvTable, csv_read
from m3.ingest.problems import ImportRejected, Problem, problems_report_write
from m3.initiatives.models import Initiative
from m3.message.models import Restatement, Touchpoint, TouchpointScore
from m3.message.services import (
    OrgLookups,
    RestatementInput,
    TouchpointInput,
    restatement_problems,
    restatements_score,
    touchpoint_problems,
    touchpoints_score,
)
from m3.org.models import Person, Unit

TOUCHPOINT_COLUMNS = ("leader", "unit", "person", "channel", "date", "content")
RESTATEMENT_COLUMNS = ("email", "date", "text")
BATCH_ROWS = 500
T = TypeVar("T")


@dataclass(frozen=True)
class MessageImportResult:
    """What an import wrote: rows added, updated, unchanged, skipped (with the report)."""

    added: int
    updated: int
    unchanged: int
    skipped: int
    report_path: str


def _date(value: str, file: str, row: int, problems: list[Problem]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(file, row, "date", f"{value!r} is not a date; write YYYY-MM-DD."))
        return None


def _people_by_email(table: CsvTable, columns: tuple[str, ...],
                     org: OrgLookups) -> dict[str, Person]:
    """The people the file names in `columns`, by lower-cased email (the first by id wins).

    Emails are compared in Python (`str.lower`), one read of every email, so an email with
    non-ASCII capitals matches as it does case-insensitively anywhere else.
    """
    wanted = {row[c].strip().lower() for row in table.rows for c in columns if row[c]}
    pks: dict[str, int] = {}
    for pk, email in Person.objects.order_by("pk").values_list("pk", "email"):
        if email.lower() in wanted:
            pks.setdefault(email.lower(), pk)
    people = Person.objects.in_bulk(list(pks.values()))
    org.people_load(list(people.values()))
    return {email: people[pk] for email, pk in pks.items()}


def _person(value: str, column: str, file: str, row: int, problems: list[Problem],
            people: dict[str, Person]) -> Person | None:
    person = people.get(value.strip().lower()) if value else None
    if person is None:
        problems.append(Problem(file, row, column, f"no person with the email {value!r}; check "
                                "it or import the org first (m3 org import)."))
    return person


def _plan_touchpoints(path: Path, initiative: Initiative, today: dt.date, encoding: str | None,
                      org: OrgLookups) -> tuple[list[tuple[int, TouchpointInput]],
                                                list[Problem]]:
    table = csv_read(path, TOUCHPOINT_COLUMNS, encoding)
    units = {name.lower(): pk for pk, name in Unit.objects.values_list("pk", "name")}
    people = _people_by_email(table, ("leader", "person"), org)
    planned, problems = [], []
    first_row: dict[tuple[object, ...], int] = {}
    for row in table.rows:
        number = int(row["__row__"])
        found: list[Problem] = []
        leader = _person(row["leader"], "leader", table.file, number, found, people)
        unit_id = person_id = None
        if row["unit"] and row["person"]:
            found.append(Problem(table.file, number, "unit", "give a unit or a person, not both."))
        elif row["unit"]:
            unit_id = units.get(row["unit"].lower())
            if unit_id is None:
                found.append(Problem(table.file, number, "unit",
                                     f"no unit called {row['unit']!r}; use the unit's name."))
        elif row["person"]:
            person = _person(row["person"], "person", table.file, number, found, people)
            person_id = person.pk if person else None
        else:
            found.append(Problem(table.file, number, "unit",
                                 "the audience is missing: fill in unit or person."))
        day = _date(row["date"], table.file, number, found)
        if found or leader is None or day is None:
            problems += found
            continue
        data = TouchpointInput(initiative.pk, leader.pk, row["channel"].lower(), day,
                               row["content"], unit_id, person_id)
        found += [Problem(table.file, number, None, p)
                  for p in touchpoint_problems(data, today, org)]
        if not found:
            # A leader's scope on a day answers every row of that leader and day.
            denied = org.touchpoint_problem(leader, day, unit_id, person_id)
            if denied:
                found.append(Problem(table.file, number, "leader", denied))
        key = (data.leader_id, data.unit_id, data.person_id, data.channel, data.date)
        if not found and key in first_row:
            found.append(Problem(table.file, number, "date", f"the same leader, audience, "
                                 f"channel and date as row {first_row[key]}: one touchpoint "
                                 "per day and audience; merge the two texts into one row."))
        first_row.setdefault(key, number)
        problems += found
        if not found:
            planned.append((number, data))
    return planned, problems


def _plan_restatements(path: Path, initiative: Initiative, today: dt.date, encoding: str | None,
                       org: OrgLookups) -> tuple[list[tuple[int, RestatementInput]],
                                                 list[Problem]]:
    table = csv_read(path, RESTATEMENT_COLUMNS, encoding)
    people = _people_by_email(table, ("email",), org)
    planned, problems = [], []
    first_row: dict[tuple[int, dt.date], int] = {}
    scope_units = org.scope_units(initiative)
    for row in table.rows:
        number = int(row["__row__"])
        found: list[Problem] = []
        person = _person(row["email"], "email", table.file, number, found, people)
        day = _date(row["date"], table.file, number, found)
        if found or person is None or day is None:
            problems += found
            continue
        data = RestatementInput(initiative.pk, person.pk, day, row["text"])
        found += [Problem(table.file, number, "text" if "restatement" in p else None, p)
                  for p in restatement_problems(data, today, org)]
        if not found:
            denied = org.scope(person, day).restatement_problem(day, scope_units,
                                                                initiative.title)
            if denied:
                found.append(Problem(table.file, number, "email", denied))
        if not found and (person.pk, day) in first_row:
            found.append(Problem(table.file, number, "date", f"{person.email} already restated "
                                 f"the message on {day} in row {first_row[(person.pk, day)]}: "
                                 "keep one restatement per rep and day."))
        first_row.setdefault((person.pk, day), number)
        problems += found
        if not found:
            planned.append((number, data))
    return planned, problems


def _write(
    planned: list[tuple[int, T]], problems: list[Problem], skip_invalid: bool, report: Path,
    save: Callable[[list[T]], list[str]],
) -> MessageImportResult:
    if problems and not skip_invalid:
        raise ImportRejected(problems)
    outcomes = save([data for _, data in planned])
    report_path = str(problems_report_write(report, problems)) if problems else ""
    return MessageImportResult(outcomes.count("added"), outcomes.count("updated"),
                               outcomes.count("unchanged"), len(problems), report_path)


def _raced(path: Path, what: str) -> InputError:
    return InputError(f"{path.name}: some of these {what} were written by someone else while "
                      "the file was imported; nothing was written, import the file again.")


@transaction.atomic
def touchpoints_import(path: Path, initiative: Initiative, today: dt.date, *,
                       skip_invalid: bool = False,
                       encoding: str | None = None) -> MessageImportResult:
    """Import touchpoints (leader, unit, person, channel, date, content), then score them.

    A row is the same touchpoint as a stored one with its leader, audience, channel and date:
    it is unchanged, or updated when its content differs and is not empty (`touchpoint_log`'s
    rule). New and changed touchpoints, and stored ones without a score, are scored in one batch.
    """
    org = OrgLookups()
    planned, problems = _plan_touchpoints(path, initiative, today, encoding, org)

    def save(rows: list[TouchpointInput]) -> list[str]:
        stored = {(t.leader_id, t.unit_id, t.person_id, t.channel, t.date): t
                  for t in Touchpoint.objects.filter(initiative=initiative)}
        scored = set(TouchpointScore.objects.filter(touchpoint__initiative=initiative)
                     .values_list("touchpoint_id", flat=True))
        outcomes, new, changed, to_score = [], [], [], []
        for data in rows:
            touchpoint = stored.get((data.leader_id, data.unit_id, data.person_id, data.channel,
                                     data.date))
            if touchpoint is None:
                touchpoint = Touchpoint(
                    initiative=initiative, leader_id=data.leader_id, unit_id=data.unit_id,
                    person_id=data.person_id, channel=data.channel, date=data.date,
                    content=data.content)
                new.append(touchpoint)
                outcomes.append("added")
            elif touchpoint.content != data.content and data.content:
                touchpoint.content = data.content
                changed.append(touchpoint)
                outcomes.append("updated")
            else:
                outcomes.append("unchanged")
                if touchpoint.pk not in scored:
                    to_score.append(touchpoint)
        try:
            Touchpoint.objects.bulk_create(new, batch_size=BATCH_ROWS)
        except IntegrityError:
            raise _raced(path, "touchpoints") from None
        Touchpoint.objects.bulk_update(changed, ["content"], batch_size=BATCH_ROWS)
        touchpoints_score([*new, *changed, *to_score], initiative)
        return outcomes

    return _write(planned, problems, skip_invalid, path.with_name(f"{path.stem}-skipped.csv"),
                  save)


@transaction.atomic
def restatements_import(path: Path, initiative: Initiative, today: dt.date, *,
                        skip_invalid: bool = False,
                        encoding: str | None = None) -> MessageImportResult:
    """Import restatements (email, date, text), then score them.

    A row is the same restatement as a stored one with its rep and date: unchanged, or updated
    when its (trimmed) text differs (`restatement_submit`'s rule). New and changed ones, and
    stored ones never scored, are scored in one batch.
    """
    org = OrgLookups()
    planned, problems = _plan_restatements(path, initiative, today, encoding, org)

    def save(rows: list[RestatementInput]) -> list[str]:
        stored = {(r.person_id, r.date): r
                  for r in Restatement.objects.filter(initiative=initiative)}
        outcomes, new, changed, to_score = [], [], [], []
        for data in rows:
            text = data.text.strip()
            restatement = stored.get((data.person_id, data.date))
            if restatement is None:
                restatement = Restatement(initiative=initiative, person_id=data.person_id,
                                          date=data.date, text=text)
                new.append(restatement)
                outcomes.append("added")
            elif restatement.text != text:
                restatement.text = text
                changed.append(restatement)
                outcomes.append("updated")
            else:
                outcomes.append("unchanged")
                if not restatement.method:
                    to_score.append(restatement)
        try:
            Restatement.objects.bulk_create(new, batch_size=BATCH_ROWS)
        except IntegrityError:
            raise _raced(path, "restatements") from None
        Restatement.objects.bulk_update(changed, ["text"], batch_size=BATCH_ROWS)
        restatements_score([*new, *changed, *to_score], initiative)
        return outcomes

    return _write(planned, problems, skip_invalid, path.with_name(f"{path.stem}-skipped.csv"),
                  save)
