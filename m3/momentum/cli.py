"""`m3 momentum` and `m3 alerts`: every unit's momentum, and the open early warnings."""

from __future__ import annotations

import datetime as dt
import difflib
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
    from m3.momentum.report import answer_json, initiative_momentum, momentum_answer

    initiative, day = as_of_resolved(title, as_of)
    assert isinstance(initiative, Initiative)
    rows = only_unit(initiative_momentum(initiative, facts_store_from_settings(), day), unit,
                     lambda u: u.signals.name)
    if fmt == "json":
        click.echo(answer_json(momentum_answer(initiative, day, rows)))
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
    from m3.momentum.report import alerts_answer, answer_json, initiative_momentum

    initiative, day = as_of_resolved(title, as_of)
    assert isinstance(initiative, Initiative)
    answer = alerts_answer(initiative, day,
                           initiative_momentum(initiative, facts_store_from_settings(), day))
    if fmt == "json":
        click.echo(answer_json(answer))
        return
    if not answer.alerts:
        click.echo(f"No open alerts for {initiative.title} on {day}.")
    for a in answer.alerts:
        click.echo(f"{a.unit:<24} {a.kind:<15} {a.first_raised}  {a.reason}  → "
                   f"{', '.join(a.leaders) or 'no leader'}")
