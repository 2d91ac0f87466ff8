"""Reads of the diagnosis for pages and the API: from the weekly state when it holds the week
asked for, else computed for the request (`m3.diagnose.report`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from m3.diagnose.report import (
    DiagnosisAnswer,
    DiagnosisRow,
    UnitDiagnosisAnswer,
    diagnosis_answer,
    diagnosis_seen,
    severity,
    tree_worst_first,
    unit_diagnosis_seen,
    worst_first,
)
from m3.diagnose.weekly import record_load
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.momentum.report import AlertRow, alert_rows
from m3.momentum.selectors import as_of_or_today
from m3.org.scope import Scope
from m3.state.selectors import state_unit_week, state_week
from m3.state.services import state_weeks
from m3.weeks import last_full_week, week_end


@dataclass(frozen=True)
class DiagnosisSeen:
    """The diagnosis page's content: the answer, the open alerts by unit, and where it came
    from (`computed_at` is the weekly state's stamp; None when computed for this request)."""

    answer: DiagnosisAnswer
    alerts: dict[int, list[AlertRow]]
    computed_at: dt.datetime | None
    waiting: int


def diagnosis_for_viewer(initiative: Initiative, scope: Scope, facts: FactsStore,
                         as_of: dt.date | None, today: dt.date) -> DiagnosisSeen:
    """Every unit the viewer may see, worst first within each level.

    Without `as_of`: the initiative's last whole week (its last week once it has ended), as
    of its Sunday, read from the weekly state when it holds that week and computed now when not
    (a refresh still running); with `as_of`, computed now as of that date.
    """
    scope.require_team_diagnosis()
    week = default_week(initiative, today)
    if as_of is None and week is not None:
        stored = state_week(initiative, scope, week)
        if stored.rows:
            records = [record_load(r.record) for r in stored.rows]
            ordered = tree_worst_first(
                [r.unit for r in records], lambda d: d.path,
                lambda d: severity(d.status, d.projected_vs_forecast, d.unit))
            alerts: dict[int, list[AlertRow]] = defaultdict(list)
            for r in records:
                for alert in r.alerts:
                    alerts[r.unit.unit_id].append(alert)
            answer = DiagnosisAnswer(initiative.pk, initiative.title, stored.rows[0].as_of,
                                     tuple(replace(d, level=level) for d, level in ordered))
            return DiagnosisSeen(answer, dict(alerts), stored.computed_at, stored.waiting)
    day = _default_day(initiative, as_of, today)
    rows = diagnosis_seen(initiative, scope, facts, day)
    fresh: dict[int, list[AlertRow]] = defaultdict(list)
    for alert in alert_rows([r.unit for r in rows], day):
        fresh[alert.unit_id].append(alert)
    return DiagnosisSeen(diagnosis_answer(initiative, day, worst_first(rows)), dict(fresh),
                         None, 0)


HOME_LEVELS = 2  # the units a viewer leads and the level below them
HOME_ALERTS = 8


@dataclass(frozen=True)
class MomentumSummary:
    """A leader's home, for one running initiative: their units' momentum and open alerts."""

    initiative_id: int
    title: str
    as_of: dt.date
    units: tuple[DiagnosisRow, ...]  # the top HOME_LEVELS levels, worst first
    units_total: int
    alerts: tuple[AlertRow, ...]  # the newest HOME_ALERTS
    alerts_total: int


def momentum_summaries(scope: Scope, initiatives: Sequence[Initiative], facts: FactsStore,
                       today: dt.date) -> list[MomentumSummary]:
    """For each initiative running today with a whole week behind it, the viewer's units'
    momentum and alerts (from the weekly state, or one diagnosis per initiative); none for a
    rep (M3 computes momentum per unit, not per rep)."""
    if not scope.may_see_team_diagnosis():
        return []
    out = []
    for initiative in initiatives:
        if not week_end(initiative.start) <= week_end(last_full_week(today)) or \
                today > initiative.end:
            continue
        seen = diagnosis_for_viewer(initiative, scope, facts, None, today)
        if not seen.answer.units:
            continue
        alerts = sorted((a for unit in seen.alerts.values() for a in unit),
                        key=lambda a: a.first_raised, reverse=True)
        out.append(MomentumSummary(
            initiative.pk, initiative.title, seen.answer.as_of,
            tuple(u for u in seen.answer.units if u.level < HOME_LEVELS),
            len(seen.answer.units), tuple(alerts[:HOME_ALERTS]), len(alerts)))
    return out


def unit_diagnosis_for_viewer(initiative: Initiative, unit_id: int, scope: Scope,
                              facts: FactsStore, as_of: dt.date | None,
                              today: dt.date) -> UnitDiagnosisAnswer:
    """One unit's page. Without `as_of`: the last whole week, as of its Sunday, from the weekly
    state when it holds that week, else computed now; with `as_of`, computed as of then.
    AccessDenied for a rep or a unit outside the viewer's scope, NotFound for a unit the
    initiative does not cover (checked before anything is read)."""
    scope.require_team_diagnosis()
    scope.require_unit(unit_id)
    week = default_week(initiative, today)
    if as_of is None and week is not None:
        row = state_unit_week(initiative, unit_id, week)
        if row is not None:
            return record_load(row.record)
    return unit_diagnosis_seen(initiative, unit_id, scope, facts,
                               _default_day(initiative, as_of, today))


def default_week(initiative: Initiative, today: dt.date) -> dt.date | None:
    """The week pages show unless asked for another: the initiative's last whole week, or its
    last week once it has ended (None while none has ended)."""
    weeks = state_weeks(initiative, today)
    return weeks[-1] if weeks else None


def _default_day(initiative: Initiative, as_of: dt.date | None, today: dt.date) -> dt.date:
    """`as_of` checked, or the Sunday of the default week (today while no week has ended)."""
    week = default_week(initiative, today)
    return as_of_or_today(initiative, as_of or (week_end(week) if week else None), today)
