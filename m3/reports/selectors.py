"""What each role's overview shows: scope, units, people and recent activity, as plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from m3.facts.selectors import activity_counts_by_week
from m3.facts.store import FactsStore
from m3.org.models import Person, Unit
from m3.org.scope import Scope
from m3.org.selectors import members_of_units_on

OVERVIEW_WEEKS = 12


@dataclass(frozen=True)
class Overview:
    """A viewer's home page: their units, their people and activity over recent weeks."""

    units: tuple[Unit, ...]
    people: tuple[Person, ...]
    activity: pd.DataFrame
    since: dt.date
    until: dt.date


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def recent_weeks(day: dt.date, weeks: int = OVERVIEW_WEEKS) -> tuple[dt.date, dt.date]:
    """The `weeks` whole ISO weeks ending with `day`'s week: (first Monday, next week's Monday)."""
    until = week_start(day) + dt.timedelta(days=7)
    return until - dt.timedelta(weeks=weeks), until


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
    since, until = recent_weeks(day)
    activity = activity_counts_by_week(facts, [p.pk for p in people], since, until)
    return Overview(units, people, activity, since, until)


def unit_people_on(unit_ids: frozenset[int], day: dt.date) -> tuple[Person, ...]:
    """The members of the units on `day`."""
    return tuple(members_of_units_on(unit_ids, day))
