"""JSON twin of the home page: who the viewer is and what their scope holds."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from m3.facts.store import facts_store_from_settings
from m3.measure.asks import AskBoard, AskCell, ask_boards
from m3.org.scope import request_person, request_scope
from m3.reports.selectors import overview_for

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


class AskCellOut(Schema):
    metric: str
    value: float | None
    target: float | None
    attainment: float | None


class AskRowOut(Schema):
    label: str
    person_id: int | None
    unit_id: int | None
    last_week: list[AskCellOut]
    four_weeks: list[AskCellOut]


class AskBoardOut(Schema):
    initiative_id: int
    title: str
    last_week: dt.date
    rows: list[AskRowOut]


class OverviewOut(Schema):
    units: list[str]
    people: int
    since: dt.date
    until: dt.date
    activity: list[OverviewWeek]
    asks: list[AskBoardOut]


def _cells(board: AskBoard, cells: tuple[AskCell, ...]) -> list[AskCellOut]:
    return [AskCellOut(metric=metric, value=c.value, target=c.target, attainment=c.attainment)
            for (_, metric, _), c in zip(board.asks, cells, strict=True)]


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
    """The home page's numbers: units, people, 12 weeks of activity, levers vs the asks."""
    scope, facts, today = request_scope(request), facts_store_from_settings(), timezone.localdate()
    data = overview_for(scope, facts, today)
    return OverviewOut(
        units=[u.name for u in data.units],
        people=len(data.people),
        since=data.since,
        until=data.until,
        activity=[OverviewWeek(week=r["week"], type=r["type"], activities=int(r["activities"]))
                  for r in data.activity.to_dict("records")],
        asks=[AskBoardOut(
            initiative_id=b.initiative_id, title=b.title, last_week=b.last_week,
            rows=[AskRowOut(label=r.label, person_id=r.person_id, unit_id=r.unit_id,
                            last_week=_cells(b, r.last_week), four_weeks=_cells(b, r.four_weeks))
                  for r in b.rows],
        ) for b in ask_boards(scope, facts, today)],
    )
