"""JSON twins of the initiative pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_for_viewer, initiatives_visible
from m3.org.scope import request_scope

router = Router(tags=["initiatives"])


class InitiativeSummaryOut(Schema):
    id: int
    title: str
    owner: str
    start: dt.date
    end: dt.date
    output_metric: str
    units: list[str]


class AskOut(Schema):
    behaviour: str
    lever_metric: str
    target_per_rep_per_week: float


class ForecastOut(Schema):
    week: dt.date
    value: float


class CadenceOut(Schema):
    kind: str
    due: dt.date | None
    every_days: int | None
    leader_kinds: list[str]


class InitiativeOut(InitiativeSummaryOut):
    why: str
    how: str
    what: str
    key_points: list[str]
    asks: list[AskOut]
    forecast: list[ForecastOut]
    cadence: list[CadenceOut]


def _summary(i: Initiative) -> InitiativeSummaryOut:
    return InitiativeSummaryOut(
        id=i.pk, title=i.title, owner=i.owner.name, start=i.start, end=i.end,
        output_metric=i.output_metric, units=[u.name for u in i.units.all()],
    )


@router.get("", response=list[InitiativeSummaryOut])
def initiatives_list(request: HttpRequest) -> list[InitiativeSummaryOut]:
    """The initiatives in the viewer's scope."""
    scope = request_scope(request)
    return [_summary(i) for i in initiatives_visible(scope, timezone.localdate())]


@router.get("/{initiative_id}", response=InitiativeOut)
def initiative_get(request: HttpRequest, initiative_id: int) -> InitiativeOut:
    """One initiative with its message, asks, forecast and cadence plan."""
    i = initiative_for_viewer(initiative_id, request_scope(request), timezone.localdate())
    return InitiativeOut(
        **_summary(i).dict(),
        why=i.why, how=i.how, what=i.what,
        key_points=[kp.text for kp in i.key_points.all()],
        asks=[AskOut(behaviour=a.behaviour, lever_metric=a.lever_metric,
                     target_per_rep_per_week=a.target_per_rep_per_week) for a in i.asks.all()],
        forecast=[ForecastOut(week=f.week, value=f.value) for f in i.forecast.all()],
        cadence=[CadenceOut(kind=c.kind, due=c.due, every_days=c.every_days,
                            leader_kinds=c.leader_kind_list()) for c in i.cadence.all()],
    )
