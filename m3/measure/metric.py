"""What a metric is: its type, kind, aggregation, filters, target, and the catalogue of them.

A metric is one of four types (as in dbt MetricFlow):

- ``simple``: an aggregation (count, sum, avg, count_distinct) of one fact table (activities or
  opportunities), over the rows that pass its filters, bucketed by one time field;
- ``ratio``: Σ numerator / Σ denominator of two named metrics over the same node and period
  (undefined, not 0, when the denominator is 0);
- ``derived``: an arithmetic formula (+ − × ÷, numbers) over named metrics;
- ``cumulative``: the running total of an additive metric from the start of the range.

These types are pure data; `m3/measure/catalogue.py` reads and checks them from YAML.
"""

from __future__ import annotations

import ast
import difflib
import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from m3.errors import InputError, NotFound
from m3.weeks import Grain


class MetricType(enum.Enum):
    """How a metric is computed."""

    SIMPLE = "simple"
    RATIO = "ratio"
    DERIVED = "derived"
    CUMULATIVE = "cumulative"


class MetricKind(enum.Enum):
    """Output metrics are what an initiative must deliver; levers lead them."""

    OUTPUT = "output"
    LEVER = "lever"


class Agg(enum.Enum):
    """The aggregation of a simple metric."""

    COUNT = "count"
    SUM = "sum"
    AVG = "avg"
    COUNT_DISTINCT = "count_distinct"


class Direction(enum.Enum):
    """Whether more is better (up) or less is better (down)."""

    UP = "up"
    DOWN = "down"


class FilterOp(enum.Enum):
    """A comparison in a metric's filter."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IS_NULL = "is_null"


# Columns computed from a fact's own columns, usable like real ones in `column:` and filters.
COMPUTED_COLUMNS: dict[str, dict[str, str]] = {
    "opportunities": {"cycle_days": "float64"},  # closed_at date − created_at date, in days
    "activities": {},
}
AMOUNT_COLUMN = "amount"
UNITS = ("count", "currency", "days", "ratio", "percent", "number")


@dataclass(frozen=True)
class Filter:
    """Keep the fact rows where `column op value`."""

    column: str
    op: FilterOp
    value: Any


@dataclass(frozen=True)
class Target:
    """A target. `per_rep` targets are per rep and `per` period, summed over a node's members
    (weighted by the share of the period each was a member); `value` targets hold as they are
    for every node and period (for ratios and averages)."""

    value: float
    per_rep: bool
    per: Grain


@dataclass(frozen=True)
class Metric:
    """One metric definition from the catalogue."""

    name: str
    label: str
    kind: MetricKind
    type: MetricType
    unit: str
    direction: Direction
    description: str
    fact: str | None = None
    agg: Agg | None = None
    column: str | None = None
    time: str | None = None
    filters: tuple[Filter, ...] = ()
    numerator: str | None = None
    denominator: str | None = None
    expr: str | None = None
    of: str | None = None
    target: Target | None = None
    source: str = "built-in"

    @property
    def additive(self) -> bool:
        """Whether values of disjoint sets of rows add up (counts and sums)."""
        return self.type is MetricType.SIMPLE and self.agg in (Agg.COUNT, Agg.SUM)

    @property
    def uses_amount(self) -> bool:
        """Whether the metric aggregates money (and so depends on currencies)."""
        return self.type is MetricType.SIMPLE and self.column == AMOUNT_COLUMN and self.agg in (
            Agg.SUM,
            Agg.AVG,
        )


@dataclass(frozen=True)
class Catalogue:
    """The metrics by name, in file order (built-in first)."""

    metrics: Mapping[str, Metric] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics.values())

    def __contains__(self, name: object) -> bool:
        return name in self.metrics

    def get(self, name: str) -> Metric:
        """The metric called `name`; NotFound names the closest ones."""
        try:
            return self.metrics[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self.metrics), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise NotFound(
                f"No metric named {name!r}.{hint} `m3 metrics list` shows them all."
            ) from None

    def dependencies(self, name: str) -> tuple[str, ...]:
        """The metrics `name` is computed from (directly)."""
        metric = self.get(name)
        return _references(metric)

    def closure(self, names: list[str]) -> list[str]:
        """`names` and every metric they depend on, dependencies first."""
        order: list[str] = []

        def visit(name: str) -> None:
            if name in order:
                return
            for dep in self.dependencies(name):
                visit(dep)
            order.append(name)

        for name in names:
            visit(name)
        return order


class CatalogueInvalid(InputError):
    """The metric catalogue has problems; `problems` lists each with what to change."""

    code = "catalogue_invalid"

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"The metric catalogue has {len(problems)} problem(s):\n{listed}")


def _references(metric: Metric) -> tuple[str, ...]:
    if metric.type is MetricType.RATIO:
        return tuple(n for n in (metric.numerator, metric.denominator) if n)
    if metric.type is MetricType.DERIVED:
        return expr_names(metric.expr or "")
    if metric.type is MetricType.CUMULATIVE:
        return (metric.of,) if metric.of else ()
    return ()


_ALLOWED_EXPR_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub,
    ast.UAdd, ast.Name, ast.Load, ast.Constant,
)


def expr_parse(text: str) -> ast.Expression:
    """Parse a derived metric's formula; only + − × ÷, parentheses, numbers and metric names."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot parse {text!r} ({exc.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_EXPR_NODES):
            raise ValueError(
                f"{text!r} uses {type(node).__name__}; write only metric names, numbers, "
                "+ - * / and parentheses"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise ValueError(f"{text!r} contains {node.value!r}; only numbers are allowed")
    return tree


def expr_names(text: str) -> tuple[str, ...]:
    """The metric names a formula refers to, in order of first use."""
    try:
        tree = expr_parse(text)
    except ValueError:
        return ()
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in names:
            names.append(node.id)
    return tuple(names)
