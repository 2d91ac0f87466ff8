"""Mappings: how the columns of a CRM export become M3 facts, and the checks on every row.

A mapping (YAML, documented in docs/import.md) names, for each M3 field, the source column or a
constant, optional value maps (exact `values:` or regular-expression `patterns:`), date formats,
and how owners are matched to people. The built-in profiles (m3, salesforce, hubspot) are
mappings too. `batch_transform` applies one to a batch of text cells, vectorised, and returns
the typed rows plus a problem for every cell that cannot be read.
"""

from __future__ import annotations

import enum
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from m3.errors import InputError
from m3.facts.schema import ACTIVITY_TYPES, TABLES
from m3.ingest.problems import Problem

MAPPED_FIELDS = {
    table: tuple(c for c in schema.names if c not in ("source", "rep_id"))
    for table, schema in TABLES.items()
}
REQUIRED_FIELDS = {"activities": ("id", "type", "occurred_at"), "opportunities": ("id",)}
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "won"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", "lost"})
ISO = "ISO8601"


class OwnerMatch(enum.Enum):
    """How the owner cells of a file are matched to people."""

    EMAIL = "email"
    CRM_ID = "crm_id"
    NAME = "name"
    EMAIL_OR_CRM_ID = "email_or_crm_id"
    ANY = "any"  # email, then CRM id, then name


@dataclass(frozen=True)
class FieldSpec:
    """Where one M3 field comes from.

    Exactly one of `column` (a source column), `coalesce` (the first non-empty of several),
    `columns` (several joined with `|`, for `values` keyed on combinations) or `constant`.
    """

    column: str | None = None
    coalesce: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    constant: Any = None
    values: Mapping[str, Any] | None = None
    patterns: tuple[tuple[str, Any], ...] = ()
    default: Any = None
    has_default: bool = False
    formats: tuple[str, ...] = ()
    when: Mapping[str, str] = field(default_factory=dict)
    match: str | None = None
    scale: float = 1.0

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source column this field reads."""
        cols = (self.column,) if self.column else ()
        return (*cols, *self.coalesce, *self.columns, *self.when)


@dataclass(frozen=True)
class ImportMapping:
    """A complete mapping for one fact table."""

    kind: str
    source: str
    fields: Mapping[str, FieldSpec]
    owners: OwnerMatch = OwnerMatch.EMAIL_OR_CRM_ID
    null_values: tuple[str, ...] = ("",)
    skip_where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    name: str = "mapping"

    def required_columns(self) -> tuple[str, ...]:
        """The source columns the file must have."""
        cols: list[str] = []
        for spec in self.fields.values():
            cols.extend(c for c in spec.sources if c not in cols)
        cols.extend(c for c in self.skip_where if c not in cols)
        return tuple(cols)


@dataclass(frozen=True)
class BatchResult:
    """A transformed batch: typed rows of the fact table (plus `__row__`, the spreadsheet row),
    the number of rows rejected, their problems, and rows skipped on purpose (deleted …)."""

    frame: pd.DataFrame
    rejected: int
    problems: tuple[Problem, ...]
    skipped: int = 0


def _listify(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, list | tuple):
        return tuple(str(x) for x in raw)
    return (str(raw),)


def _field(name: str, raw: Any, where: str, problems: list[str]) -> FieldSpec | None:
    if isinstance(raw, str):
        return FieldSpec(column=raw)
    if not isinstance(raw, dict):
        problems.append(f"{where}: field {name} must be a column name or a mapping such as "
                        "{column: X} or {constant: Y}.")
        return None
    allowed = {"column", "coalesce", "columns", "constant", "values", "patterns", "default",
               "format", "when", "match", "scale"}
    unknown = set(raw) - allowed
    if unknown:
        problems.append(f"{where}: field {name} has unknown key(s) {', '.join(sorted(unknown))}; "
                        f"use {', '.join(sorted(allowed))}.")
    sources = [k for k in ("column", "coalesce", "columns", "constant") if k in raw]
    if len(sources) != 1:
        problems.append(f"{where}: field {name} needs exactly one of column, coalesce, columns "
                        "or constant.")
        return None
    values = raw.get("values")
    if values is not None and not isinstance(values, dict):
        problems.append(f"{where}: values of {name} must map source values to M3 values.")
        values = None
    patterns: list[tuple[str, Any]] = []
    for item in raw.get("patterns") or []:
        if not isinstance(item, dict) or len(item) != 1:
            problems.append(f"{where}: each pattern of {name} is one `regex: value` pair.")
            continue
        (regex, value), = item.items()
        try:
            re.compile(str(regex))
        except re.error as exc:
            problems.append(f"{where}: pattern {regex!r} of {name} is not a regular expression "
                            f"({exc}).")
            continue
        patterns.append((str(regex), value))
    scale = raw.get("scale", 1.0)
    if not isinstance(scale, int | float):
        problems.append(f"{where}: scale of {name} must be a number.")
        scale = 1.0
    when = raw.get("when") or {}
    if not isinstance(when, dict):
        problems.append(f"{where}: when of {name} must map a column to the value it must have.")
        when = {}
    return FieldSpec(
        column=str(raw["column"]) if "column" in raw else None,
        coalesce=_listify(raw.get("coalesce")),
        columns=_listify(raw.get("columns")),
        constant=raw.get("constant"),
        values={str(k) if not isinstance(k, bool) else str(k).lower(): v
                for k, v in values.items()} if values else None,
        patterns=tuple(patterns),
        default=raw.get("default"),
        has_default="default" in raw,
        formats=_listify(raw.get("format")),
        when={str(k): str(v) for k, v in when.items()},
        match=str(raw["match"]) if raw.get("match") is not None else None,
        scale=float(scale),
    )


def mapping_from_dict(data: Any, where: str) -> ImportMapping:
    """Build and validate a mapping; raise InputError listing every problem with its fix."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InputError(f"{where}: a mapping file is a YAML mapping with kind, source, fields.")
    kind = data.get("kind")
    if kind not in TABLES:
        problems.append(f"{where}: kind is {kind!r}; use activities or opportunities.")
    source = data.get("source")
    if not isinstance(source, str) or not re.fullmatch(r"[a-z0-9_.-]+", source or ""):
        problems.append(f"{where}: source must name where the rows come from in lower case "
                        "(e.g. source: maven-crm); with the id it identifies a row on re-import.")
    owners_raw = (data.get("owners") or {}).get("match", "email_or_crm_id") \
        if isinstance(data.get("owners") or {}, dict) else data.get("owners")
    try:
        owners = OwnerMatch(owners_raw)
    except ValueError:
        problems.append(f"{where}: owners match is {owners_raw!r}; use one of "
                        f"{', '.join(m.value for m in OwnerMatch)}.")
        owners = OwnerMatch.EMAIL_OR_CRM_ID
    raw_fields = data.get("fields")
    fields: dict[str, FieldSpec] = {}
    if not isinstance(raw_fields, dict):
        problems.append(f"{where}: fields must map each M3 field to a source column.")
    elif kind in TABLES:
        for name, raw in raw_fields.items():
            if name not in MAPPED_FIELDS[kind]:
                problems.append(f"{where}: {name!r} is not a field of {kind}; use "
                                f"{', '.join(MAPPED_FIELDS[kind])}.")
                continue
            spec = _field(name, raw, where, problems)
            if spec is not None:
                fields[name] = spec
        for name in REQUIRED_FIELDS[kind]:
            if name not in raw_fields:
                problems.append(f"{where}: fields must say where {name} comes from.")
    skip = data.get("skip_rows_where") or {}
    if not isinstance(skip, dict):
        problems.append(f"{where}: skip_rows_where maps a column to the value(s) to skip.")
        skip = {}
    nulls = _listify(data.get("null_values", [])) + ("",)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise InputError(f"The mapping has {len(problems)} problem(s):\n{listed}")
    return ImportMapping(
        kind=str(kind), source=str(source), fields=fields, owners=owners,
        null_values=tuple(dict.fromkeys(nulls)),
        skip_where={str(k): _listify(v) for k, v in skip.items()}, name=where,
    )


def mapping_load(path: Path) -> ImportMapping:
    """Read a mapping YAML file (see docs/import.md)."""
    if not path.is_file():
        raise InputError(f"{path}: no such mapping file; check the --mapping path.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path.name}: not valid YAML ({exc}).") from None
    return mapping_from_dict(data, path.name)


# --- transformation --------------------------------------------------------------------------


def _raw_values(spec: FieldSpec, cells: pd.DataFrame, nulls: frozenset[str]) -> pd.Series:
    """The field's text per row (None where empty), before value maps and typing."""
    n = len(cells)
    if spec.constant is not None or not spec.sources:
        return pd.Series([spec.constant] * n, index=cells.index, dtype="object")
    if spec.column:
        out = cells[spec.column]
    elif spec.coalesce:
        out = cells[spec.coalesce[0]]
        for col in spec.coalesce[1:]:
            out = out.where(out.notna(), cells[col])
    else:
        out = cells[spec.columns[0]].fillna("")
        for col in spec.columns[1:]:
            out = out + "|" + cells[col].fillna("")
    if spec.match:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = out.where(out.str.contains(spec.match, regex=True, na=False))
    for col, expected in spec.when.items():
        out = out.where(cells[col] == expected)
    return out


def _mapped(
    spec: FieldSpec, raw: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Apply `values` / `patterns`; return values and a mask of cells no rule matched."""
    unmatched = pd.Series(False, index=raw.index)
    if spec.values is None and not spec.patterns:
        return raw, unmatched
    out = pd.Series([None] * len(raw), index=raw.index, dtype="object")
    done = pd.Series(False, index=raw.index)
    if spec.values is not None:
        keys = raw.where(raw.notna(), None)
        lookup = {k: v for k, v in spec.values.items()}
        hit = keys.isin(list(lookup))
        out[hit] = keys[hit].map(lookup)
        done |= hit
    for regex, value in spec.patterns:
        with warnings.catch_warnings():  # groups in a user's pattern are fine here
            warnings.simplefilter("ignore", UserWarning)
            found = raw.str.contains(regex, regex=True, case=False, na=False)
        hit = ~done & found
        out[hit] = value
        done |= hit
    rest = ~done & raw.notna()
    if spec.has_default:
        out[~done] = spec.default
    else:
        unmatched = rest
    return out, unmatched


def _parse_dates(values: pd.Series, formats: Sequence[str]) -> pd.Series:
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    todo = values.notna()
    for fmt in formats or (ISO,):
        if not todo.any():
            break
        parsed = pd.to_datetime(values[todo], format=fmt, errors="coerce", utc=True)
        parsed = parsed.dt.tz_convert(None).astype("datetime64[us]")
        ok = parsed.notna()
        result[ok[ok].index] = parsed[ok]
        todo[ok[ok].index] = False
    return result


def _bools(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    # Values maps may yield Python booleans (from YAML); cells are text.
    text = values.map(lambda v: str(v).lower() if v is not None and v is not pd.NA else None)
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    is_true = text.isin(TRUE_WORDS)
    is_false = text.isin(FALSE_WORDS)
    out[is_true] = True
    out[is_false] = False
    bad = values.notna() & ~is_true & ~is_false
    return out, bad


def batch_transform(
    mapping: ImportMapping,
    cells: pd.DataFrame,
    *,
    file: str,
    first_row: int,
) -> BatchResult:
    """Map a batch of text cells (columns as in the file) to typed fact rows, checking each.

    `first_row` is the spreadsheet row number of the batch's first data row (header = 1).
    Rules: id present; dates readable in the mapping's formats; amounts numbers ≥ 0; won is
    true/false/empty; activity type one of M3's; a won or lost deal has a close date.
    """
    nulls = frozenset(mapping.null_values)
    cells = cells.apply(lambda s: s.str.strip()).where(lambda df: ~df.isin(nulls))
    cells = cells.reset_index(drop=True)
    skip = pd.Series(False, index=cells.index)
    for col, skipped_values in mapping.skip_where.items():
        skip |= cells[col].isin(skipped_values)
    kept = cells[~skip].reset_index(drop=False).rename(columns={"index": "__pos__"})
    schema = TABLES[mapping.kind]
    out = pd.DataFrame(index=kept.index)
    bad_masks: list[tuple[str, pd.Series, Any]] = []  # (field, mask, message builder)
    unreadable_dates: dict[str, pd.Series] = {}

    def column_label(name: str) -> str:
        spec = mapping.fields.get(name)
        if spec is None:
            return name
        return spec.column or "/".join(spec.coalesce or spec.columns) or name

    for name in MAPPED_FIELDS[mapping.kind]:
        spec = mapping.fields.get(name)
        if spec is None:
            out[name] = None
            continue
        raw = _raw_values(spec, kept, nulls)
        values, unmatched = _mapped(spec, raw)
        if unmatched.any():
            known = ", ".join(sorted(map(str, spec.values or {}))) or "(none)"
            bad_masks.append((name, unmatched, lambda v, k=known, n=name: (
                f"{v!r} has no {n} in the mapping's values/patterns ({k}); add it to the "
                "mapping or give a default.")))
        dtype = str(schema[name])
        if dtype.startswith("timestamp"):
            parsed = _parse_dates(values, spec.formats)
            unreadable = values.notna() & parsed.isna()
            fmts = " or ".join(spec.formats or ("ISO 8601 (YYYY-MM-DD[ HH:MM:SS])",))
            unreadable_dates[name] = unreadable
            bad_masks.append((name, unreadable, lambda v, f=fmts: (
                f"{v!r} is not a date in the format {f}; fix the cell or set the field's "
                "format in the mapping.")))
            out[name] = parsed
        elif dtype.startswith("float"):
            numbers = pd.to_numeric(values, errors="coerce").astype("float64") * spec.scale
            not_number = values.notna() & (numbers.isna() | ~np.isfinite(numbers))
            bad_masks.append((name, not_number, lambda v: (
                f"{v!r} is not a number; write digits with a dot for decimals (e.g. 1234.5) "
                "and no currency sign.")))
            negative = numbers < 0
            bad_masks.append((name, negative, lambda v: (
                f"{v!r} is negative; amounts must be 0 or more (record a refund as a separate "
                "deal).")))
            out[name] = numbers.where(~not_number)
        elif dtype == "boolean":
            bools, bad = _bools(values)
            bad_masks.append((name, bad, lambda v: (
                f"{v!r} is not true/false (1/0, yes/no); map it with values: in the mapping.")))
            out[name] = bools
        else:
            out[name] = values.map(lambda v: None if v is None or v is pd.NA
                                   or (isinstance(v, float) and np.isnan(v)) else str(v))
    # Row rules beyond single cells.
    out["id"] = out["id"].astype("object")
    bad_masks.append(("id", out["id"].isna(), lambda v: "the id is empty; every row needs one."))
    if mapping.kind == "activities":
        no_date = out["occurred_at"].isna() & ~unreadable_dates.get(
            "occurred_at", pd.Series(False, index=kept.index))
        bad_masks.append(("occurred_at", no_date,
                          lambda v: "the date is empty; every activity needs one."))
        bad_type = out["type"].notna() & ~out["type"].isin(ACTIVITY_TYPES)
        bad_masks.append(("type", bad_type, lambda v: (
            f"{v!r} is not an activity type; map it to one of {', '.join(ACTIVITY_TYPES)} "
            "(values: or patterns: in the mapping).")))
        bad_masks.append(("type", out["type"].isna(), lambda v: (
            "the activity type is empty; map it or give the field a default.")))
    else:
        closed_no_date = out["won"].notna() & out["closed_at"].isna() & ~unreadable_dates.get(
            "closed_at", pd.Series(False, index=kept.index))
        bad_masks.append(("closed_at", closed_no_date, lambda v: (
            "the deal is won or lost but has no close date; add the close date (or mark it "
            "open).")))
    problems: list[Problem] = []
    positions = kept["__pos__"].to_numpy(dtype="int64")
    rejected = pd.Series(False, index=kept.index)
    for name, mask, message in bad_masks:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            continue
        rejected |= mask
        col = column_label(name)
        spec = mapping.fields.get(name)
        raw_col = spec.column if spec and spec.column else None
        for pos in mask[mask].index:
            cell = kept.at[pos, raw_col] if raw_col and raw_col in kept.columns else out.at[
                pos, name]
            row = first_row + int(positions[pos])
            problems.append(Problem(file, row, col, message(cell)))
    good = out[~rejected].copy()
    good.insert(0, "source", mapping.source)
    good.insert(2, "rep_id", pd.Series(pd.NA, index=good.index, dtype="Int64"))
    good["__row__"] = (first_row + kept.loc[good.index, "__pos__"]).astype("int64")
    good = good[[*schema.names, "__row__"]]
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return BatchResult(good, int(rejected.sum()), tuple(problems), skipped=int(skip.sum()))
