"""CSV imports of touchpoints and restatements: all or nothing, every problem named.

Rules of m3/ingest/problems.py: every row is checked first and each problem points at the file,
the row and the column with what to do; with any problem nothing is written (unless
`skip_invalid`, which writes the valid rows and the problems to a report). Re-importing a file
is idempotent: a touchpoint is one per leader, audience, channel and date; a restatement one per
rep, initiative and date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.db import transaction

from m3.errors import AccessDenied, InputError
from m3.ingest.csvfile import csv_read
from m3.ingest.problems import ImportRejected, Problem, problems_report_write
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.message.models import Restatement, Touchpoint
from m3.message.services import (
    RestatementInput,
    TouchpointInput,
    restatement_problems,
    restatement_submit,
    restatements_score,
    touchpoint_log,
    touchpoint_problems,
    touchpoints_score,
)
from m3.org.models import Person, Unit
from m3.org.scope import Scope, scope_for_person

TOUCHPOINT_COLUMNS = ("leader", "unit", "person", "channel", "date", "content")
RESTATEMENT_COLUMNS = ("email", "date", "text")
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


def _person(value: str, column: str, file: str, row: int,
            problems: list[Problem]) -> Person | None:
    person = Person.objects.filter(email__iexact=value.strip()).first() if value else None
    if person is None:
        problems.append(Problem(file, row, column, f"no person with the email {value!r}; check "
                                "it or import the org first (m3 org import)."))
    return person


def _plan_touchpoints(path: Path, initiative: Initiative, today: dt.date,
                      encoding: str | None) -> tuple[list[tuple[int, TouchpointInput]],
                                                     list[Problem]]:
    table = csv_read(path, TOUCHPOINT_COLUMNS, encoding)
    units = {name.lower(): pk for pk, name in Unit.objects.values_list("pk", "name")}
    planned, problems = [], []
    first_row: dict[tuple[object, ...], int] = {}
    # A leader's scope on a day answers every row of that leader and day.
    scopes: dict[tuple[int, dt.date], Scope] = {}
    for row in table.rows:
        number = int(row["__row__"])
        found: list[Problem] = []
        leader = _person(row["leader"], "leader", table.file, number, found)
        unit_id = person_id = None
        if row["unit"] and row["person"]:
            found.append(Problem(table.file, number, "unit", "give a unit or a person, not both."))
        elif row["unit"]:
            unit_id = units.get(row["unit"].lower())
            if unit_id is None:
                found.append(Problem(table.file, number, "unit",
                                     f"no unit called {row['unit']!r}; use the unit's name."))
        elif row["person"]:
            person = _person(row["person"], "person", table.file, number, found)
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
        found += [Problem(table.file, number, None, p) for p in touchpoint_problems(data, today)]
        if not found:
            if (leader.pk, day) not in scopes:
                scopes[leader.pk, day] = scope_for_person(leader, day)
            denied = scopes[leader.pk, day].touchpoint_problem(day, unit_id, person_id)
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


def _plan_restatements(path: Path, initiative: Initiative, today: dt.date,
                       encoding: str | None) -> tuple[list[tuple[int, RestatementInput]],
                                                      list[Problem]]:
    table = csv_read(path, RESTATEMENT_COLUMNS, encoding)
    planned, problems = [], []
    first_row: dict[tuple[int, dt.date], int] = {}
    scope_units = initiative_unit_ids(initiative)
    for row in table.rows:
        number = int(row["__row__"])
        found: list[Problem] = []
        person = _person(row["email"], "email", table.file, number, found)
        day = _date(row["date"], table.file, number, found)
        if found or person is None or day is None:
            problems += found
            continue
        data = RestatementInput(initiative.pk, person.pk, day, row["text"])
        found += [Problem(table.file, number, "text" if "restatement" in p else None, p)
                  for p in restatement_problems(data, today)]
        if not found:
            denied = scope_for_person(person, day).restatement_problem(day, scope_units,
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
    save: Callable[[T], str],
) -> MessageImportResult:
    if problems and not skip_invalid:
        raise ImportRejected(problems)
    outcomes = [save(data) for _, data in planned]
    report_path = str(problems_report_write(report, problems)) if problems else ""
    return MessageImportResult(outcomes.count("added"), outcomes.count("updated"),
                               outcomes.count("unchanged"), len(problems), report_path)


@transaction.atomic
def touchpoints_import(path: Path, initiative: Initiative, today: dt.date, *,
                       skip_invalid: bool = False,
                       encoding: str | None = None) -> MessageImportResult:
    """Import touchpoints (leader, unit, person, channel, date, content), then score them."""
    planned, problems = _plan_touchpoints(path, initiative, today, encoding)
    saved: list[int] = []

    def save(data: TouchpointInput) -> str:
        try:
            logged = touchpoint_log(data, today, score=False)
        except (InputError, AccessDenied) as exc:  # checked above; a race is still reported
            raise InputError(f"{path.name}: {exc.message}") from None
        if logged.outcome != "unchanged" or not hasattr(logged.touchpoint, "score"):
            saved.append(logged.touchpoint.pk)
        return logged.outcome

    result = _write(planned, problems, skip_invalid,
                    path.with_name(f"{path.stem}-skipped.csv"), save)
    touchpoints_score(list(Touchpoint.objects.filter(pk__in=saved)), initiative)
    return result


@transaction.atomic
def restatements_import(path: Path, initiative: Initiative, today: dt.date, *,
                        skip_invalid: bool = False,
                        encoding: str | None = None) -> MessageImportResult:
    """Import restatements (email, date, text), then score them."""
    planned, problems = _plan_restatements(path, initiative, today, encoding)
    saved: list[int] = []

    def save(data: RestatementInput) -> str:
        try:
            result = restatement_submit(data, today, score=False)
        except (InputError, AccessDenied) as exc:
            raise InputError(f"{path.name}: {exc.message}") from None
        if result.outcome != "unchanged" or not result.restatement.method:
            saved.append(result.restatement.pk)
        return result.outcome

    result = _write(planned, problems, skip_invalid,
                    path.with_name(f"{path.stem}-skipped.csv"), save)
    restatements_score(list(Restatement.objects.filter(pk__in=saved)), initiative)
    return result
