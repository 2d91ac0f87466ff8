"""The metric catalogue: metric definitions as YAML data, validated at load.

What a metric is (its four types, filters, targets) is `m3/measure/metric.py`.

The built-in catalogue is ``m3/measure/metrics.yaml``; users add their own metrics in the YAML
file named by the ``M3_METRICS_FILE`` setting. Every problem found at load is reported at once,
each saying what to change: a definition is checked by a pydantic model of its type, the
metrics together by a model of the catalogue (references, cycles), and `m3/schema.py` words
their problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    InstanceOf,
    Strict,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from m3.facts.schema import ACTIVITY_TYPES, TABLES
from m3.measure.metric import (
    COMPUTED_COLUMNS,
    UNITS,
    Agg,
    Catalogue,
    CatalogueInvalid,
    Direction,
    Filter,
    FilterOp,
    Metric,
    MetricKind,
    MetricType,
    Target,
    _references,
    expr_parse,
)
from m3.schema import Loc, Spec, close_match, fix, one_of, problems_raise, schema_problems
from m3.weeks import Grain

BUILTIN_PATH = Path(__file__).with_name("metrics.yaml")


def _column_type(fact: str, column: Any) -> str | None:
    if not isinstance(column, str):
        return None
    schema = TABLES[fact]
    if column in schema.names:
        return str(schema[column])
    return COMPUTED_COLUMNS.get(fact, {}).get(column)


def _filters(raw: Mapping[Any, Any], fact: str) -> tuple[tuple[Filter, ...], list[str]]:
    """The filters of a simple metric over `fact`, and a problem for each one that cannot be.

    `column: value` keeps equal rows, `column: [a, b]` rows in the list, `column: null` empty
    ones, and `column: {op: value}` compares with one operator (FilterOp).
    """
    out: list[Filter] = []
    problems: list[str] = []
    for column, spec in raw.items():
        ctype = _column_type(fact, column)
        if ctype is None:
            cols = ", ".join([*TABLES[fact].names, *COMPUTED_COLUMNS.get(fact, {})])
            problems.append(f"filter column {column!r} is not a column of {fact}; use one of "
                            f"{cols}.")
            continue
        if isinstance(spec, dict):
            if len(spec) != 1:
                problems.append(f"filter on {column} must have one operator, e.g. {{gte: 1000}}.")
                continue
            (op_raw, value), = spec.items()
            if op_raw not in [op.value for op in FilterOp]:
                problems.append(f"the operator on {column} is {op_raw!r}; use one of "
                                f"{', '.join(op.value for op in FilterOp)}.")
                continue
            op = FilterOp(op_raw)
        elif isinstance(spec, list):
            op, value = FilterOp.IN, spec
        elif spec is None:
            op, value = FilterOp.IS_NULL, True
        else:
            op, value = FilterOp.EQ, spec
        if op in (FilterOp.IN, FilterOp.NOT_IN) and not isinstance(value, list):
            problems.append(f"{op.value} on {column} needs a list, e.g. [a, b].")
            continue
        if op is FilterOp.IS_NULL and not isinstance(value, bool):
            problems.append(f"is_null on {column} takes true or false.")
            continue
        values = value if isinstance(value, list) else [value]
        if op is not FilterOp.IS_NULL:
            if ctype == "boolean" and not all(isinstance(v, bool) for v in values):
                problems.append(f"{column} is true or false; write {column}: true.")
                continue
            if column == "type" and fact == "activities":
                bad = [v for v in values if v not in ACTIVITY_TYPES]
                if bad:
                    problems.append(f"activity type {bad[0]!r} does not exist; use one of "
                                    f"{', '.join(ACTIVITY_TYPES)}.")
                    continue
        out.append(Filter(str(column), op, value))
    return tuple(out), problems


# --- the schema of a metric definition (see m3/schema.py for how problems are worded) --------

_NAME_RULE = "names are lower_case_with_underscores (e.g. demos_product_x)."


def _lower_identifier(name: str) -> str:
    if not name.isidentifier() or name != name.lower():
        raise ValueError(_NAME_RULE)
    return name


MetricName = Annotated[str, AfterValidator(_lower_identifier), fix(_NAME_RULE)]


class TargetSpec(Spec):
    """A target written as a mapping: `{value: 0.3}`, or `{per_rep: 10, per: week}`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    per_rep: bool
    value: Annotated[float, Strict(), Field(ge=0),
                     fix(lambda v: f"the target must be a number ≥ 0, not {v!r}.")]
    per: Annotated[Grain, one_of("target per", Grain)]


def _target_keys(raw: dict[str, Any]) -> dict[str, Any]:
    # `per_rep: n` and `value: n` are one number read two ways; per_rep wins when both are given.
    return {"per_rep": "per_rep" in raw, "value": raw.get("per_rep", raw.get("value")),
            "per": raw.get("per", "week")}


def _target_form(raw: Any) -> str | None:
    if raw is None:
        return "none"
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return "number"
    if isinstance(raw, dict) and {"per_rep", "value"} & set(raw):
        return "mapping"
    return None


# A bare number is a `value` target per week; unlike the mapping form, its sign is not checked.
MetricTarget = Annotated[
    Annotated[None, Tag("none")]
    | Annotated[float, Tag("number")]
    | Annotated[TargetSpec, BeforeValidator(_target_keys), Tag("mapping")],
    Discriminator(_target_form),
    fix("target must be a number, {value: 0.3} or {per_rep: 10, per: week}."),
]


def _target(spec: TargetSpec | float | None) -> Target | None:
    if spec is None:
        return None
    if isinstance(spec, TargetSpec):
        return Target(spec.value, per_rep=spec.per_rep, per=spec.per)
    return Target(float(spec), per_rep=False, per=Grain.WEEK)


class _MetricSpec(Spec):
    """What a metric of every type states; each type adds its own keys and a target."""

    type: object  # each type's own, declared here so that it is checked (and named) first
    kind: Annotated[MetricKind, one_of("kind", MetricKind)]
    direction: Annotated[Direction, one_of("direction", Direction)] = Direction.UP
    unit: Annotated[str, one_of("unit", UNITS)] = "count"
    label: object = None
    description: object = ""

    def metric(self, name: str, source: str) -> Metric:
        """The metric this definition describes, called `name`, from `source`."""
        return Metric(
            name=name,
            label=str(self.label or name.replace("_", " ").capitalize()),
            kind=self.kind,
            unit=self.unit,
            direction=self.direction,
            description=str(self.description).strip(),
            source=source,
            **self._definition(),
        )

    def _definition(self) -> dict[str, Any]:
        raise NotImplementedError


class SimpleMetricSpec(_MetricSpec):
    """`agg` of the `fact` rows that pass `filter`, bucketed by `time`."""

    type: Literal["simple"]
    fact: Annotated[str, one_of("fact", TABLES)]
    agg: Annotated[Agg, one_of("agg", Agg)]
    column: Any = Field(None, validate_default=True)
    time: Any
    filter: Annotated[dict[Any, Any] | None, fix(
        "filter must be a mapping of column to value, e.g. filter: {type: demo, product: X}."
    )] = None
    target: MetricTarget = None

    # The checks below need a known fact; with an unknown one, its problem is the one to fix.
    @field_validator("column")
    @classmethod
    def _column_of_fact(cls, column: Any, info: ValidationInfo) -> Any:
        fact, agg = info.data.get("fact"), info.data.get("agg")
        if agg is not None and agg is not Agg.COUNT and column is None:
            raise ValueError(f"agg {agg.value} needs a column, e.g. column: amount.")
        if fact is None or column is None:
            return column
        ctype = _column_type(fact, column)
        if ctype is None:
            raise ValueError(f"column {column!r} is not a column of {fact}.")
        if agg in (Agg.SUM, Agg.AVG) and not ctype.startswith(("float", "int")):
            raise ValueError(f"{agg.value} needs a numeric column; {column} is {ctype}.")
        return column

    @field_validator("time")
    @classmethod
    def _time_of_fact(cls, time: Any, info: ValidationInfo) -> Any:
        fact = info.data.get("fact")
        if fact is not None and not str(_column_type(fact, time)).startswith("timestamp"):
            stamps = [c for c in TABLES[fact].names if str(TABLES[fact][c]).startswith("timestamp")]
            raise ValueError(f"time must be a date column of {fact}: {' or '.join(stamps)}.")
        return time

    @field_validator("filter")
    @classmethod
    def _filters_of_fact(cls, raw: dict[Any, Any] | None, info: ValidationInfo) -> Any:
        fact = info.data.get("fact")
        if raw is not None and fact is not None:
            problems_raise("filter", [((), p) for p in _filters(raw, fact)[1]])
        return raw

    def _definition(self) -> dict[str, Any]:
        return dict(type=MetricType.SIMPLE, fact=self.fact, agg=self.agg, column=self.column,
                    time=self.time, filters=_filters(self.filter or {}, self.fact)[0],
                    target=_target(self.target))


class RatioMetricSpec(_MetricSpec):
    """Σ numerator / Σ denominator, two named metrics."""

    type: Literal["ratio"]
    numerator: Annotated[str, fix("a ratio needs numerator: <metric name>.")]
    denominator: Annotated[str, fix("a ratio needs denominator: <metric name>.")]
    target: MetricTarget = None

    def _definition(self) -> dict[str, Any]:
        return dict(type=MetricType.RATIO, numerator=self.numerator,
                    denominator=self.denominator, target=_target(self.target))


class DerivedMetricSpec(_MetricSpec):
    """A formula (`expr_parse`) over named metrics."""

    type: Literal["derived"]
    expr: Annotated[str, fix("a derived metric needs expr, e.g. expr: won_revenue / 1000.")]
    target: MetricTarget = None

    @field_validator("expr")
    @classmethod
    def _expr_parses(cls, text: str) -> str:
        try:
            expr_parse(text)
        except ValueError as exc:
            raise ValueError(f"expr {exc}.") from None
        return text

    def _definition(self) -> dict[str, Any]:
        return dict(type=MetricType.DERIVED, expr=self.expr, target=_target(self.target))


class CumulativeMetricSpec(_MetricSpec):
    """The running total of the metric named by `of`."""

    type: Literal["cumulative"]
    of: Annotated[str, fix("a cumulative metric needs of: <metric name>.")]
    target: MetricTarget = None

    def _definition(self) -> dict[str, Any]:
        return dict(type=MetricType.CUMULATIVE, of=self.of, target=_target(self.target))


class _UntypedMetricSpec(_MetricSpec):
    """A metric without a type M3 has: its type and the keys every type shares are checked;
    which other keys apply depends on the type, so they wait for it."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: Annotated[MetricType, one_of("type", MetricType)]


_TYPED: dict[str, type[_MetricSpec]] = {
    "simple": SimpleMetricSpec, "ratio": RatioMetricSpec, "derived": DerivedMetricSpec,
    "cumulative": CumulativeMetricSpec,
}


def _metric_type(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    mtype = raw.get("type")
    return mtype if isinstance(mtype, str) and mtype in _TYPED else "untyped"


MetricSpec = Annotated[
    Annotated[SimpleMetricSpec, Tag("simple")]
    | Annotated[RatioMetricSpec, Tag("ratio")]
    | Annotated[DerivedMetricSpec, Tag("derived")]
    | Annotated[CumulativeMetricSpec, Tag("cumulative")]
    | Annotated[_UntypedMetricSpec, Tag("untyped")],
    Discriminator(_metric_type),
    fix("must be a mapping with type, kind, label …"),
]
# One `name: definition` entry of a catalogue file.
_ENTRY = TypeAdapter(dict[MetricName, MetricSpec])


def _keys_not_of_type(loc: Loc, names: list[str]) -> list[str]:
    """The problem of keys a metric's type does not take (`loc` is (name, type))."""
    mtype = str(loc[1])
    takes = ", ".join(sorted(_TYPED[mtype].model_fields))
    return [f"{', '.join(sorted(names))} do not apply to a {mtype} metric; it takes {takes}."]


class _CatalogueFile(Spec):
    """A catalogue file: `metrics:`, a mapping of name to definition (other keys are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    metrics: Annotated[dict[Any, Any], fix(
        "the file must have a top-level `metrics:` mapping of name to definition."
    )] = Field(default_factory=dict)


_FILE = TypeAdapter(Annotated[_CatalogueFile, fix(
    "the file must have a top-level `metrics:` mapping of name to definition.")])


class _Catalogue(BaseModel):
    """The metrics that are valid on their own, checked against each other: every reference
    names a metric, running totals and per-rep targets are of additive metrics, and no metric
    depends on itself. A problem is at ("metrics", name), or ("sources", file) for a cycle."""

    model_config = ConfigDict(frozen=True)

    metrics: dict[str, InstanceOf[Metric]]

    @model_validator(mode="after")
    def _references_resolve(self) -> _Catalogue:
        metrics = self.metrics
        problems: list[tuple[Loc, str]] = []
        for metric in metrics.values():
            at = ("metrics", metric.name)
            for ref in _references(metric):
                if ref not in metrics:
                    close = close_match(ref, metrics)
                    hint = f" (did you mean {close}?)" if close else ""
                    problems.append((at, f"refers to {ref!r}, which is not a metric{hint}."))
            if metric.type is MetricType.CUMULATIVE and metric.of in metrics:
                if not metrics[metric.of].additive:
                    problems.append((at, f"of {metric.of!r} is not a count or sum; a running "
                                     "total only makes sense of an additive metric."))
            if metric.target and metric.target.per_rep and not metric.additive:
                problems.append((at, "per_rep targets add up over reps, which only a count or "
                                 "sum does; write target: {value: …} instead."))
        state: dict[str, int] = {}  # 1: being visited, 2: done

        def visit(name: str, path: list[str]) -> None:
            if state.get(name) == 2 or name not in metrics:
                return
            if state.get(name) == 1:
                cycle = " → ".join([*path[path.index(name):], name])
                problems.append((("sources", metrics[name].source),
                                 f"metrics refer to each other in a cycle ({cycle}); break it."))
                return
            state[name] = 1
            for ref in _references(metrics[name]):
                visit(ref, [*path, name])
            state[name] = 2

        for name in metrics:
            visit(name, [])
        problems_raise("catalogue", problems)
        return self


def _metric_read(name: Any, raw: Any, source: str) -> tuple[Metric | None, list[str]]:
    """One `name: definition` entry of `source` as a metric, or its problems."""
    try:
        (name, spec), = _ENTRY.validate_python({name: raw}).items()
    except ValidationError as exc:
        return None, schema_problems(exc, lambda loc: f"{source}: metric {str(loc[0])!r}",
                                     _keys_not_of_type)
    return spec.metric(name, source), []


def _references_checked(metrics: dict[str, Metric]) -> list[str]:
    try:
        _Catalogue(metrics=metrics)
    except ValidationError as exc:
        return schema_problems(exc, lambda loc: str(loc[1]) if loc[0] == "sources" else
                               f"{metrics[str(loc[1])].source}: metric {str(loc[1])!r}")
    return []


def _yaml_metrics(text: str, source: str, problems: list[str]) -> dict[Any, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        problems.append(f"{source}{line}: not valid YAML ({getattr(exc, 'problem', exc)}).")
        return {}
    if data is None:
        return {}
    try:
        return _FILE.validate_python(data).metrics
    except ValidationError as exc:
        problems.extend(schema_problems(exc, lambda loc: source))
        return {}


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
            metric, found = _metric_read(name, raw, source)
            problems.extend(found)
            if metric is not None:
                metrics[metric.name] = metric
    problems.extend(_references_checked(metrics))
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
