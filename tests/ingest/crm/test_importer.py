"""The CRM import: all or nothing, idempotent, recorded, with errors that say what to do."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from m3.errors import InputError
from m3.facts.store import FactsStore
from m3.ingest.crm.importer import crm_import
from m3.ingest.models import ImportRun
from m3.ingest.problems import ImportRejected
from m3.vocabulary import ImportStatus
from tests.factories import small_org

pytestmark = pytest.mark.django_db
ACTIVITY_HEADER = ["id", "rep", "type", "occurred_at", "product", "account", "opportunity",
                   "amount"]
OPP_HEADER = ["id", "rep", "account", "product", "stage", "amount", "currency", "created_at",
              "closed_at", "won"]


def write_csv(path: Path, header: list[str], rows: list[list[str]],
              encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def rows_of(store: FactsStore, table: str) -> pd.DataFrame:
    with store.connect() as con:
        return con.table(table).order_by("id").execute()


def run_import(paths: list[Path], store: FactsStore, tmp_path: Path, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("profile", "m3")
    return crm_import(paths, store=store, data_dir=tmp_path / "data", **kw)  # type: ignore[arg-type]


def test_an_m3_activities_file_is_imported_and_recorded(facts: FactsStore, tmp_path: Path) -> None:
    org = small_org()
    path = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, [
        ["a1", org.rep_a1.email, "call", "2026-01-06 10:00", "X", "Acme", "", ""],
        ["a2", org.rep_a1.email.upper(), "demo", "2026-01-07", "X", "Acme", "o1", "12.5"],
    ])
    outcome = run_import([path], facts, tmp_path)
    assert (outcome.added, outcome.rejected) == (2, 0)
    got = rows_of(facts, "activities")
    assert got["rep_id"].tolist() == [org.rep_a1.pk, org.rep_a1.pk]
    assert got["source"].tolist() == ["m3", "m3"]
    run = ImportRun.objects.get(pk=outcome.run_id)
    assert (run.status, run.added, run.kind) == (ImportStatus.SUCCEEDED, 2, "activities")


def test_re_importing_updates_changed_rows_and_adds_none(facts: FactsStore,
                                                         tmp_path: Path) -> None:
    org = small_org()
    rows = [["o1", org.rep_a1.email, "Acme", "X", "open", "100", "USD", "2026-01-05", "", ""],
            ["o2", org.rep_a1.email, "Acme", "X", "won", "50", "USD", "2026-01-05",
             "2026-01-09", "true"]]
    path = write_csv(tmp_path / "o.csv", OPP_HEADER, rows)
    run_import([path], facts, tmp_path)
    rows[0][4:] = ["won", "120", "USD", "2026-01-05", "2026-01-10", "1"]
    write_csv(path, OPP_HEADER, rows)
    again = run_import([path], facts, tmp_path)
    assert (again.added, again.updated, again.unchanged) == (0, 1, 1)
    assert rows_of(facts, "opportunities")["won"].tolist() == [True, True]


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({"created_at": "31/02/2026"}, "created_at", "is not a date in the format"),
        ({"amount": "-5"}, "amount", "is negative"),
        ({"amount": "12,50 €"}, "amount", "is not a number"),
        ({"won": "true", "closed_at": ""}, "closed_at", "has no close date"),
        ({"won": "maybe"}, "won", "is not true/false"),
        ({"id": ""}, "id", "the id is empty"),
    ],
)
def test_a_bad_cell_rejects_the_whole_file_naming_row_and_column(
    facts: FactsStore, tmp_path: Path, cells: dict[str, str], column: str, says: str
) -> None:
    org = small_org()
    good = ["o1", org.rep_a1.email, "Acme", "X", "open", "1", "USD", "2026-01-05", "", ""]
    bad = dict(zip(OPP_HEADER, ["o2", *good[1:]], strict=True)) | cells
    path = write_csv(tmp_path / "o.csv", OPP_HEADER, [good, [bad[h] for h in OPP_HEADER]])
    with pytest.raises(ImportRejected) as info:
        run_import([path], facts, tmp_path)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("o.csv", 3, column)
    assert says in problem.message
    assert rows_of(facts, "opportunities").empty
    assert ImportRun.objects.get().status == ImportStatus.REJECTED


def test_skip_invalid_imports_the_valid_rows_and_reports_the_others(
    facts: FactsStore, tmp_path: Path
) -> None:
    org = small_org()
    path = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, [
        ["a1", org.rep_a1.email, "call", "2026-01-06", "", "", "", ""],
        ["a2", org.rep_a1.email, "fax", "2026-01-06", "", "", "", ""],
        ["a1", org.rep_a1.email, "demo", "2026-01-07", "", "", "", ""],
    ])
    outcome = run_import([path], facts, tmp_path, skip_invalid=True)
    assert (outcome.added, outcome.rejected) == (1, 2)
    assert rows_of(facts, "activities")["type"].tolist() == ["demo"]  # the last a1 is kept
    report = outcome.report_path.read_text(encoding="utf-8")
    assert "'fax' is not an activity type" in report and "occurs more than once" in report


def test_a_dry_run_checks_everything_and_writes_nothing(facts: FactsStore,
                                                        tmp_path: Path) -> None:
    small_org()
    path = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER,
                     [["a1", "who@x.test", "call", "2026-01-06", "", "", "", ""]])
    outcome = run_import([path], facts, tmp_path, dry_run=True)
    assert outcome.rows_valid == 1 and rows_of(facts, "activities").empty


def test_unknown_owners_are_kept_listed_and_mapped_later(facts: FactsStore,
                                                         tmp_path: Path) -> None:
    from m3.ingest.crm.owners import owner_map, unknown_owners

    org = small_org()
    path = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, [
        ["a1", "rae@old-crm.test", "call", "2026-01-06", "", "", "", ""],
        ["a2", "rae@old-crm.test", "call", "2026-01-07", "", "", "", ""],
    ])
    outcome = run_import([path], facts, tmp_path)
    assert outcome.unknown_owners == (("rae@old-crm.test", 2),)
    assert [u.owner for u in unknown_owners(facts)] == ["rae@old-crm.test"]
    person, updated = owner_map(facts, "rae@old-crm.test", org.rep_a1.email)
    assert (person, updated) == (org.rep_a1, 2)
    assert rows_of(facts, "activities")["rep_id"].tolist() == [org.rep_a1.pk] * 2
    assert unknown_owners(facts) == []


def test_a_file_of_another_profile_is_refused_with_the_right_profile_named(
    facts: FactsStore, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "Opportunity.csv", ["Id", "StageName", "IsClosed", "IsWon",
                                                    "OwnerId"], [])
    with pytest.raises(InputError, match="use --profile salesforce"):
        run_import([path], facts, tmp_path)


def test_an_empty_file_is_refused(facts: FactsStore, tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        run_import([tmp_path / "e.csv"], facts, tmp_path)


def test_windows_1252_is_detected(facts: FactsStore, tmp_path: Path) -> None:
    org = small_org()
    path = write_csv(tmp_path / "o.csv", OPP_HEADER, [
        ["o1", org.rep_a1.email, "Peñalolén SA", "X", "Negociación", "1", "CLP",
         "2026-01-05", "", ""]], encoding="cp1252")
    run_import([path], facts, tmp_path)
    assert rows_of(facts, "opportunities")["stage"].tolist() == ["Negociación"]


def test_xlsx_and_parquet_files_are_read_like_csv(facts: FactsStore, tmp_path: Path) -> None:
    org = small_org()
    frame = pd.DataFrame([["a1", org.rep_a1.email, "call", "2026-01-06 10:00", "", "", "", ""]],
                         columns=ACTIVITY_HEADER)
    frame.to_excel(tmp_path / "a.xlsx", index=False)
    frame.assign(id="a2", occurred_at=pd.Timestamp("2026-01-07")).to_parquet(tmp_path / "a.parquet")
    outcome = run_import([tmp_path / "a.xlsx", tmp_path / "a.parquet"], facts, tmp_path)
    assert outcome.added == 2
    assert rows_of(facts, "activities")["occurred_at"].dt.day.tolist() == [6, 7]


def test_a_failed_write_leaves_nothing_and_the_re_run_completes(
    facts: FactsStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = small_org()
    path = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER,
                     [["a1", org.rep_a1.email, "call", "2026-01-06", "", "", "", ""]])

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(FactsStore, "upsert_parquet", killed)
    with pytest.raises(KeyboardInterrupt):
        run_import([path], facts, tmp_path)
    monkeypatch.undo()
    assert rows_of(facts, "activities").empty
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    assert not list((tmp_path / "data" / "imports").glob("*.staging.parquet"))
    assert run_import([path], facts, tmp_path).added == 1
