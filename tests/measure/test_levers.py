"""Levers that lead: lagged correlation and distributed-lag regression on exact series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from m3.measure.levers import LEADS, NO_DATA, NO_LINK, OVERALL, TOO_THIN, lever_rank


def weekly(weeks: int, lag: int, seed: int = 1) -> pd.DataFrame:
    """Two units: revenue follows demos `lag` weeks later; calls are noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for unit in ("A", "B"):
        demos = rng.integers(0, 20, weeks + lag).astype(float)
        calls = rng.integers(0, 20, weeks + lag).astype(float)
        for w in range(weeks):
            week = dt.date(2025, 1, 6) + dt.timedelta(weeks=w)
            revenue = 100 * demos[w - lag] if w >= lag else float(rng.integers(0, 2000))
            rows += [(unit, week, "demos", demos[w]), (unit, week, "calls", calls[w]),
                     (unit, week, "won_revenue", revenue + rng.normal(0, 50))]
    return pd.DataFrame(rows, columns=["unit", "week", "metric", "value"])


def test_a_lever_that_leads_by_two_weeks_is_found_with_its_lag() -> None:
    findings = lever_rank(weekly(30, 2), "won_revenue", ["calls", "demos"])
    top = findings[0]
    assert (top.scope, top.lever, top.best_lag, top.verdict) == (OVERALL, "demos", 2, LEADS)
    assert top.r is not None and top.r > 0.9 and top.n == 2 * 28
    assert top.r2 is not None and top.r2 > 0.8 and top.projection is not None
    calls = next(f for f in findings if f.scope == OVERALL and f.lever == "calls")
    assert calls.verdict == NO_LINK


def test_projection_uses_the_latest_lever_values() -> None:
    data = weekly(30, 1)
    top = lever_rank(data, "won_revenue", ["demos"], max_lag=1)[0]
    last = data[(data["metric"] == "demos") & (data["week"] == data["week"].max())]
    assert top.projection == pytest.approx(100 * last["value"].sum(), rel=0.1)


def test_too_few_weeks_are_too_thin_to_say() -> None:
    findings = lever_rank(weekly(5, 1), "won_revenue", ["demos"])
    assert {f.verdict for f in findings} == {TOO_THIN}


def test_a_team_that_never_recorded_a_lever_is_named_without_a_warning() -> None:
    import warnings

    data = weekly(30, 2)
    data.loc[(data["unit"] == "B") & (data["metric"] == "demos"), "value"] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no rank-deficiency warning may reach the user
        findings = lever_rank(data, "won_revenue", ["demos"])
    b = next(f for f in findings if f.scope == "B")
    assert b.verdict == NO_DATA and b.r is None
