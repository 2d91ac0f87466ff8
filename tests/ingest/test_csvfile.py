"""CSV text: one recognition of encoding and delimiter, and the small files people write."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from m3.errors import InputError
from m3.ingest.csvfile import (
    SNIFF_BYTES,
    csv_read,
    delimiter_detect,
    encoding_detect,
    text_decode,
)

TEXT = "unit;parent\nSociété Générale;\nCafé;Société Générale\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT.encode("cp1252"),
    TEXT.encode("utf-16"),
])
def test_the_encoding_is_recognised_from_the_bytes(data: bytes) -> None:
    assert data.decode(encoding_detect(data, "f.csv")).lstrip("\ufeff") == TEXT


def test_a_sample_cut_inside_a_character_is_still_utf8() -> None:
    cut = ("a" + "é" * SNIFF_BYTES).encode()[:SNIFF_BYTES]
    assert encoding_detect(cut, "f.csv") == "utf-8"
    whole = "Un café".encode("cp1252")  # a whole file that ends in é is not cut UTF-8
    assert whole.decode(encoding_detect(whole, "f.csv")) == "Un café"


def test_bytes_in_no_known_encoding_are_refused_with_the_fix() -> None:
    with pytest.raises(InputError, match=r"^f.csv: the text encoding could not be recognised; "
                                         r"pass --encoding \(e.g. --encoding cp1252\)"):
        encoding_detect(bytes(range(256)) * 4, "f.csv")


@pytest.mark.parametrize(("text", "delimiter"), [
    ("a,b;c\n1;2", ","), ("a;b;c\n", ";"), ("a\tb\n", "\t"), ("\ufeffa;b\n", ";"), ("a\n", ","),
    ('"x, y";z;w\n', ";"),
])
def test_the_delimiter_is_the_one_the_first_line_has_most_of(text: str, delimiter: str) -> None:
    assert delimiter_detect(text) == delimiter


def test_text_is_decoded_without_its_bom_or_in_the_encoding_given() -> None:
    assert text_decode(codecs.BOM_UTF8 + b"unit", "f.csv") == "unit"
    assert text_decode("Café".encode("cp1252"), "f.csv") == "Café"
    with pytest.raises(InputError, match=r"^f.csv: cannot be read as nope \(unknown encoding"):
        text_decode(b"unit", "f.csv", "nope")


def test_a_semicolon_file_with_quotes_after_spaces_reads_each_cell(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes('Unit; Parent\n"Acme; Inc";\n\nWest; "Acme; Inc"\n'.encode("cp1252"))
    table = csv_read(path, ("unit", "parent"))
    assert table.header == ("unit", "parent")
    assert [(r["unit"], r["parent"], r["__row__"]) for r in table.rows] == [
        ("Acme; Inc", "", "2"), ("West", "Acme; Inc", "4")]


@pytest.mark.parametrize(("content", "says"), [
    (b"", "units.csv: the file is empty; it needs a header line: unit, parent."),
    (b"\n\n", "units.csv: no header line; the first line must be: unit, parent."),
    (b"unit\nAcme\n", "units.csv, row 1: missing column(s) parent; the header must contain unit, "
                      "parent (found: unit)."),
    (b"unit,parent\nA,B,C\n", "units.csv, row 2: 3 cells but the header has 2; quote values "
                              "that contain the delimiter."),
    (b"unit,parent\nA\x00,\n", "units.csv: contains NUL bytes; it is not a CSV text file."),
])
def test_a_file_that_cannot_be_read_says_why_and_what_to_do(tmp_path: Path, content: bytes,
                                                            says: str) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        csv_read(path, ("unit", "parent"))
    assert caught.value.message == says
