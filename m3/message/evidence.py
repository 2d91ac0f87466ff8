"""What one team's message health rests on: its row, the touchpoints and restatements behind it.

The evidence page recomputes its one team from that team's inputs only (`health_inputs` with
`unit_ids`), then reads the texts (touchpoint content, restatements) that the health numbers
never need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from m3.errors import NotFound
from m3.initiatives.models import Initiative
from m3.message.health import UnitHealthRow, unit_health
from m3.message.models import Restatement, Touchpoint
from m3.message.scores import KeyPointScore
from m3.message.selectors import health_inputs
from m3.org.scope import Scope
from m3.org.selectors import audience_member_on_date
from m3.weeks import week_bounds

# The newest touchpoints shown; a team reached daily for a year still gets a readable page.
MAX_EVIDENCE_TOUCHPOINTS = 200


@dataclass(frozen=True)
class TouchpointEvidence:
    """A touchpoint that reached a unit, with its stored score."""

    touchpoint_id: int
    date: dt.date
    leader: str
    kind: str
    audience: str
    channel: str
    content: str
    consistency: float | None
    reliable: bool
    key_points: tuple[KeyPointScore, ...]


@dataclass(frozen=True)
class RestatementEvidence:
    """A rep's latest restatement in the window, with its scores per key point."""

    restatement_id: int
    person: str
    date: dt.date
    text: str
    consistency: float
    reliable: bool
    key_points: tuple[KeyPointScore, ...]


@dataclass(frozen=True)
class UnitEvidence:
    """What a unit's message health in one week rests on: its row, touchpoints, restatements."""

    initiative_id: int
    week: dt.date  # the Monday
    as_of: dt.date  # the last day counted
    key_points: tuple[str, ...]
    names: dict[int, str]  # the unit's members and leaders
    row: UnitHealthRow
    touchpoints: tuple[TouchpointEvidence, ...]
    restatements: tuple[RestatementEvidence, ...]
    not_answered: tuple[str, ...]


def unit_message_evidence(
    initiative: Initiative, unit_id: int, scope: Scope, week: dt.date | None = None,
    today: dt.date | None = None,
) -> UnitEvidence:
    """The evidence behind one team's message health: touchpoints, restatements, who is missing."""
    scope.require_unit(unit_id)
    monday, as_of = week_bounds(week, today or timezone.localdate())
    inputs = health_inputs(initiative, as_of, unit_ids={unit_id})
    row = unit_health(inputs, unit_id, as_of)
    if row is None:
        raise NotFound(f"Unit {unit_id} is not a team of {initiative.title} (a unit in its "
                       "scope with members): open one of the teams on the message page.")
    carriers = inputs.carriers_on(unit_id, as_of)
    # A leader of the team and of a unit above it shows the nearest kind.
    kinds = {c.leader_id: c.kind for c in reversed(carriers)}
    touchpoints = (
        Touchpoint.objects.filter(initiative=initiative, date__lte=as_of)
        .filter(Q(unit_id__in=inputs.chain(unit_id))
                | (Q(person_id__in=row.members) & Q(audience_member_on_date([unit_id]))))
        .select_related("leader", "unit", "person", "score")
        .order_by("-date", "-pk")[:MAX_EVIDENCE_TOUCHPOINTS]
    )
    evidence = []
    for tp in touchpoints:
        score = getattr(tp, "score", None)
        evidence.append(TouchpointEvidence(
            touchpoint_id=tp.pk, date=tp.date, leader=tp.leader.name,
            kind=kinds.get(tp.leader_id, ""),
            audience=tp.unit.name if tp.unit else (tp.person.name if tp.person else ""),
            channel=tp.get_channel_display(), content=tp.content,
            consistency=score.consistency if score else None,
            reliable=score.reliable if score else False,
            key_points=score.points() if score else (),
        ))
    latest_ids = [r.restatement_id for r in row.comprehension.latest]
    restatements = [
        RestatementEvidence(r.pk, r.person.name, r.date, r.text, r.consistency, r.reliable,
                            r.points())
        for r in Restatement.objects.filter(pk__in=latest_ids).select_related("person")
        .order_by("person__name")
    ]
    people = {*row.members, *(c.leader_id for c in carriers)}
    names = {p: inputs.names[p] for p in people if p in inputs.names}
    return UnitEvidence(
        initiative_id=initiative.pk, week=monday, as_of=as_of, key_points=inputs.key_points,
        names=names, row=row, touchpoints=tuple(evidence), restatements=tuple(restatements),
        not_answered=tuple(sorted(names.get(p, str(p)) for p in row.comprehension.not_answered)),
    )
