"""The row rules of a CRM import, cell by cell: what every rule means and the words of every
problem (the per-cell path, in pandas).

`cells_checked` maps a batch of text cells to typed fact rows with a problem for every cell that
cannot be read. Rules: id present; dates readable in the mapping's formats; amounts numbers ≥ 0
and ≤ 10^12; won is true/false/empty; activity type one of M3's, and an activity's date present;
a won or lost deal has a close date, not before its creation date. Cells are stripped and the
mapping's null values are empty. It is the reference: `m3/ingest/crm/transform.py` types the
rows it surely can with Arrow and sends the others here, so both mean the same.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from m3.facts.schema import ACTIVITY_TYPES, TABLES
from m3.ingest.crm.mapping import MAPPED_FIELDS, FieldSpec, ImportMapping
from m3.ingest.problems import Problem

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "won"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", "lost"})
ISO = "ISO8601"
# Above this an amount is a slipped decimal or an id in the wrong column, not a deal.
MAX_AMOUNT = 1e12
# A problem's message, from the cell as written.
Message = Callable[[Any], str]


@dataclass(frozen=True)
class BatchResult:
    """A transformed batch: typed rows of the fact table (plus `__row__`, the spreadsheet row)
    in `rows_schema(kind)`, the number of rows rejected, their problems, and rows skipped on
    purpose (deleted …)."""

    table: pa.Table
    rejected: int
    problems: tuple[Problem, ...]
    skipped: int = 0


def rows_schema(kind: str) -> pa.Schema:
    """The Arrow schema of checked rows: the fact table's columns (times in microseconds, no
    zone) and `__row__`, the spreadsheet row each came from."""
    fields = [pa.field(f.name, pa.timestamp("us")) if pa.types.is_timestamp(f.type) else f
              for f in TABLES[kind].to_pyarrow()]
    return pa.schema([*fields, pa.field("__row__", pa.int64())])


def _raw_values(spec: FieldSpec, cells: pd.DataFrame) -> pd.Series:
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


@dataclass(frozen=True)
class TypedField:
    """One field typed by the per-cell path: values, cell problems (field, mask, message
    builder), and where a date was present but unreadable."""

    values: pd.Series
    bad: list[tuple[str, pd.Series, Message]]
    unreadable: pd.Series | None = None


def field_typed(name: str, spec: FieldSpec, raw: pd.Series, kind: str) -> TypedField:
    """The per-cell typing of one field from its raw values: value maps, then the field's type."""
    bad: list[tuple[str, pd.Series, Message]] = []
    values, unmatched = _mapped(spec, raw)
    if unmatched.any():
        known = ", ".join(sorted(map(str, spec.values or {}))) or "(none)"
        bad.append((name, unmatched, lambda v: (
            f"{v!r} has no {name} in the mapping's values/patterns ({known}); add it to the "
            "mapping or give a default.")))
    dtype = str(TABLES[kind][name])
    if dtype.startswith("timestamp"):
        parsed = _parse_dates(values, spec.formats)
        unreadable = values.notna() & parsed.isna()
        fmts = " or ".join(spec.formats or ("ISO 8601 (YYYY-MM-DD[ HH:MM:SS])",))
        bad.append((name, unreadable, lambda v: (
            f"{v!r} is not a date in the format {fmts}; fix the cell or set the field's "
            "format in the mapping.")))
        return TypedField(parsed, bad, unreadable)
    if dtype.startswith("float"):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64") * spec.scale
        not_number = values.notna() & (numbers.isna() | ~np.isfinite(numbers))
        bad.append((name, not_number, lambda v: (
            f"{v!r} is not a number; write digits with a dot for decimals (e.g. 1234.5) "
            "and no currency sign.")))
        negative = numbers < 0
        bad.append((name, negative, lambda v: (
            f"{v!r} is negative; amounts must be 0 or more (record a refund as a separate "
            "deal).")))
        bad.append((name, numbers > MAX_AMOUNT, lambda v: (
            f"{v!r} is larger than {MAX_AMOUNT:,.0f}; check the cell (a slipped decimal, or an "
            "id in the amount column?).")))
        return TypedField(numbers.where(~not_number), bad)
    if dtype == "boolean":
        bools, not_bool = _bools(values)
        bad.append((name, not_bool, lambda v: (
            f"{v!r} is not true/false (1/0, yes/no); map it with values: in the mapping.")))
        return TypedField(bools, bad)
    return TypedField(values.map(lambda v: None if v is None or v is pd.NA
                             or (isinstance(v, float) and np.isnan(v)) else str(v)), bad)


def _column_label(mapping: ImportMapping, name: str) -> str:
    spec = mapping.fields.get(name)
    if spec is None:
        return name
    return spec.column or "/".join(spec.coalesce or spec.columns) or name


def cells_checked(
    mapping: ImportMapping, cells: pd.DataFrame, *, file: str, rows: np.ndarray
) -> BatchResult:
    """The per-cell path: map text cells (one Python string each, columns as in the file) to
    typed fact rows, naming every problem; `rows` holds each row's spreadsheet row number."""
    nulls = frozenset(mapping.null_values)
    cells = cells.apply(lambda s: s.str.strip()).where(lambda df: ~df.isin(nulls))
    cells = cells.reset_index(drop=True)
    skip = pd.Series(False, index=cells.index)
    for col, skipped_values in mapping.skip_where.items():
        skip |= cells[col].isin(skipped_values)
    kept = cells[~skip].reset_index(drop=False).rename(columns={"index": "__pos__"})
    out = pd.DataFrame(index=kept.index)
    bad_masks: list[tuple[str, pd.Series, Message]] = []
    unreadable_dates: dict[str, pd.Series] = {}
    for name in MAPPED_FIELDS[mapping.kind]:
        spec = mapping.fields.get(name)
        if spec is None:
            out[name] = None
            continue
        typed = field_typed(name, spec, _raw_values(spec, kept), mapping.kind)
        bad_masks.extend(typed.bad)
        if typed.unreadable is not None:
            unreadable_dates[name] = typed.unreadable
        out[name] = typed.values
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
        closed_first = (out["closed_at"].notna() & out["created_at"].notna()
                        & (pd.to_datetime(out["closed_at"]) < pd.to_datetime(out["created_at"])))
        bad_masks.append(("closed_at", closed_first, lambda v: (
            f"the close date {v} is before the creation date; fix one of the two dates.")))
    problems: list[Problem] = []
    positions = kept["__pos__"].to_numpy(dtype="int64")
    rejected = pd.Series(False, index=kept.index)
    for name, mask, message in bad_masks:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            continue
        rejected |= mask
        col = _column_label(mapping, name)
        spec = mapping.fields.get(name)
        raw_col = spec.column if spec and spec.column else None
        for pos in mask[mask].index:
            cell = kept.at[pos, raw_col] if raw_col and raw_col in kept.columns else out.at[
                pos, name]
            problems.append(Problem(file, int(rows[positions[pos]]), col, message(cell)))
    good = out[~rejected].copy()
    good.insert(0, "source", mapping.source)
    good.insert(2, "rep_id", pd.Series(pd.NA, index=good.index, dtype="Int64"))
    good["__row__"] = rows[kept.loc[good.index, "__pos__"].to_numpy(dtype="int64")]
    schema = rows_schema(mapping.kind)
    table = pa.Table.from_pandas(good[schema.names], schema=schema, preserve_index=False)
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return BatchResult(table, int(rejected.sum()), tuple(problems), skipped=int(skip.sum()))
