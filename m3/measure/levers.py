"""Levers that lead: which lever metrics predict an output metric, and how many weeks ahead.

For a lever x and the output y, both weekly per unit, and a lag L in 0..max_lag weeks:

- lagged correlation r(L) = Pearson correlation of x(unit, week − L) with y(unit, week) over
  every unit-week pair available (overall: units pooled; per unit: that unit alone), with its
  two-sided p-value and sample size n. The best lag is the one with the largest r.
- distributed-lag regression: y(t) = a + Σ_{L=1..max_lag} b_L · x(t − L) + e by OLS (pooled);
  its R² says how much of the output the lever's past explains, and it projects next week's
  output from the lever's latest values: ŷ(T+1) = a + Σ b_L · x(T + 1 − L).

A lever never recorded in the scope (all zero or missing) gets "no lever data": the unit has no
lever reporting. Otherwise, with fewer than `min_points` pairs (default 12) or a lever that does
not vary, the verdict is "too thin to say"; a lever "leads" when its best r ≥ 0.3 with
p < 0.05, else "no clear link".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

OVERALL = "overall"
TOO_THIN = "too thin to say"
NO_DATA = "no lever data"
LEADS = "leads"
NO_LINK = "no clear link"


@dataclass(frozen=True)
class LeverLead:
    """How well `lever` predicts the output in `scope` (a unit or overall)."""

    lever: str
    scope: str
    best_lag: int | None
    r: float | None
    p_value: float | None
    n: int
    r2: float | None
    verdict: str
    projection: float | None


def _pairs(weekly: pd.DataFrame, lever: str, output: str, lag: int) -> pd.DataFrame:
    """Rows (unit, week, x, y) with x the lever `lag` weeks before y."""
    wide = weekly.pivot_table(index=["unit", "week"], columns="metric", values="value",
                              aggfunc="sum").reset_index()
    if lever not in wide or output not in wide:
        return pd.DataFrame(columns=["unit", "week", "x", "y"])
    wide = wide.sort_values(["unit", "week"])
    wide["x"] = wide.groupby("unit")[lever].shift(lag)
    wide["y"] = wide[output]
    return wide.dropna(subset=["x", "y"])[["unit", "week", "x", "y"]]


def _correlation(pairs: pd.DataFrame) -> tuple[float | None, float | None]:
    from scipy import stats

    if len(pairs) < 3 or pairs["x"].std() == 0 or pairs["y"].std() == 0:
        return None, None
    result = stats.pearsonr(pairs["x"], pairs["y"])
    return float(result[0]), float(result[1])


def _distributed_lag(weekly: pd.DataFrame, lever: str, output: str, max_lag: int,
                     units: Sequence[str]) -> tuple[float | None, float | None]:
    """R² of the distributed-lag OLS and the projection of next week's output (units summed)."""
    import statsmodels.api as sm

    frames = []
    for lag in range(1, max_lag + 1):
        p = _pairs(weekly, lever, output, lag).rename(columns={"x": f"x{lag}"})
        frames.append(p.set_index(["unit", "week"]))
    if not frames:
        return None, None
    data = pd.concat([f[[c for c in f.columns if c.startswith("x")]] for f in frames], axis=1)
    data["y"] = frames[0]["y"]
    data = data.dropna()
    xcols = [f"x{lag}" for lag in range(1, max_lag + 1)]
    if len(data) < len(xcols) + 3:
        return None, None
    design = sm.add_constant(data[xcols].to_numpy(), has_constant="add")
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return None, None  # a constant lever (e.g. never recorded) cannot be regressed on
    model = sm.OLS(data["y"].to_numpy(), design).fit()
    wide = weekly[weekly["metric"] == lever].pivot_table(index="week", columns="unit",
                                                         values="value", aggfunc="sum")
    wide = wide[[u for u in units if u in wide.columns]].sort_index()
    if len(wide) < max_lag:
        return float(model.rsquared), None
    projection = 0.0
    for unit in wide.columns:
        recent = wide[unit].to_numpy()[-max_lag:][::-1]  # x(T), x(T-1), … = lags 1..max_lag
        projection += float(model.params[0] + np.dot(model.params[1:], recent))
    return float(model.rsquared), projection


def lever_rank(
    weekly: pd.DataFrame,
    output: str,
    levers: Sequence[str],
    *,
    max_lag: int = 4,
    min_points: int = 12,
) -> list[LeverLead]:
    """Rank `levers` by how well they lead `output`, overall and per unit.

    `weekly` has columns unit, week, metric, value (one row per unit, week and metric).
    Returned best first within each scope (overall first).
    """
    units = sorted(weekly["unit"].unique().tolist())
    findings: list[LeverLead] = []
    for scope in [OVERALL, *units]:
        data = weekly if scope == OVERALL else weekly[weekly["unit"] == scope]
        for lever in levers:
            best: tuple[int, float, float, int] | None = None
            n_max = 0
            for lag in range(0, max_lag + 1):
                pairs = _pairs(data, lever, output, lag)
                n_max = max(n_max, len(pairs))
                if len(pairs) < min_points:
                    continue
                r, p = _correlation(pairs)
                if r is not None and p is not None and (best is None or r > best[1]):
                    best = (lag, r, p, len(pairs))
            r2, projection = (None, None)
            if n_max >= min_points:
                r2, projection = _distributed_lag(data, lever, output, max_lag,
                                                  units if scope == OVERALL else [scope])
            if best is None:
                recorded = data.loc[data["metric"] == lever, "value"].fillna(0)
                verdict = NO_DATA if not recorded.any() else TOO_THIN
                findings.append(LeverLead(lever, scope, None, None, None, n_max, r2,
                                             verdict, None))
                continue
            lag, r, p, n = best
            verdict = LEADS if r >= 0.3 and p < 0.05 else NO_LINK
            findings.append(LeverLead(lever, scope, lag, r, p, n, r2, verdict, projection))
    order = {s: i for i, s in enumerate([OVERALL, *units])}
    return sorted(findings, key=lambda f: (order[f.scope], f.verdict != LEADS,
                                           -(f.r if f.r is not None else -2)))
