"""Pages of the organisation: a unit and a person, each within the viewer's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from m3.charts import weekly_activity_figure
from m3.errors import NotFound
from m3.facts.selectors import activity_counts_by_week
from m3.facts.store import facts_store_from_settings
from m3.org.models import Person, Unit
from m3.org.scope import request_scope
from m3.org.selectors import (
    leaders_of_person_on,
    person_attribution_seen,
    person_unit_on,
    unit_leaders_on,
    unit_members_on,
    unit_tree_attribution,
)
from m3.weeks import PAGE_WEEKS, recent_weeks


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit: its leaders, sub-units, members and their recent activity."""
    scope = request_scope(request)
    scope.require_unit(pk)
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFound(f"No unit {pk}.")
    today = timezone.localdate()
    members = list(unit_members_on(unit, today))
    since, until = recent_weeks(today, PAGE_WEEKS)
    counts = activity_counts_by_week(facts_store_from_settings(), unit_tree_attribution(unit),
                                     since, until)
    return render(
        request,
        "org/unit.html",
        {
            "unit": unit,
            "leaders": unit_leaders_on(unit, today),
            "children": unit.children.all(),
            "members": members,
            "figure": weekly_activity_figure(
                counts, f"{unit.name}: activities per week", since, until
            ),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person: their unit, their leaders and their own recent activity."""
    scope = request_scope(request)
    scope.require_person(pk)
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound(f"No person {pk}.")
    today = timezone.localdate()
    since, until = recent_weeks(today, PAGE_WEEKS)
    spans = person_attribution_seen(person, scope.unit_ids,
                                    whole_history=scope.sees_whole_history(person.pk))
    counts = activity_counts_by_week(facts_store_from_settings(), spans, since, until)
    return render(
        request,
        "org/person.html",
        {
            "person": person,
            "unit": person_unit_on(person, today),
            "leaders": leaders_of_person_on(person, today),
            "memberships": person.memberships.select_related("unit").order_by("-start"),
            "figure": weekly_activity_figure(
                counts, f"{person.name}: activities per week", since, until
            ),
        },
    )
