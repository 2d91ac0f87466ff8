"""Reads for the message: an initiative's teams, their carriers and touches, what is due."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from m3.errors import AccessDenied, NotFound
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_unit_ids, initiatives_visible
from m3.message.alignment import (
    ScoredTouch,
    Supporter,
    UnitAlignment,
    energy_spread,
    leader_alignment,
    pulse_level,
    unit_alignment,
)
from m3.message.cadence import (
    Carrier,
    DueItem,
    PlanStep,
    Touch,
    due_items,
    reach,
    touches_vs_plan,
)
from m3.message.clarity import message_clarity
from m3.message.comprehension import RepRestatement, UnitComprehension, unit_comprehension
from m3.message.encoders import Method
from m3.message.health import (
    Finding,
    HealthParts,
    comprehension_part,
    consistency_part,
    frequency_part,
    health_score,
    unit_findings,
)
from m3.message.models import Restatement, Touchpoint, TouchpointScore
from m3.message.text import Ask as TextAsk
from m3.message.text import CanonicalMessage
from m3.org.models import Leadership, Membership, Person, Unit
from m3.org.scope import Scope
from m3.org.selectors import (
    active_on,
    members_of_units_on,
    person_unit_on,
    unit_ancestor_ids,
    unit_ids_with_descendants,
    units_led_by,
)
from m3.pulse.models import PulseResponse
from m3.vocabulary import CadenceKind, PulseQuestion, Role
from m3.weeks import week_bounds


def initiative_plan(initiative: Initiative) -> list[PlanStep]:
    """The initiative's cadence plan as pure plan steps."""
    return [
        PlanStep(CadenceKind(s.kind), frozenset(s.leader_kind_list()), s.due,
                 s.every_days)
        for s in initiative.cadence.all()
    ]


def initiative_team_members(initiative: Initiative, day: dt.date) -> dict[int, list[int]]:
    """Team (unit in scope with members on `day`) id to its member ids."""
    scope = initiative_unit_ids(initiative)
    teams: dict[int, list[int]] = {}
    rows = Membership.objects.filter(active_on(day), unit_id__in=scope).values_list(
        "unit_id", "person_id"
    )
    for unit_id, person_id in rows:
        teams.setdefault(unit_id, []).append(person_id)
    return teams


def team_carriers(team_ids: list[int], day: dt.date) -> dict[int, list[Carrier]]:
    """For each team, the leaders of it or of a unit above it on `day`, with their kinds."""
    chains = {team: [team, *unit_ancestor_ids(team)] for team in team_ids}
    all_units = {u for chain in chains.values() for u in chain}
    leads = Leadership.objects.filter(active_on(day), unit_id__in=all_units).values_list(
        "unit_id", "person_id", "kind"
    )
    by_unit: dict[int, list[Carrier]] = {}
    for unit_id, person_id, kind in leads:
        by_unit.setdefault(unit_id, []).append(Carrier(person_id, kind))
    return {team: [c for u in chain for c in by_unit.get(u, [])]
            for team, chain in chains.items()}


def initiative_touches(initiative: Initiative) -> list[Touch]:
    """Every touchpoint of the initiative as the cadence sees it."""
    touches = []
    rows = Touchpoint.objects.filter(initiative=initiative).values_list(
        "leader_id", "date", "unit_id", "person_id"
    )
    reach_cache: dict[int, frozenset[int]] = {}
    for leader_id, date, unit_id, person_id in rows:
        units: frozenset[int] = frozenset()
        if unit_id is not None:
            if unit_id not in reach_cache:
                reach_cache[unit_id] = unit_ids_with_descendants([unit_id])
            units = reach_cache[unit_id]
        touches.append(Touch(leader_id, date, units, person_id))
    return touches


def initiative_due_items(initiative: Initiative, today: dt.date) -> list[DueItem]:
    """The state of every cadence step for every team of the initiative on `today`."""
    teams = initiative_team_members(initiative, today)
    return due_items(
        initiative_plan(initiative),
        team_carriers(sorted(teams), today),
        initiative_touches(initiative),
        initiative.start,
        today,
    )


def leader_due_list(leader: Person, initiative: Initiative, today: dt.date) -> list[DueItem]:
    """The steps this leader carries that are overdue, most overdue first."""
    items = [
        item for item in initiative_due_items(initiative, today)
        if leader.pk in item.carriers and item.overdue
    ]
    return sorted(items, key=lambda item: -item.days_overdue)


def initiative_message(initiative: Initiative) -> CanonicalMessage:
    """The initiative's canonical message (why, how, what, key points, asks) as pure data."""
    return CanonicalMessage(
        why=initiative.why,
        how=initiative.how,
        what=initiative.what,
        key_points=tuple(kp.text for kp in initiative.key_points.order_by("position")),
        asks=tuple(
            TextAsk(a.behaviour, a.lever_metric or None, str(a.target_per_rep_per_week))
            for a in initiative.asks.all()
        ),
    )


def message_digest(message: CanonicalMessage) -> str:
    """A short fingerprint of the message's text and key points: scores older than it are stale."""
    body = "\x1f".join([message.full_text(), *message.key_points])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def initiative_scoring_method(initiative: Initiative) -> Method | None:
    """The method the initiative's stored scores use (the most common), or None if unscored.

    An initiative is scored with one method so its numbers compare; `m3 message rescore
    --method` changes it for every row at once.
    """
    row = (
        TouchpointScore.objects.filter(touchpoint__initiative=initiative)
        .values("method").annotate(n=Count("id")).order_by("-n").first()
    )
    if row is None:
        row = (Restatement.objects.filter(initiative=initiative).exclude(method="")
               .values("method").annotate(n=Count("id")).order_by("-n").first())
    return Method(row["method"]) if row else None


# --- message health --------------------------------------------------------------------------

# Windows, in days ending on the week's last day: content consistency and comprehension look at
# a quarter (a leader who reinforces monthly still has three touchpoints in it); frequency and
# pulses at the last four weeks.
CONSISTENCY_WINDOW_DAYS = 91
COMPREHENSION_WINDOW_DAYS = 91
FREQUENCY_WINDOW_DAYS = 28
PULSE_WINDOW_DAYS = 28


@dataclass(frozen=True)
class KeyPointCell:
    """One cell of the leader x key-point matrix."""

    share: float | None  # share of the leader's touchpoints carrying the point
    contradiction: str | None  # the leader's latest clause contradicting it


@dataclass(frozen=True)
class LeaderRow:
    """One leader in the leader x key-point matrix."""

    leader_id: int
    name: str
    kinds: tuple[str, ...]
    teams: tuple[str, ...]  # the viewer's teams their touchpoints reached
    touches: int
    content: float | None
    last_touch: dt.date | None
    cells: tuple[KeyPointCell, ...]

    @property
    def contradicts(self) -> bool:
        """True when the leader contradicts any key point."""
        return any(cell.contradiction for cell in self.cells)


@dataclass(frozen=True)
class UnitHealthRow:
    """One unit's message health in the week, with what it rests on."""

    unit_id: int
    name: str
    members: tuple[int, ...]
    parts: HealthParts
    health: float | None
    findings: tuple[Finding, ...]
    alignment: UnitAlignment
    comprehension: UnitComprehension
    energy: float | None  # team-rated leaders' energy and ownership, 0..1
    voices: float | None  # team-rated "my leaders all say the same thing", 0..1
    last_touch: dt.date | None
    days_since_touch: int | None
    days_since_reinforcement: int | None
    touches_vs_plan: float | None
    reach: float | None


@dataclass(frozen=True)
class MessageHealth:
    """Message health of an initiative's units in one week, scoped to a viewer."""

    initiative_id: int
    title: str
    week: dt.date  # the Monday
    as_of: dt.date  # the last day counted (the Sunday, or today in the current week)
    key_points: tuple[str, ...]
    clarity: int
    clarity_findings: tuple[str, ...]
    units: tuple[UnitHealthRow, ...]  # worst health first
    leaders: tuple[LeaderRow, ...]  # contradicting leaders first, then the least consistent
    names: dict[int, str]
    energy_spread: float | None
    method: str | None


@dataclass(frozen=True)
class _HealthData:
    """What the health of every team rests on, read once."""

    teams: dict[int, list[int]]
    steps: list[PlanStep]
    carriers: dict[int, list[Carrier]]
    touches: list[Touch]
    scored: list[tuple[Touch, ScoredTouch]]
    restatements: list[RepRestatement]
    pulses: dict[tuple[int, str], list[int]]  # (person, question) -> scores in the window


def _health_data(initiative: Initiative, scope: Scope, as_of: dt.date) -> _HealthData:
    teams = {
        team: members for team, members in initiative_team_members(initiative, as_of).items()
        if scope.can_see_unit(team)
    }
    n_points = initiative.key_points.count()
    touches: list[Touch] = []
    scored: list[tuple[Touch, ScoredTouch]] = []
    reach_cache: dict[int, frozenset[int]] = {}
    rows = (Touchpoint.objects.filter(initiative=initiative, date__lte=as_of)
            .select_related("score").order_by("date", "pk"))
    for tp in rows:
        units: frozenset[int] = frozenset()
        if tp.unit_id is not None:
            if tp.unit_id not in reach_cache:
                reach_cache[tp.unit_id] = unit_ids_with_descendants([tp.unit_id])
            units = reach_cache[tp.unit_id]
        touch = Touch(tp.leader_id, tp.date, units, tp.person_id)
        touches.append(touch)
        score = getattr(tp, "score", None)
        if score is not None:
            points = list(score.key_points)[:n_points]
            scored.append((touch, ScoredTouch(
                touchpoint_id=tp.pk, leader_id=tp.leader_id, date=tp.date,
                consistency=score.consistency,
                covered=tuple(bool(p["covered"]) for p in points),
                contradictions=tuple(p.get("contradiction") if p.get("contradicted") else None
                                     for p in points),
            )))
    members = sorted({m for ms in teams.values() for m in ms})
    restatements = [
        RepRestatement(r.pk, r.person_id, r.date, r.consistency,
                       tuple(bool(p["covered"]) for p in r.key_points))
        for r in Restatement.objects.filter(
            initiative=initiative, person_id__in=members, date__lte=as_of,
            date__gte=as_of - dt.timedelta(days=COMPREHENSION_WINDOW_DAYS - 1))
        if r.method
    ]
    pulses: dict[tuple[int, str], list[int]] = {}
    for person, question, score in PulseResponse.objects.filter(
            initiative=initiative, person_id__in=members, week__lte=as_of,
            week__gt=as_of - dt.timedelta(days=PULSE_WINDOW_DAYS)).values_list(
                "person_id", "question", "score"):
        pulses.setdefault((person, question), []).append(score)
    return _HealthData(teams, initiative_plan(initiative), team_carriers(sorted(teams), as_of),
                       touches, scored, restatements, pulses)


def _reaches(touch: Touch, team: int, members: set[int]) -> bool:
    return team in touch.unit_ids or (touch.person_id is not None and touch.person_id in members)


def _every_days_by_kind(steps: list[PlanStep]) -> dict[str, int]:
    every: dict[str, int] = {}
    for step in steps:
        if step.kind is not CadenceKind.DELIVER and step.every_days:
            for kind in step.leader_kinds:
                every[kind] = min(every.get(kind, step.every_days), step.every_days)
    return every


def _supporters(carriers: list[Carrier], every_by_kind: dict[str, int]) -> list[Supporter]:
    """The team's leaders, nearest first; the nearest of each kind gets the plan's interval."""
    planned: set[str] = set()
    supporters = []
    for carrier in carriers:  # team_carriers lists the team's own leaders first, then upwards
        every = every_by_kind.get(carrier.kind) if carrier.kind not in planned else None
        if every:
            planned.add(carrier.kind)
        supporters.append(Supporter(carrier.leader_id, carrier.kind, every))
    return supporters


def _pulse_scores(data: _HealthData, members: list[int], question: PulseQuestion) -> list[int]:
    return [s for m in members for s in data.pulses.get((m, question.value), [])]


def initiative_message_health(
    initiative: Initiative, scope: Scope, week: dt.date | None = None,
    today: dt.date | None = None,
) -> MessageHealth:
    """Message health of every team of `initiative` the viewer may see, in one week."""
    monday, as_of = week_bounds(week, today or timezone.localdate())
    message = initiative_message(initiative)
    clarity = message_clarity(message)
    data = _health_data(initiative, scope, as_of)
    n_points = len(message.key_points)
    every_by_kind = _every_days_by_kind(data.steps)
    items = due_items(data.steps, data.carriers, data.touches, initiative.start, as_of)
    steps_by_team: dict[int, list[tuple[PlanStep, DueItem]]] = {}
    for team in data.teams:
        mine = [item for item in items if item.team_id == team]
        steps_by_team[team] = list(zip(data.steps, mine, strict=True))
    consistency_from = as_of - dt.timedelta(days=CONSISTENCY_WINDOW_DAYS - 1)
    frequency_from = as_of - dt.timedelta(days=FREQUENCY_WINDOW_DAYS - 1)
    leader_ids = {c.leader_id for cs in data.carriers.values() for c in cs}
    names = dict(Person.objects.filter(
        pk__in=leader_ids | {m for ms in data.teams.values() for m in ms}
    ).values_list("pk", "name"))
    unit_names = dict(Unit.objects.filter(pk__in=data.teams).values_list("pk", "name"))
    rows = []
    team_energy: dict[int, float] = {}
    visible_touches: dict[int, ScoredTouch] = {}
    kinds_of: dict[int, set[str]] = {}
    teams_of: dict[int, set[str]] = {}
    for team, members in data.teams.items():
        member_set = set(members)
        reaching = [st for touch, st in data.scored
                    if st.date >= consistency_from and _reaches(touch, team, member_set)]
        supporters = _supporters(data.carriers.get(team, []), every_by_kind)
        for s in supporters:
            kinds_of.setdefault(s.leader_id, set()).add(s.kind)
        supporter_ids = {s.leader_id for s in supporters}
        for st in reaching:
            if st.leader_id in supporter_ids:
                visible_touches[st.touchpoint_id] = st
                teams_of.setdefault(st.leader_id, set()).add(unit_names.get(team, str(team)))
        alignment = unit_alignment(team, supporters, reaching, n_points,
                                   CONSISTENCY_WINDOW_DAYS)
        comprehension = unit_comprehension(
            members, data.restatements, _pulse_scores(data, members, PulseQuestion.CLARITY),
            n_points, as_of - dt.timedelta(days=COMPREHENSION_WINDOW_DAYS - 1), as_of,
        )
        energy = pulse_level(_pulse_scores(data, members, PulseQuestion.ENERGY))
        if energy is not None:
            team_energy[team] = energy
        voices = pulse_level(_pulse_scores(data, members, PulseQuestion.CONSISTENCY))
        steps = steps_by_team[team]
        parts = HealthParts(
            clarity=float(clarity.score),
            comprehension=comprehension_part(comprehension),
            frequency=frequency_part(steps),
            consistency=consistency_part(alignment, voices),
        )
        team_touches = [t for t in data.touches if _reaches(t, team, member_set)]
        last_touch = max((t.date for t in team_touches), default=None)
        reinforce = next((item for step, item in steps if step.kind is CadenceKind.REINFORCE), None)
        clock = min((t.date for t in team_touches), default=initiative.start)
        last_reinforced = (reinforce.last_touch or clock) if reinforce else None
        recurring = [(step, item) for step, item in steps if step.every_days]
        plan = [touches_vs_plan(data.touches, team, item.carriers, step.every_days or 1,
                                frequency_from, as_of) for step, item in recurring]
        rows.append(UnitHealthRow(
            unit_id=team, name=unit_names.get(team, str(team)), members=tuple(members),
            parts=parts, health=health_score(parts),
            findings=unit_findings(steps, alignment, comprehension, names, as_of, clock),
            alignment=alignment, comprehension=comprehension, energy=energy, voices=voices,
            last_touch=last_touch,
            days_since_touch=(as_of - last_touch).days if last_touch else None,
            days_since_reinforcement=(as_of - last_reinforced).days if last_reinforced else None,
            touches_vs_plan=sum(plan) / len(plan) if plan else None,
            reach=reach(data.touches, team, members, frequency_from, as_of),
        ))
    rows.sort(key=lambda r: (r.health if r.health is not None else 101, r.name))
    leaders = []
    for leader_id, kinds in kinds_of.items():
        lead = leader_alignment(Supporter(leader_id, ""), list(visible_touches.values()),
                                n_points, CONSISTENCY_WINDOW_DAYS)
        if not lead.touches:
            continue
        leaders.append(LeaderRow(
            leader_id=leader_id, name=names.get(leader_id, str(leader_id)),
            kinds=tuple(sorted(kinds)), teams=tuple(sorted(teams_of.get(leader_id, ()))),
            touches=lead.touches, content=lead.content,
            last_touch=lead.last_touch,
            cells=tuple(KeyPointCell(share, quote) for share, quote in
                        zip(lead.covered_share, lead.contradictions, strict=True)),
        ))
    leaders.sort(key=lambda r: (not r.contradicts, r.content or 0.0, r.name))
    return MessageHealth(
        initiative_id=initiative.pk, title=initiative.title, week=monday, as_of=as_of,
        key_points=message.key_points, clarity=clarity.score,
        clarity_findings=tuple(f.text for f in clarity.findings),
        units=tuple(rows), leaders=tuple(leaders), names=names,
        energy_spread=energy_spread(team_energy),
        method=str(initiative_scoring_method(initiative) or "") or None,
    )


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
    key_points: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class RestatementEvidence:
    """A rep's latest restatement in the window, with its scores per key point."""

    restatement_id: int
    person: str
    date: dt.date
    text: str
    consistency: float
    reliable: bool
    key_points: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class UnitEvidence:
    """What a unit's message health rests on: its row, touchpoints and restatements."""

    health: MessageHealth
    row: UnitHealthRow
    touchpoints: tuple[TouchpointEvidence, ...]
    restatements: tuple[RestatementEvidence, ...]
    not_answered: tuple[str, ...]


MAX_EVIDENCE_TOUCHPOINTS = 200


def audience_member_on_date(unit_ids: Iterable[int]) -> Exists:
    """True for a touchpoint whose person belonged to one of `unit_ids` on the touchpoint's date.

    A one-to-one before a rep moved belongs to the rep's old unit, not to their new leader.
    """
    return Exists(Membership.objects.filter(
        person_id=OuterRef("person_id"), unit_id__in=list(unit_ids), start__lte=OuterRef("date"),
    ).filter(Q(end__isnull=True) | Q(end__gt=OuterRef("date"))))


def touchpoints_visible(
    initiative: Initiative, scope: Scope, today: dt.date
) -> QuerySet[Touchpoint]:
    """The initiative's touchpoints a viewer may read.

    Admins: all. Leaders: those to a unit they lead, to a person while that person was in a unit
    they lead, and their own. Reps: those to them, to their unit or a unit above it, and (for a
    rep who leads nothing) nothing else.
    """
    rows = Touchpoint.objects.filter(initiative=initiative)
    if scope.everything:
        return rows
    seen: Q = Q(unit_id__in=scope.unit_ids) | (
        Q(person_id__isnull=False) & Q(audience_member_on_date(scope.unit_ids)))
    if scope.person_id is not None:
        seen |= Q(leader_id=scope.person_id) | Q(person_id=scope.person_id)
        if scope.role == "rep":
            person = Person.objects.get(pk=scope.person_id)
            unit = person_unit_on(person, today)
            if unit is not None:
                seen |= Q(unit_id__in=[unit.pk, *unit_ancestor_ids(unit.pk)])
    return rows.filter(seen)


def unit_message_evidence(
    initiative: Initiative, unit_id: int, scope: Scope, week: dt.date | None = None,
    today: dt.date | None = None,
) -> UnitEvidence:
    """The evidence behind one team's message health: touchpoints, restatements, who is missing."""
    scope.require_unit(unit_id)
    health = initiative_message_health(initiative, scope, week, today)
    row = next((r for r in health.units if r.unit_id == unit_id), None)
    if row is None:
        raise NotFound(f"Unit {unit_id} is not a team of {initiative.title} (a unit in its "
                       "scope with members): open one of the teams on the message page.")
    members = set(row.members)
    chain = {unit_id, *unit_ancestor_ids(unit_id)}
    kinds = {c.leader_id: c.kind for c in reversed(team_carriers([unit_id], health.as_of)
                                                   .get(unit_id, []))}
    touchpoints = (
        Touchpoint.objects.filter(initiative=initiative, date__lte=health.as_of)
        .filter(Q(unit_id__in=chain)
                | (Q(person_id__in=members) & Q(audience_member_on_date([unit_id]))))
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
            key_points=tuple(score.key_points) if score else (),
        ))
    latest_ids = [r.restatement_id for r in row.comprehension.latest]
    restatements = [
        RestatementEvidence(r.pk, r.person.name, r.date, r.text, r.consistency, r.reliable,
                            tuple(r.key_points))
        for r in Restatement.objects.filter(pk__in=latest_ids).select_related("person")
        .order_by("person__name")
    ]
    return UnitEvidence(
        health=health, row=row, touchpoints=tuple(evidence), restatements=tuple(restatements),
        not_answered=tuple(sorted(health.names.get(p, str(p))
                                  for p in row.comprehension.not_answered)),
    )


@dataclass(frozen=True)
class DueRow:
    """One overdue cadence step a leader carries, for their due list."""

    initiative_id: int
    initiative: str
    unit_id: int
    unit: str
    step: str
    due: dt.date
    last_touch: dt.date | None
    days_overdue: int


def person_due_list(person: Person | None, initiatives: Iterable[Initiative],
                    today: dt.date) -> list[DueRow]:
    """The cadence steps `person` carries that are overdue on `today`, most overdue first."""
    if person is None:
        return []
    rows = []
    for initiative in initiatives:
        if not initiative.start <= today <= initiative.end:
            continue
        items = leader_due_list(person, initiative, today)
        names = dict(Unit.objects.filter(pk__in={i.team_id for i in items})
                     .values_list("pk", "name"))
        rows += [DueRow(initiative.pk, initiative.title, item.team_id, names[item.team_id],
                        str(item.step), item.due, item.last_touch, item.days_overdue)
                 for item in items]
    return sorted(rows, key=lambda r: (-r.days_overdue, r.unit, r.step))


def require_leader_view(scope: Scope) -> None:
    """Message health is for leaders, executives and admins; reps restate the message instead."""
    if scope.role is Role.REP and not scope.everything:
        raise AccessDenied("Message health is for leaders: as a rep, restate the message on the "
                           "initiative's page instead.")


def leader_initiatives(person: Person, scope: Scope, today: dt.date) -> tuple[
        list[Initiative], list[Unit], list[Person]]:
    """The initiatives, units and people a leader may log touchpoints for today."""
    led = units_led_by(person, today)
    if not led:
        raise AccessDenied("Only leaders log touchpoints: you lead no unit today.")
    units = list(Unit.objects.filter(pk__in=led).order_by("name"))
    people = list(members_of_units_on(led, today))
    return list(initiatives_visible(scope, today)), units, people
