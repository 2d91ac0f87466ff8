"""The `m3 metrics` and `m3 measure` commands: parse, call one function, show."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from django.utils import timezone

from m3.measure.metric import MetricType
from m3.weeks import Grain

DATE = click.DateTime(formats=["%Y-%m-%d"])

if TYPE_CHECKING:
    from m3.initiatives.models import Initiative


def _dates(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.date, dt.date]:
    last = end.date() if end else timezone.localdate()
    first = start.date() if start else last - dt.timedelta(days=83)
    return first, last


@click.group("metrics")
def metrics_group() -> None:
    """The metric catalogue: validate it, list it, evaluate metrics."""


@metrics_group.command("validate")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def metrics_validate(path: Path | None) -> None:
    """Check the catalogue (built-in metrics plus PATH or M3_METRICS_FILE); list every problem."""
    from django.conf import settings

    from m3.measure.catalogue import catalogue_problems
    from m3.measure.metric import CatalogueInvalid

    extra = path or settings.M3.metrics_file
    catalogue, problems = catalogue_problems(extra)
    if problems:
        raise CatalogueInvalid(problems)
    click.echo(f"The catalogue is valid: {len(catalogue.metrics)} metrics.")


@metrics_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def metrics_list(fmt: str) -> None:
    """List every metric: name, kind, type, unit, label and definition."""
    from m3.measure.catalogue import catalogue_from_settings

    catalogue = catalogue_from_settings()
    rows: list[dict[str, object]] = []
    for m in catalogue:
        if m.type is MetricType.SIMPLE:
            where = " and ".join(f"{f.column} {f.op.value} {f.value}" for f in m.filters)
            definition = f"{m.agg.value if m.agg else ''}({m.column or '*'}) of {m.fact} " \
                f"by {m.time}" + (f" where {where}" if where else "")
        elif m.type is MetricType.RATIO:
            definition = f"{m.numerator} / {m.denominator}"
        elif m.type is MetricType.DERIVED:
            definition = m.expr or ""
        else:
            definition = f"running total of {m.of}"
        rows.append({"name": m.name, "kind": m.kind.value, "type": m.type.value,
                     "unit": m.unit, "label": m.label, "definition": definition,
                     "source": m.source})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    _table(rows, ["name", "kind", "type", "unit", "definition"])


def _table(rows: Sequence[Mapping[str, object]], columns: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped or logged: don't wrap cells at 80 columns
    console.print(table)


@metrics_group.command("eval")
@click.argument("names", nargs=-1, required=True)
@click.option("--node", required=True, help="A unit's name or a person's email.")
@click.option("--grain", type=click.Choice([g.value for g in Grain]), default="week",
              show_default=True)
@click.option("--from", "start", type=DATE, help="First day (YYYY-MM-DD); default 12 weeks ago.")
@click.option("--to", "end", type=DATE, help="Last day, included (YYYY-MM-DD); default today.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--explain", is_flag=True, help="Also print the SQL that computed the values.")
def metrics_eval(
    names: tuple[str, ...], node: str, grain: str, start: dt.datetime | None,
    end: dt.datetime | None, fmt: str, explain: bool,
) -> None:
    """Evaluate metrics NAME... at NODE per period (columns node, period_start, metric, value,
    target)."""
    from m3.measure.compile import result_records
    from m3.measure.evaluate import metric_result

    first, last = _dates(start, end)
    result = metric_result(list(names), node, Grain(grain), first, last)
    records = result_records(result)
    if fmt == "json":
        payload: object = records
        if explain:
            payload = {"values": records, "sql": dict(result.sql), "units": dict(result.units)}
        click.echo(json.dumps(payload, indent=2))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        result.frame.to_csv(buffer, index=False, lineterminator="\n")
        click.echo(buffer.getvalue(), nl=False)
    else:
        for r in records:
            r["unit"] = result.units.get(str(r["metric"]), "")
            for key in ("value", "target"):
                v = r[key]
                r[key] = "—" if v is None else f"{v:,.4g}" if isinstance(v, float) else v
        _table(records, ["node", "period_start", "metric", "value", "target", "unit"])
    if explain:
        for label, sql in result.sql.items():
            click.echo(f"-- {label}\n{sql};", err=fmt == "csv")


@metrics_group.command("rows")
@click.argument("name")
@click.option("--node", required=True, help="A unit's name or a person's email.")
@click.option("--grain", type=click.Choice([g.value for g in Grain]), default="week")
@click.option("--from", "start", type=DATE)
@click.option("--to", "end", type=DATE)
@click.option("--period", type=DATE, help="Only the period containing this day.")
@click.option("--limit", type=int, default=50, show_default=True)
def metrics_rows(
    name: str, node: str, grain: str, start: dt.datetime | None, end: dt.datetime | None,
    period: dt.datetime | None, limit: int,
) -> None:
    """Show the fact rows behind metric NAME at NODE (drill-down) as CSV, with their count."""
    from m3.measure.evaluate import metric_drilldown

    first, last = _dates(start, end)
    drill = metric_drilldown(name, node, Grain(grain), first, last,
                             period=period.date() if period else None, limit=limit)
    buffer = io.StringIO()
    drill.rows.to_csv(buffer, index=False, lineterminator="\n")
    click.echo(buffer.getvalue(), nl=False)
    click.echo(f"{len(drill.rows)} of {drill.total} rows.", err=True)


@metrics_group.command("rate")
@click.argument("currency")
@click.argument("rate", type=float)
def metrics_rate(currency: str, rate: float) -> None:
    """Set the exchange rate: one CURRENCY is worth RATE of the reporting currency."""
    from m3.measure.services import exchange_rate_set

    obj = exchange_rate_set(currency, rate)
    click.echo(f"Saved: {obj}.")



def _initiative(key: str) -> Initiative:
    from m3.initiatives.models import Initiative
    from m3.initiatives.selectors import initiative_by_title

    if key.isdigit() and Initiative.objects.filter(pk=int(key)).exists():
        return Initiative.objects.get(pk=int(key))
    return initiative_by_title(key)


@click.group("measure")
def measure_group() -> None:
    """Audit how an initiative is measured; find the levers that lead its output."""


@measure_group.command("audit")
@click.argument("initiative")
@click.option("--on", "on", type=DATE, help="Audit as of this day (default today).")
def measure_audit(initiative: str, on: dt.datetime | None) -> None:
    """Check that every ask is measured and the data can be trusted; each finding says what to
    do."""
    from m3.facts.store import facts_store_from_settings
    from m3.measure.audit import measurement_audit
    from m3.measure.catalogue import catalogue_from_settings

    day = on.date() if on else timezone.localdate()
    findings = measurement_audit(_initiative(initiative), catalogue_from_settings(),
                                 facts_store_from_settings(), day)
    for f in findings:
        click.echo(f"[{f.kind.value}] {f.subject}: {f.text}")


@measure_group.command("levers")
@click.argument("initiative")
@click.option("--max-lag", type=int, default=4, show_default=True, help="Weeks ahead to test.")
@click.option("--min-points", type=int, default=12, show_default=True,
              help="Fewer unit-weeks than this is too thin to say.")
@click.option("--on", "on", type=DATE, help="Use data up to this day (default today).")
def measure_levers(initiative: str, max_lag: int, min_points: int,
                   on: dt.datetime | None) -> None:
    """Rank the initiative's levers by how well and how many weeks ahead they predict its
    output, overall and per unit, with the projected output for next week."""
    from m3.facts.store import facts_store_from_settings
    from m3.measure.audit import initiative_weekly
    from m3.measure.catalogue import catalogue_from_settings
    from m3.measure.levers import lever_rank

    found = _initiative(initiative)
    catalogue = catalogue_from_settings()
    levers = list(dict.fromkeys(a.lever_metric for a in found.asks.all()
                                if a.lever_metric in catalogue))
    output = found.output_metric
    end = on.date() if on else timezone.localdate()
    weekly = initiative_weekly(found, [*levers, output], facts_store_from_settings(), catalogue,
                               end)
    rows: list[dict[str, object]] = []
    for f in lever_rank(weekly, output, levers, max_lag=max_lag, min_points=min_points):
        rows.append({"scope": f.scope, "lever": f.lever, "verdict": f.verdict,
                     "lag (weeks)": "" if f.best_lag is None else f.best_lag,
                     "r": "" if f.r is None else f"{f.r:.2f}",
                     "p": "" if f.p_value is None else f"{f.p_value:.3f}", "n": f.n,
                     "R² (lags)": "" if f.r2 is None else f"{f.r2:.2f}",
                     "next week": "" if f.projection is None else f"{f.projection:,.1f}"})
    _table(rows, ["scope", "lever", "verdict", "lag (weeks)", "r", "p", "n", "R² (lags)",
                  "next week"])
