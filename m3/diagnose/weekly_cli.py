"""`m3 state`: the weekly state (recompute it now)."""

from __future__ import annotations

import datetime as dt

import click

from m3.runtime import progress_bar

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group("state")
def state_group() -> None:
    """The weekly state: per unit and week, the numbers pages read."""


@state_group.command("refresh")
@click.argument("title", required=False)
@click.option("--since", type=DATE, default=None,
              help="Recompute from this date's week on (default: every week).")
def state_refresh_command(title: str | None, since: dt.datetime | None) -> None:
    """Recompute the weekly state of initiative TITLE (default: every initiative) now."""
    from m3.diagnose.weekly import state_refresh_all
    from m3.facts.store import facts_store_from_settings
    from m3.initiatives.selectors import initiative_by_title

    initiative_id = initiative_by_title(title).pk if title else None
    with progress_bar("Refreshing the weekly state") as update:
        result = state_refresh_all(facts_store_from_settings(), initiative_id=initiative_id,
                                   since=since.date() if since else None, progress=update)
    click.echo(f"Refreshed {result.summary()}.")
