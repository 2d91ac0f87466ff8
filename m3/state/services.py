"""Writing the weekly state: a week of an initiative replaced whole, in one transaction.

What goes in is computed above (`m3.diagnose.weekly`); this module only stores it, so every
domain's refresh writes the same way and readers never see half a week.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from m3.initiatives.models import Initiative
from m3.state.models import UnitWeek
from m3.weeks import WEEK, last_full_week, week_start


def state_weeks(initiative: Initiative, today: dt.date) -> list[dt.date]:
    """The Mondays of the initiative's weeks that have ended by `today` (to its last week)."""
    first = week_start(initiative.start)
    last = min(last_full_week(today), week_start(initiative.end))
    weeks = []
    week = first
    while week <= last:
        weeks.append(week)
        week += WEEK
    return weeks


def state_weeks_keep(initiative: Initiative, weeks: list[dt.date]) -> int:
    """Remove stored weeks that are no longer the initiative's (its start or end moved)."""
    deleted, _ = UnitWeek.objects.filter(initiative=initiative).exclude(week__in=weeks).delete()
    return deleted


def state_week_replace(initiative: Initiative, week: dt.date, as_of: dt.date,
                       records: list[dict[str, Any]], computed_at: dt.datetime) -> None:
    """Store `records` (`m3.diagnose.report.UnitDiagnosisAnswer` as JSON data) as the
    initiative's week, replacing it."""
    with transaction.atomic():
        UnitWeek.objects.filter(initiative=initiative, week=week).delete()
        UnitWeek.objects.bulk_create(UnitWeek(
            initiative=initiative, unit_id=r["unit"]["unit_id"], week=week,
            as_of=as_of, status=r["unit"]["status"], cause=r["unit"]["cause"],
            detail=r["unit"]["detail"] or "", momentum=r["momentum"]["state"],
            momentum_score=r["momentum"]["score"],
            to_date=r["unit"]["output_to_date_vs_forecast"],
            projected=r["unit"]["projected_vs_forecast"], alerts=len(r["alerts"]),
            record=r, computed_at=computed_at) for r in records)
