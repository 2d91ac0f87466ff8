"""`m3 diagnose`: why execution lags, unit by unit, as the chain walked for each."""

from __future__ import annotations

import datetime as dt
import json

import click

from m3.momentum.cli import as_of_resolved, only_unit, unit_report_options


@click.command("diagnose")
@unit_report_options
def diagnose_command(title: str, unit: str | None, as_of: dt.datetime | None, fmt: str) -> None:
    """Diagnose initiative TITLE: status, cause and evidence for every unit in scope."""
    from m3.diagnose.report import initiative_diagnosis, unit_record
    from m3.facts.store import facts_store_from_settings
    from m3.initiatives.models import Initiative

    initiative, day = as_of_resolved(title, as_of)
    assert isinstance(initiative, Initiative)
    rows = only_unit(initiative_diagnosis(initiative, facts_store_from_settings(), day), unit,
                     lambda r: r.unit.signals.name)
    if fmt == "json":
        click.echo(json.dumps({"initiative": initiative.title, "as_of": day.isoformat(),
                               "units": [unit_record(r) for r in rows]}, indent=2))
        return
    for r in rows:
        d = r.diagnosis
        cause = f"{d.cause}/{d.detail}" if d.detail else str(d.cause)
        click.echo(f"{'  ' * r.unit.signals.depth}{r.unit.signals.name:<24} {d.status:<12} "
                   f"{cause:<24} {r.unit.momentum.state:<12} {d.evidence[-1].finding}")
