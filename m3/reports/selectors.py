"""What each role's overview shows: scope, units, people and recent activity, as plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from m3.attribution import Attribution
from m3.facts.selectors import activity_counts_by_week
from m3.facts.store import FactsStore
from m3.org.models import Person, Unit
from m3.org.scope import Scope
from m3.org.selectors import members_of_units_on, unit_attribution
from m3.vocabulary import Role
from m3.weeks import PAGE_WEEKS, recent_weeks


@dataclass(frozen=True)
class Overview:
    """A viewer's home page: their units, their people and activity over recent weeks."""

    units: tuple[Unit, ...]
    people: tuple[Person, ...]
    activity: pd.DataFrame
    since: dt.date
    until: dt.date


def overview_for(scope: Scope, facts: FactsStore, day: dt.date) -> Overview:
    """The overview of everything in `scope` on `day`, with the last 12 weeks of activity."""
    if scope.everything:
        units = tuple(Unit.objects.filter(parent__isnull=True))
        people = tuple(Person.objects.filter(active=True))
    else:
        units = tuple(
            u for u in Unit.objects.filter(pk__in=scope.unit_ids)
            if u.parent_id not in scope.unit_ids
        )
        people = tuple(Person.objects.filter(pk__in=scope.person_ids))
    since, until = recent_weeks(day, PAGE_WEEKS)
    spans: list[Attribution] | None
    if scope.everything:
        spans = None
    elif scope.role is Role.REP and scope.person_id is not None:
        spans = [Attribution("", scope.person_id)]
    else:
        spans = unit_attribution(scope.unit_ids)
    activity = activity_counts_by_week(facts, spans, since, until)
    return Overview(units, people, activity, since, until)


def unit_people_on(unit_ids: frozenset[int], day: dt.date) -> tuple[Person, ...]:
    """The members of the units on `day`."""
    return tuple(members_of_units_on(unit_ids, day))
