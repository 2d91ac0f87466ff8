"""Metric definitions compiled to Ibis expressions and evaluated per org node and period.

Attribution: a fact counts for node N in period P when its rep belonged to N on the fact's date
(the rep's membership covers that date; for a person node, the fact is theirs) and its time
field falls in P. Periods are days, ISO weeks starting on Monday, months or quarters.

Simple metrics sharing a fact and a time field compile to one grouped query (one conditional
aggregate per metric), so a whole scorecard is a handful of queries, each with its SQL kept.
Ratio, derived and cumulative metrics are computed from those per (node, period) values:

- ratio: value = Σ numerator / Σ denominator (undefined when the denominator is 0);
- derived: the formula over the named metrics' values (undefined on division by 0);
- cumulative: value(P) = Σ of the metric over the periods of the range up to and including P.

Targets: a per-rep target T per period G gives node N in period P the target
T × Σ_memberships overlap_days(membership, P ∩ range) / days(G-period) when G is the grain,
and T / nominal_days(G) × Σ overlap_days otherwise (nominal days: 1, 7, 365.25/12, 365.25/4);
a plain target is the same for every node and period.

Currencies: amounts keep their currency. A money metric over rows in several currencies needs a
rate for each (value in the reporting currency of one unit); without them it is an M3Error.
Rows with no currency are taken to be in the reporting currency.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis.backends import BaseBackend

from m3.attribution import Attribution
from m3.errors import InputError
from m3.measure.metric import AMOUNT_COLUMN, Catalogue, Metric, MetricType, Target, expr_parse
from m3.measure.query import (
    Window,
    attribution_table,
    currencies_in_scope,
    currency_plan,
    metric_condition,
    periods,
    scoped_facts,
    simple_query,
)
from m3.weeks import Grain, period_next, period_start

NOMINAL_DAYS = {Grain.DAY: 1.0, Grain.WEEK: 7.0, Grain.MONTH: 365.25 / 12,
                Grain.QUARTER: 365.25 / 4}
RESULT_COLUMNS = ["node", "period_start", "metric", "value", "target"]


class CompiledSql(Mapping[str, str]):
    """Label → the SQL of a query, compiled when first read: compiling an expression costs
    about as much as running a scorecard query, and most callers never show the SQL."""

    def __init__(self, exprs: Mapping[str, ir.Expr], dialect: str) -> None:
        self._exprs = dict(exprs)
        self._dialect = dialect
        self._sql: dict[str, str] = {}

    def __getitem__(self, label: str) -> str:
        if label not in self._sql:
            self._sql[label] = str(ibis.to_sql(self._exprs[label], dialect=self._dialect))
        return self._sql[label]

    def __iter__(self) -> Iterator[str]:
        return iter(self._exprs)

    def __len__(self) -> int:
        return len(self._exprs)


@dataclass(frozen=True)
class MetricResult:
    """Values of metrics per node and period, with the SQL that computed them."""

    frame: pd.DataFrame  # node, period_start, metric, value, target
    sql: Mapping[str, str]  # a label per query ("opportunities by closed_at") → SQL
    units: Mapping[str, str]  # metric → unit, money resolved to a currency where known


def _eval_formula(node: ast.AST, env: Mapping[str, pd.Series]) -> pd.Series | float:
    if isinstance(node, ast.Expression):
        return _eval_formula(node.body, env)
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _eval_formula(node.operand, env)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left = _eval_formula(node.left, env)
        right = _eval_formula(node.right, env)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return _divide(left, right)
    raise AssertionError(ast.dump(node))


def _divide(num: pd.Series | float, den: pd.Series | float) -> pd.Series | float:
    if isinstance(den, pd.Series):
        den = den.astype("float64").where(den != 0)
        return num / den
    if den == 0:
        return num * math.nan
    return num / den


def _target_values(
    target: Target | None,
    attribution: Sequence[Attribution],
    window: Window,
    grid: pd.DataFrame,
) -> pd.Series:
    """The target per grid row (node, period_start); see the module docstring."""
    if target is None:
        return pd.Series(np.nan, index=grid.index, dtype="float64")
    if not target.per_rep:
        return pd.Series(target.value, index=grid.index, dtype="float64")
    by_node: dict[str, list[Attribution]] = {}
    for row in attribution:
        by_node.setdefault(row.node, []).append(row)
    range_end = window.end + dt.timedelta(days=1)
    out = []
    for node, start in zip(grid["node"], grid["period_start"], strict=True):
        nxt = period_next(start, window.grain)
        lo, hi = max(start, window.start), min(nxt, range_end)
        member_days = 0
        for row in by_node.get(node, []):
            a = max(lo, row.start) if row.start else lo
            b = min(hi, row.end) if row.end else hi
            member_days += max(0, (b - a).days)
        if target.per is window.grain:
            out.append(target.value * member_days / (nxt - start).days)
        else:
            out.append(target.value / NOMINAL_DAYS[target.per] * member_days)
    return pd.Series(out, index=grid.index, dtype="float64")


def metric_evaluate(
    con: BaseBackend,
    catalogue: Catalogue,
    names: Sequence[str],
    attribution: Sequence[Attribution],
    window: Window,
    *,
    rates: Mapping[str, float] | None = None,
    targets: Mapping[str, Target] | None = None,
) -> MetricResult:
    """Evaluate `names` for every node of `attribution` and every period of `window`.

    Returns one row per node, period and metric (value NaN where undefined), targets from the
    catalogue unless `targets` overrides them, and the SQL of every query run.
    """
    for name in names:
        catalogue.get(name)
    needed = catalogue.closure(list(names))
    rates = dict(rates or {})
    targets = dict(targets or {})
    nodes = list(dict.fromkeys(r.node for r in attribution))
    starts = periods(window)
    grid = pd.DataFrame(
        [(n, p) for n in nodes for p in starts], columns=["node", "period_start"]
    ).astype({"node": "object"})
    wide = grid.copy()
    sql: dict[str, ir.Table] = {}
    units: dict[str, str] = {}
    groups: dict[tuple[str, str], list[Metric]] = {}
    for name in needed:
        metric = catalogue.get(name)
        units[name] = metric.unit
        if metric.type is MetricType.SIMPLE:
            assert metric.fact and metric.time
            groups.setdefault((metric.fact, metric.time), []).append(metric)
    a_table = attribution_table(attribution) if attribution else None
    for (fact, time), metrics in groups.items():
        if a_table is None:
            for m in metrics:
                wide[m.name] = np.nan
            continue
        money = [m for m in metrics if m.uses_amount]
        applied: Mapping[str, float] | None = None
        if money:
            present = currencies_in_scope(con, fact, a_table, window, time)
            applied, label = currency_plan(present, rates, [m.name for m in money])
            for m in money:
                units[m.name] = label
        expr = simple_query(con, metrics, a_table, window, applied)
        sql[f"{fact} by {time}"] = expr
        values = expr.execute()
        values["period_start"] = pd.to_datetime(values["period_start"]).dt.date
        wide = wide.merge(values, on=["node", "period_start"], how="left")
        for m in metrics:
            col = wide[m.name].astype("float64")
            wide[m.name] = col.fillna(0.0) if m.additive else col
    for name in needed:
        metric = catalogue.get(name)
        if metric.type is MetricType.SIMPLE:
            continue
        if metric.type is MetricType.RATIO:
            assert metric.numerator and metric.denominator
            wide[name] = _divide(wide[metric.numerator], wide[metric.denominator])
        elif metric.type is MetricType.DERIVED:
            env = {n: wide[n].astype("float64") for n in catalogue.dependencies(name)}
            value = _eval_formula(expr_parse(metric.expr or "0"), env)
            wide[name] = value if isinstance(value, pd.Series) else float(value)
        elif metric.type is MetricType.CUMULATIVE:
            assert metric.of
            wide[name] = wide.groupby("node", sort=False)[metric.of].cumsum()
            units[name] = units[metric.of]
        else:
            raise AssertionError(metric.type)
    # The grid is in node order, periods ascending within a node (merges keep the left
    # order); the result lists each grid row's metrics by name, as a stable sort would.
    order = sorted(range(len(names)), key=lambda i: names[i])
    values = np.empty((len(wide), len(names)), dtype="float64")
    target_values = np.empty((len(wide), len(names)), dtype="float64")
    cells = wide[["node", "period_start"]]
    for column, i in enumerate(order):
        name = names[i]
        metric = catalogue.get(name)
        target = targets.get(name, metric.target)
        values[:, column] = wide[name].astype("float64").to_numpy()
        if metric.type is MetricType.CUMULATIVE and target is None and metric.of:
            base = targets.get(metric.of, catalogue.get(metric.of).target)
            per_period = _target_values(base, attribution, window, cells)
            target_values[:, column] = per_period.groupby(wide["node"], sort=False).cumsum()
        else:
            target_values[:, column] = _target_values(target, attribution, window, cells)
    width = len(names)
    frame = pd.DataFrame({
        "node": np.repeat(wide["node"].to_numpy(dtype=object), width),
        "period_start": np.repeat(wide["period_start"].to_numpy(dtype=object), width),
        "metric": np.tile(np.array([names[i] for i in order], dtype=object), len(wide)),
        "value": values.ravel(),
        "target": target_values.ravel(),
    }, columns=RESULT_COLUMNS)
    return MetricResult(frame, CompiledSql(sql, con.name), {n: units[n] for n in names})


def metric_rows(
    con: BaseBackend,
    catalogue: Catalogue,
    name: str,
    attribution: Sequence[Attribution],
    window: Window,
    *,
    node: str | None = None,
    period: dt.date | None = None,
) -> ir.Table:
    """The fact rows behind a metric (drill-down), optionally for one node and period.

    A ratio, derived or cumulative metric drills into the rows of the simple metrics it uses
    (the union of their filters is not applied: each row is tagged with `metric`).
    """
    leaves = [m for m in (catalogue.get(n) for n in catalogue.closure([name]))
              if m.type is MetricType.SIMPLE]
    parts: list[ir.Table] = []
    for m in leaves:
        assert m.fact and m.time
        j = scoped_facts(con, m.fact, m.time, attribution, window)
        cond = metric_condition(j, m)
        if cond is not None:
            j = j.filter(cond)
        if node is not None:
            j = j.filter(j.node == node)
        if period is not None:
            j = j.filter(j.period_start == period_start(period, window.grain))
        if m.column and m.column != "id":
            j = j.filter(j[m.column].notnull())
        cols = [c for c in j.columns if c not in ("member_id", "member_from", "member_until")]
        parts.append(j.select(cols).mutate(metric=ibis.literal(m.name)))
    if not parts:
        raise InputError(f"{name} has no fact rows to show.")
    if len({tuple(p.columns) for p in parts}) > 1:
        raise InputError(f"{name} combines activities and opportunities; drill into "
                         f"{', '.join(m.name for m in leaves)} one at a time.")
    result = parts[0]
    for p in parts[1:]:
        result = result.union(p)
    return result


def result_records(result: MetricResult) -> list[dict[str, Any]]:
    """The result rows as JSON-ready dicts (dates as ISO text, undefined values as None)."""
    out: list[dict[str, Any]] = []
    for row in result.frame.to_dict("records"):
        value, target = row["value"], row["target"]
        out.append({"node": row["node"], "period_start": row["period_start"].isoformat(),
                    "metric": row["metric"],
                    "value": None if pd.isna(value) else float(value),
                    "target": None if pd.isna(target) else float(target)})
    return out


__all__ = [
    "AMOUNT_COLUMN",
    "MetricResult",
    "metric_evaluate",
    "metric_rows",
]
