"""`m3 pulse ...`: import reps' pulse answers from a CSV."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(name="pulse")
def pulse_group() -> None:
    """Pulse surveys: import answers from a CSV."""


@pulse_group.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--initiative", "title", required=True, help="Title of the initiative.")
@click.option("--encoding", default=None, help="File encoding (default: detected).")
def import_command(file: Path, title: str, encoding: str | None) -> None:
    """Import pulse answers from a CSV: email, date, clarity, consistency, confidence, energy.

    Scores are whole numbers 1-5; an empty cell is no answer. date is any day of the ISO week
    answered. Optional columns: comment (kept with the first question answered) and
    <question>_comment. Each person must be a rep in the initiative's scope that week. One row
    per person and week replaces that person's answers for the week. All or nothing: every
    problem is listed (file, row, column) and nothing is written; importing the same file again
    changes nothing.
    """
    from django.utils import timezone

    from m3.initiatives.selectors import initiative_by_title
    from m3.pulse.importer import pulses_import

    result = pulses_import(file, initiative_by_title(title), timezone.localdate(), encoding)
    click.echo(f"Pulse answers (person-weeks): {result.added} added, {result.updated} updated, "
               f"{result.unchanged} unchanged.")
