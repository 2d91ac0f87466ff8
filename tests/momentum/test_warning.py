"""Early warning: the lever model, the projection, the status and the CUSUM drop."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from m3.momentum.signals import WeekSignals
from m3.momentum.warning import (
    LeverModel,
    Status,
    cusum_drop,
    lever_model_fit,
    output_projection,
    peer_medians,
    unit_alerts,
)

MONDAY = dt.date(2026, 1, 5)


def history(a: list[float], output: list[float], forecast: float | None = 100.0,
            ) -> list[WeekSignals]:
    return [WeekSignals(MONDAY + dt.timedelta(weeks=i), a[i], output[i], forecast, None)
            for i in range(len(a))]


def test_the_lever_model_finds_the_lag_and_the_line_output_follows() -> None:
    histories = []
    for unit in range(4):
        # smooth courses (no week-to-week jitter, so no dilution to correct)
        a = [0.6 + (0.02 + 0.01 * unit) * t for t in range(20)]
        out = [100 * (0.1 + 0.8 * a[t - 2]) if t >= 2 else 80.0 for t in range(20)]
        histories.append(history(a, out))
    model = lever_model_fit(histories)
    assert model is not None and model.lag == 2
    assert model.intercept == pytest.approx(0.1) and model.slope == pytest.approx(0.8)
    assert model.r2 == pytest.approx(1.0)


def test_the_lever_model_corrects_the_flattening_that_lever_noise_causes() -> None:
    rng = np.random.default_rng(1)
    histories, plain_x, plain_y = [], [], []
    for unit in range(12):
        true = 0.8 + 0.4 * np.sin(np.arange(30) / 8 + unit)
        a = true + rng.normal(0, 0.2, 30)  # what the CRM shows: the course plus jitter
        out = [100 * true[max(t - 1, 0)] for t in range(30)]
        histories.append(history(list(a), out))
        plain_x += list(a[:-1])
        plain_y += list(true[:-1])
    model = lever_model_fit(histories)
    # the window of lever weeks the model averages holds the true lag
    assert model is not None and model.lag <= 1 <= model.lag + model.span - 1
    plain = float(np.polyfit(plain_x, plain_y, 1)[0])  # ordinary least squares: flattened
    assert plain < 0.85 and abs(model.slope - 1.0) < abs(plain - 1.0) / 2


def test_a_line_where_more_lever_work_goes_with_less_output_is_no_model() -> None:
    a = [0.6 + 0.03 * t for t in range(20)]
    out = [100 * (2.0 - a[t]) for t in range(20)]
    assert lever_model_fit([history(a, out)]) is None


def test_too_few_points_fit_no_model() -> None:
    assert lever_model_fit([history([1.0] * 3, [100.0] * 3)]) is None


def test_on_track_output_with_steady_levers_stays_on_track() -> None:
    model = LeverModel(lag=1, intercept=0.0, slope=1.0, r2=1.0, points=50)
    projection = output_projection(history([1.0] * 6, [100.0] * 6), model, [100.0] * 6)
    assert projection.status is Status.ON_TRACK
    assert projection.to_date == 1.0 and projection.projected == pytest.approx(1.0)


def test_falling_levers_put_on_plan_output_at_risk_before_it_shows() -> None:
    model = LeverModel(lag=1, intercept=0.0, slope=1.0, r2=1.0, points=50)
    # output is still on plan; the levers fell 0.1 a week for the last four weeks
    projection = output_projection(history([1.0, 1.0, 0.9, 0.8, 0.7, 0.6], [100.0] * 6), model,
                                   [100.0] * 6)
    assert projection.to_date == 1.0
    assert projection.status is Status.AT_RISK
    # â = 0.7 (last three) - 0.1 * k (the Theil-Sen slope of the last six): the first unknown
    # lever week is one past the last known
    assert projection.near_term == pytest.approx(np.mean([0.6, 0.5, 0.4, 0.3]))


def test_output_short_to_date_is_behind_and_three_weeks_are_needed() -> None:
    model = LeverModel(lag=1, intercept=0.0, slope=1.0, r2=1.0, points=50)
    behind = output_projection(history([1.0] * 4, [80.0] * 4), model, [100.0] * 4)
    assert behind.status is Status.BEHIND and behind.to_date == 0.8
    early = output_projection(history([1.0] * 2, [80.0] * 2), model, [100.0] * 4)
    assert early.status is Status.INSUFFICIENT


def test_cusum_raises_a_lasting_drop_not_noise() -> None:
    steady = np.array([1.0, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0, 0.98, 1.02, 1.0])
    assert cusum_drop(steady) is None
    dropped = np.concatenate([steady[:4], np.full(6, 0.8)])
    assert cusum_drop(dropped) == 5


def test_alerts_name_the_unit_kind_and_the_week_first_raised() -> None:
    a = [1.0, 1.0, 1.0, 1.0, 0.7, 0.7, 0.7, 0.7]
    alerts = unit_alerts("Team A", history(a, [100.0] * 8),
                         output_projection(history(a, [100.0] * 8), None, []), peer_median=1.0)
    kinds = {alert.kind: alert for alert in alerts}
    assert kinds["lever_drop"].first_raised == MONDAY + dt.timedelta(weeks=4)
    assert "70%" in kinds["behind_peers"].reason


def test_peers_are_the_other_units_of_the_same_group() -> None:
    medians = peer_medians({"A": 1.0, "B": 0.8, "C": 0.6, "D": None},
                           {"A": "north", "B": "north", "C": "north", "D": "south"})
    assert medians == {"A": 0.7, "B": 0.8, "C": 0.9, "D": None}


def test_without_an_organisation_model_levers_carry_the_plan_one_for_one() -> None:
    # no model: r = a (lag 0), so levers at 0.8 and steady put on-plan output at risk
    projection = output_projection(history([0.8] * 6, [100.0] * 6), None, [100.0] * 6)
    assert projection.to_date == 1.0
    assert projection.near_term == pytest.approx(0.8)
    assert projection.projected == pytest.approx(0.9)
    assert projection.status is Status.AT_RISK


def test_a_spread_of_lags_is_fitted_as_a_window_of_lever_weeks() -> None:
    rng = np.random.default_rng(2)
    histories = []
    for unit in range(8):
        a = 1.0 + rng.normal(0, 0.2, 40)
        lag = 2 + unit % 4  # sales cycles of 2 to 5 weeks
        out = [100 * a[t - lag] if t >= lag else 100.0 for t in range(40)]
        histories.append(history(list(a), out))
    model = lever_model_fit(histories)
    assert model is not None and model.span > 1
    assert model.lag <= 3 and model.lag + model.span - 1 >= 4
