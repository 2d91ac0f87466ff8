"""Import an initiative from a YAML or JSON file (`m3 initiatives import`): all or nothing.

The file is read by `m3.initiatives.spec` (its keys and their types), its names are resolved
here (the owner's email, the scope's units and the forecast's, each unknown one with the closest
names), and the result is an `InitiativeInput` that goes through the checks and the save of the
initiative form (`initiative_input_check`, `initiative_save`). Every problem names the file and
the key, or the forecast CSV's row and column, with what to do; with any problem nothing is
written. The initiative is found by its title (case aside): importing a file again updates it,
and a file that says what is stored already changes nothing ("unchanged").

The forecast is a CSV file (its path relative to the initiative file) or an inline list, with
`week_start` (a Monday), `value` and optionally `unit`. Rows without a unit are the scope's
forecast; rows with one are that unit's own (with the units below it). Without rows for the
scope, the scope's forecast is the sum of the named units when they are exactly the units of
`scope`. A unit without a forecast of its own gets a share of the nearest forecast above it (see
`m3.momentum.selectors`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from m3.errors import InputError
from m3.ingest.csvfile import csv_read, text_decode
from m3.ingest.problems import ImportRejected, Problem
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_input_of
from m3.initiatives.services import (
    AskInput,
    CadenceInput,
    InitiativeInput,
    InputProblem,
    cadence_order,
    initiative_input_check,
    initiative_save,
)
from m3.initiatives.spec import (
    FORECAST_COLUMNS,
    ForecastRowSpec,
    InitiativeFileSpec,
    document_parse,
    forecast_row_read,
    initiative_spec_read,
)
from m3.org.models import Person, Unit
from m3.org.selectors import unit_tree_read
from m3.schema import EMAIL_CUTOFF, close_matches

MAX_FILE_BYTES = 5 * 1024 * 1024
# The keys of the file that InitiativeInput's fields come from (the others are the same name).
FILE_KEY = {"owner_id": "owner", "unit_ids": "scope"}
# Where one forecast row is: makes its problem from (column, what to do).
Place = Callable[[str, str], Problem]


@dataclass(frozen=True)
class InitiativeImportResult:
    """What an import did to the initiative: added, updated or unchanged."""

    initiative_id: int
    title: str
    outcome: str
    data: InitiativeInput


@dataclass(frozen=True)
class _Forecast:
    """The forecast as read, each point with the place it came from."""

    scope: list[tuple[tuple[dt.date, float], Place]]
    units: list[tuple[tuple[int, dt.date, float], Place]]


def initiative_file_read(path: Path) -> InitiativeInput:
    """The initiative that the file at `path` describes, checked as the form checks it; raises
    ImportRejected listing every problem."""
    file = path.name
    data = document_parse(_text_read(path), file)
    spec, lines = initiative_spec_read(data)
    if spec is None:
        raise ImportRejected([Problem(file, None, None, line) for line in lines],
                             skippable=False)
    problems: list[Problem] = []

    def at_key(key: str, text: str) -> None:
        problems.append(Problem(file, None, None, f"{key}: {text}"))

    owner = _owner(spec.owner, at_key)
    unit_ids = _scope(spec.scope, at_key)
    forecast = _forecast(spec, path, unit_ids, problems)
    data_in = InitiativeInput(
        title=spec.title, owner_id=owner.pk if owner else 0, unit_ids=tuple(unit_ids),
        start=spec.start, end=spec.end, why=spec.why, how=spec.how, what=spec.what,
        key_points=tuple(spec.key_points),
        asks=tuple(AskInput(a.behaviour, a.metric, a.per_rep_per_week) for a in spec.asks),
        output_metric=spec.output_metric,
        forecast=tuple(point for point, _ in forecast.scope),
        cadence=tuple(CadenceInput(s.kind, tuple(s.leaders), s.due, s.every_days)
                      for s in spec.cadence),
        unit_forecast=tuple(point for point, _ in forecast.units),
    )
    # A name that did not resolve is reported once, by its key, not again as "not in the org".
    unresolved = {"owner_id"} if owner is None else set()
    if len(unit_ids) < len(spec.scope):
        unresolved.add("unit_ids")
    for found in initiative_input_check(data_in):
        if found.field not in unresolved:
            problems.append(_problem_of(found, file, forecast))
    if problems:
        raise ImportRejected(problems, skippable=False)
    return data_in


@transaction.atomic
def initiative_import(path: Path) -> InitiativeImportResult:
    """Create or update the initiative the file at `path` describes (found by its title)."""
    data = initiative_file_read(path)
    existing = Initiative.objects.filter(title__iexact=data.title.strip()).first()
    if existing is not None and _comparable(initiative_input_of(existing)) == _comparable(data):
        return InitiativeImportResult(existing.pk, existing.title, "unchanged", data)
    saved = initiative_save(data, existing)
    return InitiativeImportResult(saved.pk, saved.title,
                                  "added" if existing is None else "updated", data)


def _text_read(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path.")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path.name}: {size // 1024} KiB is too large for an initiative file; "
                         "keep the message short and the forecast in a CSV file.")
    return text_decode(path.read_bytes(), path.name)


def _closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    close = close_matches(word, choices, cutoff)
    return f" (closest: {', '.join(close)})" if close else ""


def _owner(email: str, at_key: Callable[[str, str], None]) -> Person | None:
    if not email:
        at_key("owner", "missing; give the email of the person who owns the initiative.")
        return None
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        emails = Person.objects.values_list("email", flat=True)
        close = _closest(email, emails, EMAIL_CUTOFF)
        at_key("owner", f"no person with the email {email!r}{close}; check it or import the org "
               "first (m3 org import).")
    return person


def _units_by_name() -> dict[str, Unit]:
    return {u.name.lower(): u for u in Unit.objects.all()}


def _unit_unknown(name: str, units: dict[str, Unit]) -> str:
    return (f"no unit called {name!r}{_closest(name, [u.name for u in units.values()])}; use a "
            "unit's name as in the org (m3 org import).")


def _scope(names: list[str], at_key: Callable[[str, str], None]) -> list[int]:
    units = _units_by_name()
    found: list[int] = []
    for i, name in enumerate(names, start=1):
        unit = units.get(name.strip().lower())
        if unit is None:
            at_key(f"scope item {i}", _unit_unknown(name, units))
        elif unit.pk not in found:
            found.append(unit.pk)
    return found


def _forecast(spec: InitiativeFileSpec, path: Path, scope: list[int],
              problems: list[Problem]) -> _Forecast:
    """The forecast's rows (from the CSV or the inline list), each resolved to its unit."""
    rows: list[tuple[Any, Place]] = []
    if isinstance(spec.forecast, str):
        csv_path = (path.parent / spec.forecast).resolve()
        if not csv_path.is_file():
            problems.append(Problem(path.name, None, None, f"forecast: no file {spec.forecast!r} "
                                    f"next to {path.name}; give its path relative to "
                                    f"{path.name}, or list the rows in the file."))
            return _Forecast([], [])
        table = csv_read(csv_path, FORECAST_COLUMNS[:2])
        extra = [c for c in table.header if c not in FORECAST_COLUMNS]
        if extra:
            problems.append(Problem(table.file, 1, extra[0], f"unknown column(s) "
                                    f"{', '.join(extra)}; the forecast has "
                                    f"{', '.join(FORECAST_COLUMNS)} (unit optional)."))
        for row in table.rows:
            cells = {c: row[c] for c in FORECAST_COLUMNS if c in row}
            rows.append((cells, functools.partial(_csv_place, table.file, int(row["__row__"]))))
    elif spec.forecast:
        rows = [(item, functools.partial(_item_place, path.name, i))
                for i, item in enumerate(spec.forecast, start=1)]
    units = _units_by_name()
    read = _Forecast([], [])
    for cells, place in rows:
        point, found = forecast_row_read(cells)
        problems.extend(place(column, text) for column, text in found)
        if point is not None:
            _forecast_add(point, place, units, read, problems)
    if read.units and not read.scope:
        _scope_from_units(read, scope, path.name, problems)
    return read


def _csv_place(file: str, row: int, column: str, text: str) -> Problem:
    return Problem(file, row, column or None, text)


def _item_place(file: str, item: int, column: str, text: str) -> Problem:
    key = f"forecast item {item}" + (f": {column}" if column else "")
    return Problem(file, None, None, f"{key}: {text}")


def _forecast_add(row: ForecastRowSpec, place: Place, units: dict[str, Unit], read: _Forecast,
                  problems: list[Problem]) -> None:
    if not row.unit.strip():
        read.scope.append(((row.week_start, row.value), place))
        return
    unit = units.get(row.unit.strip().lower())
    if unit is None:
        problems.append(place("unit", _unit_unknown(row.unit, units)))
    else:
        read.units.append(((unit.pk, row.week_start, row.value), place))


def _scope_from_units(read: _Forecast, scope: list[int], file: str,
                      problems: list[Problem]) -> None:
    """Without rows for the scope, its forecast is the sum of the named units that no other
    named unit contains, when those are exactly the units of the scope."""
    named = {unit for (unit, _, _), _ in read.units}
    tree = unit_tree_read()
    top = {u for u in named if not set(tree.ancestors(u)) & named}
    if top != set(scope):
        names = ", ".join(Unit.objects.filter(pk__in=scope).values_list("name", flat=True))
        problems.append(Problem(file, None, None, "forecast: no rows for the whole scope (with "
                                "an empty unit); add them, or give a forecast for each unit of "
                                f"the scope ({names})."))
        return
    totals: dict[dt.date, float] = {}
    for (unit, week, value), _ in read.units:
        if unit in top:
            totals[week] = totals.get(week, 0.0) + value

    def place(column: str, text: str) -> Problem:
        return Problem(file, None, None, f"forecast (the scope's, summed from its units): {text}")

    read.scope.extend(((week, total), place) for week, total in sorted(totals.items()))


def _problem_of(found: InputProblem, file: str, forecast: _Forecast) -> Problem:
    """An initiative check's problem, placed at the file's key (or the forecast's row)."""
    if found.field in ("forecast", "unit_forecast") and found.item is not None:
        points = forecast.scope if found.field == "forecast" else forecast.units
        column = {"week": "week_start", "value": "value"}.get(found.part, "")
        return points[found.item][1](column, found.text)
    key = FILE_KEY.get(found.field, found.field)
    if found.field == "unit_forecast":
        key = "forecast"
    if found.item is not None:
        key += f" item {found.item + 1}"
    return Problem(file, None, None, f"{key}: {found.text}")


def _comparable(data: InitiativeInput) -> InitiativeInput:
    """`data` with its sets in a fixed order (the order of units, weeks and steps says nothing)."""
    return dataclasses.replace(
        data, title=data.title.strip(), unit_ids=tuple(sorted(set(data.unit_ids))),
        forecast=tuple(sorted(data.forecast)), unit_forecast=tuple(sorted(data.unit_forecast)),
        cadence=tuple(sorted(data.cadence, key=cadence_order)),
    )
