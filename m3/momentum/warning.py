"""Early warning: project each unit's output from its levers, and detect drops before output does.

Projection (fitted on the organisation's own history up to the as-of week, every unit pooled):
the weekly output ratio r = output / forecast is regressed on lever attainment L weeks earlier,
r_t = β0 + β1 · a_(t-L), by ordinary least squares (statsmodels), for each lag L in
0..MAX_LAG; the lag with the highest R² is kept (at least MIN_FIT_POINTS points, else the unit's
own recent ratio is projected flat). A unit's projection to the horizon is

    projected = (Σ output to date + Σ_future forecast_t · r̂_t) / Σ forecast to the horizon,

with r̂_t = β0 + β1 · a_(t-L) while the lever weeks are known, and after that β0 + β1 · â_k,
where â_k = ā + s · min(k, EXTRAPOLATE_WEEKS) continues the levers' recent course: ā is the
mean of the last two known weeks, s the least-squares slope of the last four, k the weeks past
the last known one. A lever drop thus shows in the projection the week it happens, weeks
before it reaches output. Output to date is Σ output / Σ forecast over the weeks so far.

The near term is where today's levers lead: the mean r̂ over the first NEAR_WEEKS future weeks
whose lever week is not yet known (those driven by â_k), i.e. the output ratio the levers imply
one sales cycle (the model's lag) from now.

Status (after at least MIN_STATUS_WEEKS weeks with a forecast; `insufficient` before):
`behind` when output to date < ON_PLAN of the forecast to date, or output over the last
RECENT_WEEKS weeks < RECENT_ON_PLAN of their forecast (a shortfall that has set in, even where
an early surplus still carries the total); `at_risk` when not behind but projected < ON_PLAN or
near < NEAR_ON_PLAN (the shortfall is coming); else `on_track`.

Change detection (one-sided CUSUM, Page 1954) on lever attainment and on morale: with μ0 and σ
the mean and standard deviation of the first BASELINE_WEEKS weeks (σ at least SIGMA_FLOOR of
μ0), S_t = max(0, S_(t-1) + (μ0 - x_t) - K·σ); a drop is raised the first week S_t > H·σ.

Peers: a unit whose lever attainment over the last 4 weeks is below the median of its peers
(units at the same level) by more than PEER_GAP is behind its peers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import statsmodels.api as sm

from m3.momentum.signals import WeekSignals, trend, values

ON_PLAN = 0.95
NEAR_ON_PLAN = 0.95
NEAR_WEEKS = 4
RECENT_WEEKS = 4
RECENT_ON_PLAN = 0.9
MIN_STATUS_WEEKS = 3
MAX_LAG = 6
MIN_FIT_POINTS = 12
EXTRAPOLATE_WEEKS = 4
BASELINE_WEEKS = 4
SIGMA_FLOOR = 0.05
CUSUM_K = 0.5
CUSUM_H = 4.0
PEER_GAP = 0.2


class Status(StrEnum):
    """Where a unit's output stands against its forecast."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    INSUFFICIENT = "insufficient"


class AlertKind(StrEnum):
    """What an early warning is about."""

    PROJECTED_MISS = "projected_miss"
    LEVER_DROP = "lever_drop"
    MORALE_DROP = "morale_drop"
    BEHIND_PEERS = "behind_peers"


@dataclass(frozen=True)
class LeverModel:
    """r_t = intercept + slope · a_(t-lag), fitted on `points` unit-weeks with `r2`."""

    lag: int
    intercept: float
    slope: float
    r2: float
    points: int


@dataclass(frozen=True)
class Projection:
    """A unit's output to date and projected to the horizon, each as a share of forecast."""

    status: Status
    to_date: float | None
    projected: float | None
    near_term: float | None = None


def lever_model_fit(histories: Sequence[Sequence[WeekSignals]]) -> LeverModel | None:
    """The pooled lag model of the module docstring, or None with too few points."""
    best: LeverModel | None = None
    for lag in range(MAX_LAG + 1):
        xs: list[float] = []
        ys: list[float] = []
        for history in histories:
            a = values(history, "lever_attainment")
            o, f = values(history, "output"), values(history, "forecast")
            for t in range(lag, len(history)):
                x, out, fc = a[t - lag], o[t], f[t]
                if not (np.isnan(x) or np.isnan(out) or np.isnan(fc)) and fc > 0:
                    xs.append(float(x))
                    ys.append(float(out / fc))
        if len(xs) < MIN_FIT_POINTS or np.ptp(xs) == 0:
            continue
        fit = sm.OLS(np.array(ys), sm.add_constant(np.array(xs))).fit()
        model = LeverModel(lag, float(fit.params[0]), float(fit.params[1]), float(fit.rsquared),
                           len(xs))
        if best is None or model.r2 > best.r2:
            best = model
    return best


def output_projection(history: Sequence[WeekSignals], model: LeverModel | None,
                      future_forecast: Sequence[float]) -> Projection:
    """Output to date and projected to the horizon (the weeks of `future_forecast`)."""
    o, f = values(history, "output"), values(history, "forecast")
    known = ~np.isnan(o) & ~np.isnan(f)
    if known.sum() < MIN_STATUS_WEEKS or f[known].sum() <= 0:
        return Projection(Status.INSUFFICIENT, None, None)
    done, planned = float(o[known].sum()), float(f[known].sum())
    to_date = done / planned
    a = values(history, "lever_attainment")
    known_a = a[~np.isnan(a)]
    recent_a = known_a[-2:]
    slope = trend(known_a[-4:]) or 0.0
    last_known = int(np.nonzero(~np.isnan(a))[0][-1]) if known_a.size else 0
    ratios: list[float] = []
    implied: list[float] = []
    for step, _ in enumerate(future_forecast, start=1):
        if model is not None and recent_a.size:
            source = len(history) - 1 + step - model.lag
            if 0 <= source < len(history) and not np.isnan(a[source]):
                x = float(a[source])
            else:
                beyond = min(source - last_known, EXTRAPOLATE_WEEKS)
                x = float(recent_a.mean()) + slope * beyond
                if len(implied) < NEAR_WEEKS:
                    implied.append(max(0.0, model.intercept + model.slope * x))
            ratios.append(max(0.0, model.intercept + model.slope * float(x)))
        else:
            recent = known.nonzero()[0][-BASELINE_WEEKS:]
            ratios.append(float(o[recent].sum() / f[recent].sum()) if f[recent].sum() else 1.0)
    future = float(sum(fc * r for fc, r in zip(future_forecast, ratios, strict=True)))
    projected = (done + future) / (planned + float(sum(future_forecast)))
    near = float(np.mean(implied)) if implied else None
    recent = known.nonzero()[0][-RECENT_WEEKS:]
    recent_ratio = float(o[recent].sum() / f[recent].sum()) if f[recent].sum() > 0 else 1.0
    if to_date < ON_PLAN or recent_ratio < RECENT_ON_PLAN:
        status = Status.BEHIND
    elif projected < ON_PLAN or (near is not None and near < NEAR_ON_PLAN):
        status = Status.AT_RISK
    else:
        status = Status.ON_TRACK
    return Projection(status, to_date, projected, near)


def cusum_drop(series: np.ndarray) -> int | None:
    """The first index where the lower CUSUM of the module docstring passes H·σ, or None."""
    base = series[:BASELINE_WEEKS]
    base = base[~np.isnan(base)]
    if base.size < 2:
        return None
    mu = float(base.mean())
    sigma = max(float(base.std(ddof=1)), SIGMA_FLOOR * abs(mu), 1e-9)
    s = 0.0
    for t in range(BASELINE_WEEKS, len(series)):
        if np.isnan(series[t]):
            continue
        s = max(0.0, s + (mu - float(series[t])) - CUSUM_K * sigma)
        if s > CUSUM_H * sigma:
            return t
    return None


@dataclass(frozen=True)
class Alert:
    """An early warning for one unit: its kind, the week it was first raised and why."""

    unit: str
    kind: AlertKind
    first_raised: dt.date
    reason: str


def unit_alerts(unit: str, history: Sequence[WeekSignals], projection: Projection,
                peer_median: float | None) -> list[Alert]:
    """Every open alert of a unit at the last week of `history`, each with its first week."""
    if not history:
        return []
    alerts: list[Alert] = []
    last = history[-1].week
    if projection.status is Status.AT_RISK and projection.projected is not None:
        alerts.append(Alert(unit, AlertKind.PROJECTED_MISS, last,
                            f"Projected at {100 * projection.projected:.0f}% of forecast while "
                            f"output to date is {100 * (projection.to_date or 0):.0f}%."))
    for kind, name, words in ((AlertKind.LEVER_DROP, "lever_attainment", "lever attainment"),
                              (AlertKind.MORALE_DROP, "morale", "morale")):
        series = values(history, name)
        if (at := cusum_drop(series)) is not None:
            alerts.append(Alert(unit, kind, history[at].week,
                                f"A sustained drop in {words} since the week of "
                                f"{history[at].week} (CUSUM against the first "
                                f"{BASELINE_WEEKS} weeks)."))
    a = values(history[-4:], "lever_attainment")
    mine = float(np.nanmean(a)) if (~np.isnan(a)).any() else None
    if mine is not None and peer_median is not None and mine < peer_median - PEER_GAP:
        alerts.append(Alert(unit, AlertKind.BEHIND_PEERS, last,
                            f"Levers at {100 * mine:.0f}% of target against "
                            f"{100 * peer_median:.0f}% for like units over the last 4 weeks."))
    return alerts


def peer_medians(recent_attainment: Mapping[str, float | None],
                 peers: Mapping[str, str]) -> dict[str, float | None]:
    """Per unit, the median recent attainment of the other units of its peer group."""
    out: dict[str, float | None] = {}
    for unit, group in peers.items():
        others = [v for u, v in recent_attainment.items()
                  if u != unit and peers.get(u) == group and v is not None]
        out[unit] = float(np.median(others)) if others else None
    return out
