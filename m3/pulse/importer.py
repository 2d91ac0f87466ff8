"""CSV import of pulse answers (`m3 pulse import`): all or nothing, every problem named.

Columns: email, date, clarity, consistency, confidence, energy, and optionally comment (kept
with the first question answered, in that order) and <question>_comment (kept with that
question, as the pulse form does). A score is a whole number 1–5; an empty cell is no answer.
The date may be any day of the ISO week answered (Monday start). The rules of
m3/ingest/problems.py hold: every row is checked first (by the pulse's own checks,
`pulse_problems` and the rep's scope), each problem names file, row and column with what to do,
and with any problem nothing is written. One row per person and week: a row replaces that
person's answers for that week (a question left empty is withdrawn), and importing the same
file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from m3.ingest.csvfile import csv_read
from m3.ingest.problems import ImportRejected, Problem
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.org.models import Person
from m3.org.scope import scope_for_person
from m3.pulse.models import PulseResponse
from m3.pulse.services import PulseAnswers, pulse_answer, pulse_problems, pulse_week_problem
from m3.schema import EMAIL_CUTOFF, close_matches
from m3.vocabulary import PulseQuestion
from m3.weeks import week_start

PULSE_COLUMNS = ("email", "date", *PulseQuestion.values)


@dataclass(frozen=True)
class PulseImportResult:
    """What an import wrote: one count per person and week (added, updated, unchanged)."""

    added: int
    updated: int
    unchanged: int


def _score(value: str) -> int | str | None:
    """A cell's answer: None when empty, the whole number written, else the text as written."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else value


def _row_read(row: dict[str, str], file: str, number: int, initiative: Initiative,
              scope_units: frozenset[int], people: dict[str, Person], today: dt.date,
              found: list[Problem]) -> PulseAnswers | None:
    """The row's answers, or None with its problems added to `found` (every problem of the
    row, so one run lists them all)."""
    before = len(found)
    email = row["email"].strip()
    person = people.get(email.lower())
    if person is None:
        close = close_matches(email, people, EMAIL_CUTOFF)
        hint = f" (closest: {', '.join(close)})" if close else ""
        found.append(Problem(file, number, "email", f"no person with the email {email!r}{hint}; "
                             "check it or import the org first (m3 org import)."))
    try:
        day = dt.date.fromisoformat(row["date"])
    except ValueError:
        found.append(Problem(file, number, "date", f"{row['date']!r} is not a date; write "
                             "YYYY-MM-DD (any day of the week answered)."))
        day = None
    if day is not None and day > today:
        found.append(Problem(file, number, "date", f"{day} is after today; a pulse answers a "
                             "week that has begun."))
    scores: dict[str, int] = {}
    unreadable = False
    for question in PulseQuestion.values:
        score = _score(row[question])
        if isinstance(score, str):
            unreadable = True
            found.append(Problem(file, number, question, f"{score!r} is not a whole number; "
                                 "answer 1 to 5, or leave the cell empty for no answer."))
        elif score is not None:
            scores[question] = score
    comments = {q: row[f"{q}_comment"] for q in PulseQuestion.values if row.get(f"{q}_comment")}
    if row.get("comment") and scores:
        first = next(iter(scores))
        comments[first] = "\n".join(c for c in (comments.get(first), row["comment"]) if c)
    if person is None or day is None or day > today:  # already said what to fix
        return None
    week = week_start(day)
    data = PulseAnswers(initiative.pk, person.pk, week, scores, comments)
    for p in pulse_problems(data):
        if not p.question and unreadable:
            continue  # "answer at least one": the unreadable cell is the problem to fix
        column = p.question or None  # None: the row as a whole ("answer at least one")
        if p.comment:
            column = f"{p.question}_comment" if f"{p.question}_comment" in row else "comment"
        found.append(Problem(file, number, column, p.text))
    not_running = pulse_week_problem(initiative, week)
    if not_running:
        # Before the start nobody is in its scope: the date is the thing to fix.
        found.append(Problem(file, number, "date", not_running))
    else:
        denied = scope_for_person(person, week).pulse_problem(week, scope_units,
                                                              initiative.title)
        if denied:
            found.append(Problem(file, number, "email", denied))
    return None if len(found) > before else data


def _outcome(data: PulseAnswers) -> str:
    """added (no answers that week yet), unchanged (the same answers) or updated."""
    stored = {r.question: (r.score, r.comment) for r in PulseResponse.objects.filter(
        initiative_id=data.initiative_id, person_id=data.person_id, week=data.week)}
    if not stored:
        return "added"
    given = {q: (s, data.comments.get(q, "").strip()) for q, s in data.scores.items()}
    return "unchanged" if stored == given else "updated"


@transaction.atomic
def pulses_import(path: Path, initiative: Initiative, today: dt.date,
                  encoding: str | None = None) -> PulseImportResult:
    """Import pulse answers (email, date, the four questions, comments) for `initiative`."""
    table = csv_read(path, PULSE_COLUMNS, encoding)
    people = {p.email.lower(): p for p in Person.objects.all()}
    scope_units = initiative_unit_ids(initiative)
    problems: list[Problem] = []
    planned: list[PulseAnswers] = []
    first_row: dict[tuple[int, dt.date], int] = {}
    for row in table.rows:
        number = int(row["__row__"])
        found: list[Problem] = []
        data = _row_read(row, table.file, number, initiative, scope_units, people, today, found)
        if data is not None:
            key = (data.person_id, data.week)
            if key in first_row:
                found.append(Problem(table.file, number, "date", f"{row['email']} answers the "
                                     f"week of {data.week} in row {first_row[key]} already: "
                                     "keep one row per person and week."))
            first_row.setdefault(key, number)
        problems += found
        if not found and data is not None:
            planned.append(data)
    if problems:
        raise ImportRejected(problems, skippable=False)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for data in planned:
        outcome = _outcome(data)
        if outcome != "unchanged":
            pulse_answer(data)
        counts[outcome] += 1
    return PulseImportResult(counts["added"], counts["updated"], counts["unchanged"])
