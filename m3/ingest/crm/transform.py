"""Typing a batch of CRM text cells as fact rows with Arrow: `batch_transform`.

Two paths, one meaning. The per-cell path (`m3/ingest/crm/rules.py`, pandas) defines what every
rule means and words every problem. This path types the same cells with pyarrow.compute, without
a Python object per cell: value maps and patterns once per distinct value (through the per-cell
code, so they mean the same), dates, numbers and booleans by Arrow's kernels where a cell has a
shape both read alike. A row with any cell this path cannot read in that sure way, or that
breaks a rule, goes to the per-cell path, which types it or names its problems exactly as
before; tests check that both paths type rows identically.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from m3.facts.schema import ACTIVITY_TYPES
from m3.ingest.crm.mapping import FieldSpec, ImportMapping
from m3.ingest.crm.rules import (
    FALSE_WORDS,
    ISO,
    MAX_AMOUNT,
    TRUE_WORDS,
    BatchResult,
    cells_checked,
    field_typed,
    rows_schema,
)

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
    typed = field_typed(name, spec, distinct, kind)
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
            typed = field_typed(name, spec, pd.Series([spec.constant], dtype="object"),
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
    slow = cells_checked(mapping, picked.to_pandas().astype("object"), file=file,
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
