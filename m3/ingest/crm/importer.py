"""The CRM import service: read every file in batches, check every row, stage the valid rows in
a Parquet file, then write them to the facts store in one transaction per fact table.

All or nothing: when any row has a problem nothing is written (unless `skip_invalid`, which
imports the valid rows and writes the others to a report). A killed import leaves only a
staging file behind, which the next run removes; the facts store is untouched until the final
upsert, which is one transaction. Re-running an import updates changed rows and adds none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from m3.errors import InputError
from m3.facts.store import FactsStore, UpsertCounts
from m3.ingest.crm.mapping import ImportMapping, OwnerMatch, mapping_load
from m3.ingest.crm.owners import OwnerIndex, owner_index
from m3.ingest.crm.profiles import PROFILES, FileKind, file_kind
from m3.ingest.crm.readers import TextBatch, batches_read, header_read, text_batches
from m3.ingest.crm.rules import rows_schema
from m3.ingest.crm.transform import batch_transform
from m3.ingest.problems import ImportRejected, Problem, problems_report_write
from m3.ingest.services import import_run_finish, import_run_start
from m3.jobs.services import state_refresh_enqueue
from m3.vocabulary import ImportStatus

MAX_KEPT_PROBLEMS = 100_000


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, on a dry run, would do)."""

    run_id: int
    dry_run: bool
    rows_valid: int
    added: int
    updated: int
    unchanged: int
    rejected: int
    skipped: int
    unknown_owners: tuple[tuple[str, int], ...]
    report_path: Path | None
    users_linked: int = 0
    users_unmatched: tuple[str, ...] = ()
    kinds: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _Staging:
    """Valid rows of one fact table, written to a Parquet file as they are checked.

    Writing (compression, in Arrow's C++ without the GIL) runs in a thread while the next batch
    is read and checked; at most one batch waits to be written, so memory stays bounded.
    """

    path: Path
    schema: pa.Schema
    writer: pq.ParquetWriter | None = None
    rows: int = 0
    pending: Future[None] | None = None
    thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="m3-staging"))

    def write(self, frame: pd.DataFrame | pa.Table) -> None:
        if isinstance(frame, pa.Table):
            table = frame.select(self.schema.names).cast(self.schema)
        else:
            table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        self.wait()
        if self.writer is None:
            # Dictionary pages for the text columns that repeat (owner, type, account …), not
            # for the ids, which are all distinct: trying them there halves the writing speed.
            repeating = [f.name for f in self.schema
                         if pa.types.is_string(f.type) and f.name != "id"]
            self.writer = pq.ParquetWriter(self.path, self.schema, use_dictionary=repeating)
        self.pending = self.thread.submit(self.writer.write_table, table)
        self.rows += table.num_rows

    def wait(self) -> None:
        """Wait for the batch being written (raising what writing it raised)."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self.writer is not None:
                self.writer.close()
                self.writer = None
            self.thread.shutdown(wait=True)


def _earliest_day(path: Path, table: str) -> dt.date | None:
    """The earliest date a staged fact file carries (None when it has none)."""
    columns = ("occurred_at",) if table == "activities" else ("created_at", "closed_at")
    least = ", ".join(f"min({c})" for c in columns)
    with duckdb.connect() as con:
        got = con.execute(f"SELECT least({least}) FROM read_parquet(?)", [str(path)]).fetchone()
    day = got[0] if got else None
    return day.date() if isinstance(day, dt.datetime) else day

def _staging_schema(kind: str) -> pa.Schema:
    fields = [f for f in rows_schema(kind) if f.name != "__row__"]
    return pa.schema([*fields, pa.field("__file__", pa.string()), pa.field("__row__", pa.int64())])


def _owners_resolved(
    owners: pa.Array, index: OwnerIndex, match: OwnerMatch, unknown: Counter[str]
) -> pa.Array:
    """Person id per owner cell (null where unknown), looking each distinct owner up once;
    counts the rows of unknown owners into `unknown`."""
    encoded = pc.dictionary_encode(owners)
    distinct = pd.Series(encoded.dictionary.to_pylist(), dtype="string")
    ids = index.resolve(distinct, match)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    valid = encoded.indices.is_valid().to_numpy(zero_copy_only=False)
    rows_per_owner = np.bincount(codes[valid].astype("int64"), minlength=len(distinct))
    for i in np.flatnonzero(ids.isna().to_numpy() & (rows_per_owner > 0)):
        unknown[str(distinct.iloc[i])] += int(rows_per_owner[i])
    resolved = pa.array(ids, pa.int64(), from_pandas=True)
    return pc.take(resolved, encoded.indices)


def _salesforce_users(path: Path, encoding: str | None) -> tuple[int, list[str]]:
    """Link Salesforce user ids to people by email; return (linked, unmatched standard users)."""
    from m3.org.models import CrmIdentity, Person

    emails = {e.lower(): pk for pk, e in Person.objects.values_list("pk", "email")}
    linked, unmatched = 0, []
    for batch in batches_read(path, encoding):
        cells = batch.cells
        for row in cells.itertuples(index=False):
            values = dict(zip(cells.columns, row, strict=True))
            if values.get("UserType", "Standard") not in ("Standard", ""):
                continue  # system users: AutomatedProcess, CloudIntegrationUser …
            person_id = emails.get(str(values.get("Email", "")).strip().lower())
            if person_id is None:
                name = f"{values.get('FirstName', '')} {values.get('LastName', '')}".strip()
                unmatched.append(f"{name or values['Id']} <{values.get('Email', '')}>")
                continue
            _, created = CrmIdentity.objects.get_or_create(
                crm_id=values["Id"], defaults={"person_id": person_id})
            linked += int(created)
    return linked, unmatched


def _duplicates(staging: _Staging, skip_invalid: bool) -> tuple[list[Problem], int]:
    """Problems for ids that occur more than once; with skip_invalid keep each id's last row."""
    import duckdb

    con = duckdb.connect()
    try:
        path = str(staging.path).replace("'", "''")
        dupes = con.execute(
            f"SELECT id, __file__, __row__ FROM read_parquet('{path}') WHERE id IN "
            f"(SELECT id FROM read_parquet('{path}') GROUP BY id HAVING count(*) > 1) "
            "ORDER BY id, __file__, __row__ LIMIT 100000"
        ).fetchall()
        if not dupes:
            return [], 0
        problems = [Problem(file, row, "id", f"the id {rid!r} occurs more than once; keep one "
                                               "row per id (the last one is kept with "
                                               "--skip-invalid).") for rid, file, row in dupes]
        dropped = 0
        if skip_invalid:
            tmp = staging.path.with_suffix(".dedup.parquet")
            con.execute(
                f"COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY "
                f"source, id ORDER BY __file__ DESC, __row__ DESC) AS rn FROM read_parquet("
                f"'{path}')) WHERE rn = 1) TO '{str(tmp).replace(chr(39), chr(39) * 2)}' "
                "(FORMAT parquet)"
            )
            before = staging.rows
            tmp.replace(staging.path)
            staging.rows = int(con.execute(
                f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0])  # type: ignore[index]
            dropped = before - staging.rows
        return problems, dropped
    finally:
        con.close()


def _batches(path: Path, encoding: str | None, mapping: ImportMapping) -> Iterator[TextBatch]:
    """The file's rows as Arrow text, its columns named as the mapping spells them (ignoring
    case and spaces around)."""
    wanted = {c.lower(): c for c in mapping.required_columns()}
    for batch in text_batches(path, encoding):
        names = [wanted.get(c.strip().lower(), c) for c in batch.table.column_names]
        yield TextBatch(batch.table.rename_columns(names), batch.first_row)


def _read_ahead(batches: Iterator[TextBatch]) -> Iterator[TextBatch]:
    """`batches`, the next one read in a thread while the caller checks the current one (Arrow
    parses without the GIL, so reading overlaps checking); at most one batch waits."""
    with ThreadPoolExecutor(1, thread_name_prefix="m3-read") as pool:
        pending = pool.submit(next, batches, None)
        while True:
            batch = pending.result()
            if batch is None:
                return
            pending = pool.submit(next, batches, None)
            yield batch


def _stale_staging_remove(imports_dir: Path) -> None:
    """Remove staging files of runs that no longer run (killed imports); they are never read."""
    from m3.ingest.models import ImportRun

    for stale in imports_dir.glob("run-*.staging.parquet"):
        run_id = stale.name.split("-")[1]
        running = run_id.isdigit() and ImportRun.objects.filter(
            pk=int(run_id), status=ImportStatus.RUNNING).exists()
        if not running:
            stale.unlink(missing_ok=True)


def crm_import(
    paths: Sequence[Path],
    *,
    profile: str,
    store: FactsStore,
    data_dir: Path,
    mapping_path: Path | None = None,
    kind: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    encoding: str | None = None,
    run_by: str | None = None,
) -> ImportOutcome:
    """Import CRM export files under `profile` (m3, salesforce, hubspot, generic + mapping)."""
    if profile not in PROFILES:
        raise InputError(f"Unknown profile {profile!r}; use one of {', '.join(PROFILES)}.")
    if kind not in (None, "activities", "opportunities"):
        raise InputError(f"--kind {kind!r}: use activities or opportunities.")
    if mapping_path is not None and profile != "generic":
        raise InputError("--mapping goes with --profile generic.")
    if not paths:
        raise InputError("Give at least one file to import.")
    mapping = mapping_load(mapping_path) if mapping_path else None
    kinds: list[tuple[Path, FileKind]] = []
    for path in paths:
        header = header_read(path, encoding)
        kinds.append((path, file_kind(profile, header, path.name, kind, mapping)))
    # Users first, so that the owners of the other files resolve to people.
    kinds.sort(key=lambda pk: pk[1].special is None)
    tables = sorted({fk.mapping.kind for _, fk in kinds if fk.mapping is not None})
    source = mapping.source if mapping else profile
    run = import_run_start(
        "+".join(tables) or "users", [str(p) for p in paths], source=source,
        run_by=run_by if run_by is not None else getpass.getuser(), dry_run=dry_run,
    )
    imports_dir = data_dir / "imports"
    imports_dir.mkdir(parents=True, exist_ok=True)
    _stale_staging_remove(imports_dir)
    stagings = {t: _Staging(imports_dir / f"run-{run.pk}-{t}.staging.parquet",
                            _staging_schema(t)) for t in tables}
    problems: list[Problem] = []
    rejected = skipped = 0
    unknown: Counter[str] = Counter()
    users_linked, users_unmatched = 0, []
    try:
        index: OwnerIndex | None = None
        for path, fk in kinds:
            if fk.special == "salesforce_user":
                linked, missing = _salesforce_users(path, encoding)
                users_linked += linked
                users_unmatched.extend(missing)
                continue
            assert fk.mapping is not None
            index = index or owner_index()
            staging = stagings[fk.mapping.kind]
            batches = _batches(path, encoding, fk.mapping)
            for batch in _read_ahead(batches):
                result = batch_transform(fk.mapping, batch.table, file=path.name,
                                         first_row=batch.first_row)
                rejected += result.rejected
                skipped += result.skipped
                room = MAX_KEPT_PROBLEMS - len(problems)
                problems.extend(result.problems[:max(room, 0)])
                checked = result.table
                if checked.num_rows:
                    rep_ids = _owners_resolved(checked["owner"].combine_chunks(), index,
                                               fk.mapping.owners, unknown)
                    checked = checked.set_column(checked.schema.get_field_index("rep_id"),
                                                 "rep_id", rep_ids)
                    checked = checked.append_column(
                        "__file__", pa.repeat(pa.scalar(path.name, pa.string()),
                                              checked.num_rows))
                    staging.write(checked)
        for staging in stagings.values():
            staging.close()
        for staging in stagings.values():
            if staging.rows:
                dupes, dropped = _duplicates(staging, skip_invalid)
                problems.extend(dupes)
                rejected += dropped if skip_invalid else len(dupes)
        report: Path | None = None
        if problems:
            report = problems_report_write(imports_dir / f"run-{run.pk}-problems.csv", problems)
        if problems and not skip_invalid:
            import_run_finish(run, ImportStatus.REJECTED, rejected=rejected,
                              report_path=str(report or ""),
                              message=f"{len(problems)} problem(s); nothing written.")
            raise ImportRejected(problems)
        counts = UpsertCounts(0, 0, 0)
        valid = sum(s.rows for s in stagings.values())
        if not dry_run:
            for table, staging in stagings.items():
                if not staging.rows:
                    continue
                # Read in place (DuckDB) or streamed in batches (PostgreSQL): bounded memory.
                got = store.upsert_parquet(table, staging.path, keys_checked=True)
                counts = UpsertCounts(counts.added + got.added, counts.updated + got.updated,
                                      counts.unchanged + got.unchanged)
                if got.added or got.updated:
                    # New rows touch the weeks from their earliest date on; an updated row may
                    # have moved from an unknown earlier date, so then every week is redone.
                    since = None if got.updated else _earliest_day(staging.path, table)
                    state_refresh_enqueue(f"import run {run.pk}: {table}", since=since)
        unknown_list = tuple(unknown.most_common())
        message = (f"{len(unknown_list)} unknown owner(s): "
                   + ", ".join(o for o, _ in unknown_list[:20])) if unknown_list else ""
        import_run_finish(run, ImportStatus.SUCCEEDED, added=counts.added,
                          updated=counts.updated, unchanged=counts.unchanged, rejected=rejected,
                          report_path=str(report or ""), message=message)
        return ImportOutcome(
            run_id=run.pk, dry_run=dry_run, rows_valid=valid, added=counts.added,
            updated=counts.updated, unchanged=counts.unchanged, rejected=rejected,
            skipped=skipped, unknown_owners=unknown_list, report_path=report,
            users_linked=users_linked, users_unmatched=tuple(users_unmatched),
            kinds=tuple(tables),
        )
    except ImportRejected:
        raise
    except BaseException as exc:
        import_run_finish(run, ImportStatus.FAILED, rejected=rejected,
                          message=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        for staging in stagings.values():
            staging.close()
            with contextlib.suppress(OSError):
                staging.path.unlink(missing_ok=True)
