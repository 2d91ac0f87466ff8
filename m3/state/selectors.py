"""Reads of the weekly state, scoped to a viewer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from m3.initiatives.models import Initiative
from m3.jobs.services import STATE_REFRESH, jobs_waiting
from m3.org.scope import Scope
from m3.state.models import UnitWeek


@dataclass(frozen=True)
class StateWeek:
    """The stored state of an initiative's units in one week, as a viewer may see it."""

    initiative_id: int
    week: dt.date | None  # None: nothing computed yet
    computed_at: dt.datetime | None
    waiting: int  # refreshes queued or running: the state is about to change
    rows: tuple[UnitWeek, ...]


def state_week(initiative: Initiative, scope: Scope, week: dt.date | None = None) -> StateWeek:
    """The units in the viewer's scope for `week` (default: the latest computed), tree order."""
    rows = UnitWeek.objects.filter(initiative=initiative)
    if not scope.everything:
        rows = rows.filter(unit_id__in=scope.unit_ids)
    if week is None:
        latest = rows.order_by("-week").values_list("week", flat=True).first()
        week = latest
    found = tuple(rows.filter(week=week).order_by("pk")) if week is not None else ()
    return StateWeek(
        initiative_id=initiative.pk, week=week,
        computed_at=min((r.computed_at for r in found), default=None),
        waiting=jobs_waiting(STATE_REFRESH, initiative.pk), rows=found,
    )


def unit_weeks(initiative: Initiative, unit_id: int, scope: Scope) -> list[UnitWeek]:
    """A unit's stored weeks, oldest first (empty outside the viewer's scope)."""
    if not (scope.everything or unit_id in scope.unit_ids):
        return []
    return list(UnitWeek.objects.filter(initiative=initiative, unit_id=unit_id).order_by("week"))


def state_latest_week(initiative: Initiative) -> dt.date | None:
    """The Monday of the initiative's latest stored week (None when nothing is stored)."""
    return (UnitWeek.objects.filter(initiative=initiative).order_by("-week")
            .values_list("week", flat=True).first())
