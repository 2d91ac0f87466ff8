"""JSON twins of the org pages: units and people within the viewer's scope."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from m3.attribution import Attribution
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

router = Router(tags=["org"])


class PersonOut(Schema):
    id: int
    name: str
    email: str
    role: str


class LeaderOut(Schema):
    person: PersonOut
    unit: str
    kind: str


class WeekCount(Schema):
    week: dt.date
    type: str
    activities: int


class UnitOut(Schema):
    id: int
    name: str
    parent_id: int | None


class UnitDetailOut(UnitOut):
    leaders: list[LeaderOut]
    children: list[UnitOut]
    members: list[PersonOut]
    activity: list[WeekCount]


class PersonDetailOut(PersonOut):
    unit: UnitOut | None
    leaders: list[LeaderOut]
    activity: list[WeekCount]


def _person(p: Person) -> PersonOut:
    return PersonOut(id=p.pk, name=p.name, email=p.email, role=p.role)


def _unit(u: Unit) -> UnitOut:
    return UnitOut(id=u.pk, name=u.name, parent_id=u.parent_id)


def _weeks(spans: list[Attribution], day: dt.date) -> list[WeekCount]:
    since, until = recent_weeks(day, PAGE_WEEKS)
    frame = activity_counts_by_week(facts_store_from_settings(), spans, since, until)
    return [WeekCount(week=r["week"], type=r["type"], activities=int(r["activities"]))
            for r in frame.to_dict("records")]


@router.get("/units", response=list[UnitOut])
def units_list(request: HttpRequest) -> list[UnitOut]:
    """The units in the viewer's scope."""
    scope = request_scope(request)
    units = Unit.objects.all() if scope.everything else Unit.objects.filter(pk__in=scope.unit_ids)
    return [_unit(u) for u in units]


@router.get("/units/{unit_id}", response=UnitDetailOut)
def unit_get(request: HttpRequest, unit_id: int) -> UnitDetailOut:
    """One unit: leaders, sub-units, members and 12 weeks of activity counts."""
    request_scope(request).require_unit(unit_id)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(f"No unit {unit_id}.")
    today = timezone.localdate()
    members = list(unit_members_on(unit, today))
    return UnitDetailOut(
        **_unit(unit).dict(),
        leaders=[LeaderOut(person=_person(lead.person), unit=unit.name, kind=lead.kind)
                 for lead in unit_leaders_on(unit, today)],
        children=[_unit(c) for c in unit.children.all()],
        members=[_person(m) for m in members],
        activity=_weeks(unit_tree_attribution(unit), today),
    )


@router.get("/people/{person_id}", response=PersonDetailOut)
def person_get(request: HttpRequest, person_id: int) -> PersonDetailOut:
    """One person: unit, leaders and their own 12 weeks of activity counts."""
    scope = request_scope(request)
    scope.require_person(person_id)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"No person {person_id}.")
    today = timezone.localdate()
    unit = person_unit_on(person, today)
    return PersonDetailOut(
        **_person(person).dict(),
        unit=_unit(unit) if unit else None,
        leaders=[LeaderOut(person=_person(lo.leader), unit=lo.unit.name, kind=lo.kind)
                 for lo in leaders_of_person_on(person, today)],
        activity=_weeks(person_attribution_seen(
            person, scope.unit_ids, whole_history=scope.sees_whole_history(person.pk)), today),
    )
