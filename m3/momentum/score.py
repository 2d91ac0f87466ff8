"""Momentum of one unit at one week: building, holding, stalling or sliding, and why (pure).

Momentum is read over the last WINDOW weeks up to the as-of week, from four parts, each -1..1
(None when its signal is missing):

- levers   L = clip((ā - 1) + W·slope(a), -1, 1), a = lever attainment (values / targets);
- pace     P = clip(Σ output / Σ forecast - 1, -1, 1) over the window;
- morale   M = clip((m̄ - MORALE_NEUTRAL) / 1.5 + W·slope(m), -1, 1), m = the pulse's
             confidence and energy, 1..5;
- message  H = clip((h̄ - HEALTH_NEUTRAL) / 30 + W·slope(h) / 20, -1, 1), h = message health.

score = Σ w_p · part_p / Σ w_p over the parts present (PART_WEIGHTS: levers 0.4, pace, morale
and message 0.2 each). The direction D is the mean of the slope terms alone (W·slope(a),
W·slope(m), W·slope(h) / 20). The state:

- sliding:  score ≤ SLIDING, or D ≤ -FALLING_FAST while score < 0;
- stalling: score < -HOLD_BAND, or D ≤ -FALLING;
- building: score ≥ HOLD_BAND and D ≥ 0;
- holding:  otherwise.

Slopes are ordinary least squares per week (`signals.trend`). With fewer than MIN_WEEKS weeks
of any signal the state is `insufficient` and the reasons say what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

import numpy as np

from m3.momentum.signals import WeekSignals, level, trend, values

WINDOW = 4
MIN_WEEKS = 3
MORALE_NEUTRAL = 3.5
HEALTH_NEUTRAL = 70.0
PART_WEIGHTS = {"levers": 0.4, "pace": 0.2, "morale": 0.2, "message": 0.2}
HOLD_BAND = 0.1
SLIDING = -0.35
FALLING = 0.15
FALLING_FAST = 0.25


class MomentumState(StrEnum):
    """Where a unit's execution is heading."""

    BUILDING = "building"
    HOLDING = "holding"
    STALLING = "stalling"
    SLIDING = "sliding"
    INSUFFICIENT = "insufficient"


@dataclass(frozen=True)
class MomentumParts:
    """The four parts of momentum, each -1..1 or None, and the direction of their trends."""

    levers: float | None
    pace: float | None
    morale: float | None
    message: float | None
    direction: float | None

    def as_dict(self) -> dict[str, float | None]:
        """The parts by name (without the direction)."""
        return {"levers": self.levers, "pace": self.pace, "morale": self.morale,
                "message": self.message}


@dataclass(frozen=True)
class Momentum:
    """A unit's momentum at the end of its last week, with the reasons in words."""

    state: MomentumState
    score: float | None
    parts: MomentumParts
    reasons: tuple[str, ...]


def _clip(x: float) -> float:
    return float(min(1.0, max(-1.0, x)))


def _ratio(num: np.ndarray, den: np.ndarray) -> float | None:
    known = ~np.isnan(num) & ~np.isnan(den)
    total = den[known].sum()
    return float(num[known].sum() / total) if known.any() and total > 0 else None


def momentum_parts(history: Sequence[WeekSignals]) -> MomentumParts:
    """The parts over the last WINDOW weeks of `history` (oldest first); see the module."""
    window = list(history)[-WINDOW:]
    a, m, h = (values(window, n) for n in ("lever_attainment", "morale", "health"))
    slopes: list[float] = []

    lever = None
    if (a_level := level(a)) is not None:
        a_slope = trend(a) or 0.0
        slopes.append(WINDOW * a_slope)
        lever = _clip((a_level - 1) + WINDOW * a_slope)
    ratio = _ratio(values(window, "output"), values(window, "forecast"))
    pace = None if ratio is None else _clip(ratio - 1)
    morale = None
    if (m_level := level(m)) is not None:
        m_slope = trend(m) or 0.0
        slopes.append(WINDOW * m_slope)
        morale = _clip((m_level - MORALE_NEUTRAL) / 1.5 + WINDOW * m_slope)
    message = None
    if (h_level := level(h)) is not None:
        h_slope = trend(h) or 0.0
        slopes.append(WINDOW * h_slope / 20)
        message = _clip((h_level - HEALTH_NEUTRAL) / 30 + WINDOW * h_slope / 20)
    direction = float(np.mean(slopes)) if slopes else None
    return MomentumParts(lever, pace, morale, message, direction)


def momentum_score(parts: MomentumParts) -> float | None:
    """Σ w_p · part_p / Σ w_p over the parts present (PART_WEIGHTS); None if none is."""
    present = [(PART_WEIGHTS[k], v) for k, v in parts.as_dict().items() if v is not None]
    total = sum(w for w, _ in present)
    return sum(w * v for w, v in present) / total if total else None


def momentum_state(score: float | None, direction: float | None) -> MomentumState:
    """The state from the score and the direction of the trends; see the module docstring."""
    if score is None:
        return MomentumState.INSUFFICIENT
    falling = direction if direction is not None else 0.0
    if score <= SLIDING or (falling <= -FALLING_FAST and score < 0):
        return MomentumState.SLIDING
    if score < -HOLD_BAND or falling <= -FALLING:
        return MomentumState.STALLING
    if score >= HOLD_BAND and falling >= 0:
        return MomentumState.BUILDING
    return MomentumState.HOLDING


def _trend_words(slope: float | None, unit: str) -> str:
    if slope is None or abs(slope) < 1e-9:
        return "flat"
    return f"{'rising' if slope > 0 else 'falling'} {abs(slope):.2g}{unit} a week"


def momentum_reasons(history: Sequence[WeekSignals], parts: MomentumParts) -> tuple[str, ...]:
    """One line per part, weakest first, in words a leader reads at a glance."""
    window = list(history)[-WINDOW:]
    lines: list[tuple[float, str]] = []
    a = values(window, "lever_attainment")
    if parts.levers is not None:
        slope = trend(a)
        lines.append((parts.levers, f"Levers at {100 * (level(a) or 0):.0f}% of target over the "
                      f"last {len(window)} weeks, "
                      f"{_trend_words(None if slope is None else 100 * slope, ' points')}."))
    else:
        lines.append((0.0, "No lever data: the asks are not measured for this unit."))
    if parts.pace is not None:
        ratio = parts.pace + 1
        lines.append((parts.pace, f"Output at {100 * ratio:.0f}% of forecast over the last "
                      f"{len(window)} weeks."))
    m = values(window, "morale")
    if parts.morale is not None:
        lines.append((parts.morale, f"Morale {level(m):.1f}/5 in the pulse, "
                      f"{_trend_words(trend(m), '')}."))
    h = values(window, "health")
    if parts.message is not None:
        lines.append((parts.message, f"Message health {level(h):.0f}/100, "
                      f"{_trend_words(trend(h), ' points')}."))
    return tuple(text for _, text in sorted(lines, key=lambda item: item[0]))


def unit_momentum(history: Sequence[WeekSignals]) -> Momentum:
    """Momentum at the last week of `history` (oldest first), from its last WINDOW weeks."""
    weeks = list(history)
    if len(weeks) < MIN_WEEKS:
        return Momentum(MomentumState.INSUFFICIENT, None, MomentumParts(None, None, None, None,
                                                                        None),
                        (f"Only {len(weeks)} week(s) of data since the start; momentum needs "
                         f"{MIN_WEEKS}.",))
    parts = momentum_parts(weeks)
    score = momentum_score(parts)
    state = momentum_state(score, parts.direction)
    if state is MomentumState.INSUFFICIENT:
        reasons: tuple[str, ...] = ("No lever, output, pulse or message data in the last "
                                    f"{WINDOW} weeks.",)
    elif (state is MomentumState.BUILDING or state is MomentumState.HOLDING
          or state is MomentumState.STALLING or state is MomentumState.SLIDING):
        reasons = momentum_reasons(weeks, parts)
    else:
        assert_never(state)
    return Momentum(state, score, parts, reasons)
