"""Reads for the message: an initiative's teams, their carriers and touches, what is due."""

from __future__ import annotations

import datetime as dt

from m3.initiatives.models import CadenceKind, Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.message.cadence import Carrier, DueItem, PlanStep, StepKind, Touch, due_items
from m3.message.models import Touchpoint
from m3.org.models import Leadership, Membership, Person
from m3.org.selectors import active_on, unit_ancestor_ids, unit_ids_with_descendants

STEP_KINDS = {
    CadenceKind.DELIVER: StepKind.DELIVER,
    CadenceKind.REDELIVER: StepKind.REDELIVER,
    CadenceKind.REINFORCE: StepKind.REINFORCE,
}


def initiative_plan(initiative: Initiative) -> list[PlanStep]:
    """The initiative's cadence plan as pure plan steps."""
    return [
        PlanStep(STEP_KINDS[CadenceKind(s.kind)], frozenset(s.leader_kind_list()), s.due,
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
