"""`m3 diagnose`: why execution lags, unit by unit, as the chain walked for each."""

from __future__ import annotations

import datetime as dt

import click

from m3.momentum.cli import as_of_resolved, only_unit, unit_report_options


@click.command("diagnose")
@unit_report_options
def diagnose_command(title: str, unit: str | None, as_of: dt.datetime | None, fmt: str) -> None:
    """Diagnose initiative TITLE: status, cause and evidence for every unit in scope."""
    from m3.diagnose.report import diagnosis_answer, initiative_diagnosis
    from m3.facts.store import facts_store_from_settings
    from m3.initiatives.models import Initiative
    from m3.momentum.report import answer_json

    initiative, day = as_of_resolved(title, as_of)
    assert isinstance(initiative, Initiative)
    rows = only_unit(initiative_diagnosis(initiative, facts_store_from_settings(), day), unit,
                     lambda r: r.unit.signals.name)
    if fmt == "json":
        top = min((r.unit.signals.depth for r in rows), default=0)
        click.echo(answer_json(diagnosis_answer(
            initiative, day, [(r, r.unit.signals.depth - top) for r in rows])))
        return
    for r in rows:
        d = r.diagnosis
        cause = f"{d.cause}/{d.detail}" if d.detail else str(d.cause)
        click.echo(f"{'  ' * r.unit.signals.depth}{r.unit.signals.name:<24} {d.status:<12} "
                   f"{cause:<24} {r.unit.momentum.state:<12} {d.evidence[-1].finding}")
