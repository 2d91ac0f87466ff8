"""Selectors for the web and the CLI: metric values for an org node, with targets and SQL.

The org (people, units, dated memberships) lives in the app database; the facts in the facts
store. These functions resolve a node to its attribution rows (who counts for it, and when) and
hand everything to the pure `compile` functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from m3.attribution import Attribution
from m3.errors import NotFound
from m3.facts.store import FactsStore, facts_store_from_settings
from m3.measure.catalogue import catalogue_from_settings
from m3.measure.compile import MetricResult, metric_evaluate, metric_rows
from m3.measure.metric import Catalogue, Target
from m3.measure.models import ExchangeRate
from m3.measure.query import Window
from m3.org.models import Person, Unit
from m3.org.selectors import person_by_email_or_crm_id, unit_tree_attribution
from m3.weeks import Grain


@dataclass(frozen=True)
class DrillDown:
    """The fact rows behind a metric value and the SQL that selected them."""

    rows: pd.DataFrame
    sql: str
    total: int


def exchange_rates() -> dict[str, float]:
    """Currency code → value of one unit in the reporting currency."""
    return dict(ExchangeRate.objects.values_list("currency", "rate"))


def node_attribution(node: str) -> list[Attribution]:
    """Attribution rows for NODE: a person's email (or CRM id), or a unit's name."""
    unit = Unit.objects.filter(name=node).first() or Unit.objects.filter(name__iexact=node).first()
    if unit is not None:
        return unit_tree_attribution(unit, node)
    person = person_by_email_or_crm_id(node)
    if person is not None:
        return [Attribution(node, person.pk)]
    units = ", ".join(Unit.objects.order_by("name").values_list("name", flat=True)[:10])
    raise NotFound(
        f"No unit named {node!r} and no person with that email or CRM id: give a unit's name "
        f"(e.g. {units or 'none defined yet: import the org first'}) or a person's email."
    )


def scorecard_attribution() -> list[Attribution]:
    """Attribution rows for every unit (with descendants) and every person, by name / email."""
    rows: list[Attribution] = []
    for unit in Unit.objects.all():
        rows.extend(unit_tree_attribution(unit))
    for person in Person.objects.filter(memberships__isnull=False).distinct():
        rows.append(Attribution(person.email, person.pk))
    return rows


def metric_result(
    names: Sequence[str],
    node: str | Sequence[Attribution],
    grain: Grain,
    start: dt.date,
    end: dt.date,
    *,
    catalogue: Catalogue | None = None,
    facts: FactsStore | None = None,
    targets: Mapping[str, Target] | None = None,
) -> MetricResult:
    """Metric values with targets and SQL for NODE (or explicit attribution rows)."""
    attribution = node_attribution(node) if isinstance(node, str) else list(node)
    catalogue = catalogue or catalogue_from_settings()
    facts = facts or facts_store_from_settings()
    with facts.connect() as con:
        return metric_evaluate(
            con, catalogue, names, attribution, Window(grain, start, end),
            rates=exchange_rates(), targets=targets,
        )


def metric_values(
    names: Sequence[str], node: str, grain: Grain, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Columns node, period_start, metric, value, target for NODE over [start, end]."""
    return metric_result(names, node, grain, start, end).frame


def metric_drilldown(
    name: str,
    node: str | Sequence[Attribution],
    grain: Grain,
    start: dt.date,
    end: dt.date,
    *,
    period: dt.date | None = None,
    limit: int = 1000,
    catalogue: Catalogue | None = None,
    facts: FactsStore | None = None,
) -> DrillDown:
    """The fact rows behind NAME for NODE (in one period if given), first `limit` of them."""
    import ibis

    attribution = node_attribution(node) if isinstance(node, str) else list(node)
    label = node if isinstance(node, str) else attribution[0].node
    catalogue = catalogue or catalogue_from_settings()
    facts = facts or facts_store_from_settings()
    with facts.connect() as con:
        expr = metric_rows(con, catalogue, name, attribution, Window(grain, start, end),
                           node=label, period=period)
        total = int(expr.count().execute())
        rows = expr.order_by(["period_start", "id"]).limit(limit).execute()
        return DrillDown(rows, str(ibis.to_sql(expr)), total)
