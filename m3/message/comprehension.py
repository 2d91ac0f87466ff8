"""Comprehension: is the message clear to the team, not only to the leader (plain data, no ORM).

Reps restate the message in their own words; each restatement is scored per key point (covered
or not) when it is saved. For one unit and a window, this module counts who can state each key
point, who has not answered, and joins the pulse question "I can explain what we are doing and
why." Formulas are in `unit_comprehension` and docs/message.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from m3.pulse.levels import pulse_level

# Weight of the restatements in the comprehension score; the clarity pulse has the rest.
RESTATEMENT_WEIGHT = 0.75


@dataclass(frozen=True)
class RepRestatement:
    """A rep's scored restatement: which key points it carries."""

    restatement_id: int
    person_id: int
    date: dt.date
    consistency: float
    covered: tuple[bool, ...]


@dataclass(frozen=True)
class UnitComprehension:
    """Who in a unit can state the message, point by point."""

    members: tuple[int, ...]
    latest: tuple[RepRestatement, ...]  # each answering member's latest restatement
    not_answered: tuple[int, ...]
    point_share: tuple[float | None, ...]  # per key point: share of answering reps stating it
    restatement: float | None  # mean of point_share, 0..1
    clarity_pulse: float | None  # level of "I can explain what we are doing and why.", 0..1
    score: float | None  # 0..1

    @property
    def answered(self) -> int:
        """How many members restated the message in the window."""
        return len(self.latest)

    def stating_all(self) -> int:
        """How many answering reps state every key point."""
        return sum(all(r.covered) for r in self.latest)


def latest_restatements(
    restatements: Iterable[RepRestatement], member_ids: Iterable[int],
    window_start: dt.date, window_end: dt.date,
) -> list[RepRestatement]:
    """Each member's most recent restatement dated in [window_start, window_end]."""
    members = set(member_ids)
    latest: dict[int, RepRestatement] = {}
    for r in restatements:
        if r.person_id in members and window_start <= r.date <= window_end:
            current = latest.get(r.person_id)
            if current is None or (r.date, r.restatement_id) > (current.date,
                                                                current.restatement_id):
                latest[r.person_id] = r
    return sorted(latest.values(), key=lambda r: r.person_id)


def unit_comprehension(
    member_ids: Sequence[int],
    restatements: Iterable[RepRestatement],
    clarity_scores: Sequence[int],
    n_points: int,
    window_start: dt.date,
    window_end: dt.date,
) -> UnitComprehension:
    """Comprehension of one unit in a window.

    Only each member's latest restatement in the window counts.
      point_share_k = (answering reps whose restatement covers key point k) / answering reps;
      restatement = mean_k(point_share_k);
      clarity_pulse = (mean of the CLARITY pulse answers in the window - 1) / 4 (its
                      `m3.pulse.levels.pulse_level`);
      score = RESTATEMENT_WEIGHT * restatement + (1 - RESTATEMENT_WEIGHT) * clarity_pulse,
              or whichever of the two exists alone; None when neither does.
    Reps who did not answer do not count as wrong: they are listed in `not_answered`.
    """
    latest = latest_restatements(restatements, member_ids, window_start, window_end)
    answered = {r.person_id for r in latest}
    shares: tuple[float | None, ...] = tuple(
        (sum(k < len(r.covered) and r.covered[k] for r in latest) / len(latest)) if latest
        else None
        for k in range(n_points)
    )
    known = [s for s in shares if s is not None]
    restatement = float(np.mean(known)) if known else None
    pulse = pulse_level(clarity_scores)
    if restatement is not None and pulse is not None:
        score: float | None = RESTATEMENT_WEIGHT * restatement + (1 - RESTATEMENT_WEIGHT) * pulse
    else:
        score = restatement if restatement is not None else pulse
    return UnitComprehension(
        members=tuple(member_ids),
        latest=tuple(latest),
        not_answered=tuple(m for m in member_ids if m not in answered),
        point_share=shares,
        restatement=restatement,
        clarity_pulse=pulse,
        score=score,
    )
