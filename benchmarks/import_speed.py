"""Speed and memory of `m3 import`: a CSV of N rows, against the fastest raw parse of the same
file (pyarrow.csv.read_csv, all threads).

Two cases, each its own file: `m3`, N activities in the `m3` profile's format (`id, rep, type,
occurred_at, product, account, opportunity, amount`, reps by email); `generic`, N deals shaped
like Maven CRM's sales_pipeline.csv with US dates (`opportunity_id, sales_agent, product,
account, deal_stage, engage_date, close_date, close_value`, owners by name, dates M/D/YYYY),
imported with the documented mapping docs/mappings/maven-crm.yaml (value map for won, a
constant currency, two date formats tried in turn). For each size and case, each step in its
own process so that peak memory (VmHWM) is its own: (1) pyarrow.csv.read_csv of the file; (2)
the import through the real importer (`crm_import`: parse, validate, resolve owners, stage,
upsert) into a fresh data folder (SQLite app DB with the reps, DuckDB facts store); (3) the
same import again (idempotent: 0 added, everything unchanged). Prints one table; the figures in
docs/performance.md come from it.

    python benchmarks/import_speed.py [--rows 1000000 10000000] [--cases m3 generic]
        [--reps 1000] [--seed 7] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

TYPES = ("call", "email", "meeting", "demo", "proposal", "other")
STAGES = ("Won", "Lost", "Engaging", "Prospecting")
STAGE_SHARES = (0.48, 0.30, 0.12, 0.10)  # about Maven CRM's
MAPPING = Path(__file__).resolve().parents[1] / "docs" / "mappings" / "maven-crm.yaml"
CASES = ("m3", "generic")
CHUNK_ROWS = 2_000_000
FIRST_DAY = dt.date(2025, 9, 1)
DAYS = 182


def csv_write(path: Path, rows: int, reps: int, seed: int) -> float:
    """Write the `m3` case's CSV in chunks; returns the seconds it took."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    emails = pa.array([f"rep{r}@bench.test" for r in range(1, reps + 1)])
    base = np.datetime64(FIRST_DAY, "s").astype("int64")
    options = pacsv.WriteOptions(include_header=False)
    with path.open("wb") as handle:
        handle.write(b"id,rep,type,occurred_at,product,account,opportunity,amount\n")
        for first in range(0, rows, CHUNK_ROWS):
            n = min(CHUNK_ROWS, rows - first)
            seconds = base + rng.integers(0, DAYS * 86_400, n)
            amount = np.where(rng.random(n) < 0.1, rng.gamma(2.0, 500.0, n).round(2), np.nan)
            table = pa.table({
                "id": pa.array(np.arange(first, first + n)).cast(pa.string()),
                "rep": emails.take(pa.array(rng.integers(0, reps, n))),
                "type": pa.array(TYPES).take(pa.array(rng.integers(0, len(TYPES), n))),
                "occurred_at": pa.array(seconds, pa.timestamp("s")).cast(pa.string()),
                "product": pa.array([f"product {p}" for p in range(5)]).take(
                    pa.array(rng.integers(0, 5, n))),
                "account": pa.array([f"account {a}" for a in range(10_000)]).take(
                    pa.array(rng.integers(0, 10_000, n))),
                "opportunity": pa.nulls(n, pa.string()),
                "amount": pa.array(amount, from_pandas=True),
            })
            pacsv.write_csv(table, handle, options)
    return time.perf_counter() - started


def us_dates(days: np.ndarray) -> pa.Array:
    """Days since FIRST_DAY as M/D/YYYY text (no zero padding, as Excel in the US writes)."""
    stamps = pa.array(np.datetime64(FIRST_DAY, "D") + days.astype("timedelta64[D]"))
    parts = [pc.cast(f(stamps), pa.string()) for f in (pc.month, pc.day, pc.year)]
    return pc.binary_join_element_wise(*parts, "/")


def generic_csv_write(path: Path, rows: int, reps: int, seed: int) -> float:
    """Write the `generic` case's CSV (Maven CRM-like deals) in chunks; returns the seconds."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    names = pa.array([f"Rep {r}" for r in range(1, reps + 1)])
    options = pacsv.WriteOptions(include_header=False)
    with path.open("wb") as handle:
        handle.write(b"opportunity_id,sales_agent,product,account,deal_stage,engage_date,"
                     b"close_date,close_value\n")
        for first in range(0, rows, CHUNK_ROWS):
            n = min(CHUNK_ROWS, rows - first)
            stage = rng.choice(len(STAGES), n, p=STAGE_SHARES)
            engaged = rng.integers(0, DAYS, n)
            closed = engaged + rng.integers(1, 120, n)
            is_open = stage >= 2
            value = np.where(stage == 0, rng.integers(40, 30_000, n), 0).astype("int64")
            empty = pa.scalar(None, pa.string())
            table = pa.table({
                "opportunity_id": pa.array(np.arange(first, first + n)).cast(pa.string()),
                "sales_agent": names.take(pa.array(rng.integers(0, reps, n))),
                "product": pa.array([f"GTX {p}" for p in range(7)]).take(
                    pa.array(rng.integers(0, 7, n))),
                "account": pa.array([f"account {a}" for a in range(10_000)]).take(
                    pa.array(rng.integers(0, 10_000, n))),
                "deal_stage": pa.array(STAGES).take(pa.array(stage)),
                "engage_date": pc.if_else(pa.array(stage == 3), empty, us_dates(engaged)),
                "close_date": pc.if_else(pa.array(is_open), empty, us_dates(closed)),
                "close_value": pc.if_else(pa.array(is_open), empty,
                                          pa.array(value).cast(pa.string())),
            })
            pacsv.write_csv(table, handle, options)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def step_parse(csv: Path) -> dict[str, float]:
    """pyarrow's multi-threaded CSV parse of the whole file (types inferred)."""
    started = time.perf_counter()
    table = pacsv.read_csv(csv)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": table.num_rows}


def step_import(csv: Path, data_dir: Path, reps: int, first: bool, case: str
                ) -> dict[str, float]:
    """One `crm_import` of the file into the data folder (set up on the first run)."""
    os.environ["M3_DATA_DIR"] = str(data_dir)
    os.environ["M3_DEBUG"] = "1"
    from m3.runtime import database_migrate, django_setup

    django_setup(data_dir)
    from django.conf import settings

    from m3.facts.store import FactsStore
    from m3.ingest.crm.importer import crm_import

    store = FactsStore(settings.M3.facts_url, settings.M3.facts_lock_timeout)
    if first:
        database_migrate()
        store.schema_create()
        from m3.org.models import Membership, Person, Unit

        team = Unit.objects.create(name="Bench team")
        people = Person.objects.bulk_create(
            Person(name=f"Rep {r}", email=f"rep{r}@bench.test") for r in range(1, reps + 1))
        Membership.objects.bulk_create(
            Membership(person=p, unit=team, start=FIRST_DAY) for p in people)
    started = time.perf_counter()
    if case == "m3":
        outcome = crm_import([csv], profile="m3", store=store, data_dir=data_dir, run_by="bench")
    else:
        outcome = crm_import([csv], profile="generic", mapping_path=MAPPING, store=store,
                             data_dir=data_dir, run_by="bench")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "added": outcome.added, "updated": outcome.updated,
            "unchanged": outcome.unchanged, "rejected": outcome.rejected,
            "unknown_owners": len(outcome.unknown_owners)}


def worker(step: str, workdir: Path, reps: int, case: str) -> None:
    """Run one step in this (fresh) process and write its figures to workdir."""
    csv = workdir / f"{case}.csv"
    if step == "parse":
        figures = step_parse(csv)
    else:
        figures = step_import(csv, workdir / f"data-{case}", reps, first=step == "import",
                              case=case)
    figures["peak_mb"] = peak_rss_mb()
    (workdir / f"figures-{case}-{step}.json").write_text(json.dumps(figures))


def main() -> None:
    """Parse the flags; per size write the CSV, run the three steps, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temp dir)")
    parser.add_argument("--worker", choices=("parse", "import", "reimport"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=CASES, default="m3", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.workdir, args.reps, args.case)
        return
    root = args.workdir or Path(tempfile.mkdtemp(prefix="m3-import-"))
    print(f"# reps {args.reps}, seed {args.seed}, files in {root}", flush=True)
    print("| rows | case | CSV (MB) | step | seconds | vs parse | peak RSS (MiB) | added | "
          "unchanged |", flush=True)
    print("| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |", flush=True)
    writers = {"m3": csv_write, "generic": generic_csv_write}
    for rows in args.rows:
        workdir = root / f"rows-{rows}"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        for case in args.cases:
            csv = workdir / f"{case}.csv"
            writers[case](csv, rows, args.reps, args.seed)
            size = csv.stat().st_size / 1e6
            figures = {}
            for step in ("parse", "import", "reimport"):
                subprocess.run([sys.executable, __file__, "--worker", step, "--workdir",
                                str(workdir), "--reps", str(args.reps), "--case", case],
                               check=True)
                figures[step] = json.loads(
                    (workdir / f"figures-{case}-{step}.json").read_text())
            for step, f in figures.items():
                ratio = f["seconds"] / figures["parse"]["seconds"]
                print(f"| {rows:,} | {case} | {size:,.0f} | {step} | {f['seconds']:.2f} | "
                      f"{ratio:.1f}× | {f['peak_mb']:,.0f} | {f.get('added', '')} | "
                      f"{f.get('unchanged', '')} |", flush=True)
            csv.unlink()
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
