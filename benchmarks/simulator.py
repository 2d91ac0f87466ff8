"""Simulated organisations with known causes, for the momentum and diagnosis backtest.

Separate from the demo on purpose (M3 must hold on organisations it has never seen): each seed
draws a different mix of teams, sizes, onsets, lags and noise. A team is one of

- healthy:      levers reach the asks, the message holds, morale steady (some with bigger noise
                and a passing dip);
- fading:       the message is delivered once and never reinforced: the frequency part and
                health decay from a random week, levers follow a week or two later;
- contradicting: two leaders say different things: consistency is low and health weak from the
                start, levers sag as confusion grows;
- sliding:      morale falls from a random week while the message holds; levers follow;
- opportunity:  engaged (levers on target, message and morale fine) in a poor territory: output
                converts at 70–80 % of what the forecast assumed;
- unmeasured:   the asks are not reported for the team (no lever data).

Output follows levers with the sales cycle's lag (5–7 weeks), so a lever drop shows in output
weeks later; PRE_WEEKS of history before the rollout let the organisation's lever model be fit
from the first week, as a real CRM history does.

A `SimConfig` sets the organisation's shape and noise: `DEFAULT` is the one thresholds were
tuned on; `UNLIKE` (more and more healthy teams, noisier levers and lumpier output, sales
cycles of 3–9 weeks, a slower rollout and 8 weeks of history) is for organisations unlike it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from m3.momentum.signals import HealthSignal, WeekSignals

PRE_WEEKS = 12
START = dt.date(2026, 1, 5)
SHORTFALL = 0.9  # rolling 4-week output below this share of forecast is a shortfall


@dataclass(frozen=True)
class SimConfig:
    """An organisation's shape and noise (see the module docstring)."""

    healthy: tuple[int, int] = (3, 6)  # team counts per kind: [low, high)
    others: tuple[int, int] = (1, 3)
    lever_sd: tuple[float, float] = (0.07, 0.12)  # quiet teams, noisy healthy teams
    output_sd: tuple[float, float] = (0.07, 0.12)
    noisy_share: float = 0.4
    lag: tuple[int, int] = (5, 8)
    ramp_weeks: int = 3
    pre_weeks: int = PRE_WEEKS


DEFAULT = SimConfig()
UNLIKE = SimConfig(healthy=(6, 11), others=(1, 4), lever_sd=(0.1, 0.16), output_sd=(0.15, 0.25),
                   noisy_share=0.5, lag=(3, 10), ramp_weeks=5, pre_weeks=8)


class Kind(StrEnum):
    """The kinds of team of the simulation, each with its true cause."""

    HEALTHY = "healthy"
    FADING = "fading"
    CONTRADICTING = "contradicting"
    SLIDING = "sliding"
    OPPORTUNITY = "opportunity"
    UNMEASURED = "unmeasured"


TRUE_CAUSE = {Kind.HEALTHY: "none", Kind.FADING: "message", Kind.CONTRADICTING: "message",
              Kind.SLIDING: "momentum", Kind.OPPORTUNITY: "opportunity",
              Kind.UNMEASURED: "measure"}


@dataclass(frozen=True)
class SimTeam:
    """One simulated team: its kind, its weekly signals (pre-rollout weeks first)."""

    name: str
    kind: Kind
    history: tuple[WeekSignals, ...]  # pre_weeks before the start, then the initiative's weeks
    shortfall_week: int | None  # first initiative week (0-based) of a lasting shortfall
    misses: bool  # output over the whole initiative below ON_PLAN of forecast
    pre_weeks: int = PRE_WEEKS

    @property
    def cause(self) -> str:
        """The true cause the diagnosis should name."""
        return TRUE_CAUSE[self.kind]


def _kinds(rng: np.random.Generator, config: SimConfig) -> list[Kind]:
    def some(bounds: tuple[int, int]) -> int:
        return int(rng.integers(*bounds))

    kinds = [Kind.HEALTHY] * some(config.healthy) + [Kind.FADING] * some(config.others)
    kinds += [Kind.CONTRADICTING] * some(config.others) + [Kind.SLIDING] * some(config.others)
    kinds += [Kind.OPPORTUNITY] * some(config.others) + [Kind.UNMEASURED]
    rng.shuffle(kinds)  # type: ignore[arg-type]
    return kinds


def _team(name: str, kind: Kind, weeks: int, rng: np.random.Generator,
          config: SimConfig) -> SimTeam:
    pre_weeks = config.pre_weeks
    n = pre_weeks + weeks
    t = np.arange(n) - pre_weeks  # initiative week; negative before the rollout
    noisy = kind is Kind.HEALTHY and rng.random() < config.noisy_share
    sd = config.lever_sd[1] if noisy else config.lever_sd[0]
    out_sd = config.output_sd[1] if noisy else config.output_sd[0]
    base = float(rng.uniform(60, 160))  # the team's weekly output at the asks' targets
    pre_a = float(rng.uniform(0.8, 0.9))  # levers before the asks raised the targets
    lag = int(rng.integers(*config.lag))
    ramp = np.clip((t + 1) / config.ramp_weeks, 0, 1)  # the rollout takes weeks to land
    target_a = float(rng.uniform(1.0, 1.1))
    a = pre_a + (target_a - pre_a) * ramp
    health = np.where(t < 0, np.nan, rng.normal(80, 4, n))
    frequency = np.where(t < 0, np.nan, rng.normal(85, 6, n))
    consistency = np.where(t < 0, np.nan, rng.normal(80, 6, n))
    comprehension = np.where(t < 0, np.nan, rng.normal(75, 6, n))
    morale = rng.normal(3.9, 0.2, n)
    conv = 1.0
    if kind is Kind.FADING:
        onset = int(rng.integers(2, 7))
        decay = np.clip(t - onset, 0, None)
        frequency = np.where(t < 0, np.nan, np.clip(frequency - 14 * decay, 0, 100))
        health = np.where(t < 0, np.nan, np.clip(health - 5 * decay, 25, 100))
        a = a - 0.025 * np.clip(t - onset - int(rng.integers(1, 3)), 0, None)
        morale = morale - 0.02 * decay
    elif kind is Kind.CONTRADICTING:
        consistency = np.where(t < 0, np.nan, rng.normal(32, 6, n))
        health = np.where(t < 0, np.nan, rng.normal(50, 5, n) - 0.8 * np.clip(t, 0, None))
        a = a - 0.03 * np.clip(t - 1, 0, None)
        morale = morale - 0.015 * np.clip(t, 0, None)
    elif kind is Kind.SLIDING:
        onset = int(rng.integers(2, 7))
        morale = morale - 0.12 * np.clip(t - onset, 0, None)
        a = a - 0.03 * np.clip(t - onset - 1, 0, None)
    elif kind is Kind.OPPORTUNITY:
        conv = float(rng.uniform(0.7, 0.8))
    if noisy and rng.random() < 0.5:
        dip = int(rng.integers(3, weeks - 4))
        a = a - 0.15 * ((t >= dip) & (t < dip + 2))
    a = np.clip(a + rng.normal(0, sd, n), 0.05, None)
    morale = np.clip(morale, 1, 5)
    lagged = np.concatenate([np.full(lag, pre_a), a[:-lag]])
    output = base * conv * lagged * np.exp(rng.normal(0, out_sd, n))
    # The forecast expects the asks' targets (attainment 1.0) to reach output one sales cycle
    # after the rollout's ramp, and the team's usual conversion.
    forecast = np.where(t < 0, np.nan,
                        base * (pre_a + (1.0 - pre_a)
                                * np.clip((t - lag + 1) / config.ramp_weeks, 0, 1)))
    measured = kind is not Kind.UNMEASURED
    history = tuple(
        WeekSignals(
            week=START + dt.timedelta(weeks=int(t[i])),
            lever_attainment=float(a[i]) if measured else None,
            output=float(output[i]),
            forecast=None if np.isnan(forecast[i]) else float(forecast[i]),
            morale=float(morale[i]) if t[i] >= 0 else None,
            health=HealthSignal(
                None if np.isnan(health[i]) else float(np.clip(min(health[i], 0.5 * health[i]
                                                                   + 0.5 * frequency[i],
                                                                   0.5 * health[i]
                                                                   + 0.5 * consistency[i]),
                                                               0, 100)),
                clarity=None if t[i] < 0 else 80.0,
                frequency=None if np.isnan(frequency[i]) else float(frequency[i]),
                consistency=None if np.isnan(consistency[i]) else float(consistency[i]),
                comprehension=None if np.isnan(comprehension[i]) else float(comprehension[i]),
            ),
        )
        for i in range(n)
    )
    post_o, post_f = output[pre_weeks:], forecast[pre_weeks:]
    shortfall = None
    for w in range(3, weeks):
        ratio = post_o[w - 3:w + 1].sum() / post_f[w - 3:w + 1].sum()
        later = [post_o[v - 3:v + 1].sum() / post_f[v - 3:v + 1].sum()
                 for v in range(w, min(weeks, w + 3))]
        if ratio < SHORTFALL and all(r < SHORTFALL for r in later):
            shortfall = w
            break
    misses = bool(post_o.sum() < 0.95 * post_f.sum())
    return SimTeam(name, kind, history, shortfall, misses, pre_weeks)


def organisation_simulate(seed: int, weeks: int = 26,
                          config: SimConfig = DEFAULT) -> list[SimTeam]:
    """One simulated organisation for `seed` (8–14 teams with the DEFAULT configuration)."""
    rng = np.random.default_rng(seed)
    return [_team(f"Team {i + 1:02d} ({kind})", kind, weeks, rng, config)
            for i, kind in enumerate(_kinds(rng, config))]
