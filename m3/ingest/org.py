"""`m3 org import`: read UNITS.csv and PEOPLE.csv, check everything, then write it all or nothing.

UNITS.csv columns: `unit, parent` (empty parent for a root).
PEOPLE.csv columns: `name, email, role, unit, leads, crm_id`; `leads` lists the units the person
leads separated by `;`, each optionally followed by `:kind` (manager, director, overlay,
enablement; manager by default); `crm_id` lists CRM owner ids or names separated by `;`.

A person whose unit or leaderships differ from the current ones is moved on the `as_of` date: the
old membership ends that day and a new one starts, so history is kept. Re-importing the same
files changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import assert_never

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from m3.errors import InputError
from m3.ingest.csvfile import CsvTable, csv_read
from m3.ingest.problems import ImportRejected, Problem, problems_report_write
from m3.ingest.services import import_run_finish, import_run_start
from m3.jobs.services import state_refresh_enqueue
from m3.org.models import CrmIdentity, Leadership, Membership, Person, Unit
from m3.vocabulary import ImportStatus, LeadershipKind, Role

UNIT_COLUMNS = ("unit", "parent")
PEOPLE_COLUMNS = ("name", "email", "role", "unit", "leads", "crm_id")
ROLES = {r.value for r in Role}
KINDS = {k.value for k in LeadershipKind}


@dataclass(frozen=True)
class PersonRow:
    """A valid PEOPLE.csv row, normalised."""

    name: str
    email: str
    role: str
    unit: str
    leads: tuple[tuple[str, str], ...]  # (unit name, kind)
    crm_ids: tuple[str, ...]


@dataclass
class OrgPlan:
    """What a valid org file pair asks for, and the problems of the rows that are not valid."""

    units: dict[str, str] = field(default_factory=dict)  # name -> parent name ("" for a root)
    people: list[PersonRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class OrgImportResult:
    """The counts of one org import."""

    units_added: int
    units_updated: int
    people_added: int
    people_updated: int
    unchanged: int
    moves: int
    skipped: int
    dry_run: bool
    report_path: Path | None


def _units_check(table: CsvTable, existing: dict[str, str | None], plan: OrgPlan) -> None:
    seen: dict[str, int] = {}
    rows: dict[str, tuple[str, int]] = {}
    for row in table.rows:
        number = int(row["__row__"])
        name, parent = row["unit"], row["parent"]
        if not name:
            plan.problems.append(Problem(table.file, number, "unit", "empty unit name; give "
                                         "every unit a name or delete the row."))
            continue
        if name in seen:
            plan.problems.append(Problem(table.file, number, "unit", f"unit {name!r} is listed "
                                         f"twice (first on row {seen[name]}); keep one row."))
            continue
        if parent == name:
            plan.problems.append(Problem(table.file, number, "parent", f"unit {name!r} is its "
                                         "own parent; leave parent empty for the root."))
            continue
        seen[name] = number
        rows[name] = (parent, number)
    known = set(rows) | set(existing)
    bad: set[str] = set()
    for name, (parent, number) in rows.items():
        if parent and parent not in known:
            plan.problems.append(Problem(table.file, number, "parent", f"parent {parent!r} of "
                                         f"{name!r} is not a unit; add a row for it or fix the "
                                         "spelling."))
            bad.add(name)
    parent_of: dict[str, str | None] = dict(existing)
    parent_of.update({n: (p or None) for n, (p, _) in rows.items()})
    for name, (_, number) in rows.items():
        chain, current = [name], parent_of.get(name)
        while current is not None and current not in chain:
            chain.append(current)
            current = parent_of.get(current)
        if current is not None:
            cycle = " > ".join([*chain[chain.index(current):], current])
            plan.problems.append(Problem(table.file, number, "parent", f"the tree has a cycle "
                                         f"({cycle}); one of these units needs another parent."))
            bad.add(name)
    for name, (parent, _) in rows.items():
        if name not in bad:
            plan.units[name] = parent


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _people_check(
    table: CsvTable, unit_names: set[str], crm_owner: dict[str, str], plan: OrgPlan
) -> None:
    emails: dict[str, int] = {}
    crm_in_file: dict[str, tuple[str, int]] = {}
    for row in table.rows:
        number = int(row["__row__"])
        problems: list[Problem] = []

        def bad(
            column: str, message: str, number: int = number, problems: list[Problem] = problems
        ) -> None:
            problems.append(Problem(table.file, number, column, message))

        name, email, role = row["name"], row["email"].lower(), row["role"].lower()
        if not name:
            bad("name", "empty name; give the person's full name.")
        try:
            validate_email(email)
        except ValidationError:
            bad("email", f"{row['email']!r} is not an email address; fix it.")
        if email in emails:
            bad("email", f"{email} is listed twice (first on row {emails[email]}); keep one row.")
        if role not in ROLES:
            bad("role", f"unknown role {row['role']!r}; use one of {', '.join(sorted(ROLES))}.")
        unit = row["unit"]
        if unit and unit not in unit_names:
            bad("unit", f"unit {unit!r} is not in the units file or the org; add it or fix "
                        "the spelling.")
        if not unit and role == Role.REP:
            bad("unit", "a rep needs a unit; give the team they belong to.")
        leads: list[tuple[str, str]] = []
        for item in _split(row["leads"]):
            unit_name, _, kind = item.partition(":")
            unit_name, kind = unit_name.strip(), (kind.strip().lower() or LeadershipKind.MANAGER)
            if unit_name not in unit_names:
                bad("leads", f"led unit {unit_name!r} is not a unit; fix the spelling.")
            elif kind not in KINDS:
                bad("leads", f"unknown leadership kind {kind!r} in {item!r}; use one of "
                             f"{', '.join(sorted(KINDS))}.")
            else:
                leads.append((unit_name, kind))
        if leads and role == Role.REP:
            bad("leads", "a rep cannot lead a unit; set role to leader or clear leads.")
        crm_ids = _split(row["crm_id"])
        for crm_id in crm_ids:
            owner = crm_owner.get(crm_id)
            if owner is not None and owner != email:
                bad("crm_id", f"CRM id {crm_id!r} already belongs to {owner}; each CRM id "
                              "maps to one person.")
            elif crm_id in crm_in_file and crm_in_file[crm_id][0] != email:
                bad("crm_id", f"CRM id {crm_id!r} is also on row {crm_in_file[crm_id][1]}; "
                              "each CRM id maps to one person.")
        if problems:
            plan.problems.extend(problems)
            continue
        emails[email] = number
        for crm_id in crm_ids:
            crm_in_file[crm_id] = (email, number)
        plan.people.append(PersonRow(name, email, role, unit, tuple(leads), tuple(crm_ids)))


def org_plan(units_path: Path, people_path: Path, encoding: str | None = None) -> OrgPlan:
    """Read and check both files against the current org; nothing is written."""
    units_table = csv_read(units_path, UNIT_COLUMNS, encoding)
    people_table = csv_read(people_path, PEOPLE_COLUMNS, encoding)
    existing: dict[str, str | None] = dict(Unit.objects.values_list("name", "parent__name"))
    plan = OrgPlan()
    _units_check(units_table, existing, plan)
    crm_owner = dict(CrmIdentity.objects.values_list("crm_id", "person__email"))
    _people_check(people_table, set(plan.units) | set(existing), crm_owner, plan)
    return plan


class HistoryConflict(InputError):
    """A move dated before what the org already records: history is never rewritten."""


def _dated_sync(
    person: Person,
    current: list[Membership] | list[Leadership],
    wanted: set[tuple[int, str]],
    as_of: dt.date,
) -> tuple[list[tuple[int, str]], int]:
    """End current rows not wanted on `as_of`; return the (unit, kind) rows still to start.

    A row can only end after it started, and nothing new may start before a row that already
    ended later: the import then stops (all or nothing) and says which date to use.
    """
    ended = 0
    have: set[tuple[int, str]] = set()
    for row in current:
        key = (row.unit_id, getattr(row, "kind", ""))
        if key in wanted:
            have.add(key)
            continue
        if row.start >= as_of:
            raise HistoryConflict(
                f"{person.name}: the file ends their {type(row).__name__.lower()} of "
                f"{row.unit.name} on {as_of}, but it started on {row.start}. History is kept, "
                f"not rewritten: run the import with --as-of after {row.start}."
            )
        row.end = as_of
        row.save(update_fields=["end"])
        ended += 1
    return sorted(wanted - have), ended


def _no_overlap(person: Person, rows: list[Membership] | list[Leadership], as_of: dt.date) -> None:
    """Refuse to start a row on `as_of` while an ended row of the person runs past it."""
    later = max((r for r in rows if r.end is not None and r.end > as_of),
                key=lambda r: r.end or as_of, default=None)
    if later is not None:
        raise HistoryConflict(
            f"{person.name}'s {type(later).__name__.lower()} of {later.unit.name} runs until "
            f"{later.end}: a new one from {as_of} would overlap it. Run the import with "
            f"--as-of {later.end} or later."
        )


class Outcome(StrEnum):
    """What an import did to one person."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def _person_sync(
    row: PersonRow, units: dict[str, Unit], as_of: dt.date
) -> tuple[Outcome, bool]:
    """Create or update one person; return what happened to them and whether they moved."""
    person = Person.objects.filter(email__iexact=row.email).first()
    outcome = Outcome.UNCHANGED
    if person is None:
        person = Person.objects.create(name=row.name, email=row.email, role=row.role)
        outcome = Outcome.ADDED
    elif (person.name, person.role, person.active) != (row.name, row.role, True):
        person.name, person.role, person.active = row.name, row.role, True
        person.save(update_fields=["name", "role", "active"])
        outcome = Outcome.UPDATED
    touched = False
    for crm_id in row.crm_ids:
        _, created = CrmIdentity.objects.get_or_create(crm_id=crm_id, person=person)
        touched |= created
    open_memberships = list(Membership.objects.filter(person=person, end__isnull=True))
    wanted_unit = {(units[row.unit].pk, "")} if row.unit else set()
    to_start, ended = _dated_sync(person, open_memberships, wanted_unit, as_of)
    if to_start:
        _no_overlap(person, list(Membership.objects.filter(person=person)), as_of)
    for unit_id, _ in to_start:
        Membership.objects.create(person=person, unit_id=unit_id, start=as_of)
    moved = bool(open_memberships) and bool(to_start or ended)
    open_leads = list(Leadership.objects.filter(person=person, end__isnull=True))
    wanted_leads = {(units[u].pk, kind) for u, kind in row.leads}
    to_lead, ended_leads = _dated_sync(person, open_leads, wanted_leads, as_of)
    for unit_id, kind in to_lead:
        _no_overlap(person, list(Leadership.objects.filter(person=person, unit_id=unit_id,
                                                           kind=kind)), as_of)
    for unit_id, kind in to_lead:
        Leadership.objects.create(person=person, unit_id=unit_id, kind=kind, start=as_of)
    touched |= bool(to_start or ended or to_lead or ended_leads)
    if outcome is Outcome.UNCHANGED and touched:
        outcome = Outcome.UPDATED
    return outcome, moved


def _apply(plan: OrgPlan, as_of: dt.date) -> dict[str, int]:
    counts = dict.fromkeys(
        ("units_added", "units_updated", "people_added", "people_updated", "unchanged", "moves"), 0
    )
    units = {u.name: u for u in Unit.objects.all()}
    new = {name for name in plan.units if name not in units}
    for name in sorted(new):
        units[name] = Unit.objects.create(name=name)
        counts["units_added"] += 1
    for name, parent in plan.units.items():
        parent_id = units[parent].pk if parent else None
        if units[name].parent_id != parent_id:
            units[name].parent_id = parent_id
            units[name].save(update_fields=["parent"])
            counts["units_updated"] += int(name not in new)
    for row in plan.people:
        outcome, moved = _person_sync(row, units, as_of)
        if outcome is Outcome.ADDED:
            counts["people_added"] += 1
        elif outcome is Outcome.UPDATED:
            counts["people_updated"] += 1
        elif outcome is Outcome.UNCHANGED:
            counts["unchanged"] += 1
        else:
            assert_never(outcome)
        counts["moves"] += int(moved)
    return counts


def org_import(
    units_path: Path,
    people_path: Path,
    *,
    as_of: dt.date,
    skip_invalid: bool = False,
    dry_run: bool = False,
    run_by: str = "",
    encoding: str | None = None,
    report_dir: Path | None = None,
) -> OrgImportResult:
    """Import an org file pair: all or nothing (or the valid rows with `skip_invalid`)."""
    files = [str(units_path), str(people_path)]
    run = import_run_start("org", files, source="csv", run_by=run_by, dry_run=dry_run)
    try:
        plan = org_plan(units_path, people_path, encoding)
    except Exception as exc:
        import_run_finish(run, ImportStatus.REJECTED, message=str(exc))
        raise
    if plan.problems and not skip_invalid:
        import_run_finish(run, ImportStatus.REJECTED, rejected=len(plan.problems),
                          message=ImportRejected(plan.problems).message)
        raise ImportRejected(plan.problems)
    report_path = None
    if plan.problems:
        folder = report_dir or units_path.parent
        report_path = problems_report_write(folder / f"org-import-{run.pk}-skipped.csv",
                                            plan.problems)
    try:
        with transaction.atomic():
            counts = _apply(plan, as_of)
            if dry_run:
                transaction.set_rollback(True)
            elif any(n for key, n in counts.items() if key != "unchanged"):
                # Memberships are dated: a change may move history, so every week is redone.
                state_refresh_enqueue(f"org import run {run.pk}")
    except InputError as exc:
        import_run_finish(run, ImportStatus.REJECTED, message=exc.message)
        raise
    import_run_finish(
        run,
        ImportStatus.SUCCEEDED,
        added=counts["units_added"] + counts["people_added"],
        updated=counts["units_updated"] + counts["people_updated"],
        unchanged=counts["unchanged"],
        rejected=len(plan.problems),
        report_path=str(report_path or ""),
    )
    return OrgImportResult(
        **counts, skipped=len(plan.problems), dry_run=dry_run, report_path=report_path
    )
