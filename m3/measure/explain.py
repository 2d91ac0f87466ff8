"""The evidence behind a metric value for a unit or person in the viewer's scope.

Shared by the explain page and its JSON twin: the values per period with targets, the SQL that
computed them and, for one period, the fact rows behind the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from m3.attribution import Attribution
from m3.errors import InputError, NotFound
from m3.measure.catalogue import catalogue_from_settings
from m3.measure.evaluate import metric_drilldown, metric_result
from m3.measure.metric import Metric, Target
from m3.org.models import Person, Unit
from m3.org.scope import Scope
from m3.org.selectors import person_attribution_seen, unit_tree_attribution
from m3.weeks import Grain

MAX_RANGE_DAYS = 400
ROWS_SHOWN = 200


@dataclass(frozen=True)
class ExplainRequest:
    """What to explain: one metric for one unit or person over a range, optionally one period."""

    metric: str
    unit_id: int | None
    person_id: int | None
    grain: Grain
    start: dt.date
    end: dt.date
    period: dt.date | None = None
    target_per_rep: float | None = None


@dataclass(frozen=True)
class Explanation:
    """The values, their SQL and (for one period) the rows behind the value."""

    metric: Metric
    node: str
    values: pd.DataFrame  # period_start, value, target
    sql: Mapping[str, str]
    rows: pd.DataFrame | None
    rows_total: int
    rows_sql: str
    note: str = ""


def explain_request_parse(params: Mapping[str, str]) -> ExplainRequest:
    """Read and check the query parameters; raise InputError naming the bad one."""
    def date(key: str) -> dt.date | None:
        raw = params.get(key, "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise InputError(f"{key}={raw!r} is not a date: use YYYY-MM-DD.") from None

    def number(key: str) -> int | None:
        raw = params.get(key, "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise InputError(f"{key}={raw!r} is not an id.")
        return int(raw)

    grain_raw = params.get("grain", "week")
    try:
        grain = Grain(grain_raw)
    except ValueError:
        raise InputError(f"grain={grain_raw!r}: use day, week, month or quarter.") from None
    start, end = date("from"), date("to")
    if start is None or end is None:
        raise InputError("Give the range: from=YYYY-MM-DD and to=YYYY-MM-DD.")
    if (end - start).days > MAX_RANGE_DAYS:
        raise InputError(f"The range is longer than {MAX_RANGE_DAYS} days: shorten it.")
    target_raw = params.get("target", "").strip()
    try:
        target = float(target_raw) if target_raw else None
    except ValueError:
        raise InputError(f"target={target_raw!r} is not a number.") from None
    request = ExplainRequest(params.get("metric", "").strip(), number("unit"), number("person"),
                             grain, start, end, date("period"), target)
    if not request.metric:
        raise InputError("Name the metric: metric=NAME (see `m3 metrics list`).")
    if (request.unit_id is None) == (request.person_id is None):
        raise InputError("Give one node: unit=ID or person=ID.")
    return request


def metric_explain(request: ExplainRequest, scope: Scope) -> Explanation:
    """Evaluate and explain the metric for a node the viewer may see (AccessDenied otherwise)."""
    catalogue = catalogue_from_settings()
    metric = catalogue.get(request.metric)
    attribution: list[Attribution]
    if request.unit_id is not None:
        scope.require_unit(request.unit_id)
        unit = Unit.objects.filter(pk=request.unit_id).first()
        if unit is None:
            raise NotFound(f"No unit {request.unit_id}.")
        node, attribution = unit.name, unit_tree_attribution(unit)
    else:
        assert request.person_id is not None
        scope.require_person(request.person_id)
        person = Person.objects.filter(pk=request.person_id).first()
        if person is None:
            raise NotFound(f"No person {request.person_id}.")
        node = person.name
        attribution = person_attribution_seen(
            person, scope.unit_ids, node=node, whole_history=scope.sees_whole_history(person.pk))
    if not attribution:
        empty = pd.DataFrame({"period_start": [], "value": [], "target": []})
        return Explanation(metric, node, empty, {}, None, 0, "",
                           note=f"No facts of {node} fall in your scope: they never belonged "
                                "to a unit you lead.")
    targets = ({metric.name: Target(request.target_per_rep, per_rep=True, per=Grain.WEEK)}
               if request.target_per_rep is not None else None)
    result = metric_result([metric.name], attribution, request.grain, request.start, request.end,
                           catalogue=catalogue, targets=targets)
    values = result.frame[result.frame["metric"] == metric.name][
        ["period_start", "value", "target"]].reset_index(drop=True)
    rows, total, rows_sql = None, 0, ""
    if request.period is not None:
        drill = metric_drilldown(metric.name, attribution, request.grain, request.start,
                                 request.end, period=request.period, limit=ROWS_SHOWN,
                                 catalogue=catalogue)
        rows, total, rows_sql = drill.rows, drill.total, drill.sql
    return Explanation(metric, node, values, dict(result.sql), rows, total, rows_sql)
