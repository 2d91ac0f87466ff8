"""Metric evaluation on tiny exact cases, on a real DuckDB facts store."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from m3.attribution import Attribution
from m3.facts.store import FactsStore
from m3.measure.catalogue import catalogue_load
from m3.measure.compile import metric_evaluate, metric_rows
from m3.measure.metric import Catalogue, Target
from m3.measure.query import CurrencyMixed, Window, periods
from m3.weeks import Grain, period_start
from tests.measure.conftest import Loader, day


@pytest.fixture
def catalogue() -> Catalogue:
    return catalogue_load()


def values(
    store: FactsStore, catalogue: Catalogue, names: list[str], attribution: list[Attribution],
    window: Window, **kwargs: object,
) -> dict[tuple[str, str, str], float | None]:
    with store.connect() as con:
        result = metric_evaluate(con, catalogue, names, attribution, window, **kwargs)  # type: ignore[arg-type]
    return {
        (r.node, r.period_start.isoformat(), r.metric): None if pd.isna(r.value) else r.value
        for r in result.frame.itertuples()
    }


def test_weeks_start_on_monday_and_span_years() -> None:
    assert period_start(day("2025-01-01"), Grain.WEEK) == day("2024-12-30")
    assert period_start(day("2024-11-17"), Grain.QUARTER) == day("2024-10-01")
    assert periods(Window(Grain.MONTH, day("2024-01-31"), day("2024-03-01"))) == [
        day("2024-01-01"), day("2024-02-01"), day("2024-03-01")]


def test_activity_counts_per_type_and_week(duck: FactsStore, load: Loader,
                                           catalogue: Catalogue) -> None:
    load(activities=[
        {"rep_id": 1, "type": "call", "occurred_at": "2024-12-30 09:00"},
        {"rep_id": 1, "type": "call", "occurred_at": "2025-01-05 23:59"},
        {"rep_id": 1, "type": "demo", "occurred_at": "2025-01-06 00:00"},
        {"rep_id": 2, "type": "email", "occurred_at": "2025-01-02"},
    ])
    got = values(duck, catalogue, ["activities", "calls", "demos"], [Attribution("r1", 1)],
                 Window(Grain.WEEK, day("2024-12-30"), day("2025-01-12")))
    assert got[("r1", "2024-12-30", "calls")] == 2
    assert got[("r1", "2024-12-30", "demos")] == 0
    assert got[("r1", "2025-01-06", "demos")] == 1
    assert got[("r1", "2025-01-06", "activities")] == 1


def test_a_fact_counts_for_the_unit_its_rep_belonged_to_on_the_fact_date(
    duck: FactsStore, load: Loader, catalogue: Catalogue
) -> None:
    load(activities=[
        {"rep_id": 7, "type": "call", "occurred_at": "2024-03-04 10:00"},
        {"rep_id": 7, "type": "call", "occurred_at": "2024-03-06 10:00"},
        {"rep_id": 7, "type": "call", "occurred_at": "2024-03-07 10:00"},
    ])
    moved = [Attribution("A", 7, None, day("2024-03-06")), Attribution("B", 7, day("2024-03-06"))]
    got = values(duck, catalogue, ["calls"], moved, Window(Grain.WEEK, day("2024-03-04"),
                                                           day("2024-03-10")))
    assert got[("A", "2024-03-04", "calls")] == 1
    assert got[("B", "2024-03-04", "calls")] == 2


def test_win_rate_ignores_open_deals_and_is_undefined_without_closed_deals(
    duck: FactsStore, load: Loader, catalogue: Catalogue
) -> None:
    load(opportunities=[
        {"rep_id": 1, "amount": 100.0, "created_at": "2024-01-01", "closed_at": "2024-02-01",
         "won": True},
        {"rep_id": 1, "amount": 0.0, "created_at": "2024-01-01", "closed_at": "2024-02-02",
         "won": False},
        {"rep_id": 1, "amount": 0.0, "created_at": "2024-01-01", "closed_at": "2024-02-03",
         "won": False},
        {"rep_id": 1, "amount": None, "created_at": "2024-01-02", "won": None},
    ])
    got = values(duck, catalogue, ["win_rate", "deals_won", "deals_lost"],
                 [Attribution("r", 1)], Window(Grain.MONTH, day("2024-01-01"), day("2024-02-29")))
    assert got[("r", "2024-02-01", "win_rate")] == pytest.approx(1 / 3)
    assert got[("r", "2024-01-01", "win_rate")] is None
    assert got[("r", "2024-02-01", "deals_lost")] == 2


def test_missing_amounts_are_not_zero_in_averages_and_add_nothing_to_sums(
    duck: FactsStore, load: Loader, catalogue: Catalogue
) -> None:
    load(opportunities=[
        {"rep_id": 1, "amount": 100.0, "created_at": "2024-01-01", "closed_at": "2024-01-10",
         "won": True},
        {"rep_id": 1, "amount": math.nan, "created_at": "2024-01-05", "closed_at": "2024-01-11",
         "won": True},
        {"rep_id": 1, "amount": None, "created_at": None, "closed_at": "2024-01-12",
         "won": True},
    ])
    got = values(duck, catalogue, ["won_revenue", "avg_deal_size", "deals_won",
                                   "sales_cycle_days", "pipeline_created"],
                 [Attribution("r", 1)], Window(Grain.QUARTER, day("2024-01-01"),
                                                day("2024-03-31")))
    key = ("r", "2024-01-01")
    assert got[(*key, "won_revenue")] == 100.0
    assert got[(*key, "avg_deal_size")] == 100.0
    assert got[(*key, "deals_won")] == 3
    assert got[(*key, "sales_cycle_days")] == pytest.approx((9 + 6) / 2)
    assert got[(*key, "pipeline_created")] == 100.0


def test_summing_mixed_currencies_without_rates_is_an_error(
    duck: FactsStore, load: Loader, catalogue: Catalogue
) -> None:
    load(opportunities=[
        {"rep_id": 1, "amount": 100.0, "currency": "EUR", "closed_at": "2024-01-10", "won": True},
        {"rep_id": 1, "amount": 200.0, "currency": "USD", "closed_at": "2024-01-11", "won": True},
    ])
    window = Window(Grain.MONTH, day("2024-01-01"), day("2024-01-31"))
    with pytest.raises(CurrencyMixed, match="EUR, USD"):
        values(duck, catalogue, ["won_revenue"], [Attribution("r", 1)], window)
    got = values(duck, catalogue, ["won_revenue", "deals_won"], [Attribution("r", 1)], window,
                 rates={"EUR": 1.5, "USD": 1.0})
    assert got[("r", "2024-01-01", "won_revenue")] == 350.0


def test_per_rep_targets_roll_up_by_membership_share_of_the_period(
    duck: FactsStore, catalogue: Catalogue
) -> None:
    team = [Attribution("T", 1), Attribution("T", 2, day("2024-03-07"))]  # rep 2 joins Thursday
    with duck.connect() as con:
        result = metric_evaluate(
            con, catalogue, ["calls"], team, Window(Grain.WEEK, day("2024-03-04"),
                                                    day("2024-03-17")),
            targets={"calls": Target(10, per_rep=True, per=Grain.WEEK)},
        )
    assert result.frame["target"].tolist() == pytest.approx([10 + 10 * 4 / 7, 20])


def test_derived_and_cumulative_metrics_come_from_named_metrics(
    duck: FactsStore, load: Loader, tmp_path: object
) -> None:
    from pathlib import Path

    extra = Path(str(tmp_path)) / "mine.yaml"
    extra.write_text(
        "metrics:\n"
        "  revenue_k:\n    kind: output\n    type: derived\n    expr: won_revenue / 1000\n"
        "    unit: number\n"
        "  revenue_to_date:\n    kind: output\n    type: cumulative\n    of: won_revenue\n"
        "    unit: currency\n",
        encoding="utf-8",
    )
    catalogue = catalogue_load(extra)
    load(opportunities=[
        {"rep_id": 1, "amount": 1000.0, "closed_at": "2024-01-10", "won": True},
        {"rep_id": 1, "amount": 500.0, "closed_at": "2024-03-10", "won": True},
    ])
    got = values(duck, catalogue, ["revenue_k", "revenue_to_date"], [Attribution("r", 1)],
                 Window(Grain.MONTH, day("2024-01-01"), day("2024-03-31")))
    assert got[("r", "2024-01-01", "revenue_k")] == 1.0
    assert [got[("r", m, "revenue_to_date")] for m in ("2024-01-01", "2024-02-01",
                                                       "2024-03-01")] == [1000, 1000, 1500]


def test_every_result_carries_its_sql_and_drills_down_to_its_rows(
    duck: FactsStore, load: Loader, catalogue: Catalogue
) -> None:
    load(activities=[
        {"rep_id": 1, "type": "demo", "occurred_at": "2024-01-02"},
        {"rep_id": 1, "type": "call", "occurred_at": "2024-01-03"},
    ])
    window = Window(Grain.WEEK, day("2024-01-01"), day("2024-01-07"))
    with duck.connect() as con:
        result = metric_evaluate(con, catalogue, ["demos"], [Attribution("r", 1)], window)
        rows = metric_rows(con, catalogue, "demos", [Attribution("r", 1)], window).execute()
    (sql,) = result.sql.values()
    assert "FILTER" in sql and "activities" in sql
    assert rows["id"].tolist() == ["1"]
