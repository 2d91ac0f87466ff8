"""Early warning: project each unit's output from its levers, and detect drops before output does.

Projection (fitted on the organisation's own history up to the as-of week, every unit pooled):
the weekly output ratio r = output / expected is regressed on the mean lever attainment of a
window of weeks, r_t = β0 + β1 · ā_t with ā_t = mean(a_(t-L-w+1) .. a_(t-L)), by ordinary least
squares (statsmodels), for each lag L and width w = 1..MAX_SPAN with L + w - 1 ≤ MAX_LAG (teams'
sales cycles differ, so the organisation's output follows a spread of lags, not one; w = 1 is
the single lag). Expected output is the forecast since the start and, before it, the unit's mean
output over its weeks before the start (`expected_output`), so the model is fitted from the
first week of the initiative on. A window counts only with β1 > 0 and the slope's p-value below
MODEL_P (levers lead output; early in an initiative, before output could respond, a line with
more lever work and less output is noise, not a model). Week-to-week noise in the levers
flattens a fitted line (regression dilution), so the slope is divided by the reliability
λ = max(MIN_RELIABILITY, 1 - σ_a² / (w · var(ā))) (σ_a: the units' lever noise, below, pooled as
a root mean square; a mean of w weeks carries σ_a² / w) and β0 = r̄ - β1 · ā. The window with the
highest R² is kept (at least MIN_FIT_POINTS points; a wider window only when its R² is higher).
Without one, the plan's own premise PRIOR_MODEL is used: L = 0, w = 1, β0 = 0, β1 = 1 (the
forecast assumes the asks' targets, so output follows lever attainment one for one). A unit's
projection to the horizon is

    projected = (Σ output to date + Σ_future forecast_t · r̂_t) / Σ forecast to the horizon,

with r̂_t = β0 + β1 · ā_t, each lever week of the window taken as known or, past the last
known week, as â_k,
where â_k = ā + s · min(k, EXTRAPOLATE_WEEKS) continues the levers' recent course: ā is the
mean of the last LEVEL_WEEKS known weeks, s the Theil-Sen slope (the median of the pairwise
slopes, so one outlying week does not tip it) of the last SLOPE_WEEKS, k the weeks past the
last known one. A lever drop thus shows in the projection the week it happens, weeks
before it reaches output. Output to date is Σ output / Σ forecast over the weeks so far.

The near term is where today's levers lead: the mean r̂ over the first NEAR_WEEKS future weeks
with a lever week of their window not yet known (those driven by â_k), i.e. the output ratio
the levers imply one sales cycle (the model's lag) from now.

Noise: a shortfall in output counts only when it is larger than the unit's own noise explains.
With cv the unit's weekly output noise (the coefficient of variation of its output over the
weeks before the start, from its first week with output, at least NOISE_MIN_WEEKS of them; else
that of its weekly output ratios since the start), the standard error of a ratio over weeks W is

    se(W) = cv · √(Σ_W f_t²) / Σ_W f_t,

and those of the levers' course and the projection

    se(near)      = β1 · σ_a · mean_t (1/w) Σ_k √(1/m + min(k, EXTRAPOLATE_WEEKS)² / S_tt)
    se(projected) = √((F_done · se(to date))² + (F_future · se(near))²) / (F_done + F_future)

(mean_t over the near weeks, Σ_k over the unknown lever weeks k of t's window; m: the weeks
of ā; S_tt = Σ (t - t̄)² over the weeks of s; F: the forecast done and to come). σ_a, the
lever noise, is the standard deviation of the week-to-week changes of lever attainment over the
unit's history, / √2.

Status (after at least MIN_STATUS_WEEKS weeks with a forecast; `insufficient` before):
`behind` when output to date < ON_PLAN - Z · se(to date), or output over the last RECENT_WEEKS
weeks < RECENT_ON_PLAN - Z · se(recent) (a shortfall that has set in, even where an early
surplus still carries the total); `at_risk` when not behind but projected < ON_PLAN - Z ·
se(projected), or near < NEAR_ON_PLAN while by_then < NEAR_GATE (the shortfall is coming, and
no surplus of more than NEAR_GATE - 1 carries the unit through it); else `on_track`.

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
from scipy.stats import theilslopes

from m3.momentum.signals import WeekSignals, values

ON_PLAN = 0.95
NEAR_ON_PLAN = 0.95
NEAR_WEEKS = 4
RECENT_WEEKS = 4
RECENT_ON_PLAN = 0.9
MIN_STATUS_WEEKS = 3
MAX_LAG = 9
MAX_SPAN = 4
MIN_FIT_POINTS = 12
EXTRAPOLATE_WEEKS = 4
BASELINE_WEEKS = 4
SIGMA_FLOOR = 0.05
CUSUM_K = 0.5
CUSUM_H = 4.0
PEER_GAP = 0.2
Z = 1.0
NEAR_GATE = 1.1
LEVEL_WEEKS = 3
SLOPE_WEEKS = 6
MODEL_P = 0.05
MIN_RELIABILITY = 0.25
NOISE_MIN_WEEKS = 4


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
    """r_t = intercept + slope · ā_t, ā_t the mean lever attainment of the weeks
    t-lag-span+1 .. t-lag, fitted on `points` unit-weeks with `r2`."""

    lag: int
    intercept: float
    slope: float
    r2: float
    points: int
    span: int = 1


@dataclass(frozen=True)
class Projection:
    """A unit's output to date and projected to the horizon, each as a share of forecast."""

    status: Status
    to_date: float | None
    projected: float | None
    near_term: float | None = None


# Without a significant line in the organisation's history, the plan's own premise: the
# forecast assumes the asks' targets, so output follows lever attainment one for one.
PRIOR_MODEL = LeverModel(lag=0, intercept=0.0, slope=1.0, r2=0.0, points=0)


def _pre_start(history: Sequence[WeekSignals]) -> tuple[np.ndarray, int]:
    """The unit's output in the weeks before its first forecast (from its first output week),
    and the index of that first forecast week."""
    o, f = values(history, "output"), values(history, "forecast")
    with_forecast = np.nonzero(~np.isnan(f))[0]
    first_forecast = int(with_forecast[0]) if with_forecast.size else len(history)
    pre = o[:first_forecast]
    started = np.nonzero(~np.isnan(pre) & (pre > 0))[0]
    pre = pre[int(started[0]):] if started.size else pre[:0]
    return pre[~np.isnan(pre)], first_forecast


def expected_output(history: Sequence[WeekSignals]) -> np.ndarray:
    """What each week's output was expected to be: the forecast since the start, the unit's
    mean output before it (at least NOISE_MIN_WEEKS weeks of it), NaN where neither is known."""
    f = values(history, "forecast")
    pre, first_forecast = _pre_start(history)
    if pre.size >= NOISE_MIN_WEEKS and pre.mean() > 0:
        o = values(history, "output")
        before = np.arange(len(history)) < first_forecast
        f = np.where(before & ~np.isnan(o), float(pre.mean()), f)
    return f


def _window_mean(a: np.ndarray, t: int, lag: int, span: int) -> float:
    """ā over the lever weeks t-lag-span+1 .. t-lag (NaN if any is unknown or before the first)."""
    first = t - lag - span + 1
    return float(a[first:t - lag + 1].mean()) if first >= 0 else float("nan")


def lever_model_fit(histories: Sequence[Sequence[WeekSignals]]) -> LeverModel | None:
    """The pooled lag-window model of the module docstring, or None with too few points."""
    best: LeverModel | None = None
    noises = [lever_noise(h) for h in histories
              if (~np.isnan(values(h, "lever_attainment"))).sum() >= 3]
    noise = float(np.sqrt(np.mean(np.square(noises)))) if noises else 0.0
    series = [(values(h, "lever_attainment"), values(h, "output"), expected_output(h))
              for h in histories]
    for span in range(1, MAX_SPAN + 1):
        for lag in range(MAX_LAG + 2 - span):
            xs: list[float] = []
            ys: list[float] = []
            for a, o, f in series:
                for t in range(lag + span - 1, len(a)):
                    mean, out, fc = _window_mean(a, t, lag, span), o[t], f[t]
                    if not (np.isnan(mean) or np.isnan(out) or np.isnan(fc)) and fc > 0:
                        xs.append(mean)
                        ys.append(float(out / fc))
            if len(xs) < MIN_FIT_POINTS or np.ptp(xs) == 0:
                continue
            x, y = np.array(xs), np.array(ys)
            fit = sm.OLS(y, sm.add_constant(x)).fit()
            # Levers lead output, so a lag where more lever work goes with less output, or no
            # clear line at all (early in an initiative, before output could respond), is no
            # model.
            if float(fit.params[1]) <= 0 or float(fit.pvalues[1]) >= MODEL_P:
                continue
            # Week-to-week noise in the levers flattens the fitted line (regression dilution):
            # divide the slope by the reliability λ = 1 - σ_a² / (span · var(x)) (a mean over
            # `span` weeks carries 1/span of the weekly noise).
            reliability = max(MIN_RELIABILITY, 1 - noise ** 2 / (span * float(x.var())))
            slope = float(fit.params[1]) / reliability
            model = LeverModel(lag, float(y.mean() - slope * x.mean()), slope,
                               float(fit.rsquared), len(xs), span)
            # a wider window must explain more, not as much (on a straight course every window
            # centred on the lag fits as well as the lag itself)
            if best is None or model.r2 > best.r2 + 1e-9:
                best = model
    return best


def robust_trend(series: np.ndarray) -> float:
    """The Theil-Sen slope per week (the median of the pairwise slopes; 0 below 3 points), so
    one outlying week does not tip the levers' course."""
    if series.size < 3:
        return 0.0
    return float(theilslopes(series, np.arange(series.size, dtype=float))[0])


def output_noise(history: Sequence[WeekSignals]) -> float:
    """cv, the unit's weekly output noise (the module docstring's "Noise"); 0 when unknown."""
    o, f = values(history, "output"), values(history, "forecast")
    pre, _ = _pre_start(history)
    if pre.size >= NOISE_MIN_WEEKS and pre.mean() > 0:
        return float(pre.std(ddof=1) / pre.mean())
    known = ~np.isnan(o) & ~np.isnan(f) & (f > 0)
    ratios = o[known] / f[known]
    if ratios.size >= MIN_STATUS_WEEKS and ratios.mean() > 0:
        return float(ratios.std(ddof=1) / ratios.mean())
    return 0.0


def lever_noise(history: Sequence[WeekSignals]) -> float:
    """σ_a, the standard deviation of the week-to-week changes of lever attainment / √2."""
    a = values(history, "lever_attainment")
    known = a[~np.isnan(a)]
    return float(np.diff(known).std(ddof=1) / np.sqrt(2)) if known.size >= 3 else 0.0


def _ratio_se(cv: float, forecast: np.ndarray) -> float:
    total = float(forecast.sum())
    return cv * float(np.sqrt((forecast ** 2).sum())) / total if total > 0 else 0.0


def output_projection(history: Sequence[WeekSignals], model: LeverModel | None,
                      future_forecast: Sequence[float]) -> Projection:
    """Output to date and projected to the horizon (the weeks of `future_forecast`); without an
    organisation model, the plan's own premise PRIOR_MODEL (r = a: asks met deliver the
    forecast)."""
    model = model if model is not None else PRIOR_MODEL
    o, f = values(history, "output"), values(history, "forecast")
    known = ~np.isnan(o) & ~np.isnan(f)
    if known.sum() < MIN_STATUS_WEEKS or f[known].sum() <= 0:
        return Projection(Status.INSUFFICIENT, None, None)
    done, planned = float(o[known].sum()), float(f[known].sum())
    to_date = done / planned
    a = values(history, "lever_attainment")
    known_a = a[~np.isnan(a)]
    recent_a = known_a[-LEVEL_WEEKS:]
    slope_weeks = known_a[-SLOPE_WEEKS:]
    slope = robust_trend(slope_weeks)
    spread = float(((np.arange(slope_weeks.size) - (slope_weeks.size - 1) / 2) ** 2).sum())
    last_known = int(np.nonzero(~np.isnan(a))[0][-1]) if known_a.size else 0
    ratios: list[float] = []
    implied: list[float] = []
    horizon = 0  # the last future week of the near term
    reach: list[float] = []  # per near week: √(1/m + min(k, EXTRAPOLATE_WEEKS)² / S_tt)
    for step, _ in enumerate(future_forecast, start=1):
        if model is not None and recent_a.size:
            # the lever weeks of this week's window: known, or continued by â_k
            window: list[float] = []
            beyond_weeks: list[int] = []
            for back in range(model.lag, model.lag + model.span):
                source = len(history) - 1 + step - back
                if 0 <= source < len(history) and not np.isnan(a[source]):
                    window.append(float(a[source]))
                else:
                    beyond = min(source - last_known, EXTRAPOLATE_WEEKS)
                    window.append(float(recent_a.mean()) + slope * beyond)
                    beyond_weeks.append(beyond)
            x = float(np.mean(window))
            if beyond_weeks and len(implied) < NEAR_WEEKS:
                implied.append(max(0.0, model.intercept + model.slope * x))
                horizon = step
                reach.append(sum(float(np.sqrt(1 / recent_a.size
                                               + (k ** 2 / spread if spread else 0.0)))
                                 for k in beyond_weeks) / model.span)
            ratios.append(max(0.0, model.intercept + model.slope * x))
        else:
            recent = known.nonzero()[0][-BASELINE_WEEKS:]
            ratios.append(float(o[recent].sum() / f[recent].sum()) if f[recent].sum() else 1.0)
    upcoming = float(sum(future_forecast))
    future = float(sum(fc * r for fc, r in zip(future_forecast, ratios, strict=True)))
    projected = (done + future) / (planned + upcoming)
    near = float(np.mean(implied)) if implied else None
    soon = list(future_forecast)[:horizon]
    by_then = ((done + float(sum(fc * r for fc, r in zip(soon, ratios, strict=False))))
               / (planned + float(sum(soon))))
    recent = known.nonzero()[0][-RECENT_WEEKS:]
    recent_ratio = float(o[recent].sum() / f[recent].sum()) if f[recent].sum() > 0 else 1.0
    cv = output_noise(history)
    se_to_date, se_recent = _ratio_se(cv, f[known]), _ratio_se(cv, f[recent])
    se_near = (model.slope * lever_noise(history) * float(np.mean(reach))
               if model is not None and reach else 0.0)
    se_projected = float(np.hypot(planned * se_to_date, upcoming * se_near)
                         / (planned + upcoming))
    if to_date < ON_PLAN - Z * se_to_date or recent_ratio < RECENT_ON_PLAN - Z * se_recent:
        status = Status.BEHIND
    elif (projected < ON_PLAN - Z * se_projected
          or (near is not None and near < NEAR_ON_PLAN
              and by_then < NEAR_GATE)):
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
