"""Mappings: how the columns of a CRM export become M3 facts, and the checks on every row.

A mapping (YAML, documented in docs/import.md) names, for each M3 field, the source column or a
constant, optional value maps (exact `values:` or regular-expression `patterns:`), date formats,
and how owners are matched to people. The built-in profiles (m3, salesforce, hubspot) are
mappings too. `batch_transform` applies one to a batch of text cells and returns the typed rows
plus a problem for every cell that cannot be read.

Two paths, one meaning. The per-cell path (`_cells_checked`, pandas) defines what every rule
means and words every problem. The Arrow path (`batch_transform`) types the same cells with
pyarrow.compute, without a Python object per cell: value maps and patterns once per distinct
value (through the per-cell code, so they mean the same), dates, numbers and booleans by Arrow's
kernels where a cell has a shape both read alike. A row with any cell the Arrow path cannot read
in that sure way, or that breaks a rule, goes to the per-cell path, which types it or names its
problems exactly as before; tests check that both paths type rows identically.
"""

from __future__ import annotations

import enum
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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
# Above this an amount is a slipped decimal or an id in the wrong column, not a deal.
MAX_AMOUNT = 1e12


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


# --- transformation: the per-cell path ---------------------------------------------------------

Message = Callable[[Any], str]


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
class _Typed:
    """One field typed by the per-cell path: values, cell problems (field, mask, message
    builder), and where a date was present but unreadable."""

    values: pd.Series
    bad: list[tuple[str, pd.Series, Message]]
    unreadable: pd.Series | None = None


def _field_typed(name: str, spec: FieldSpec, raw: pd.Series, kind: str) -> _Typed:
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
        return _Typed(parsed, bad, unreadable)
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
        return _Typed(numbers.where(~not_number), bad)
    if dtype == "boolean":
        bools, not_bool = _bools(values)
        bad.append((name, not_bool, lambda v: (
            f"{v!r} is not true/false (1/0, yes/no); map it with values: in the mapping.")))
        return _Typed(bools, bad)
    return _Typed(values.map(lambda v: None if v is None or v is pd.NA
                             or (isinstance(v, float) and np.isnan(v)) else str(v)), bad)


def _column_label(mapping: ImportMapping, name: str) -> str:
    spec = mapping.fields.get(name)
    if spec is None:
        return name
    return spec.column or "/".join(spec.coalesce or spec.columns) or name


def _cells_checked(
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
        typed = _field_typed(name, spec, _raw_values(spec, kept), mapping.kind)
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


# --- transformation: the Arrow path --------------------------------------------------------------

# Cell shapes that pandas and Arrow read alike. A present cell of another shape (a time zone, a
# sign, an exponent, a space-padded day …) is left to the per-cell path, which decides.
PLAIN_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$"
PLAIN_AMOUNT = r"^\d+(\.\d+)?$"
# strptime directives Arrow reads exactly as pandas where the cell matches these; a format with
# any other directive is read once per distinct cell by the per-cell path.
_STRICT = {"Y": r"\d{4}", "m": r"0?[1-9]|1[0-2]", "d": r"0?[1-9]|[12]\d|3[01]",
           "H": r"[01]?\d|2[0-3]", "M": r"[0-5]?\d", "S": r"[0-5]?\d"}
# What pandas might still read in that directive's place (so that a later format must not).
_LOOSE = r"\s*\d+"
# pandas' ISO 8601 reader reads nothing that does not start with a year.
_ISO_LOOSE = r"^\s*[+-]?\d{4}"


def _format_regexes(fmt: str) -> tuple[str, str] | None:
    """(strict, loose) regexes of a strptime format of the directives in _STRICT; None if the
    format has another directive."""
    strict, loose = ["^"], ["^"]
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%":
            directive = fmt[i + 1:i + 2]
            if directive not in _STRICT:
                return None
            strict.append(f"(?P<{directive}>{_STRICT[directive]})")
            loose.append(_LOOSE)
            i += 2
            continue
        if ch.isspace():
            return None  # pandas reads any run of spaces there
        strict.append(re.escape(ch))
        loose.append(re.escape(ch))
        i += 1
    return "".join(strict) + "$", "".join(loose) + "$"


def _np_mask(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as numpy, null as False."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _regex_hits(text: pa.Array, regex: str) -> pa.Array:
    """Where Python's re.search(regex, cell) finds a match (null cells: False)."""
    if "\\" not in regex and "(?" not in regex and "[" not in regex:
        try:  # RE2 reads such a pattern as Python does
            return pc.fill_null(pc.match_substring_regex(text, regex), False)
        except pa.ArrowInvalid:
            pass
    encoded = pc.dictionary_encode(text)
    compiled = re.compile(regex)
    hits = pa.array([compiled.search(v) is not None
                     for v in encoded.dictionary.to_pylist()], pa.bool_())
    return pc.fill_null(pc.take(hits, encoded.indices), False)


def _per_distinct(
    name: str, spec: FieldSpec, raw: pa.Array, kind: str, want: pa.DataType
) -> tuple[pa.Array, np.ndarray]:
    """Type a field through the per-cell path once per distinct raw value; (typed, suspect)."""
    encoded = pc.dictionary_encode(raw)
    distinct = pd.Series([*encoded.dictionary.to_pylist(), None], dtype="object")
    typed = _field_typed(name, spec, distinct, kind)
    bad = pd.Series(False, index=distinct.index)
    for _, mask, _ in typed.bad:
        bad |= mask.fillna(False).astype(bool)
    codes = pc.fill_null(encoded.indices.cast(pa.int64()), len(distinct) - 1)
    values = pa.array(typed.values, want, from_pandas=True)
    return pc.take(values, codes), bad.to_numpy(dtype=bool)[codes.to_numpy()]


def _dates(text: pa.Array, formats: Sequence[str]) -> tuple[pa.Array, np.ndarray] | None:
    """Dates read by Arrow in the formats, tried in turn; (parsed, suspect) or None when a
    format is not one Arrow reads exactly as pandas."""
    n = len(text)
    result = pa.nulls(n, pa.timestamp("us"))
    todo = pc.is_valid(text)
    suspect = np.zeros(n, dtype=bool)
    formats = formats or (ISO,)
    for fmt in formats:
        if not pc.any(todo).as_py():
            break
        if fmt == ISO:
            shaped = pc.fill_null(pc.match_substring_regex(text, PLAIN_DATE), False)
            candidate = pc.if_else(pc.and_(todo, shaped), text, pa.scalar(None, pa.string()))
            try:
                parsed = pc.cast(candidate, pa.timestamp("us"))
            except pa.ArrowInvalid:  # a day or time that does not exist (2026-02-30)
                return None
            loose = _ISO_LOOSE
        else:
            regexes = _format_regexes(fmt)
            if regexes is None:
                return None
            strict, loose = regexes
            shaped = pc.fill_null(pc.match_substring_regex(text, strict), False)
            candidate = pc.if_else(pc.and_(todo, shaped), text, pa.scalar(None, pa.string()))
            parsed = pc.strptime(candidate, format=fmt, unit="us", error_is_null=True)
            if "%d" in fmt:  # strptime rolls 2/30 over to 3/2; pandas refuses it
                day = pc.struct_field(pc.extract_regex(candidate, strict), "d")
                same = pc.equal(pc.day(parsed), pc.cast(day, pa.int64()))
                parsed = pc.if_else(pc.fill_null(same, False), parsed,
                                    pa.scalar(None, pa.timestamp("us")))
        ok = pc.is_valid(parsed)
        result = pc.if_else(ok, parsed, result)
        todo = pc.and_(todo, pc.invert(ok))
        if fmt != formats[-1] and pc.any(todo).as_py():
            # A cell this format did not read but pandas might: the per-cell path decides.
            suspect |= _np_mask(pc.and_(todo, pc.match_substring_regex(text, loose)))
    suspect |= _np_mask(todo)
    return result, suspect


def _field_arrow(
    name: str, spec: FieldSpec, raw: pa.Array, kind: str, want: pa.DataType
) -> tuple[pa.Array, np.ndarray]:
    """One field typed by Arrow; (typed, suspect rows for the per-cell path)."""
    n = len(raw)
    if spec.values is not None or spec.patterns:
        return _per_distinct(name, spec, raw, kind, want)
    present = pc.is_valid(raw)
    if pa.types.is_timestamp(want):
        # Dates repeat (a day has many rows): read each distinct text once when few, as a
        # sample of the first rows suggests (times to the second rarely repeat).
        sample = raw.slice(0, 10_000)
        few = pc.count_distinct(sample).as_py() * 4 <= len(sample)
        encoded = pc.dictionary_encode(raw) if few else None
        if encoded is not None and len(encoded.dictionary) * 4 > n:
            encoded = None
        dates = _dates(raw if encoded is None else encoded.dictionary, spec.formats)
        if dates is None:
            return _per_distinct(name, spec, raw, kind, want)
        if encoded is None:
            return dates
        parsed, suspect = dates
        codes = pc.fill_null(encoded.indices.cast(pa.int64()), len(encoded.dictionary))
        parsed = pc.take(pa.concat_arrays([parsed, pa.nulls(1, want)]), codes)
        return parsed, np.append(suspect, False)[codes.to_numpy()]
    if pa.types.is_floating(want):
        shaped = pc.fill_null(pc.match_substring_regex(raw, PLAIN_AMOUNT), False)
        number = pc.cast(pc.if_else(shaped, raw, pa.scalar(None, pa.string())), want)
        if spec.scale != 1.0:
            number = pc.multiply(number, pa.scalar(spec.scale, want))
        suspect = pc.or_(pc.and_(present, pc.invert(shaped)),
                         pc.invert(pc.fill_null(pc.is_finite(number), True)))
        return number, _np_mask(suspect)
    if pa.types.is_boolean(want):
        lower = pc.utf8_lower(raw)
        is_true = pc.is_in(lower, value_set=pa.array(sorted(TRUE_WORDS)))
        is_false = pc.is_in(lower, value_set=pa.array(sorted(FALSE_WORDS)))
        value = pc.if_else(is_true, True, pc.if_else(is_false, False,
                                                      pa.scalar(None, pa.bool_())))
        suspect = pc.and_(present, pc.invert(pc.or_(is_true, is_false)))
        return value, _np_mask(suspect)
    return raw, np.zeros(n, dtype=bool)


def _text_table(cells: pd.DataFrame) -> pa.Table:
    """Text cells (one Python object each) as Arrow text; empty for missing."""
    return pa.table({c: pa.array([("" if v is None or (isinstance(v, float) and np.isnan(v))
                                   else str(v)) for v in cells[c]], pa.string())
                     for c in cells.columns})


def batch_transform(
    mapping: ImportMapping,
    cells: pa.Table | pd.DataFrame,
    *,
    file: str,
    first_row: int,
) -> BatchResult:
    """Map a batch of text cells (columns as in the file) to typed fact rows, checking each.

    `first_row` is the spreadsheet row number of the batch's first data row (header = 1).
    Rules: id present; dates readable in the mapping's formats; amounts numbers ≥ 0; won is
    true/false/empty; activity type one of M3's; a won or lost deal has a close date. Cells are
    stripped and the mapping's null values are empty. Rows the Arrow path cannot read surely,
    and rows with problems, go through the per-cell path (see the module's docstring).
    """
    table = cells if isinstance(cells, pa.Table) else _text_table(cells)
    n = table.num_rows
    rows = np.arange(first_row, first_row + n, dtype="int64")
    nulls = pa.array(list(mapping.null_values), pa.string())
    texts: dict[str, pa.Array] = {}

    def text(col: str) -> pa.Array:
        if col not in texts:
            trimmed = pc.utf8_trim_whitespace(table[col].combine_chunks())
            texts[col] = pc.if_else(pc.is_in(trimmed, value_set=nulls),
                                    pa.scalar(None, pa.string()), trimmed)
        return texts[col]

    skip = np.zeros(n, dtype=bool)
    for col, skipped_values in mapping.skip_where.items():
        skip |= _np_mask(pc.is_in(text(col), value_set=pa.array(skipped_values, pa.string())))
    schema = rows_schema(mapping.kind)
    suspect = np.zeros(n, dtype=bool)
    columns: dict[str, pa.Array] = {}
    for name in schema.names:
        want = schema.field(name).type
        spec = mapping.fields.get(name)
        if name == "source":
            columns[name] = pa.repeat(pa.scalar(mapping.source, pa.string()), n)
        elif name == "__row__":
            columns[name] = pa.array(rows)
        elif spec is None:
            columns[name] = pa.nulls(n, want)  # rep_id: resolved from the owner later
        elif spec.constant is not None or not spec.sources:
            typed = _field_typed(name, spec, pd.Series([spec.constant], dtype="object"),
                                 mapping.kind)
            if any(bool(mask.fillna(False).any()) for _, mask, _ in typed.bad):
                suspect[:] = True
            columns[name] = pc.take(pa.array(typed.values, want, from_pandas=True),
                                    pa.array(np.zeros(n, dtype="int32")))
        else:
            columns[name], bad = _field_arrow(name, spec, _raw_arrow(spec, text, n),
                                              mapping.kind, want)
            suspect |= bad
    suspect |= _np_mask(pc.is_null(columns["id"]))
    if mapping.kind == "activities":
        suspect |= _np_mask(pc.is_null(columns["occurred_at"]))
        known = pc.is_in(columns["type"], value_set=pa.array(list(ACTIVITY_TYPES)))
        suspect |= ~_np_mask(known)
    else:
        suspect |= _np_mask(pc.and_(pc.is_valid(columns["won"]),
                                    pc.is_null(columns["closed_at"])))
        suspect |= _np_mask(pc.less(columns["closed_at"], columns["created_at"]))
    if "amount" in columns:
        suspect |= _np_mask(pc.greater(columns["amount"], MAX_AMOUNT))
    suspect &= ~skip
    good = pa.Table.from_arrays([columns[c] for c in schema.names], schema=schema)
    if not suspect.any() and not skip.any():
        return BatchResult(good, 0, ())
    good = good.filter(pa.array(~suspect & ~skip))
    if not suspect.any():
        return BatchResult(good, 0, (), skipped=int(skip.sum()))
    picked = table.select(list(mapping.required_columns())).filter(pa.array(suspect))
    slow = _cells_checked(mapping, picked.to_pandas().astype("object"), file=file,
                          rows=rows[suspect])
    merged = pa.concat_tables([good, slow.table]).sort_by("__row__")
    return BatchResult(merged, slow.rejected, slow.problems, skipped=int(skip.sum()))


def _raw_arrow(spec: FieldSpec, text: Callable[[str], pa.Array], n: int) -> pa.Array:
    """`_raw_values` in Arrow: the field's text per row (null where empty)."""
    if spec.column:
        out = text(spec.column)
    elif spec.coalesce:
        out = pc.coalesce(*(text(c) for c in spec.coalesce))
    else:
        out = pc.binary_join_element_wise(*(pc.fill_null(text(c), "") for c in spec.columns),
                                          "|")
    if spec.match:
        out = pc.if_else(_regex_hits(out, spec.match), out, pa.scalar(None, pa.string()))
    for col, expected in spec.when.items():
        out = pc.if_else(pc.fill_null(pc.equal(text(col), expected), False), out,
                         pa.scalar(None, pa.string()))
    return out
