"""Reads for the message: the canonical message, what its health rests on, visible touchpoints.

`health_inputs` reads everything an initiative's message health rests on with one query per
table and returns it as plain data (`m3.message.inputs.HealthInputs`); the numbers are computed
from it by the pure modules (`m3.message.health`, `m3.message.matrix`), for one team or all, for
one day or a series of them, without reading again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiatives_visible
from m3.message.alignment import ScoredTouch, energy_spread
from m3.message.cadence import PlanStep, Touch
from m3.message.comprehension import RepRestatement
from m3.message.encoders import Method
from m3.message.health import COMPREHENSION_WINDOW_DAYS, UnitHealthRow, initiative_health
from m3.message.inputs import HealthInputs, Span, TouchRecord
from m3.message.matrix import LeaderRow, leader_matrix
from m3.message.models import Restatement, Touchpoint, TouchpointScore
from m3.message.scores import key_points_from_json
from m3.message.text import Ask as TextAsk
from m3.message.text import CanonicalMessage
from m3.org.models import Leadership, Membership, Person, Unit
from m3.org.scope import Scope
from m3.org.selectors import members_of_units_on, unit_tree_read
from m3.pulse.levels import PulseHistory
from m3.pulse.selectors import pulse_history
from m3.vocabulary import CadenceKind
from m3.weeks import week_bounds


def initiative_plan(initiative: Initiative) -> list[PlanStep]:
    """The initiative's cadence plan as pure plan steps (deliver, redeliver, reinforce)."""
    return [
        PlanStep(CadenceKind(s.kind), frozenset(s.leader_kind_list()), s.due, s.every_days)
        for s in initiative.cadence.order_by("kind", "pk")
    ]


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


def health_inputs(initiative: Initiative, until: dt.date, *, since: dt.date | None = None,
                  unit_ids: Collection[int] | None = None,
                  cadence_only: bool = False) -> HealthInputs:
    """What the initiative's message health rests on, for any day in [since, until].

    `cadence_only` reads what the cadence (the due list) needs and leaves the scores,
    restatements and pulses empty: the health parts computed from such inputs are not health.

    `since` defaults to `until` (one day). With `unit_ids`, only those teams are read (their
    members, the leaders of them and of the units above them, the touchpoints that reach them,
    their members' restatements and pulses); otherwise every team of the initiative. One query
    per table, whatever the number of teams and days.
    """
    since = since or until
    tree = unit_tree_read()
    scope_units = tree.with_descendants(initiative.units.values_list("pk", flat=True))
    teams = scope_units if unit_ids is None else scope_units & frozenset(unit_ids)
    chains = {team: tuple(tree.chain(team)) for team in teams}
    chain_units = {unit for chain in chains.values() for unit in chain}
    # Dated rows that cover any day of [since, until].
    overlapping = Q(start__lte=until) & (Q(end__isnull=True) | Q(end__gt=since))
    names: dict[int, str] = {}
    memberships = []
    for unit_id, person_id, start, end, name in Membership.objects.filter(
            overlapping, unit_id__in=teams).order_by("person_id", "start", "pk").values_list(
                "unit_id", "person_id", "start", "end", "person__name"):
        memberships.append(Span(unit_id, person_id, start, end))
        names[person_id] = name
    leaderships = []
    for unit_id, person_id, start, end, kind, name in Leadership.objects.filter(
            overlapping, unit_id__in=chain_units).order_by("unit_id", "start", "pk").values_list(
                "unit_id", "person_id", "start", "end", "kind", "person__name"):
        leaderships.append(Span(unit_id, person_id, start, end, kind))
        names[person_id] = name
    members = None if unit_ids is None else {s.person_id for s in memberships}
    message = initiative_message(initiative)
    return HealthInputs(
        initiative_id=initiative.pk, title=initiative.title, start=initiative.start,
        message=message,
        steps=tuple(initiative_plan(initiative)),
        scope_unit_ids=scope_units, chains=chains,
        unit_names={unit: tree.name(unit) for unit in teams},
        memberships=tuple(memberships), leaderships=tuple(leaderships),
        touches=_touch_records(initiative, until, len(message.key_points), tree.with_descendants,
                               None if members is None else (chain_units, members),
                               scores=not cadence_only),
        restatements=() if cadence_only else _restatements(initiative, since, until, members),
        pulses=PulseHistory(()) if cadence_only else pulse_history(initiative.pk, since, until,
                                                                   members),
        names=names,
    )


def _touch_records(
    initiative: Initiative, until: dt.date, n_points: int,
    reach: Callable[[list[int]], frozenset[int]],
    audience: tuple[set[int], set[int]] | None, *, scores: bool = True,
) -> tuple[TouchRecord, ...]:
    """Every touchpoint up to `until` with its stored score (unless not `scores`); with
    `audience` = (units, people) only those addressed to one of them."""
    rows = Touchpoint.objects.filter(initiative=initiative, date__lte=until)
    if audience is not None:
        units, people = audience
        rows = rows.filter(Q(unit_id__in=units) | Q(person_id__in=people))
    reached: dict[int, frozenset[int]] = {}
    records = []
    for pk, leader_id, date, unit_id, person_id, consistency, stored in (
            rows.order_by("date", "pk").values_list(
                "pk", "leader_id", "date", "unit_id", "person_id", "score__consistency",
                "score__key_points")):
        if unit_id is not None and unit_id not in reached:
            reached[unit_id] = reach([unit_id])
        touch = Touch(leader_id, date, reached.get(unit_id, frozenset()), person_id)
        score = None
        if scores and consistency is not None:  # a stored score (consistency is never null)
            points = key_points_from_json(stored)[:n_points]
            score = ScoredTouch(
                touchpoint_id=pk, leader_id=leader_id, date=date, consistency=consistency,
                covered=tuple(p.covered for p in points),
                contradictions=tuple(p.contradiction if p.contradicted else None
                                     for p in points),
            )
        records.append(TouchRecord(pk, touch, unit_id, score))
    return tuple(records)


def _restatements(initiative: Initiative, since: dt.date, until: dt.date,
                  person_ids: set[int] | None) -> tuple[RepRestatement, ...]:
    """The scored restatements comprehension counts on any day in [since, until]."""
    rows = Restatement.objects.filter(
        initiative=initiative, date__lte=until,
        date__gte=since - dt.timedelta(days=COMPREHENSION_WINDOW_DAYS - 1),
    ).exclude(method="")
    if person_ids is not None:
        rows = rows.filter(person_id__in=person_ids)
    return tuple(
        RepRestatement(pk, person_id, date, consistency,
                       tuple(p.covered for p in key_points_from_json(stored)))
        for pk, person_id, date, consistency, stored in rows.order_by("date", "pk").values_list(
            "pk", "person_id", "date", "consistency", "key_points"))


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


def initiative_message_health(
    initiative: Initiative, scope: Scope, week: dt.date | None = None,
    today: dt.date | None = None,
) -> MessageHealth:
    """Message health of every team of `initiative` the viewer may see, in one week."""
    monday, as_of = week_bounds(week, today or timezone.localdate())
    inputs = health_inputs(initiative, as_of, unit_ids=None if scope.everything
                           else scope.unit_ids)
    teams = [t for t in inputs.teams_on(as_of) if scope.can_see_unit(t)]
    rows = initiative_health(inputs, as_of, set(teams))
    people = {c.leader_id for t in teams for c in inputs.carriers_on(t, as_of)}
    people |= {m for row in rows for m in row.members}
    return MessageHealth(
        initiative_id=inputs.initiative_id, title=inputs.title, week=monday, as_of=as_of,
        key_points=inputs.key_points, clarity=inputs.clarity.score,
        clarity_findings=tuple(f.text for f in inputs.clarity.findings),
        units=rows, leaders=leader_matrix(inputs, as_of, teams),
        names={p: inputs.names[p] for p in people if p in inputs.names},
        energy_spread=energy_spread({r.unit_id: r.energy for r in rows if r.energy is not None}),
        method=str(initiative_scoring_method(initiative) or "") or None,
    )


def touchpoints_visible(
    initiative: Initiative, scope: Scope, today: dt.date
) -> QuerySet[Touchpoint]:
    """The initiative's touchpoints a viewer may read (`Scope.audience_filter`)."""
    rows = Touchpoint.objects.filter(initiative=initiative)
    seen = scope.audience_filter(today)
    return rows if seen is None else rows.filter(seen)


def leader_initiatives(scope: Scope, today: dt.date) -> tuple[
        list[Initiative], list[Unit], list[Person]]:
    """The initiatives, units and people the viewer may log touchpoints for today (after
    `Scope.require_touchpoint_logging`)."""
    units = list(Unit.objects.filter(pk__in=scope.led_unit_ids).order_by("name"))
    people = list(members_of_units_on(scope.led_unit_ids, today))
    return list(initiatives_visible(scope, today)), units, people
