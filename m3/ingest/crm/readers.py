"""Reading CRM exports in batches with bounded memory: CSV (any encoding a CRM writes; encoding
and delimiter recognised by `m3/ingest/csvfile.py`), XLSX, Parquet. Every reader yields text
cells, so one set of checks applies to all formats."""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from m3.errors import InputError
from m3.ingest.csvfile import SNIFF_BYTES, delimiter_detect, encoding_detect

BATCH_ROWS = 200_000
CSV_BLOCK_BYTES = 16 << 20


@dataclass(frozen=True)
class CellBatch:
    """Text cells of consecutive data rows; `first_row` is the first one's spreadsheet row."""

    cells: pd.DataFrame
    first_row: int


def file_format(path: Path) -> str:
    """csv, xlsx or parquet, from the file name."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError(f"{path.name}: M3 reads .csv, .xlsx and .parquet files; save it as CSV.")


def readable_check(path: Path) -> None:
    """Raise InputError unless `path` is an existing, non-empty file."""
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path.")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: the file is empty; export it again with its header line.")


def header_read(path: Path, encoding: str | None = None) -> tuple[str, ...]:
    """The column names of a file, as written (empty tuple for an empty file)."""
    fmt = file_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return tuple(pq.ParquetFile(path).schema_arrow.names)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{path.name}: not a readable Parquet file ({exc}); export it "
                             "again, or give the CSV export instead.") from None
    for batch in batches_read(path, encoding, batch_rows=1, header_only=True):
        return tuple(batch.cells.columns)
    return ()


def batches_read(
    path: Path, encoding: str | None = None, *, batch_rows: int = BATCH_ROWS,
    header_only: bool = False,
) -> Iterator[CellBatch]:
    """Yield the file's data rows as text cells, a batch at a time."""
    readable_check(path)
    fmt = file_format(path)
    if fmt == "csv":
        yield from _csv_batches(path, encoding, batch_rows, header_only)
    elif fmt == "xlsx":
        yield from _xlsx_batches(path, batch_rows, header_only)
    else:
        yield from _parquet_batches(path, batch_rows, header_only)


@dataclass(frozen=True)
class TextBatch:
    """Consecutive CSV data rows as Arrow text columns named as in the header (an empty cell
    is ""); `first_row` is the first one's spreadsheet row. No Python object per cell."""

    table: pa.Table
    first_row: int


def _csv_open(path: Path, encoding: str | None) -> tuple[str, Any, Any, list[str], list[str]]:
    """Encoding, read and parse options, the header as written and as M3 names it."""
    import pyarrow.csv as pacsv

    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    enc = encoding or encoding_detect(head, path.name)
    try:
        codecs.lookup(enc)
    except LookupError:
        raise InputError(f"--encoding {enc!r} is not an encoding; use e.g. utf-8 or cp1252.") \
            from None
    delimiter = delimiter_detect(head[:64 * 1024].decode(enc, errors="replace"))
    read = pacsv.ReadOptions(encoding=enc, block_size=CSV_BLOCK_BYTES)
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    try:
        probe = pacsv.open_csv(path, read_options=read, parse_options=parse)
        raw = probe.schema.names
        probe.close()
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(_csv_error(path, enc, exc)) from None
    return enc, read, parse, raw, [n.lstrip("\ufeff").strip() for n in raw]


def csv_text_batches(
    path: Path, encoding: str | None = None, *, batch_rows: int = BATCH_ROWS
) -> Iterator[TextBatch]:
    """Yield a CSV's data rows as Arrow text, a batch of about `batch_rows` at a time."""
    import pyarrow.csv as pacsv

    readable_check(path)
    enc, read, parse, raw, names = _csv_open(path, encoding)
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in raw},
        strings_can_be_null=False, quoted_strings_can_be_null=False,
    )
    try:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse,
                                convert_options=convert)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(_csv_error(path, enc, exc, 2)) from None
    row = 2
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    try:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= batch_rows:
                yield TextBatch(pa.Table.from_batches(pending).rename_columns(names), row)
                row += pending_rows
                pending, pending_rows = [], 0
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(_csv_error(path, enc, exc, row)) from None
    if pending:
        yield TextBatch(pa.Table.from_batches(pending).rename_columns(names), row)


def _csv_batches(
    path: Path, encoding: str | None, batch_rows: int, header_only: bool
) -> Iterator[CellBatch]:
    if header_only:
        names = _csv_open(path, encoding)[4]
        yield CellBatch(pd.DataFrame(columns=names), 2)
        return
    for batch in csv_text_batches(path, encoding, batch_rows=batch_rows):
        yield text_cells(batch)


def text_cells(batch: TextBatch) -> CellBatch:
    """A text batch as the text cells every check reads (one Python string per cell)."""
    return _cells(batch.table, batch.table.column_names, batch.first_row)


def _csv_error(path: Path, encoding: str, exc: Exception, row: int | None = None) -> str:
    text = str(exc)
    near = f" (after row {row})" if row else ""
    if "UTF8" in text or "utf-8" in text.lower() or isinstance(exc, UnicodeDecodeError):
        return (f"{path.name}{near}: not valid {encoding} text; pass --encoding cp1252 (Excel and "
                "Salesforce on Windows) or save the file as UTF-8.")
    return (f"{path.name}{near}: malformed CSV ({text.splitlines()[0]}); check that values "
            "containing the delimiter or line breaks are quoted and every row has the same "
            "number of columns.")


def _cells(table: pa.Table, names: list[str], first_row: int) -> CellBatch:
    frame = table.to_pandas(types_mapper=None)
    frame.columns = names
    return CellBatch(frame.astype("object"), first_row)


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_batches(path: Path, batch_rows: int, header_only: bool) -> Iterator[CellBatch]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"{path.name}: not a readable .xlsx workbook ({exc}).") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InputError(f"{path.name}: the first sheet is empty; put the header in row 1.")
        names = [_xlsx_text(v).strip() for v in header]
        if header_only:
            yield CellBatch(pd.DataFrame(columns=names), 2)
            return
        chunk: list[list[str]] = []
        first = 2
        for values in rows:
            cells = [_xlsx_text(v) for v in values[: len(names)]]
            chunk.append(cells + [""] * (len(names) - len(cells)))
            if len(chunk) >= batch_rows:
                yield CellBatch(pd.DataFrame(chunk, columns=names, dtype="object"), first)
                first += len(chunk)
                chunk = []
        if chunk:
            yield CellBatch(pd.DataFrame(chunk, columns=names, dtype="object"), first)
    finally:
        book.close()


def _parquet_batches(path: Path, batch_rows: int, header_only: bool) -> Iterator[CellBatch]:
    if header_only:
        import pyarrow.parquet as pq

        yield CellBatch(pd.DataFrame(columns=list(pq.ParquetFile(path).schema_arrow.names)), 2)
        return
    for batch in _parquet_text_batches(path, batch_rows):
        yield text_cells(batch)


def _parquet_text_batches(path: Path, batch_rows: int) -> Iterator[TextBatch]:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path.name}: not a readable Parquet file ({exc}); export it again, "
                         "or give the CSV export instead.") from None
    names = list(handle.schema_arrow.names)
    first = 2
    for batch in handle.iter_batches(batch_size=batch_rows):
        columns = []
        for col in batch.columns:
            if pa.types.is_timestamp(col.type):
                col = pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
            text = pc.cast(col, pa.string())
            columns.append(pc.fill_null(text, ""))
        yield TextBatch(pa.Table.from_arrays(columns, names=names), first)
        first += batch.num_rows


def text_batches(
    path: Path, encoding: str | None = None, *, batch_rows: int = BATCH_ROWS
) -> Iterator[TextBatch]:
    """Yield the file's data rows (CSV, XLSX or Parquet) as Arrow text, a batch at a time."""
    readable_check(path)
    fmt = file_format(path)
    if fmt == "csv":
        yield from csv_text_batches(path, encoding, batch_rows=batch_rows)
    elif fmt == "parquet":
        yield from _parquet_text_batches(path, batch_rows)
    else:
        for cells in _xlsx_batches(path, batch_rows, header_only=False):
            frame = cells.cells
            arrays = [pa.array(frame.iloc[:, i].tolist(), pa.string())
                      for i in range(frame.shape[1])]
            yield TextBatch(pa.Table.from_arrays(arrays, names=list(frame.columns)),
                            cells.first_row)
