"""The metric catalogue: metric definitions as YAML data, validated at load.

A metric is one of four types (as in dbt MetricFlow):

- ``simple``: an aggregation (count, sum, avg, count_distinct) of one fact table (activities or
  opportunities), over the rows that pass its filters, bucketed by one time field;
- ``ratio``: Σ numerator / Σ denominator of two named metrics over the same node and period
  (undefined, not 0, when the denominator is 0);
- ``derived``: an arithmetic formula (+ − × ÷, numbers) over named metrics;
- ``cumulative``: the running total of an additive metric from the start of the range.

The built-in catalogue is ``m3/measure/metrics.yaml``; users add their own metrics in the YAML
file named by the ``M3_METRICS_FILE`` setting. Every problem found at load is reported at once,
each saying what to change.
"""

from __future__ import annotations

import ast
import difflib
import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from m3.errors import InputError, NotFound
from m3.facts.schema import ACTIVITY_TYPES, TABLES
from m3.weeks import Grain

BUILTIN_PATH = Path(__file__).with_name("metrics.yaml")


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


def _enum(cls: type[enum.Enum], raw: Any, where: str, key: str, problems: list[str]) -> Any:
    values = [m.value for m in cls]
    if raw not in values:
        problems.append(f"{where}: {key} is {raw!r}; use one of {', '.join(map(str, values))}.")
        return None
    return cls(raw)


def _column_type(fact: str, column: str) -> str | None:
    schema = TABLES[fact]
    if column in schema.names:
        return str(schema[column])
    computed = COMPUTED_COLUMNS.get(fact, {})
    return computed.get(column)


def _filters(raw: Any, fact: str, where: str, problems: list[str]) -> tuple[Filter, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.append(f"{where}: filter must be a mapping of column to value, e.g. "
                        "filter: {type: demo, product: X}.")
        return ()
    out: list[Filter] = []
    for column, spec in raw.items():
        ctype = _column_type(fact, str(column))
        if ctype is None:
            cols = ", ".join([*TABLES[fact].names, *COMPUTED_COLUMNS.get(fact, {})])
            problems.append(f"{where}: filter column {column!r} is not a column of {fact}; "
                            f"use one of {cols}.")
            continue
        if isinstance(spec, dict):
            if len(spec) != 1:
                problems.append(f"{where}: filter on {column} must have one operator, e.g. "
                                "{gte: 1000}.")
                continue
            (op_raw, value), = spec.items()
            op = _enum(FilterOp, op_raw, where, f"the operator on {column}", problems)
            if op is None:
                continue
        elif isinstance(spec, list):
            op, value = FilterOp.IN, spec
        elif spec is None:
            op, value = FilterOp.IS_NULL, True
        else:
            op, value = FilterOp.EQ, spec
        if op in (FilterOp.IN, FilterOp.NOT_IN) and not isinstance(value, list):
            problems.append(f"{where}: {op.value} on {column} needs a list, e.g. [a, b].")
            continue
        if op is FilterOp.IS_NULL and not isinstance(value, bool):
            problems.append(f"{where}: is_null on {column} takes true or false.")
            continue
        values = value if isinstance(value, list) else [value]
        if op is not FilterOp.IS_NULL:
            if ctype == "boolean" and not all(isinstance(v, bool) for v in values):
                problems.append(f"{where}: {column} is true or false; write {column}: true.")
                continue
            if column == "type" and fact == "activities":
                bad = [v for v in values if v not in ACTIVITY_TYPES]
                if bad:
                    problems.append(f"{where}: activity type {bad[0]!r} does not exist; use one "
                                    f"of {', '.join(ACTIVITY_TYPES)}.")
                    continue
        out.append(Filter(str(column), op, value))
    return tuple(out)


def _target(raw: Any, where: str, problems: list[str]) -> Target | None:
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Target(float(raw), per_rep=False, per=Grain.WEEK)
    if not isinstance(raw, dict) or not ({"per_rep", "value"} & set(raw)):
        problems.append(f"{where}: target must be a number, {{value: 0.3}} or "
                        "{per_rep: 10, per: week}.")
        return None
    per_rep = "per_rep" in raw
    value = raw.get("per_rep", raw.get("value"))
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        problems.append(f"{where}: the target must be a number ≥ 0, not {value!r}.")
        return None
    per = _enum(Grain, raw.get("per", "week"), where, "target per", problems)
    return Target(float(value), per_rep=per_rep, per=per or Grain.WEEK)


_KEYS = {
    MetricType.SIMPLE: {"fact", "agg", "column", "time", "filter"},
    MetricType.RATIO: {"numerator", "denominator"},
    MetricType.DERIVED: {"expr"},
    MetricType.CUMULATIVE: {"of"},
}
_COMMON = {"label", "kind", "type", "unit", "direction", "description", "target"}


def _metric(name: str, raw: Any, source: str, problems: list[str]) -> Metric | None:
    where = f"{source}: metric {name!r}"
    if not name.isidentifier() or name != name.lower():
        problems.append(f"{where}: names are lower_case_with_underscores (e.g. demos_product_x).")
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with type, kind, label …")
        return None
    before = len(problems)
    mtype = _enum(MetricType, raw.get("type"), where, "type", problems)
    kind = _enum(MetricKind, raw.get("kind"), where, "kind", problems)
    direction = _enum(Direction, raw.get("direction", "up"), where, "direction", problems)
    unit = raw.get("unit", "count")
    if unit not in UNITS:
        problems.append(f"{where}: unit is {unit!r}; use one of {', '.join(UNITS)}.")
    if mtype is None:
        return None
    unknown = set(raw) - _COMMON - _KEYS[mtype]
    if unknown:
        problems.append(f"{where}: {', '.join(sorted(unknown))} do not apply to a {mtype.value} "
                        f"metric; it takes {', '.join(sorted(_KEYS[mtype] | _COMMON))}.")
    fields: dict[str, Any] = {}
    if mtype is MetricType.SIMPLE:
        fact = raw.get("fact")
        if fact not in TABLES:
            problems.append(f"{where}: fact is {fact!r}; use one of {', '.join(TABLES)}.")
            return None
        agg = _enum(Agg, raw.get("agg"), where, "agg", problems)
        column = raw.get("column")
        if agg is not None and agg is not Agg.COUNT and column is None:
            problems.append(f"{where}: agg {agg.value} needs a column, e.g. column: amount.")
        if column is not None:
            ctype = _column_type(fact, column)
            if ctype is None:
                problems.append(f"{where}: column {column!r} is not a column of {fact}.")
            elif agg in (Agg.SUM, Agg.AVG) and not ctype.startswith(("float", "int")):
                problems.append(f"{where}: {agg.value} needs a numeric column; {column} is "
                                f"{ctype}.")
        time = raw.get("time")
        if time is None or not str(_column_type(fact, time)).startswith("timestamp"):
            stamps = [c for c in TABLES[fact].names if str(TABLES[fact][c]).startswith("timestamp")]
            problems.append(f"{where}: time must be a date column of {fact}: "
                            f"{' or '.join(stamps)}.")
        fields = dict(fact=fact, agg=agg, column=column, time=time,
                      filters=_filters(raw.get("filter"), fact, where, problems))
    elif mtype is MetricType.RATIO:
        for key in ("numerator", "denominator"):
            if not isinstance(raw.get(key), str):
                problems.append(f"{where}: a ratio needs {key}: <metric name>.")
        fields = dict(numerator=raw.get("numerator"), denominator=raw.get("denominator"))
    elif mtype is MetricType.DERIVED:
        text = raw.get("expr")
        if not isinstance(text, str):
            problems.append(f"{where}: a derived metric needs expr, e.g. expr: won_revenue / 1000.")
        else:
            try:
                expr_parse(text)
            except ValueError as exc:
                problems.append(f"{where}: expr {exc}.")
        fields = dict(expr=text)
    elif mtype is MetricType.CUMULATIVE:
        if not isinstance(raw.get("of"), str):
            problems.append(f"{where}: a cumulative metric needs of: <metric name>.")
        fields = dict(of=raw.get("of"))
    target = _target(raw.get("target"), where, problems)
    if len(problems) > before:
        return None
    return Metric(
        name=name,
        label=str(raw.get("label") or name.replace("_", " ").capitalize()),
        kind=kind,
        type=mtype,
        unit=unit,
        direction=direction,
        description=str(raw.get("description", "")).strip(),
        target=target,
        source=source,
        **fields,
    )


def _check_references(metrics: dict[str, Metric], problems: list[str]) -> None:
    for metric in metrics.values():
        where = f"{metric.source}: metric {metric.name!r}"
        for ref in _references(metric):
            if ref not in metrics:
                close = difflib.get_close_matches(ref, list(metrics), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                problems.append(f"{where}: refers to {ref!r}, which is not a metric{hint}.")
        if metric.type is MetricType.CUMULATIVE and metric.of in metrics:
            if not metrics[metric.of].additive:
                problems.append(f"{where}: of {metric.of!r} is not a count or sum; a running "
                                "total only makes sense of an additive metric.")
        if metric.target and metric.target.per_rep and not metric.additive:
            problems.append(f"{where}: per_rep targets add up over reps, which only a count or "
                            "sum does; write target: {value: …} instead.")
    # Cycles: a metric may not depend on itself.
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2 or name not in metrics:
            return
        if state.get(name) == 1:
            cycle = " → ".join([*path[path.index(name):], name])
            problems.append(f"{metrics[name].source}: metrics refer to each other in a cycle "
                            f"({cycle}); break it.")
            return
        state[name] = 1
        for ref in _references(metrics[name]):
            visit(ref, [*path, name])
        state[name] = 2

    for name in metrics:
        visit(name, [])


def _yaml_metrics(text: str, source: str, problems: list[str]) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        problems.append(f"{source}{line}: not valid YAML ({getattr(exc, 'problem', exc)}).")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("metrics", {}), dict):
        problems.append(f"{source}: the file must have a top-level `metrics:` mapping of name "
                        "to definition.")
        return {}
    return dict(data.get("metrics") or {})


def catalogue_problems(extra: Path | str | None = None) -> tuple[Catalogue, list[str]]:
    """Load the built-in catalogue plus the user's file; return it with every problem found."""
    problems: list[str] = []
    sources = [(BUILTIN_PATH.read_text(encoding="utf-8"), "built-in metrics.yaml")]
    if extra:
        path = Path(extra)
        if not path.is_file():
            problems.append(f"{path}: no such metrics file; fix M3_METRICS_FILE or create it.")
        else:
            sources.append((path.read_text(encoding="utf-8"), path.name))
    metrics: dict[str, Metric] = {}
    for text, source in sources:
        for name, raw in _yaml_metrics(text, source, problems).items():
            if name in metrics:
                problems.append(f"{source}: metric {name!r} is already defined in "
                                f"{metrics[name].source}; give yours another name.")
                continue
            metric = _metric(str(name), raw, source, problems)
            if metric is not None:
                metrics[metric.name] = metric
    _check_references(metrics, problems)
    return Catalogue(metrics), problems


def catalogue_load(extra: Path | str | None = None) -> Catalogue:
    """The validated catalogue; raises CatalogueInvalid listing every problem."""
    catalogue, problems = catalogue_problems(extra)
    if problems:
        raise CatalogueInvalid(problems)
    return catalogue


def catalogue_from_settings() -> Catalogue:
    """The catalogue of the running M3: built-in metrics plus M3_METRICS_FILE (if set)."""
    from django.conf import settings

    return catalogue_load(settings.M3.metrics_file)
