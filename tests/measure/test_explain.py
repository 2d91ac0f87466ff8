"""The explain request: every bad parameter is named; values and rows for a node in scope."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from m3.errors import AccessDenied, InputError
from m3.facts.store import FactsStore
from m3.measure.explain import explain_request_parse, metric_explain
from m3.org.scope import scope_for_person
from m3.weeks import Grain
from tests.factories import START, small_org

GOOD = {"metric": "calls", "unit": "1", "grain": "week", "from": "2026-01-05", "to": "2026-02-01"}


@pytest.mark.parametrize(("change", "named"), [
    ({"grain": "fortnight"}, "grain="),
    ({"from": "05/01/2026"}, "from="),
    ({"to": ""}, "Give the range"),
    ({"to": "2028-01-01"}, "longer than"),
    ({"metric": ""}, "Name the metric"),
    ({"person": "2"}, "one node"),
    ({"unit": "x"}, "unit="),
    ({"target": "lots"}, "target="),
])
def test_a_bad_parameter_is_named(change: dict[str, str], named: str) -> None:
    with pytest.raises(InputError, match=named):
        explain_request_parse({**GOOD, **change})


def test_a_good_request_is_parsed() -> None:
    request = explain_request_parse({**GOOD, "period": "2026-01-12", "target": "5"})
    assert (request.grain, request.unit_id, request.period, request.target_per_rep) == (
        Grain.WEEK, 1, dt.date(2026, 1, 12), 5.0)


@pytest.mark.django_db
def test_values_targets_and_rows_for_a_team_and_refusal_outside_scope(facts: FactsStore) -> None:
    org = small_org()
    calls = [(org.rep_a1.pk, START + dt.timedelta(days=d)) for d in (1, 2, 8)]
    calls.append((org.rep_c1.pk, START + dt.timedelta(days=1)))
    facts.upsert("activities", pd.DataFrame({
        "source": "t", "id": [str(i) for i in range(len(calls))], "rep_id": [r for r, _ in calls],
        "owner": None, "type": "call", "occurred_at": pd.to_datetime([d for _, d in calls]),
        "product": None, "account": "A", "opportunity": None, "amount": None, "currency": None,
    }))
    params = {"metric": "calls", "unit": str(org.team_a.pk), "grain": "week",
              "from": "2026-01-05", "to": "2026-01-18", "period": "2026-01-05", "target": "3"}
    explanation = metric_explain(explain_request_parse(params),
                                 scope_for_person(org.manager_a, START))
    assert explanation.values["value"].tolist() == [2, 1]
    assert explanation.values["target"].tolist() == [6, 6]  # 3 per rep × 2 reps
    assert explanation.rows_total == 2 and explanation.rows is not None
    assert "activities" in " ".join(explanation.sql)
    with pytest.raises(AccessDenied):
        metric_explain(explain_request_parse(params), scope_for_person(org.manager_c, START))
