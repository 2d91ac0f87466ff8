"""JSON twins of the message pages, and touchpoint logging for scripts and integrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema

from m3.initiatives.selectors import initiative_for_viewer, initiatives_visible
from m3.message.due import DueRow, person_due_list
from m3.message.evidence import unit_message_evidence
from m3.message.health import UnitHealthRow
from m3.message.models import Touchpoint
from m3.message.scores import key_points_to_json
from m3.message.selectors import MessageHealth, initiative_message_health, touchpoints_visible
from m3.message.services import TouchpointInput, touchpoint_log
from m3.org.scope import request_person, request_scope

router = Router(tags=["message"])


class KeyPointScoreOut(Schema):
    point: str
    covered: bool
    similarity: float
    contradicted: bool
    evidence: str | None = None
    contradiction: str | None = None


class ScoreOut(Schema):
    consistency: float
    method: str
    reliable: bool
    key_points: list[KeyPointScoreOut]


class TouchpointOut(Schema):
    id: int
    initiative_id: int
    leader_id: int
    leader: str
    unit_id: int | None
    person_id: int | None
    channel: str
    date: dt.date
    content: str
    score: ScoreOut | None


class TouchpointLoggedOut(TouchpointOut):
    outcome: str


class TouchpointIn(Schema):
    initiative_id: int
    unit_id: int | None = None
    person_id: int | None = None
    channel: str
    date: dt.date
    content: str = ""


class PartsOut(Schema):
    clarity: float | None
    comprehension: float | None
    frequency: float | None
    consistency: float | None


class FindingOut(Schema):
    kind: str
    text: str
    key_point: int | None


class LeaderPointsOut(Schema):
    leader_id: int
    name: str
    kind: str = ""
    touches: int
    content: float | None
    touches_vs_plan: float | None = None
    covered_share: list[float | None]
    contradictions: list[str | None]


class UnitHealthOut(Schema):
    unit_id: int
    name: str
    members: int
    health: float | None
    parts: PartsOut
    findings: list[FindingOut]
    content_consistency: float | None
    delivery_consistency: float | None
    energy: float | None
    voices: float | None
    last_touch: dt.date | None
    days_since_touch: int | None
    days_since_reinforcement: int | None
    touches_vs_plan: float | None
    reach: float | None
    answered: int
    not_answered: int
    point_share: list[float | None]
    clarity_pulse: float | None
    leaders: list[LeaderPointsOut]


class MessageHealthOut(Schema):
    initiative_id: int
    title: str
    week: dt.date
    as_of: dt.date
    key_points: list[str]
    clarity: int
    method: str | None
    energy_spread: float | None
    units: list[UnitHealthOut]
    leaders: list[LeaderPointsOut]


class RestatementOut(Schema):
    id: int = Field(..., alias="restatement_id")
    person: str
    date: dt.date
    text: str
    consistency: float
    reliable: bool
    key_points: list[dict[str, Any]]


class TouchpointEvidenceOut(Schema):
    id: int = Field(..., alias="touchpoint_id")
    date: dt.date
    leader: str
    kind: str
    audience: str
    channel: str
    content: str
    consistency: float | None
    reliable: bool
    key_points: list[dict[str, Any]]


class UnitEvidenceOut(Schema):
    initiative_id: int
    week: dt.date
    as_of: dt.date
    key_points: list[str]
    unit: UnitHealthOut
    touchpoints: list[TouchpointEvidenceOut]
    restatements: list[RestatementOut]
    not_answered: list[str]


def _touchpoint(tp: Touchpoint) -> dict[str, Any]:
    score = getattr(tp, "score", None)
    return {
        "id": tp.pk, "initiative_id": tp.initiative_id, "leader_id": tp.leader_id,
        "leader": tp.leader.name, "unit_id": tp.unit_id, "person_id": tp.person_id,
        "channel": tp.channel, "date": tp.date, "content": tp.content,
        "score": None if score is None else {
            "consistency": score.consistency, "method": score.method,
            "reliable": score.reliable, "key_points": key_points_to_json(score.points()),
        },
    }


def _unit(row: UnitHealthRow, names: dict[int, str]) -> dict[str, Any]:
    return {
        "unit_id": row.unit_id, "name": row.name, "members": len(row.members),
        "health": row.health, "parts": row.parts.as_dict(),
        "findings": [{"kind": str(f.kind), "text": f.text, "key_point": f.key_point}
                     for f in row.findings],
        "content_consistency": row.alignment.content,
        "delivery_consistency": row.alignment.delivery,
        "energy": row.energy, "voices": row.voices, "last_touch": row.last_touch,
        "days_since_touch": row.days_since_touch,
        "days_since_reinforcement": row.days_since_reinforcement,
        "touches_vs_plan": row.touches_vs_plan, "reach": row.reach,
        "answered": row.comprehension.answered,
        "not_answered": len(row.comprehension.not_answered),
        "point_share": list(row.comprehension.point_share),
        "clarity_pulse": row.comprehension.clarity_pulse,
        "leaders": [
            {"leader_id": lead.leader_id, "name": names.get(lead.leader_id, ""),
             "kind": lead.kind, "touches": lead.touches, "content": lead.content,
             "touches_vs_plan": lead.touches_vs_plan,
             "covered_share": list(lead.covered_share),
             "contradictions": list(lead.contradictions)}
            for lead in row.alignment.leaders
        ],
    }


def _health(health: MessageHealth) -> dict[str, Any]:
    return {
        "initiative_id": health.initiative_id, "title": health.title, "week": health.week,
        "as_of": health.as_of, "key_points": list(health.key_points), "clarity": health.clarity,
        "method": health.method, "energy_spread": health.energy_spread,
        "units": [_unit(row, health.names) for row in health.units],
        "leaders": [
            {"leader_id": r.leader_id, "name": r.name, "kind": ", ".join(r.kinds),
             "touches": r.touches, "content": r.content,
             "covered_share": [c.share for c in r.cells],
             "contradictions": [c.contradiction for c in r.cells]}
            for r in health.leaders
        ],
    }


@router.get("/initiatives/{initiative_id}/message", response=MessageHealthOut)
def message_health_get(request: HttpRequest, initiative_id: int,
                       week: dt.date | None = None) -> dict[str, Any]:
    """Message health of the initiative's teams in the viewer's scope, in a week (default now)."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(initiative_id, scope, today)
    scope.require_message_health()
    return _health(initiative_message_health(initiative, scope, week, today))


@router.get("/initiatives/{initiative_id}/message/units/{unit_id}", response=UnitEvidenceOut)
def message_unit_get(request: HttpRequest, initiative_id: int, unit_id: int,
                     week: dt.date | None = None) -> dict[str, Any]:
    """The evidence behind one team's message health: touchpoints, restatements, who is missing."""
    scope = request_scope(request)
    today = timezone.localdate()
    initiative = initiative_for_viewer(initiative_id, scope, today)
    scope.require_message_health()
    ev = unit_message_evidence(initiative, unit_id, scope, week, today)
    return {
        "initiative_id": initiative.pk, "week": ev.week, "as_of": ev.as_of,
        "key_points": list(ev.key_points), "unit": _unit(ev.row, ev.names),
        "touchpoints": [{**vars(t), "key_points": key_points_to_json(t.key_points)}
                        for t in ev.touchpoints],
        "restatements": [{**vars(r), "key_points": key_points_to_json(r.key_points)}
                         for r in ev.restatements],
        "not_answered": list(ev.not_answered),
    }


@router.get("/touchpoints", response=list[TouchpointOut])
def touchpoints_list(request: HttpRequest, initiative: int) -> list[dict[str, Any]]:
    """Touchpoints of an initiative the viewer may see: to their units and people, or to them."""
    scope = request_scope(request)
    today = timezone.localdate()
    found = initiative_for_viewer(initiative, scope, today)
    rows = touchpoints_visible(found, scope, today).select_related("leader", "score")
    return [_touchpoint(tp) for tp in rows.order_by("-date", "-pk")]


@router.post("/touchpoints", response={201: TouchpointLoggedOut, 200: TouchpointLoggedOut})
def touchpoints_create(request: HttpRequest, body: TouchpointIn) -> HttpResponse:
    """Log a touchpoint by the viewer (scored on save): 201 when added, 200 when it existed."""
    scope = request_scope(request)
    leader_id = scope.touchpoint_author_id()
    initiative_for_viewer(body.initiative_id, scope, timezone.localdate())
    logged = touchpoint_log(TouchpointInput(
        initiative_id=body.initiative_id, leader_id=leader_id, channel=body.channel,
        date=body.date, content=body.content, unit_id=body.unit_id, person_id=body.person_id,
    ))
    touchpoint = (Touchpoint.objects.select_related("leader", "score")
                  .get(pk=logged.touchpoint.pk))
    # Built here rather than by the decorator: the status depends on the outcome, and this
    # works with every django-ninja the project allows (Status() needs a newer one).
    out = TouchpointLoggedOut.model_validate({**_touchpoint(touchpoint), "outcome": logged.outcome})
    return JsonResponse(out.model_dump(mode="json"),
                        status=201 if logged.outcome == "added" else 200)


@router.get("/message/due", response=list[DueRow])
def message_due_get(request: HttpRequest) -> list[Any]:
    """The viewer's overdue cadence steps (deliver, redeliver, reinforce), most overdue first."""
    scope = request_scope(request)
    today = timezone.localdate()
    return list(person_due_list(request_person(request), initiatives_visible(scope, today),
                                today))
