"""Reading small CSV files a person wrote (org files, mappings): encoding, header, rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from m3.errors import InputError

MAX_SMALL_CSV_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class CsvTable:
    """A parsed CSV: file name, header, rows (keyed by lower-case header; `__row__` is the line)."""

    file: str
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]


def text_decode(data: bytes, file: str, encoding: str | None = None) -> str:
    """Decode a file's bytes: the given encoding, else UTF-8 (BOM or not), else a detected one."""
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{file}: cannot be read as {encoding} ({exc}).") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(
            f"{file}: the text encoding could not be recognised; save it as UTF-8 or pass "
            "--encoding (e.g. --encoding cp1252)."
        )
    return str(best)


def csv_read(path: Path, required: tuple[str, ...], encoding: str | None = None) -> CsvTable:
    """Read a CSV with a header that must contain `required` columns; raise InputError if not."""
    file = path.name
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path.")
    size = path.stat().st_size
    if size == 0:
        raise InputError(
            f"{file}: the file is empty; it needs a header line: {', '.join(required)}."
        )
    if size > MAX_SMALL_CSV_BYTES:
        raise InputError(f"{file}: {size // 2**20} MiB is too large for this kind of file.")
    text = text_decode(path.read_bytes(), file, encoding)
    if "\x00" in text:
        raise InputError(f"{file}: contains NUL bytes; it is not a CSV text file.")
    try:
        sample = text[:4096]
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise InputError(f"{file}, row {reader.line_num}: malformed CSV ({exc}).") from None
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise InputError(f"{file}: no header line; the first line must be: {', '.join(required)}.")
    header = tuple(h.strip().lower() for h in lines[0])
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"{file}, row 1: missing column(s) {', '.join(missing)}; the header must contain "
            f"{', '.join(required)} (found: {', '.join(header)})."
        )
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise InputError(
                f"{file}, row {number}: {len(cells)} cells but the header has {len(header)}; "
                "quote values that contain the delimiter."
            )
        padded = cells + [""] * (len(header) - len(cells))
        row = {h: v.strip() for h, v in zip(header, padded, strict=True)}
        row["__row__"] = str(number)
        rows.append(row)
    return CsvTable(file=file, header=header, rows=tuple(rows))
