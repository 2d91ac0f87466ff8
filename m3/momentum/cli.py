"""`m3 momentum` and `m3 alerts`: every unit's momentum, and the open early warnings."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Callable
from typing import TypeVar

import click

from m3.errors import NotFound
from m3.runtime import F

DATE = click.DateTime(formats=["%Y-%m-%d"])


def as_of_resolved(initiative_title: str, as_of: dt.datetime | None) -> tuple[object, dt.date]:
    """The initiative by title and the checked as-of date (default today)."""
    from django.utils import timezone

    from m3.initiatives.selectors import initiative_by_title
    from m3.momentum.selectors import as_of_check

    initiative = initiative_by_title(initiative_title)
    today = timezone.localdate()
    day = as_of.date() if as_of else today
    as_of_check(initiative, day, today)
    return initiative, day


T = TypeVar("T")


def only_unit(rows: list[T], unit: str | None, name: Callable[[T], str]) -> list[T]:
    """The rows of the unit named `unit` (any case), or all rows; NotFound names the units."""
    if unit is None:
        return rows
    mine = [row for row in rows if name(row).lower() == unit.strip().lower()]
    if not mine:
        names = [name(row) for row in rows]
        close = difflib.get_close_matches(unit, names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise NotFound(f"No unit called {unit!r} in the initiative's scope.{hint} Its units: "
                       f"{', '.join(names[:12]) or 'none'}.")
    return mine


def rounded(value: float | None) -> float | None:
    """A figure for JSON output: three decimals, None kept."""
    return None if value is None else round(value, 3)


def unit_report_options(func: F) -> F:
    """TITLE, --unit, --as-of and --format: the options of every unit report."""
    for option in reversed((
        click.argument("title"),
        click.option("--unit", default=None, help="Only this unit (its name)."),
        click.option("--as-of", type=DATE, default=None,
                     help="Use only what was known then (default: today)."),
        click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                     show_default=True),
    )):
        func = option(func)
    return func


@click.command("momentum")
@unit_report_options
def momentum_command(title: str, unit: str | None, as_of: dt.datetime | None, fmt: str) -> None:
    """Momentum of every unit of initiative TITLE: building, holding, stalling or sliding."""
    from m3.facts.store import facts_store_from_settings
    from m3.initiatives.models import Initiative
    from m3.momentum.report import initiative_momentum

    initiative, day = as_of_resolved(title, as_of)
    assert isinstance(initiative, Initiative)
    rows = only_unit(initiative_momentum(initiative, facts_store_from_settings(), day), unit,
                     lambda u: u.signals.name)
    if fmt == "json":
        click.echo(json.dumps({"initiative": initiative.title, "as_of": day.isoformat(),
                               "units": [{"unit": u.signals.name, "path": list(u.signals.path),
                                          "state": str(u.momentum.state),
                                          "score": rounded(u.momentum.score),
                                          "reasons": list(u.momentum.reasons)}
                                         for u in rows]}, indent=2))
        return
    for u in rows:
        score = "" if u.momentum.score is None else f"{u.momentum.score:+.2f}"
        click.echo(f"{'  ' * u.signals.depth}{u.signals.name:<24} {u.momentum.state:<12} "
                   f"{score:>6}  {u.momentum.reasons[0] if u.momentum.reasons else ''}")


@click.command("alerts")
@click.argument("title")
@click.option("--as-of", type=DATE, default=None, help="Use only what was known then.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def alerts_command(title: str, as_of: dt.datetime | None, fmt: str) -> None:
    """Open early warnings of initiative TITLE: unit, kind, first raised, reason, leaders."""
    from m3.facts.store import facts_store_from_settings
    from m3.initiatives.models import Initiative
    from m3.momentum.report import initiative_momentum
    from m3.org.models import Leadership
    from m3.org.selectors import active_on

    initiative, day = as_of_resolved(title, as_of)
    assert isinstance(initiative, Initiative)
    units = initiative_momentum(initiative, facts_store_from_settings(), day)
    leaders: dict[int, list[str]] = {}
    for unit_id, email in Leadership.objects.filter(
            active_on(day), unit_id__in=[u.signals.unit_id for u in units]).values_list(
                "unit_id", "person__email"):
        leaders.setdefault(unit_id, []).append(email)
    alerts = [(u, a) for u in units for a in u.alerts]
    if fmt == "json":
        click.echo(json.dumps({"initiative": initiative.title, "as_of": day.isoformat(),
                               "alerts": [{"unit": a.unit, "kind": str(a.kind),
                                           "first_raised": a.first_raised.isoformat(),
                                           "reason": a.reason,
                                           "leaders": sorted(leaders.get(u.signals.unit_id, []))}
                                          for u, a in alerts]}, indent=2))
        return
    if not alerts:
        click.echo(f"No open alerts for {initiative.title} on {day}.")
    for u, a in alerts:
        click.echo(f"{a.unit:<24} {a.kind:<15} {a.first_raised}  {a.reason}  → "
                   f"{', '.join(sorted(leaders.get(u.signals.unit_id, []))) or 'no leader'}")
