"""Speed and memory of the weekly scorecard: M3's metric layer vs hand-written SQL vs pandas.

For each size, generates N activities (and N / 20 opportunities) for `--reps` reps in teams of
10 under regions and a company, over `--weeks` weeks, with numpy and pyarrow straight to Parquet
and a DuckDB facts file (10 % of the reps move team half-way, so dated memberships matter).
Then evaluates the weekly scorecard (every built-in metric × every unit and rep × every week)
four ways, each in its own process so that peak memory (VmHWM) is each one's own:

- m3: `metric_evaluate` (M3's metric layer, Ibis → DuckDB) over the facts file;
- sql: one hand-written DuckDB query joining facts to memberships, as one writes it first;
- sql_rollup: one hand-written DuckDB query that first reduces the facts to one row per rep and
  day, then joins (the fastest SQL found: the engine's limit);
- pandas: read the Parquet files, merge with memberships, group by (what an analyst writes).

All four results must agree (same node, week, metric; values equal to 1e-9 relative). Prints
one table; the figures in docs/performance.md come from it.

    python benchmarks/scorecard.py [--rows 1000000 10000000 50000000] [--reps 1000]
        [--weeks 26] [--seed 7] [--engines m3 sql sql_rollup pandas]
        [--pandas-max-rows 10000000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ENGINES = ("m3", "sql", "sql_rollup", "pandas")
TYPES = ("call", "email", "meeting", "demo", "proposal", "other")
TYPE_WEIGHTS = (0.35, 0.3, 0.15, 0.08, 0.04, 0.08)
CHUNK_ROWS = 5_000_000
TEAM_SIZE = 10
TEAMS_PER_REGION = 10
LAST_DAY = dt.date(2026, 3, 1)  # a Sunday: the window is whole ISO weeks


# --- data -------------------------------------------------------------------------------------


def window_days(weeks: int) -> tuple[dt.date, dt.date]:
    """First (a Monday) and last (a Sunday) day of the scorecard's weeks."""
    return LAST_DAY - dt.timedelta(days=7 * weeks - 1), LAST_DAY


def org_generate(reps: int, weeks: int, seed: int) -> dict[str, Any]:
    """Units, reps and dated memberships (10 % move team half-way), as JSON-ready data."""
    rng = np.random.default_rng(seed)
    start, _ = window_days(weeks)
    teams = max(1, -(-reps // TEAM_SIZE))
    team_region = [f"Region {t // TEAMS_PER_REGION + 1}" for t in range(teams)]
    moved_on = (start + dt.timedelta(days=7 * (weeks // 2) + 3)).isoformat()  # a Thursday
    memberships = []
    for rep in range(1, reps + 1):
        team = (rep - 1) // TEAM_SIZE
        if teams > 1 and rng.random() < 0.1:
            other = int((team + 1 + rng.integers(0, teams - 1)) % teams)
            memberships.append([rep, team, None, moved_on])
            memberships.append([rep, other, moved_on, None])
        else:
            memberships.append([rep, team, None, None])
    return {"teams": teams, "team_region": team_region, "memberships": memberships}


def attribution_rows(org: dict[str, Any]) -> list[tuple[str, int, str | None, str | None]]:
    """(node, rep, from, until) as `scorecard_attribution` builds them: every unit with the
    memberships of the units below it, and every rep alone."""
    rows = []
    for rep, team, start, end in org["memberships"]:
        for node in (f"Team {team + 1}", org["team_region"][team], "Company"):
            rows.append((node, rep, start, end))
    for rep in sorted({m[0] for m in org["memberships"]}):
        rows.append((f"rep{rep}@bench.test", rep, None, None))
    return rows


def attribution_frame(org: dict[str, Any]) -> pd.DataFrame:
    """The attribution rows with timestamp bounds (open bounds far away), for SQL and pandas."""
    frame = pd.DataFrame(attribution_rows(org),
                         columns=["node", "member_id", "member_from", "member_until"])
    for col, far in (("member_from", "1900-01-01"), ("member_until", "9999-01-01")):
        frame[col] = np.array(frame[col].fillna(far).tolist(), dtype="datetime64[us]")
    return frame.astype({"member_id": "int64"})


def _times(rng: np.random.Generator, n: int, start: dt.date, days: int) -> pa.Array:
    base = np.datetime64(start, "us").astype("int64")
    offsets = rng.integers(0, days * 86_400, n, dtype="int64") * 1_000_000
    return pa.array(base + offsets, pa.timestamp("us"))


def _strings(values: list[str], index: np.ndarray) -> pa.Array:
    return pa.array(values).take(pa.array(index))


def activities_chunk(rng: np.random.Generator, first_id: int, n: int, reps: int,
                     weeks: int) -> pa.Table:
    """n activities in the activities table's schema, ids from first_id."""
    start, _ = window_days(weeks)
    rep = rng.integers(1, reps + 1, n)
    amount = np.where(rng.random(n) < 0.1, rng.gamma(2.0, 500.0, n), np.nan)
    return pa.table({
        "source": pa.array(["bench"]).take(pa.array(np.zeros(n, dtype="int64"))),
        "id": pa.array(np.arange(first_id, first_id + n)).cast(pa.string()),
        "rep_id": pa.array(rep, pa.int64()),
        "owner": _strings([f"rep{r}@bench.test" for r in range(reps + 1)], rep),
        "type": _strings(list(TYPES), rng.choice(len(TYPES), n, p=TYPE_WEIGHTS)),
        "occurred_at": _times(rng, n, start, 7 * weeks),
        "product": _strings([f"product {p}" for p in range(5)], rng.integers(0, 5, n)),
        "account": _strings([f"account {a}" for a in range(10_000)],
                            rng.integers(0, 10_000, n)),
        "opportunity": pa.nulls(n, pa.string()),
        "amount": pa.array(amount, pa.float64(), from_pandas=True),
        "currency": pa.array(["USD"]).take(pa.array(np.zeros(n, dtype="int64"))),
    })


def opportunities_table(rng: np.random.Generator, n: int, reps: int, weeks: int) -> pa.Table:
    """n opportunities: created over the range (and 8 weeks before), 60 % closed (2/3 won)."""
    start, _ = window_days(weeks)
    rep = rng.integers(1, reps + 1, n)
    created = _times(rng, n, start - dt.timedelta(days=56), 7 * weeks + 56)
    closed_us = (created.to_numpy().astype("int64")
                 + rng.integers(1, 90 * 86_400, n, dtype="int64") * 1_000_000)
    state = rng.random(n)
    won = np.where(state < 0.4, 1, np.where(state < 0.6, 0, -1))
    won_arr = pa.array(won == 1, mask=won < 0)
    amount = rng.gamma(2.0, 10_000.0, n).round(2)
    return pa.table({
        "source": pa.array(["bench"] * n),
        "id": pa.array(np.arange(n)).cast(pa.string()),
        "rep_id": pa.array(rep, pa.int64()),
        "owner": _strings([f"rep{r}@bench.test" for r in range(reps + 1)], rep),
        "account": _strings([f"account {a}" for a in range(10_000)],
                            rng.integers(0, 10_000, n)),
        "product": _strings([f"product {p}" for p in range(5)], rng.integers(0, 5, n)),
        "stage": pa.array(np.where(won == 1, "won", np.where(won == 0, "lost", "open"))),
        "amount": pa.array(amount, mask=rng.random(n) < 0.05),
        "currency": pa.array(["USD"] * n),
        "created_at": created,
        "closed_at": pa.array(closed_us, pa.timestamp("us"), mask=won < 0),
        "won": won_arr,
    })


def data_generate(workdir: Path, rows: int, reps: int, weeks: int, seed: int) -> float:
    """Parquet files and the DuckDB facts file for one size; returns the seconds it took."""
    import duckdb

    from m3.facts.store import FactsStore

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    for old in workdir.glob("*.parquet"):
        old.unlink()
    for i, first in enumerate(range(0, rows, CHUNK_ROWS)):
        n = min(CHUNK_ROWS, rows - first)
        pq.write_table(activities_chunk(rng, first, n, reps, weeks),
                       workdir / f"activities-{i:03d}.parquet")
    pq.write_table(opportunities_table(rng, max(1, rows // 20), reps, weeks),
                   workdir / "opportunities-000.parquet")
    facts = workdir / "facts.duckdb"
    facts.unlink(missing_ok=True)
    FactsStore(f"duckdb:///{facts}").schema_create()
    con = duckdb.connect(str(facts))
    for table in ("activities", "opportunities"):
        con.execute(f"INSERT INTO {table} SELECT * FROM "
                    f"read_parquet('{workdir}/{table}-*.parquet')")
    con.close()
    (workdir / "org.json").write_text(json.dumps(org_generate(reps, weeks, seed)))
    return time.perf_counter() - started


# --- the four ways ----------------------------------------------------------------------------


def run_m3(workdir: Path, weeks: int) -> pd.DataFrame:
    """The scorecard through M3's metric layer."""
    from m3.attribution import Attribution
    from m3.facts.store import FactsStore
    from m3.measure.catalogue import catalogue_load
    from m3.measure.compile import metric_evaluate
    from m3.measure.query import Window
    from m3.weeks import Grain

    org = json.loads((workdir / "org.json").read_text())
    day = dt.date.fromisoformat
    attribution = [Attribution(node, rep, day(s) if s else None, day(e) if e else None)
                   for node, rep, s, e in attribution_rows(org)]
    catalogue = catalogue_load()
    start, end = window_days(weeks)
    with FactsStore(f"duckdb:///{workdir / 'facts.duckdb'}").connect() as con:
        result = metric_evaluate(con, catalogue, [m.name for m in catalogue], attribution,
                                 Window(Grain.WEEK, start, end))
    return result.frame[["node", "period_start", "metric", "value"]]


def _sql_grid(weeks: int) -> str:
    start, end = window_days(weeks)
    return (f"grid AS (SELECT node, CAST(w AS DATE) AS period_start FROM "
            f"(SELECT DISTINCT node FROM attribution) CROSS JOIN "
            f"range(DATE '{start}', DATE '{end}' + 1, INTERVAL 7 DAY) r(w))")


def _sql_final() -> str:
    additive = ["activities", "calls", "emails", "meetings", "demos", "proposals",
                "opportunities_created", "pipeline_created", "deals_won", "deals_lost",
                "deals_closed", "won_revenue"]
    cols = ", ".join(f"coalesce({c}, 0) AS {c}" for c in additive)
    return (
        f"SELECT grid.node, grid.period_start, {cols}, avg_deal_size, sales_cycle_days, "
        "CAST(deals_won AS DOUBLE) / nullif(deals_closed, 0) AS win_rate "
        "FROM grid LEFT JOIN act USING (node, period_start) "
        "LEFT JOIN created USING (node, period_start) "
        "LEFT JOIN closed USING (node, period_start)"
    )


ACT_AGGS = ("count(*) AS activities, "
            "count(*) FILTER (WHERE type = 'call') AS calls, "
            "count(*) FILTER (WHERE type = 'email') AS emails, "
            "count(*) FILTER (WHERE type = 'meeting') AS meetings, "
            "count(*) FILTER (WHERE type = 'demo') AS demos, "
            "count(*) FILTER (WHERE type = 'proposal') AS proposals")
CLOSED_AGGS = ("count(*) FILTER (WHERE won) AS deals_won, "
               "count(*) FILTER (WHERE NOT won) AS deals_lost, "
               "count(*) FILTER (WHERE won IS NOT NULL) AS deals_closed, "
               "sum(amount) FILTER (WHERE won) AS won_revenue, "
               "avg(amount) FILTER (WHERE won) AS avg_deal_size, "
               "avg(date_diff('day', created_at::DATE, closed_at::DATE)) FILTER (WHERE won) "
               "AS sales_cycle_days")


def sql_direct(weeks: int) -> str:
    """The scorecard as one writes it first: facts joined to memberships, then grouped."""
    start, end = window_days(weeks)
    lo, hi = f"TIMESTAMP '{start}'", f"TIMESTAMP '{end + dt.timedelta(days=1)}'"

    def joined(table: str, time: str, aggs: str) -> str:
        return (f"SELECT a.node, date_trunc('week', f.{time})::DATE AS period_start, {aggs} "
                f"FROM {table} f JOIN attribution a ON f.rep_id = a.member_id "
                f"AND f.{time} >= a.member_from AND f.{time} < a.member_until "
                f"WHERE f.{time} >= {lo} AND f.{time} < {hi} GROUP BY ALL")

    return (
        f"WITH {_sql_grid(weeks)}, "
        f"act AS ({joined('activities', 'occurred_at', ACT_AGGS)}), "
        f"created AS ({joined('opportunities', 'created_at', 'count(*) AS opportunities_created, sum(amount) AS pipeline_created')}), "  # noqa: E501
        f"closed AS ({joined('opportunities', 'closed_at', CLOSED_AGGS)}) "
        + _sql_final()
    )


def sql_rollup(weeks: int) -> str:
    """The scorecard with the facts first reduced to one row per rep and day, then joined."""
    start, end = window_days(weeks)
    lo, hi = f"TIMESTAMP '{start}'", f"TIMESTAMP '{end + dt.timedelta(days=1)}'"

    def rolled(table: str, time: str, partial: str, final: str) -> str:
        return (
            f"SELECT a.node, date_trunc('week', d.day)::DATE AS period_start, {final} FROM "
            f"(SELECT rep_id, date_trunc('day', {time}) AS day, {partial} FROM {table} "
            f"WHERE {time} >= {lo} AND {time} < {hi} GROUP BY ALL) d "
            "JOIN attribution a ON d.rep_id = a.member_id AND d.day >= a.member_from "
            "AND d.day < a.member_until GROUP BY ALL"
        )

    act_final = ", ".join(f"sum({c}) AS {c}" for c in
                          ("activities", "calls", "emails", "meetings", "demos", "proposals"))
    closed_partial = (
        "count(*) FILTER (WHERE won) AS deals_won, count(*) FILTER (WHERE NOT won) AS "
        "deals_lost, count(*) FILTER (WHERE won IS NOT NULL) AS deals_closed, "
        "sum(amount) FILTER (WHERE won) AS won_revenue, "
        "count(amount) FILTER (WHERE won) AS won_amounts, "
        "sum(date_diff('day', created_at::DATE, closed_at::DATE)) FILTER (WHERE won) AS days, "
        "count(*) FILTER (WHERE won AND created_at IS NOT NULL) AS cycles")
    closed_final = (
        "sum(deals_won) AS deals_won, sum(deals_lost) AS deals_lost, "
        "sum(deals_closed) AS deals_closed, sum(won_revenue) AS won_revenue, "
        "sum(won_revenue) / nullif(sum(won_amounts), 0) AS avg_deal_size, "
        "sum(days) / nullif(sum(cycles), 0) AS sales_cycle_days")
    return (
        f"WITH {_sql_grid(weeks)}, "
        f"act AS ({rolled('activities', 'occurred_at', ACT_AGGS, act_final)}), "
        f"created AS ({rolled('opportunities', 'created_at', 'count(*) AS n, sum(amount) AS s', 'sum(n) AS opportunities_created, sum(s) AS pipeline_created')}), "  # noqa: E501
        f"closed AS ({rolled('opportunities', 'closed_at', closed_partial, closed_final)}) "
        + _sql_final()
    )


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    wide["period_start"] = pd.to_datetime(wide["period_start"]).dt.date
    return wide.melt(id_vars=["node", "period_start"], var_name="metric", value_name="value")


def run_sql(workdir: Path, weeks: int, query: str) -> pd.DataFrame:
    """A hand-written scorecard query on the DuckDB facts file."""
    import duckdb

    org = json.loads((workdir / "org.json").read_text())
    attribution = attribution_frame(org)
    con = duckdb.connect(str(workdir / "facts.duckdb"), read_only=True)
    try:
        con.register("attribution", attribution)
        return _long(con.execute(query).df())
    finally:
        con.close()


def run_pandas(workdir: Path, weeks: int) -> pd.DataFrame:
    """The scorecard as an analyst writes it in pandas, from the Parquet files."""
    org = json.loads((workdir / "org.json").read_text())
    attribution = attribution_frame(org)
    start, end = window_days(weeks)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end + dt.timedelta(days=1))

    def joined(frame: pd.DataFrame, time: str) -> pd.DataFrame:
        frame = frame[(frame[time] >= lo) & (frame[time] < hi)]
        m = frame.merge(attribution, left_on="rep_id", right_on="member_id")
        m = m[(m[time] >= m["member_from"]) & (m[time] < m["member_until"])]
        day = m[time].dt.normalize()
        return m.assign(period_start=day - pd.to_timedelta(day.dt.weekday, unit="D"))

    acts = pd.read_parquet(sorted(map(str, workdir.glob("activities-*.parquet"))),
                           columns=["rep_id", "type", "occurred_at"])
    acts["type"] = acts["type"].astype("category")
    a = joined(acts, "occurred_at")
    del acts
    by_type = a.groupby(["node", "period_start", "type"], observed=True).size().unstack(
        fill_value=0)
    act = pd.DataFrame({"activities": by_type.sum(axis=1)})
    for kind, name in [("call", "calls"), ("email", "emails"), ("meeting", "meetings"),
                       ("demo", "demos"), ("proposal", "proposals")]:
        act[name] = by_type[kind] if kind in by_type else 0
    del a
    opps = pd.read_parquet(workdir / "opportunities-000.parquet",
                           columns=["rep_id", "amount", "created_at", "closed_at", "won"])
    c = joined(opps, "created_at")
    created = c.groupby(["node", "period_start"]).agg(
        opportunities_created=("rep_id", "size"), pipeline_created=("amount", "sum"))
    d = joined(opps, "closed_at")
    d = d.assign(cycle=(d["closed_at"].dt.normalize() - d["created_at"].dt.normalize()).dt.days,
                 is_won=d["won"] == True, is_lost=d["won"] == False)  # noqa: E712
    w = d[d["is_won"]]
    closed = d.groupby(["node", "period_start"]).agg(
        deals_won=("is_won", "sum"), deals_lost=("is_lost", "sum"),
        deals_closed=("won", "count"))
    won = w.groupby(["node", "period_start"]).agg(
        won_revenue=("amount", "sum"), avg_deal_size=("amount", "mean"),
        sales_cycle_days=("cycle", "mean"))
    nodes = attribution["node"].drop_duplicates()
    weeks_index = pd.date_range(start, end, freq="7D")
    grid = pd.MultiIndex.from_product([nodes, weeks_index], names=["node", "period_start"])
    wide = pd.concat([act, created, closed, won], axis=1).reindex(grid)
    additive = [c for c in wide.columns if c not in ("avg_deal_size", "sales_cycle_days")]
    wide[additive] = wide[additive].fillna(0)
    wide["win_rate"] = wide["deals_won"] / wide["deals_closed"].where(wide["deals_closed"] != 0)
    return _long(wide.reset_index())


# --- processes and report ---------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker(engine: str, workdir: Path, weeks: int, repeat: int) -> None:
    """Run one engine `repeat` times in this (fresh) process; write its result and figures
    (the fastest run's seconds, the first run's too, and the peak memory) to workdir."""
    baseline = peak_rss_mb()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        if engine == "m3":
            frame = run_m3(workdir, weeks)
        elif engine == "sql":
            frame = run_sql(workdir, weeks, sql_direct(weeks))
        elif engine == "sql_rollup":
            frame = run_sql(workdir, weeks, sql_rollup(weeks))
        elif engine == "pandas":
            frame = run_pandas(workdir, weeks)
        else:
            raise SystemExit(f"unknown engine {engine}")
        runs.append(time.perf_counter() - started)
    seconds = min(runs)
    frame = frame.astype({"value": "float64"})
    frame.to_parquet(workdir / f"result-{engine}.parquet")
    (workdir / f"figures-{engine}.json").write_text(json.dumps(
        {"seconds": seconds, "first_seconds": runs[0], "peak_mb": peak_rss_mb(),
         "baseline_mb": baseline}))


def results_agree(left: pd.DataFrame, right: pd.DataFrame) -> str:
    """'yes', or what differs between two long results."""
    keys = ["node", "period_start", "metric"]
    merged = left.merge(right, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    only = merged[merged["_merge"] != "both"]
    if len(only):
        return f"no: {len(only)} rows in one only, e.g. {only.head(2).to_dict('records')}"
    a, b = merged["value_a"].to_numpy(), merged["value_b"].to_numpy()
    same = np.isclose(a, b, rtol=1e-9, atol=1e-9) | (np.isnan(a) & np.isnan(b))
    if not same.all():
        return f"no: {int((~same).sum())} values differ, e.g. {merged[~same].head(2).to_dict('records')}"  # noqa: E501
    return "yes"


def main() -> None:
    """Parse the flags; generate, run every engine per size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--pandas-max-rows", type=int, default=10_000_000,
                        help="skip pandas above this size (it needs ~1 GB per million rows)")
    parser.add_argument("--workdir", type=Path, help="keep data here (default: a temp dir)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per engine; the fastest is reported (pandas runs once)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse data already generated in --workdir for the same size")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.workdir, args.weeks, args.repeat)
        return
    root = args.workdir or Path(tempfile.mkdtemp(prefix="m3-scorecard-"))
    print(f"# reps {args.reps}, weeks {args.weeks}, seed {args.seed}, data in {root}", flush=True)
    print("| activities | opportunities | generate (s) | engine | seconds | peak RSS (MiB) "
          "| vs m3 | agrees with m3 |", flush=True)
    print("| ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |", flush=True)
    for rows in args.rows:
        workdir = root / f"rows-{rows}"
        workdir.mkdir(parents=True, exist_ok=True)
        stamp = workdir / "generated.json"
        wanted = {"rows": rows, "reps": args.reps, "weeks": args.weeks, "seed": args.seed}
        if args.reuse and stamp.exists() and json.loads(stamp.read_text())["data"] == wanted:
            generate = json.loads(stamp.read_text())["seconds"]
        else:
            generate = data_generate(workdir, rows, args.reps, args.weeks, args.seed)
            stamp.write_text(json.dumps({"data": wanted, "seconds": generate}))
        figures: dict[str, dict[str, float]] = {}
        engines = [e for e in args.engines if e != "pandas" or rows <= args.pandas_max_rows]
        for engine in engines:
            repeat = 1 if engine == "pandas" else args.repeat
            subprocess.run([sys.executable, __file__, "--worker", engine, "--workdir",
                            str(workdir), "--weeks", str(args.weeks), "--repeat", str(repeat)],
                           check=True)
            figures[engine] = json.loads((workdir / f"figures-{engine}.json").read_text())
        reference = pd.read_parquet(workdir / f"result-{engines[0]}.parquet")
        for engine in engines:
            got = pd.read_parquet(workdir / f"result-{engine}.parquet")
            agree = "—" if engine == engines[0] else results_agree(reference, got)
            f = figures[engine]
            ratio = f["seconds"] / figures[engines[0]]["seconds"]
            print(f"| {rows:,} | {max(1, rows // 20):,} | {generate:.1f} | {engine} | "
                  f"{f['seconds']:.2f} | {f['peak_mb']:,.0f} | {ratio:.2f}× | {agree} |",
                  flush=True)
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
