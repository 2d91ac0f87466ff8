"""JSON twin of the home page: who the viewer is and what their scope holds."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from m3.facts.store import facts_store_from_settings
from m3.reports.selectors import overview_for
from m3.web import request_person, request_scope

router = Router(tags=["overview"])


class MeOut(Schema):
    username: str
    person_id: int | None
    name: str | None
    role: str
    unit_ids: list[int]
    person_ids: list[int]
    everything: bool


class OverviewWeek(Schema):
    week: dt.date
    type: str
    activities: int


class OverviewOut(Schema):
    units: list[str]
    people: int
    since: dt.date
    until: dt.date
    activity: list[OverviewWeek]


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    """The logged-in user, their role and their scope."""
    scope = request_scope(request)
    person = request_person(request)
    return MeOut(
        username=request.user.get_username(),
        person_id=person.pk if person else None,
        name=person.name if person else None,
        role=str(scope.role),
        unit_ids=sorted(scope.unit_ids),
        person_ids=sorted(scope.person_ids),
        everything=scope.everything,
    )


@router.get("/overview", response=OverviewOut)
def overview(request: HttpRequest) -> OverviewOut:
    """The home page's numbers: units, people and 12 weeks of activity in scope."""
    data = overview_for(request_scope(request), facts_store_from_settings(), timezone.localdate())
    return OverviewOut(
        units=[u.name for u in data.units],
        people=len(data.people),
        since=data.since,
        until=data.until,
        activity=[OverviewWeek(week=r["week"], type=r["type"], activities=int(r["activities"]))
                  for r in data.activity.to_dict("records")],
    )
