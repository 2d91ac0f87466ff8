"""The diagnosis of one unit: why execution lags, as a chain of questions (pure).

1. Is the reporting trustworthy? No lever data in the last WINDOW weeks (the asks are not
   measured for the unit) → cause `measure`, detail `coverage`; facts older than the week →
   `measure` / `freshness`.
2. Is output behind, or projected behind (`m3.momentum.warning`)? If neither → `none`.
3. Are the levers moving? Lever attainment over the window ≥ LEVERS_MOVING and not falling by
   more than LEVER_FALL a week → the team does what was asked and output still lags: cause
   `opportunity`. Its evidence is the unit's deals since the start against the median of like
   units (`deal_figures`): win rate = Σ won / Σ closed, deal size = Σ value won / Σ won, and
   pipeline cover = Σ pipeline created / Σ forecast. The detail is the figure furthest below
   its peers, relative gap = 1 - mine / peers, when that gap is at least PEER_SHORT (`win_rate`,
   `deal_size` or `pipeline`); else `conversion` (output per lever is short of what the
   organisation's lever model expects, with no single figure to blame).
4. The levers are not moving. Message health below HEALTH_WEAK, or falling more than
   HEALTH_FALL points a week → cause `message`, detail the weakest of its parts (frequency,
   consistency, comprehension, clarity). Else morale below MORALE_WEAK or falling more than
   MORALE_FALL a week while the message holds → `momentum` / `morale`. Else `momentum` /
   `levers` (the levers stall with no sign in message or morale).

Each step adds one line of evidence, so a page can show the chain as it was walked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

import numpy as np

from m3.momentum.score import WINDOW, Momentum
from m3.momentum.signals import WeekSignals, level, trend, values
from m3.momentum.warning import Projection, Status

LEVERS_MOVING = 0.9
LEVER_FALL = 0.04
HEALTH_WEAK = 60.0
HEALTH_FALL = 3.0
MORALE_WEAK = 3.0
MORALE_FALL = 0.08
HEALTH_PARTS = ("frequency", "consistency", "comprehension", "clarity")
PEER_SHORT = 0.15


class Cause(StrEnum):
    """The link of the chain where execution breaks."""

    NONE = "none"
    MEASURE = "measure"
    MESSAGE = "message"
    MOMENTUM = "momentum"
    OPPORTUNITY = "opportunity"
    INSUFFICIENT = "insufficient"


class Step(StrEnum):
    """The questions of the chain, in order."""

    REPORTING = "reporting"
    OUTPUT = "output"
    LEVERS = "levers"
    MESSAGE = "message"
    MORALE = "morale"
    OPPORTUNITY = "opportunity"


@dataclass(frozen=True)
class Evidence:
    """One step of the chain as it was walked: the question and what was found."""

    step: Step
    finding: str


@dataclass(frozen=True)
class Diagnosis:
    """A unit's status, the cause the chain names (with its detail) and the evidence."""

    status: Status
    cause: Cause
    detail: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class DealFigures:
    """A unit's deals over the initiative's weeks: what opportunity is judged by (None: none)."""

    win_rate: float | None  # Σ won / Σ closed
    deal_size: float | None  # Σ value won / Σ won
    pipeline: float | None  # Σ pipeline created / Σ forecast

    def as_dict(self) -> dict[str, float | None]:
        """The figures by name."""
        return {"win_rate": self.win_rate, "deal_size": self.deal_size, "pipeline": self.pipeline}


def _share(num: np.ndarray, den: np.ndarray) -> float | None:
    known = ~np.isnan(num) & ~np.isnan(den)
    total = float(den[known].sum())
    return float(num[known].sum()) / total if known.any() and total > 0 else None


def deal_figures(history: Sequence[WeekSignals]) -> DealFigures:
    """Win rate, deal size and pipeline cover over `history` (see the module docstring)."""
    won, closed = values(history, "won"), values(history, "closed")
    return DealFigures(_share(won, closed), _share(values(history, "won_value"), won),
                       _share(values(history, "pipeline"), values(history, "forecast")))


def peer_deal_figures(figures: Mapping[str, DealFigures],
                      peers: Mapping[str, str]) -> dict[str, DealFigures]:
    """Per unit, the median of each figure over the other units of its peer group."""
    out: dict[str, DealFigures] = {}
    for unit, group in peers.items():
        others = [f for u, f in figures.items() if u != unit and peers.get(u) == group]

        def median(name: str, others: list[DealFigures] = others) -> float | None:
            known = [v for f in others if (v := f.as_dict()[name]) is not None]
            return float(np.median(known)) if known else None

        out[unit] = DealFigures(median("win_rate"), median("deal_size"), median("pipeline"))
    return out


_DEAL_WORDS = {"win_rate": ("win rate", lambda v: f"{100 * v:.0f}%"),
               "deal_size": ("deal size", lambda v: f"{v:,.0f}"),
               "pipeline": ("pipeline created", lambda v: f"{v:.1f}× the forecast")}


def _opportunity_evidence(mine: DealFigures, peers: DealFigures | None) -> tuple[str, str]:
    """The detail (the figure furthest below peers, or `conversion`) and its evidence."""
    parts: list[str] = []
    gaps: list[tuple[float, str]] = []
    for name, value in mine.as_dict().items():
        if value is None:
            continue
        words, shown = _DEAL_WORDS[name]
        theirs = peers.as_dict()[name] if peers is not None else None
        if theirs is None:
            parts.append(f"{words} {shown(value)}")
            continue
        parts.append(f"{words} {shown(value)} against {shown(theirs)} for like units")
        if theirs > 0:
            gaps.append((1 - value / theirs, name))
    worst = max(gaps, default=(0.0, "conversion"))
    detail = worst[1] if worst[0] >= PEER_SHORT else "conversion"
    text = "Since the start: " + "; ".join(parts) + "." if parts else "No deals closed yet."
    return detail, text


def _weakest_part(window: Sequence[WeekSignals]) -> tuple[str, float] | None:
    levels = [(part, level(values(window, part))) for part in HEALTH_PARTS]
    known = [(part, v) for part, v in levels if v is not None]
    return min(known, key=lambda item: item[1]) if known else None


def unit_diagnosis(history: Sequence[WeekSignals], projection: Projection, momentum: Momentum,
                   *, facts_fresh: bool = True, peers: DealFigures | None = None) -> Diagnosis:
    """Walk the chain of the module docstring for one unit at the last week of `history` (the
    initiative's weeks); `peers` are like units' median deal figures."""
    window = list(history)[-WINDOW:]
    evidence: list[Evidence] = []
    a = values(window, "lever_attainment")
    if np.isnan(a).all():
        evidence.append(Evidence(Step.REPORTING, "No lever data in the last "
                                 f"{WINDOW} weeks: the asks are not measured for this unit."))
        return Diagnosis(projection.status, Cause.MEASURE, "coverage", tuple(evidence))
    if not facts_fresh:
        evidence.append(Evidence(Step.REPORTING, "The facts are older than a week: import the "
                                 "latest CRM export."))
        return Diagnosis(projection.status, Cause.MEASURE, "freshness", tuple(evidence))
    evidence.append(Evidence(Step.REPORTING, "The asks are measured and the facts are fresh."))
    status = projection.status
    if status is Status.INSUFFICIENT:
        evidence.append(Evidence(Step.OUTPUT, "No output or forecast to compare yet."))
        return Diagnosis(status, Cause.INSUFFICIENT, "forecast", tuple(evidence))
    to_date, projected = projection.to_date or 0.0, projection.projected or 0.0
    evidence.append(Evidence(Step.OUTPUT, f"Output to date {100 * to_date:.0f}% of forecast, "
                             f"projected {100 * projected:.0f}%."))
    if status is Status.ON_TRACK:
        return Diagnosis(status, Cause.NONE, "", tuple(evidence))
    if status is not Status.AT_RISK and status is not Status.BEHIND:
        assert_never(status)
    a_level, a_slope = level(a) or 0.0, trend(a) or 0.0
    if a_level >= LEVERS_MOVING and a_slope > -LEVER_FALL:
        evidence.append(Evidence(Step.LEVERS, f"Levers at {100 * a_level:.0f}% of target: the "
                                 "team does what was asked, and output still lags."))
        detail, finding = _opportunity_evidence(deal_figures(history), peers)
        evidence.append(Evidence(Step.OPPORTUNITY, finding))
        return Diagnosis(status, Cause.OPPORTUNITY, detail, tuple(evidence))
    evidence.append(Evidence(Step.LEVERS, f"Levers at {100 * a_level:.0f}% of target, "
                             f"{'falling' if a_slope < 0 else 'not rising'}."))
    h = values(window, "health")
    h_level, h_slope = level(h), trend(h) or 0.0
    if h_level is not None and (h_level < HEALTH_WEAK or h_slope < -HEALTH_FALL):
        weakest = _weakest_part(window)
        detail = weakest[0] if weakest else "health"
        evidence.append(Evidence(Step.MESSAGE, f"Message health {h_level:.0f}/100"
                                 + (f", weakest part {detail} ({weakest[1]:.0f})" if weakest
                                    else "") + "."))
        return Diagnosis(status, Cause.MESSAGE, detail, tuple(evidence))
    evidence.append(Evidence(Step.MESSAGE, "The message holds" + (
        f" (health {h_level:.0f}/100)." if h_level is not None else " (no health measured).")))
    m = values(window, "morale")
    m_level, m_slope = level(m), trend(m) or 0.0
    if m_level is not None and (m_level < MORALE_WEAK or m_slope < -MORALE_FALL):
        evidence.append(Evidence(Step.MORALE, f"Morale {m_level:.1f}/5, "
                                 f"{'falling' if m_slope < 0 else 'low'}: {momentum.state}."))
        return Diagnosis(status, Cause.MOMENTUM, "morale", tuple(evidence))
    evidence.append(Evidence(Step.MORALE, "Morale holds; the levers stall without a sign in the "
                             "message or the pulse."))
    return Diagnosis(status, Cause.MOMENTUM, "levers", tuple(evidence))
