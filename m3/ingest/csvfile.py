"""CSV text: the one place that recognises a CSV file's encoding and delimiter (for the CRM
exports of `m3/ingest/crm/readers.py` and the small files below), and reading the small CSV
files a person writes (org files, touchpoints): header, rows."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from m3.errors import InputError

MAX_SMALL_CSV_BYTES = 200 * 1024 * 1024
# How much of a large file the encoding is recognised from.
SNIFF_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t")


def encoding_detect(sample: bytes, file: str) -> str:
    """The text encoding of a file from its first SNIFF_BYTES (or all of them): utf-8 (with or
    without BOM) when they decode as UTF-8, else what charset-normalizer recognises among
    Windows-1252 (cp1252, as Excel and Salesforce's data export write it; latin-1 is read as
    it), UTF-16 and cp1250; InputError naming `file` if none fits."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        # A sample of SNIFF_BYTES may end inside a character; a shorter one is the whole file.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < SNIFF_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "utf_16", "cp1250"]).best()
    if best is None:
        raise InputError(f"{file}: the text encoding could not be recognised; pass "
                         "--encoding (e.g. --encoding cp1252) or save it as UTF-8.")
    return "cp1252" if best.encoding in ("cp1252", "latin_1") else best.encoding


def delimiter_detect(text: str) -> str:
    """The delimiter of CSV text: whichever of comma, semicolon and tab its first line has
    most of (a comma when it has none)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


@dataclass(frozen=True)
class CsvTable:
    """A parsed CSV: file name, header, rows (keyed by lower-case header; `__row__` is the line)."""

    file: str
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]


def text_decode(data: bytes, file: str, encoding: str | None = None) -> str:
    """Decode a file's bytes: the given encoding, else the one `encoding_detect` recognises."""
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{file}: cannot be read as {encoding} ({exc}).") from None
    detected = encoding_detect(data, file)
    try:
        return data.decode("utf-8-sig" if detected == "utf-8" else detected)
    except UnicodeDecodeError as exc:  # bytes past what was recognised
        raise InputError(f"{file}: cannot be read as {detected} ({exc}).") from None


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
    # Spaces after a delimiter are not part of a cell, so `a, "b, c"` is two cells.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_detect(text),
                        skipinitialspace=True)
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
