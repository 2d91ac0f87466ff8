"""Cadence and frequency of a message, computed from plain data (no ORM, no I/O).

Definitions (also in docs/message.md):
- A touchpoint to a unit reaches that unit and every unit below it; a touchpoint to a person
  reaches that person only.
- A **team** is a unit in the initiative's scope that has members. Its **carriers** for a step
  are the leaders of the step's kinds who lead the team or a unit above it.
- **deliver** step (due date D): done on the date of the first touch of the team by a carrier;
  overdue by (today - D) days while not done after D.
- **redeliver / reinforce** step (every N days): the step's clock starts at the first delivery
  (or at the initiative's start when there was none); due = last carrier touch (or clock start)
  + N days; overdue by max(0, today - due) days.
- **touches vs plan** over a window of W days: touches counted / (W / N).
- **reach** over a window: share of the team's members on the window's last day who were in
  the audience of at least one touchpoint in the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from m3.vocabulary import CadenceKind


@dataclass(frozen=True)
class PlanStep:
    """One step of a cadence plan."""

    kind: CadenceKind
    leader_kinds: frozenset[str]
    due: dt.date | None = None
    every_days: int | None = None


@dataclass(frozen=True)
class Touch:
    """A touchpoint as the cadence sees it: who, when, and which units or person it reached."""

    leader_id: int
    date: dt.date
    unit_ids: frozenset[int]  # the audience unit and its descendants; empty for a person
    person_id: int | None = None


@dataclass(frozen=True)
class Carrier:
    """A leader who carries the message to a team, in a kind."""

    leader_id: int
    kind: str


@dataclass(frozen=True)
class DueItem:
    """The state of one plan step for one team."""

    team_id: int
    step: CadenceKind
    leader_kinds: frozenset[str]
    carriers: tuple[int, ...]
    last_touch: dt.date | None
    due: dt.date
    days_overdue: int

    @property
    def overdue(self) -> bool:
        """True when the step is late on the day computed."""
        return self.days_overdue > 0


def _team_touch_dates(
    team_id: int, carriers: Iterable[int], touches: Sequence[Touch], today: dt.date
) -> list[dt.date]:
    leader_ids = set(carriers)
    return sorted(
        t.date for t in touches
        if t.leader_id in leader_ids and team_id in t.unit_ids and t.date <= today
    )


def due_items(
    steps: Sequence[PlanStep],
    team_carriers: Mapping[int, Sequence[Carrier]],
    touches: Sequence[Touch],
    start: dt.date,
    today: dt.date,
) -> list[DueItem]:
    """The state of every plan step for every team on `today` (see the module docstring)."""
    items = []
    for team_id, carriers in team_carriers.items():
        all_dates = _team_touch_dates(team_id, [c.leader_id for c in carriers], touches, today)
        first_delivery = all_dates[0] if all_dates else None
        for step in steps:
            mine = tuple(sorted({c.leader_id for c in carriers if c.kind in step.leader_kinds}))
            dates = _team_touch_dates(team_id, mine, touches, today)
            if step.kind is CadenceKind.DELIVER:
                due = step.due or start
                last = dates[0] if dates else None
                late = 0 if last is not None else max(0, (today - due).days)
            else:
                every = dt.timedelta(days=step.every_days or 0)
                clock = first_delivery or start
                last = dates[-1] if dates else None
                due = max(last or clock, clock) + every
                late = max(0, (today - due).days)
            items.append(DueItem(team_id, step.kind, step.leader_kinds, mine, last, due, late))
    return items


def touches_vs_plan(
    touches: Sequence[Touch], team_id: int, leader_ids: Iterable[int], every_days: int,
    window_start: dt.date, window_end: dt.date,
) -> float:
    """Touches of the team by the leaders in [window_start, window_end] / (window days / N)."""
    leaders = set(leader_ids)
    count = sum(
        1 for t in touches
        if t.leader_id in leaders and team_id in t.unit_ids
        and window_start <= t.date <= window_end
    )
    expected = ((window_end - window_start).days + 1) / every_days
    return count / expected if expected > 0 else 0.0


def reach(
    touches: Sequence[Touch], team_id: int, member_ids: Iterable[int],
    window_start: dt.date, window_end: dt.date,
) -> float | None:
    """Share of the team's members reached by at least one touchpoint in the window."""
    members = set(member_ids)
    if not members:
        return None
    in_window = [t for t in touches if window_start <= t.date <= window_end]
    if any(team_id in t.unit_ids for t in in_window):
        return 1.0
    reached = {t.person_id for t in in_window if t.person_id in members}
    return len(reached) / len(members)
