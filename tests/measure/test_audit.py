"""The measurement audit names what is not measured and what to do about it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from m3.facts.store import FactsStore
from m3.initiatives.models import Ask, Initiative
from m3.measure.audit import Severity, measurement_audit
from m3.measure.catalogue import catalogue_load
from m3.measure.cli import measure_group
from tests.factories import small_org
from tests.measure.conftest import fact_frame

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 2, 2)


def initiative_make(org: object, asks: list[str], output: str = "won_revenue") -> Initiative:
    ini = Initiative.objects.create(
        title="Demo push", owner=org.executive, start=dt.date(2026, 1, 5),  # type: ignore[attr-defined]
        end=dt.date(2026, 6, 29), why="w", how="h", what="x", output_metric=output)
    ini.units.add(org.company)  # type: ignore[attr-defined]
    for metric in asks:
        Ask.objects.create(initiative=ini, behaviour=f"more {metric}", lever_metric=metric,
                           target_per_rep_per_week=2)
    return ini


def test_the_audit_names_units_with_no_lever_data_and_unmeasured_asks(
    facts: FactsStore, tmp_path: Path
) -> None:
    org = small_org()
    ini = initiative_make(org, ["demos", "demoz"])
    facts.upsert("activities", fact_frame("activities", [
        {"rep_id": org.rep_a1.pk, "type": "demo", "occurred_at": "2026-01-28 10:00"},
        {"rep_id": org.rep_c1.pk, "type": "call", "occurred_at": "2026-01-28 10:00",
         "owner": "ghost", "id": "x"},
    ]))
    findings = measurement_audit(ini, catalogue_load(), facts, TODAY)
    text = "\n".join(f"{f.kind.value} {f.text}" for f in findings)
    assert "'demoz', which is not a metric" in text
    assert "Team C has no demos data" in text and "Team A has no demos" not in text
    assert "No CRM data was ever imported" in text
    assert "Ray Rep (Team A) logged no activity" in text
    assert findings[0].kind is Severity.PROBLEM


def test_an_initiative_without_asks_has_no_lever(facts: FactsStore) -> None:
    ini = initiative_make(small_org(), [])
    result = CliRunner().invoke(measure_group, ["audit", "Demo push", "--on", "2026-02-02"])
    assert "The output has no lever" in result.output, result.output
    assert ini.pk
