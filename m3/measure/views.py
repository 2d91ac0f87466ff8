"""The metric explain page: a value's periods, targets, SQL and underlying rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from m3.measure.explain import explain_request_parse, metric_explain
from m3.org.scope import request_scope


@login_required
def metric_explain_page(request: HttpRequest) -> HttpResponse:
    """Show how a metric's values for a unit or person were computed, and the rows behind one."""
    explain_request = explain_request_parse(request.GET)
    explanation = metric_explain(explain_request, request_scope(request))
    query = request.GET.copy()
    query.pop("period", None)
    return render(request, "measure/explain.html", {
        "req": explain_request,
        "x": explanation,
        "values": explanation.values.to_dict("records"),
        "rows": None if explanation.rows is None else explanation.rows.astype(object).where(
            explanation.rows.notna(), None).to_dict("records"),
        "columns": [] if explanation.rows is None else list(explanation.rows.columns),
        "base_query": query.urlencode(),
    })
