"""JSON twin of the metric explain page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from m3.measure.explain import explain_request_parse, metric_explain
from m3.org.scope import request_scope

router = Router(tags=["metrics"])


class ExplainValue(Schema):
    period_start: dt.date
    value: float | None
    target: float | None


class ExplainOut(Schema):
    metric: str
    node: str
    values: list[ExplainValue]
    sql: dict[str, str]
    rows: list[dict[str, Any]] | None
    rows_total: int
    rows_sql: str
    note: str


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


@router.get("/explain", response=ExplainOut)
def metrics_explain(request: HttpRequest) -> ExplainOut:
    """A metric for unit=ID or person=ID: values per period, SQL, and rows for period=D."""
    x = metric_explain(explain_request_parse(request.GET), request_scope(request))
    rows = None if x.rows is None else [
        {str(k): _plain(v) for k, v in r.items()} for r in x.rows.to_dict("records")
    ]
    return ExplainOut(
        metric=x.metric.name, node=x.node,
        values=[ExplainValue.model_validate({k: _plain(v) for k, v in row.items()})
                for row in x.values.to_dict("records")],
        sql=dict(x.sql), rows=rows, rows_total=x.rows_total, rows_sql=x.rows_sql, note=x.note,
    )
