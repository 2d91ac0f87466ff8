"""Consistency across the leaders who carry a message to a unit, from plain data (no ORM, no I/O).

The article asks that a message be consistent "not just from [the leader], but also from all
leaders [that] support the team", in content, delivery and frequency, with the same energy,
detail and ownership. For one unit and a window of days this module measures, per supporting
leader (one who leads the unit or a unit above it) and for the unit:

- **content**: how faithfully each leader's touchpoints carry the key points (their stored
  consistency scores), which key points each leader covers, and where they contradict one;
- **delivery**: how evenly the leaders deliver against the cadence plan;
- **energy**: how the team rates its leaders' energy and ownership, and how the leaders' voices
  agree as the team hears them (pulse questions).
Formulas are in the docstrings of the functions that compute them, and in docs/message.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from m3.message.cadence import Carrier, PlanStep
from m3.vocabulary import CadenceKind

# A leader with at least this many touchpoints in the window who never carries a key point is
# named for it ("never mentions point 3"); one touchpoint is too few to say "never".
MIN_TOUCHES_FOR_SILENCE = 2
# Weights of the two halves of a unit's content consistency (see `unit_alignment`).
CONTENT_MEAN_WEIGHT = 0.5


@dataclass(frozen=True)
class ScoredTouch:
    """A touchpoint that reached the unit, with its stored score per key point."""

    touchpoint_id: int
    leader_id: int
    date: dt.date
    consistency: float
    covered: tuple[bool, ...]
    contradictions: tuple[str | None, ...]  # per key point: the quoted clause, None if none


@dataclass(frozen=True)
class Supporter:
    """A leader who supports the unit (leads it or a unit above it), in a kind.

    `every_days` is the interval the cadence plan expects of this leader: the shortest
    recurring step (redeliver, reinforce) of their kind, given to the nearest leader(s) of each
    kind only (the team's own director redelivers, not every director above it); None when the
    plan expects nothing recurring of them.
    """

    leader_id: int
    kind: str
    every_days: int | None = None


@dataclass(frozen=True)
class LeaderAlignment:
    """One supporting leader's touchpoints to the unit in the window."""

    leader_id: int
    kind: str
    touches: int
    content: float | None  # mean consistency of their touchpoints (None without touchpoints)
    covered_share: tuple[float | None, ...]  # per key point: share of their touchpoints carrying it
    contradictions: tuple[str | None, ...]  # per key point: their latest contradicting clause
    touches_vs_plan: float | None  # None when no recurring cadence step is theirs
    last_touch: dt.date | None

    def silent_points(self) -> tuple[int, ...]:
        """Key points (1-based) never carried in MIN_TOUCHES_FOR_SILENCE or more touchpoints."""
        if self.touches < MIN_TOUCHES_FOR_SILENCE:
            return ()
        return tuple(k for k, share in enumerate(self.covered_share, start=1) if share == 0)


@dataclass(frozen=True)
class Disagreement:
    """Two leaders of one unit say different things about a key point (1-based)."""

    key_point: int
    contradicting_leader: int
    covering_leader: int
    quote: str


@dataclass(frozen=True)
class UnitAlignment:
    """Content and delivery consistency of the leaders who support one unit."""

    unit_id: int
    leaders: tuple[LeaderAlignment, ...]
    content: float | None
    delivery: float | None
    disagreements: tuple[Disagreement, ...]


def plan_intervals(steps: Sequence[PlanStep]) -> dict[str, int]:
    """Leader kind -> the shortest interval of the recurring steps (redeliver, reinforce) it has."""
    every: dict[str, int] = {}
    for step in steps:
        if step.kind is not CadenceKind.DELIVER and step.every_days:
            for kind in step.leader_kinds:
                every[kind] = min(every.get(kind, step.every_days), step.every_days)
    return every


def team_supporters(carriers: Sequence[Carrier], steps: Sequence[PlanStep]) -> list[Supporter]:
    """The team's leaders as supporters, nearest first; the nearest of each kind gets the plan's
    interval (`plan_intervals`), the ones above it none.

    `carriers` lists the team's own leaders first, then upwards (`HealthInputs.carriers_on`).
    """
    every_by_kind = plan_intervals(steps)
    planned: set[str] = set()
    supporters = []
    for carrier in carriers:
        every = every_by_kind.get(carrier.kind) if carrier.kind not in planned else None
        if every:
            planned.add(carrier.kind)
        supporters.append(Supporter(carrier.leader_id, carrier.kind, every))
    return supporters


def leader_alignment(
    supporter: Supporter,
    touches: Sequence[ScoredTouch],
    n_points: int,
    window_days: int,
) -> LeaderAlignment:
    """Summarise one leader's touchpoints (already filtered to the unit and the window).

    content = mean over their touchpoints of the stored consistency (0..1);
    covered_share_k = (touchpoints carrying key point k) / touchpoints;
    touches_vs_plan = touchpoints / (window_days / every_days), with the supporter's
    `every_days`; None when the plan expects nothing recurring of them.
    """
    mine = sorted((t for t in touches if t.leader_id == supporter.leader_id),
                  key=lambda t: t.date)
    n = len(mine)
    shares: tuple[float | None, ...] = tuple(
        (sum(t.covered[k] for t in mine if k < len(t.covered)) / n) if n else None
        for k in range(n_points)
    )
    contradictions = tuple(
        next((t.contradictions[k] for t in reversed(mine)
              if k < len(t.contradictions) and t.contradictions[k]), None)
        for k in range(n_points)
    )
    plan = None
    if supporter.every_days:
        plan = n / (window_days / supporter.every_days)
    return LeaderAlignment(
        leader_id=supporter.leader_id,
        kind=supporter.kind,
        touches=n,
        content=float(np.mean([t.consistency for t in mine])) if n else None,
        covered_share=shares,
        contradictions=contradictions,
        touches_vs_plan=plan,
        last_touch=mine[-1].date if mine else None,
    )


def delivery_consistency(ratios: Sequence[float]) -> float | None:
    """How evenly leaders deliver against the plan: 1 - coefficient of variation, 0..1.

    r_i = min(1, touches_vs_plan_i) for each leader with a recurring cadence step (capped, so
    doing more than planned is not "uneven"); delivery = clip(1 - std(r) / mean(r), 0, 1), with
    the population standard deviation; 0 when nobody delivers (mean 0); None without planned
    leaders. One planned leader gives 1: evenness needs two to compare, and the level of
    delivery is what the frequency part of message health measures.
    """
    if not ratios:
        return None
    capped = np.minimum(np.asarray(ratios, dtype=float), 1.0)
    mean = float(capped.mean())
    if mean == 0:
        return 0.0
    return float(np.clip(1 - capped.std() / mean, 0.0, 1.0))


def content_consistency(leaders: Sequence[LeaderAlignment]) -> float | None:
    """The unit's content consistency, 0..1, over the leaders who touched it in the window.

    content = CONTENT_MEAN_WEIGHT * mean_i(c_i) + (1 - CONTENT_MEAN_WEIGHT) * min_i(c_i), with
    c_i a leader's mean touchpoint consistency. The minimum is there because a team hears every
    leader: one leader saying the opposite undoes the others (the "two voices" case), which a
    plain mean would dilute. None when no leader touched the unit.
    """
    values = [lead.content for lead in leaders if lead.content is not None]
    if not values:
        return None
    return CONTENT_MEAN_WEIGHT * float(np.mean(values)) + (1 - CONTENT_MEAN_WEIGHT) * min(values)


def disagreements_find(leaders: Sequence[LeaderAlignment]) -> tuple[Disagreement, ...]:
    """Key points that one leader contradicts while another carries them, one per key point."""
    found = []
    n_points = max((len(lead.covered_share) for lead in leaders), default=0)
    for k in range(n_points):
        against = [lead for lead in leaders if lead.contradictions[k]]
        carrying = sorted((lead for lead in leaders if (lead.covered_share[k] or 0) > 0),
                          key=lambda lead: -(lead.covered_share[k] or 0))
        for lead in against:
            other = next((c for c in carrying if c.leader_id != lead.leader_id), None)
            if other is not None:
                found.append(Disagreement(k + 1, lead.leader_id, other.leader_id,
                                          lead.contradictions[k] or ""))
                break
    return tuple(found)


def unit_alignment(
    unit_id: int,
    supporters: Sequence[Supporter],
    touches: Sequence[ScoredTouch],
    n_points: int,
    window_days: int,
) -> UnitAlignment:
    """Per-leader and unit-level content and delivery consistency for one unit.

    `touches` are the scored touchpoints that reached the unit in the window (touchpoints to the
    unit, a unit above it, or one of its members); only those of `supporters` count. Leaders
    are listed when they touched the unit or the plan gives them a recurring step. See
    `content_consistency` and `delivery_consistency` for the formulas.
    """
    seen: dict[int, Supporter] = {}
    for supporter in supporters:
        if supporter.leader_id not in seen or supporter.every_days:
            seen[supporter.leader_id] = supporter
    leaders = []
    for supporter in seen.values():
        lead = leader_alignment(supporter, touches, n_points, window_days)
        if lead.touches or supporter.every_days:
            leaders.append(lead)
    planned = [lead.touches_vs_plan for lead in leaders if lead.touches_vs_plan is not None]
    return UnitAlignment(
        unit_id=unit_id,
        leaders=tuple(leaders),
        content=content_consistency(leaders),
        delivery=delivery_consistency(planned),
        disagreements=disagreements_find(leaders),
    )


def energy_spread(team_levels: Mapping[int, float]) -> float | None:
    """Energy consistency across a unit's teams: 1 - (max - min) of their energy levels, 0..1.

    Each team's level is `m3.pulse.levels.pulse_level` of its reps' answers to "My leaders are
    energised and own this." (the team rates its leaders' energy and ownership); None with fewer
    than two teams.
    """
    if len(team_levels) < 2:
        return None
    values = list(team_levels.values())
    return 1 - (max(values) - min(values))
