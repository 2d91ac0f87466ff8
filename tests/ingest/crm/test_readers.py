"""Reading CRM exports: formats by name, encoding and delimiter recognised, errors that say what
to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from m3.errors import InputError
from m3.ingest.crm.readers import batches_read, csv_text_batches, file_format, header_read


def test_the_format_comes_from_the_file_name() -> None:
    assert [file_format(Path(n)) for n in ("a.CSV", "b.tsv", "c.xlsx", "d.pq")] == [
        "csv", "csv", "xlsx", "parquet"]
    with pytest.raises(InputError, match=r"^e.json: M3 reads .csv, .xlsx and .parquet files"):
        file_format(Path("e.json"))


def test_a_windows_semicolon_export_is_read_as_text_cells(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes("\ufeffId ; Owner\nd1;Zoë\nd2;\"A;B\"\nd3;\n".encode("cp1252",
                                                                      errors="ignore"))
    assert header_read(path) == ("Id", "Owner")
    (batch,) = batches_read(path)
    assert batch.first_row == 2
    assert batch.cells.values.tolist() == [["d1", "Zoë"], ["d2", "A;B"], ["d3", ""]]


def test_batches_follow_the_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,rep\n" + "".join(f"a{i},r\n" for i in range(5)), encoding="utf-8")
    batches = list(csv_text_batches(path, batch_rows=2))
    assert [(b.first_row, b.table.num_rows) for b in batches][0] == (2, 5)


@pytest.mark.parametrize(("encoding", "says"), [
    ("nope", "--encoding 'nope' is not an encoding; use e.g. utf-8 or cp1252."),
    ("utf-8", "a.csv (after row 2): not valid utf-8 text; pass --encoding cp1252 (Excel and "
              "Salesforce on Windows) or save the file as UTF-8."),
])
def test_an_encoding_the_file_is_not_in_is_named_with_the_fix(tmp_path: Path, encoding: str,
                                                              says: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("id,rep\na1,Zoë\n".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        list(batches_read(path, encoding))
    assert caught.value.message == says


def test_a_missing_or_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file; check the path"):
        list(batches_read(tmp_path / "none.csv"))
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: the file is empty; export it again"):
        list(batches_read(tmp_path / "empty.csv"))
