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
    if week is None:
        week = rows.order_by("-week").values_list("week", flat=True).first()
    found = tuple(r for r in rows.filter(week=week).order_by("pk")
                  if scope.can_see_unit(r.unit_id)) if week is not None else ()
    return StateWeek(
        initiative_id=initiative.pk, week=week,
        computed_at=min((r.computed_at for r in found), default=None),
        waiting=jobs_waiting(STATE_REFRESH, initiative.pk), rows=found,
    )


def state_latest_week(initiative: Initiative) -> dt.date | None:
    """The Monday of the initiative's latest stored week (None when nothing is stored)."""
    return (UnitWeek.objects.filter(initiative=initiative).order_by("-week")
            .values_list("week", flat=True).first())


def state_computed_at(initiative: Initiative, week: dt.date) -> dt.datetime | None:
    """When the initiative's stored `week` was computed (its oldest row), or None."""
    return (UnitWeek.objects.filter(initiative=initiative, week=week).order_by("computed_at")
            .values_list("computed_at", flat=True).first())


def state_unit_week(initiative: Initiative, unit_id: int, week: dt.date) -> UnitWeek | None:
    """One unit's stored week (None when not stored); the caller checks the viewer's scope."""
    return UnitWeek.objects.filter(initiative=initiative, unit_id=unit_id, week=week).first()
