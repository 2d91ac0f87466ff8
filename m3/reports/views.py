"""Report pages that combine domains: the home page per role, and one initiative's overview."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from m3.charts import output_pace_figure, weekly_activity_figure
from m3.diagnose.selectors import momentum_summaries
from m3.facts.store import facts_store_from_settings
from m3.initiatives.selectors import (
    initiative_editable,
    initiative_for_viewer,
    initiatives_visible,
)
from m3.measure.asks import ask_boards
from m3.measure.pace import output_pace
from m3.message.due import person_due_list
from m3.org.scope import request_person, request_scope
from m3.reports.selectors import overview_for
from m3.vocabulary import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The viewer's overview: units, people, initiatives, the last 12 weeks of activity and,
    for a leader, their units' momentum and open alerts in each running initiative."""
    scope = request_scope(request)
    today = timezone.localdate()
    facts = facts_store_from_settings()
    overview = overview_for(scope, facts, today)
    title = "Your activities per week" if scope.role == "rep" else "Activities per week in scope"
    initiatives = initiatives_visible(scope, today)
    return render(
        request,
        "reports/home.html",
        {
            "overview": overview,
            "initiatives": initiatives,
            "due": person_due_list(request_person(request), initiatives, today),
            "boards": ask_boards(scope, facts, today),
            "momentum": momentum_summaries(scope, list(initiatives), facts, today),
            "figure": weekly_activity_figure(overview.activity, title, overview.since,
                                             overview.until),
            "last_day": overview.until - dt.timedelta(days=1),
        },
    )


@login_required
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One initiative: message, key points, asks, forecast and cadence plan."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(pk, scope, today)
    # The output across the whole scope is an executive's view; others see their own levers.
    pace = output_pace(initiative, facts_store_from_settings(), today, scope) if (
        scope.everything or scope.role is Role.EXECUTIVE) else None
    return render(
        request,
        "reports/initiative.html",
        {
            "initiative": initiative,
            "pace": pace,
            "pace_figure": output_pace_figure(pace.weekly, pace.metric, pace.unit)
            if pace is not None else None,
            "can_edit": initiative_editable(scope, initiative, set()),
            "units": initiative.units.all(),
        },
    )
