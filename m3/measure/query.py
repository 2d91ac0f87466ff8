"""Simple metrics as Ibis expressions over the facts: which rows count for which node and period.

A fact counts for node N in period P when an attribution (N, rep, start, end) covers the fact's
date (`m3/attribution.py`) and its time field falls in P. Simple metrics sharing a fact and a
time field compile to one grouped query with one conditional aggregate per metric; amounts are
converted with the exchange rates given, and mixed currencies without rates are an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from m3.attribution import Attribution
from m3.errors import InputError, M3Error
from m3.measure.metric import Agg, Filter, FilterOp, Metric
from m3.weeks import Grain, periods_between

TRUNCATE_UNIT = {Grain.DAY: "D", Grain.WEEK: "W", Grain.MONTH: "M", Grain.QUARTER: "Q"}


class CurrencyMixed(M3Error):
    """A money metric would add amounts in different currencies without exchange rates."""

    code = "currency_mixed"


@dataclass(frozen=True)
class Window:
    """The periods asked for: `grain` buckets from `start` to `end` (both days included)."""

    grain: Grain
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InputError(f"The range ends ({self.end}) before it starts ({self.start}); "
                             "swap --from and --to.")

    @property
    def start_ts(self) -> dt.datetime:
        """The first instant of the range."""
        return dt.datetime.combine(self.start, dt.time())

    @property
    def end_ts(self) -> dt.datetime:
        """The first instant after the range."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())


def periods(window: Window) -> list[dt.date]:
    """The start days of every period the window touches, in order."""
    return periods_between(window.start, window.end, window.grain)


def attribution_table(rows: Sequence[Attribution]) -> ir.Table:
    """The attribution rows as an Ibis in-memory table with timestamp bounds."""

    frame = pd.DataFrame(
        {
            "node": pd.Series([r.node for r in rows], dtype="object"),
            "member_id": pd.Series([r.rep_id for r in rows], dtype="int64"),
            "member_from": pd.Series([r.start_ts for r in rows],
                                     dtype="datetime64[us]"),
            "member_until": pd.Series([r.end_ts for r in rows],
                                      dtype="datetime64[us]"),
        }
    )
    schema = ibis.schema({"node": "string", "member_id": "int64",
                          "member_from": "timestamp", "member_until": "timestamp"})
    return ibis.memtable(frame, schema=schema)


def _fact_table(con: BaseBackend, fact: str, spark_nan: bool) -> ir.Table:
    t = con.table(fact)
    if spark_nan:
        # Spark keeps a float NaN as a value (SUM becomes NaN); DuckDB and PostgreSQL hold NULL.
        t = t.mutate(amount=ibis.ifelse(t.amount.isnan(), ibis.null("float64"), t.amount))
    if fact == "opportunities":
        t = t.mutate(
            cycle_days=t.closed_at.date().delta(t.created_at.date(), unit="day").cast("float64")
        )
    return t


def _predicate(t: ir.Table, f: Filter) -> ir.BooleanValue:
    col = t[f.column]
    op = f.op
    if op is FilterOp.EQ:
        return col == f.value
    if op is FilterOp.NE:
        return col != f.value
    if op is FilterOp.IN:
        return col.isin(f.value)
    if op is FilterOp.NOT_IN:
        return ~col.isin(f.value)
    if op is FilterOp.GT:
        return col > f.value
    if op is FilterOp.GTE:
        return col >= f.value
    if op is FilterOp.LT:
        return col < f.value
    if op is FilterOp.LTE:
        return col <= f.value
    if op is FilterOp.IS_NULL:
        return col.isnull() if f.value else col.notnull()
    raise AssertionError(op)


def metric_condition(t: ir.Table, metric: Metric) -> ir.BooleanValue | None:
    preds = [_predicate(t, f) for f in metric.filters]
    if not preds:
        return None
    cond = preds[0]
    for p in preds[1:]:
        cond = cond & p
    return cond


def _measure(t: ir.Table, metric: Metric, value_column: str | None) -> ir.Scalar:
    where = metric_condition(t, metric)
    agg = metric.agg
    if agg is Agg.COUNT:
        return t[value_column].count(where=where) if value_column else t.count(where=where)
    assert value_column is not None
    col = t[value_column]
    if agg is Agg.SUM:
        return col.sum(where=where)
    if agg is Agg.AVG:
        return col.mean(where=where)
    if agg is Agg.COUNT_DISTINCT:
        return col.nunique(where=where)
    raise AssertionError(agg)


def _rates_applied(t: ir.Table, rates: Mapping[str, float]) -> ir.Table:
    """`amount` in the reporting currency: amount × rate(currency), rate 1 where empty."""
    rate_table = ibis.memtable(
        pd.DataFrame({"rate_currency": list(rates), "rate": [float(r) for r in rates.values()]}),
        schema=ibis.schema({"rate_currency": "string", "rate": "float64"}),
    )
    t = t.left_join(rate_table, t.currency == rate_table.rate_currency)
    return t.mutate(amount=t.amount * t.rate.fill_null(1.0)).drop("rate_currency", "rate")


def _window_facts(
    con: BaseBackend, fact: str, time: str, window: Window,
    rates: Mapping[str, float] | None = None,
) -> ir.Table:
    t = _fact_table(con, fact, con.name == "pyspark")
    t = t.filter(t[time] >= window.start_ts, t[time] < window.end_ts)
    return t if rates is None else _rates_applied(t, rates)


def _attribution(attribution: Sequence[Attribution] | ir.Table) -> ir.Table:
    return attribution if isinstance(attribution, ir.Table) else attribution_table(attribution)


def scoped_facts(
    con: BaseBackend,
    fact: str,
    time: str,
    attribution: Sequence[Attribution] | ir.Table,
    window: Window,
    rates: Mapping[str, float] | None = None,
) -> ir.Table:
    """Fact rows in the window joined to the nodes they count for, with `period_start`.

    With `rates`, `amount` is converted to the reporting currency: amount × rate(currency)
    (rate 1 where the currency is empty).
    """
    t = _window_facts(con, fact, time, window, rates)
    a = _attribution(attribution)
    j = t.join(
        a, [t.rep_id == a.member_id, t[time] >= a.member_from, t[time] < a.member_until]
    )
    return j.mutate(period_start=j[time].truncate(TRUNCATE_UNIT[window.grain]).date())


def _with_day(t: ir.Table, time: str) -> ir.Table:
    """The rows with `day`, the midnight starting the day of `time` (a timestamp)."""
    return t.mutate(day=t[time].truncate("D"))


def _attributed(daily: ir.Table, a: ir.Table) -> ir.Table:
    # Membership bounds are midnights (they come from dates), so the day decides as the
    # timestamp would: ts ≥ from ⇔ day(ts) ≥ from, and ts < until ⇔ day(ts) < until.
    return daily.join(
        a, [daily.rep_id == a.member_id, daily.day >= a.member_from, daily.day < a.member_until]
    )


def simple_query(
    con: BaseBackend,
    metrics: Sequence[Metric],
    attribution: Sequence[Attribution] | ir.Table,
    window: Window,
    rates: Mapping[str, float] | None = None,
) -> ir.Table:
    """One grouped query for simple metrics of the same fact and time field.

    Columns: node, period_start, and one per metric. An attribution table's bounds must be
    midnights, as `attribution_table` makes them. The facts are first reduced to one row
    per rep and day (partial counts and sums), and only those rows are joined to the nodes:
    a rep counts for several nodes (their team and every unit above it), so joining the raw
    rows would multiply them. An average is Σ partial sums / Σ partial counts. A distinct
    count does not decompose so: a group with one joins the raw rows instead.
    """
    fact, time = metrics[0].fact, metrics[0].time
    assert fact and time
    if any(m.fact != fact or m.time != time for m in metrics):
        raise ValueError("simple_query takes metrics of one fact and time field")
    unit = TRUNCATE_UNIT[window.grain]
    if any(m.agg is Agg.COUNT_DISTINCT for m in metrics):
        j = scoped_facts(con, fact, time, attribution, window, rates)
        return j.group_by(["node", "period_start"]).aggregate(
            **{m.name: _measure(j, m, m.column) for m in metrics})
    t = _with_day(_window_facts(con, fact, time, window, rates), time)
    partial: dict[str, ir.Scalar] = {}
    for i, m in enumerate(metrics):
        where = metric_condition(t, m)
        col = t[m.column] if m.column else None
        if m.agg in (Agg.COUNT, Agg.AVG):
            # Every fact row has an id: count rows, without reading the id column.
            partial[f"n{i}"] = t.count(where=where) if col is None else col.count(where=where)
        if m.agg in (Agg.SUM, Agg.AVG):
            assert col is not None  # the catalogue requires a column to sum or average
            partial[f"s{i}"] = col.sum(where=where)
    daily = t.group_by(["rep_id", "day"]).aggregate(**partial)
    j = _attributed(daily, _attribution(attribution))
    j = j.mutate(period_start=j.day.truncate(unit).date())
    aggs: dict[str, ir.Value] = {}
    for i, m in enumerate(metrics):
        if m.agg is Agg.COUNT:
            aggs[m.name] = j[f"n{i}"].sum()
        elif m.agg is Agg.SUM:
            aggs[m.name] = j[f"s{i}"].sum()
        elif m.agg is Agg.AVG:
            aggs[m.name] = j[f"s{i}"].sum() / j[f"n{i}"].sum().nullif(0).cast("float64")
        else:
            raise AssertionError(m.agg)
    return j.group_by(["node", "period_start"]).aggregate(**aggs)


def currencies_in_scope(
    con: BaseBackend, fact: str, attribution: Sequence[Attribution] | ir.Table, window: Window,
    time: str,
) -> list[str]:
    """The distinct currencies of rows with an amount that the window and nodes cover."""
    t = _window_facts(con, fact, time, window)
    t = t.filter(t.amount.notnull(), t.currency.notnull())
    daily = _with_day(t, time).select("rep_id", "day", "currency").distinct()
    q = _attributed(daily, _attribution(attribution)).select("currency").distinct()
    return sorted(str(c) for c in q.execute()["currency"].tolist())


def currency_plan(
    present: list[str], rates: Mapping[str, float], metric_names: list[str]
) -> tuple[Mapping[str, float] | None, str]:
    """Rates to apply (None: none needed) and the unit label, or CurrencyMixed."""
    if present and all(c in rates for c in present):
        return rates, "reporting currency"
    if len(present) <= 1:
        return None, present[0] if present else "currency"
    missing = [c for c in present if c not in rates]
    raise CurrencyMixed(
        f"{', '.join(metric_names)} would add amounts in {', '.join(present)} without exchange "
        f"rates for {', '.join(missing)}: add them (`m3 metrics rate CURRENCY RATE`, the value of "
        "one unit in your reporting currency, or in the admin under Exchange rates)."
    )
