"""Selectors: a node name resolves to who counts for it, and values come with targets."""

from __future__ import annotations

import pytest

from m3.errors import NotFound
from m3.facts.store import FactsStore
from m3.measure.evaluate import metric_drilldown, metric_values, node_attribution
from m3.measure.services import exchange_rate_set
from m3.weeks import Grain
from tests.factories import small_org
from tests.measure.conftest import day, fact_frame

pytestmark = pytest.mark.django_db


def test_a_unit_counts_the_members_of_the_units_below_it() -> None:
    org = small_org()
    rows = node_attribution("North")
    assert {r.rep_id for r in rows} == {org.rep_a1.pk, org.rep_a2.pk, org.rep_b1.pk}
    assert [r.rep_id for r in node_attribution(org.rep_c1.email)] == [org.rep_c1.pk]


def test_an_unknown_node_says_what_to_give() -> None:
    small_org()
    with pytest.raises(NotFound, match="unit's name"):
        node_attribution("Atlantis")


def test_metric_values_has_the_documented_columns(facts: FactsStore) -> None:
    org = small_org()
    facts.upsert("activities", fact_frame("activities", [
        {"rep_id": org.rep_a1.pk, "type": "call", "occurred_at": "2026-01-06 10:00"},
        {"rep_id": org.rep_c1.pk, "type": "call", "occurred_at": "2026-01-06 10:00"},
    ]))
    frame = metric_values(["calls"], "North", Grain.WEEK, day("2026-01-05"), day("2026-01-11"))
    assert list(frame.columns) == ["node", "period_start", "metric", "value", "target"]
    assert frame["value"].tolist() == [1.0]
    drill = metric_drilldown("calls", "North", Grain.WEEK, day("2026-01-05"), day("2026-01-11"))
    assert drill.total == 1 and "activities" in drill.sql


def test_exchange_rates_set_by_the_admin_convert_money_metrics(facts: FactsStore) -> None:
    org = small_org()
    facts.upsert("opportunities", fact_frame("opportunities", [
        {"rep_id": org.rep_a1.pk, "amount": 10.0, "currency": "EUR", "won": True,
         "closed_at": "2026-01-06"},
        {"rep_id": org.rep_a1.pk, "amount": 10.0, "currency": "USD", "won": True,
         "closed_at": "2026-01-06"},
    ]))
    exchange_rate_set("eur", 1.2)
    exchange_rate_set("USD", 1.0)
    frame = metric_values(["won_revenue"], org.rep_a1.email, Grain.MONTH, day("2026-01-01"),
                          day("2026-01-31"))
    assert frame["value"].tolist() == [pytest.approx(22.0)]
