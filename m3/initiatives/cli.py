"""`m3 initiatives ...`: import an initiative from a YAML or JSON file, and list them."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(name="initiatives")
def initiatives_group() -> None:
    """Initiatives: import one from a file (see docs/initiatives.md), list them."""


@initiatives_group.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Create or update the initiative described in FILE (YAML, or JSON when it ends in .json).

    Keys: title, owner (email), scope (unit names), start, end, why, how, what, key_points
    (3-5), output_metric, asks (behaviour, metric, per_rep_per_week), cadence (kind, due or
    every_days, leaders) and forecast (a CSV path relative to FILE, or a list of rows:
    week_start, value, unit). The initiative is found by its title: importing it again updates
    it, and an unchanged file changes nothing. All or nothing: every problem is listed (key, or
    the forecast's row and column) and nothing is written.
    """
    from m3.initiatives.file import initiative_import

    result = initiative_import(file)
    data = result.data
    units = len({unit for unit, _, _ in data.unit_forecast})
    click.echo(f"{result.title}: {result.outcome} ({len(data.unit_ids)} unit(s) in scope, "
               f"{len(data.key_points)} key points, {len(data.asks)} ask(s), "
               f"{len(data.cadence)} cadence step(s), {len(data.forecast)} forecast week(s)"
               + (f", {units} unit(s) with their own forecast" if units else "") + ").")


@initiatives_group.command(name="list")
def list_command() -> None:
    """List the initiatives: title, start, end and the units in scope."""
    from m3.initiatives.models import Initiative

    initiatives = Initiative.objects.prefetch_related("units").order_by("-start", "title")
    for initiative in initiatives:
        scope = ", ".join(sorted(u.name for u in initiative.units.all()))
        click.echo(f"{initiative.start}  {initiative.end}  {initiative.title}  [{scope}]")
    if not initiatives:
        click.echo("No initiatives yet: `m3 initiatives import FILE` creates one.")
