"""`m3 message ...`: score a message's clarity and texts' consistency from files, no database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from m3.errors import InputError
from m3.message.clarity import message_clarity
from m3.message.consistency import ConsistencyReport, texts_consistency
from m3.message.encoders import default_encoder
from m3.message.text import CanonicalMessage, message_from_yaml
from m3.runtime import F, data_dir_option, django_ready
from m3.vocabulary import Channel

if TYPE_CHECKING:
    from m3.initiatives.models import Initiative
    from m3.message.importer import MessageImportResult


@click.group(name="message")
def message_group() -> None:
    """Check a message and score texts (no database); log, import, rescore and report health."""


@message_group.command(name="clarity")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def clarity_command(file: Path) -> None:
    """Print the clarity (0-100) of the message in FILE and its findings, as JSON.

    FILE is YAML (or JSON, ending in .json) with why, how, what, key_points (a list) and
    optionally asks (a list of behaviour, metric, target or per_rep_per_week). An initiative
    file (m3 initiatives import) is accepted as it is: its other keys are ignored.
    """
    report = message_clarity(_message_read(file))
    click.echo(json.dumps({
        "clarity": report.score,
        "findings": [
            {"kind": str(f.kind), "text": f.text, "suggestion": f.suggestion}
            for f in report.findings
        ],
        "grade_level": report.grade_level,
        "words": report.words,
    }, indent=2))


@message_group.command(name="score")
@click.option("--message", "message_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="YAML or JSON file with the canonical message (why, how, what, "
                   "key_points), e.g. an initiative file.")
@click.option("--method", type=click.Choice(["auto", "embedding", "lexical"]), default="auto",
              show_default=True,
              help="embedding needs the 'semantic' extra; auto uses it when installed.")
@click.argument("text_files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
def score_command(message_file: Path, method: str, text_files: tuple[Path, ...]) -> None:
    """Print, as JSON, how consistently each TEXT_FILE carries the message's key points.

    One object per file: consistency (0-1), each key point's covered / similarity /
    contradicted, whether the score is reliable (English, not empty) and the findings.
    """
    message = _message_read(message_file)
    if not message.key_points:
        raise InputError(f"{message_file}: no key_points; add 3-5 key points to score texts.")
    encoder = default_encoder(method)
    texts = [_text_read(path) for path in text_files]
    reports = texts_consistency(message, texts, encoder)
    click.echo(json.dumps(
        [_report_json(path, report) for path, report in zip(text_files, reports, strict=True)],
        indent=2,
    ))


def _message_read(path: Path) -> CanonicalMessage:
    return message_from_yaml(_text_read(path), source=str(path))


def _text_read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file; check the path.") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8 and try again.") from exc


def _report_json(path: Path, report: ConsistencyReport) -> dict[str, Any]:
    return {
        "file": str(path),
        "consistency": report.consistency,
        "key_points": [
            {
                "point": kp.point,
                "covered": kp.covered,
                "similarity": kp.similarity,
                "contradicted": kp.contradicted,
                "evidence": kp.evidence,
            }
            for kp in report.key_points
        ],
        "method": str(report.method),
        "reliable": report.reliable,
        "truncated": report.truncated,
        "findings": [
            {"kind": str(f.kind), "text": f.text, "key_point": f.key_point}
            for f in report.findings
        ],
    }


# --- commands on the app database ---------------------------------------------------------------
# message_group is registered without the `m3` wrapper's Django set-up (clarity and score need
# no database), so each command below takes --data-dir and readies Django itself.


def _initiative(title: str) -> Initiative:
    from m3.initiatives.selectors import initiative_by_title

    return initiative_by_title(title)


@message_group.command(name="rescore")
@click.argument("initiative")
@click.option("--method", type=click.Choice(["auto", "embedding", "lexical"]), default=None,
              help="Default: the method the initiative's scores already use (auto if none).")
@data_dir_option
def rescore_command(initiative: str, method: str | None, data_dir: Path | None) -> None:
    """Score every touchpoint and restatement of INITIATIVE (its title) again.

    Run it after the message or its key points change, or to switch the method.
    """
    django_ready(data_dir)
    from m3.message.services import initiative_rescore

    result = initiative_rescore(_initiative(initiative), method)
    click.echo(f"Scored {result.touchpoints} touchpoint(s) and {result.restatements} "
               f"restatement(s) with the {result.method} method in {result.seconds:.1f} s.")


@message_group.command(name="log")
@click.option("--leader", required=True, help="Email of the leader who delivered the message.")
@click.option("--initiative", "title", required=True, help="Title of the initiative.")
@click.option("--unit", default=None, help="Name of the unit addressed (or --person).")
@click.option("--person", default=None, help="Email of the person addressed (or --unit).")
@click.option("--channel", required=True,
              type=click.Choice(Channel.values))
@click.option("--date", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--content-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="UTF-8 file with the talk track, notes or email text.")
@data_dir_option
def log_command(leader: str, title: str, unit: str | None, person: str | None, channel: str,
                day: dt.datetime, content_file: Path | None, data_dir: Path | None) -> None:
    """Log one touchpoint and print its consistency with the message, as JSON."""
    django_ready(data_dir)
    from m3.message.scores import key_points_to_json
    from m3.message.services import TouchpointInput, touchpoint_log
    from m3.org.models import Person, Unit

    found = Person.objects.filter(email__iexact=leader).first()
    if found is None:
        raise InputError(f"No person with the email {leader!r}.")
    if (unit is None) == (person is None):
        raise InputError("Give the audience: --unit NAME or --person EMAIL (one of them).")
    unit_id = person_id = None
    if unit is not None:
        unit_row = Unit.objects.filter(name__iexact=unit).first()
        if unit_row is None:
            raise InputError(f"No unit called {unit!r}.")
        unit_id = unit_row.pk
    if person is not None:
        person_row = Person.objects.filter(email__iexact=person).first()
        if person_row is None:
            raise InputError(f"No person with the email {person!r}.")
        person_id = person_row.pk
    logged = touchpoint_log(TouchpointInput(
        initiative_id=_initiative(title).pk, leader_id=found.pk, channel=channel,
        date=day.date(), content=_text_read(content_file) if content_file else "",
        unit_id=unit_id, person_id=person_id,
    ))
    score = getattr(logged.touchpoint, "score", None)
    click.echo(json.dumps({
        "touchpoint": logged.touchpoint.pk, "outcome": logged.outcome,
        "consistency": score.consistency if score else None,
        "method": score.method if score else None,
        "key_points": key_points_to_json(score.points()) if score else [],
    }, indent=2))


def _import_report(result: MessageImportResult, what: str) -> None:
    click.echo(f"{what}: {result.added} added, {result.updated} updated, {result.unchanged} "
               "unchanged.")
    if result.skipped:
        click.echo(f"{result.skipped} problem row(s) skipped; see {result.report_path}")


def csv_import_options(func: F) -> F:
    """FILE, --initiative, --skip-invalid, --encoding and --data-dir: the CSV imports' options."""
    for option in reversed((
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--initiative", "title", required=True, help="Title of the initiative."),
        click.option("--skip-invalid", is_flag=True,
                     help="Import the valid rows; write the others to FILE-skipped.csv."),
        click.option("--encoding", default=None, help="File encoding (default: detected)."),
        data_dir_option,
    )):
        func = option(func)
    return func


@message_group.command(name="import-touchpoints")
@csv_import_options
def import_touchpoints_command(file: Path, title: str, skip_invalid: bool, encoding: str | None,
                               data_dir: Path | None) -> None:
    """Import touchpoints from a CSV: leader, unit, person, channel, date, content.

    leader and person are emails, unit a unit's name (give unit or person), date YYYY-MM-DD.
    All or nothing: any problem is listed (file, row, column) and nothing is written. Importing
    the same file again changes nothing.
    """
    django_ready(data_dir)
    from django.utils import timezone

    from m3.message.importer import touchpoints_import

    result = touchpoints_import(file, _initiative(title), timezone.localdate(),
                                skip_invalid=skip_invalid, encoding=encoding)
    _import_report(result, "Touchpoints")


@message_group.command(name="import-restatements")
@csv_import_options
def import_restatements_command(file: Path, title: str, skip_invalid: bool,
                                encoding: str | None, data_dir: Path | None) -> None:
    """Import reps' restatements of the message from a CSV: email, date, text.

    Each rep must be in the initiative's scope on the date. All or nothing, like every import;
    one restatement per rep, initiative and date (a new text replaces that day's).
    """
    django_ready(data_dir)
    from django.utils import timezone

    from m3.message.importer import restatements_import

    result = restatements_import(file, _initiative(title), timezone.localdate(),
                                 skip_invalid=skip_invalid, encoding=encoding)
    _import_report(result, "Restatements")


@message_group.command(name="import-calendar")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--initiative", "title", required=True, help="Title of the initiative.")
@click.option("--leader", required=True, help="Email of the leader whose calendar FILE is.")
@click.option("--match", "match", multiple=True,
              help="Import events whose title or description holds TEXT (repeatable). "
                   "Default: the initiative's title or a distinctive word of a key point.")
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid events; write the others to FILE-skipped.csv.")
@data_dir_option
def import_calendar_command(file: Path, title: str, leader: str, match: tuple[str, ...],
                            dry_run: bool, skip_invalid: bool, data_dir: Path | None) -> None:
    """Import a leader's calendar export (.ics from Google Calendar or Outlook) as touchpoints.

    One touchpoint per meeting about the initiative up to today: its date, "video" when it has
    a conference link (else "meeting"), its title and description as content, and as audience
    the one attendee in an M3 team, or the smallest unit LEADER leads that holds all of them.
    Cancelled, future, other people's and unrelated events are skipped and counted. All or
    nothing; importing the same file again changes nothing. See docs/message.md.
    """
    django_ready(data_dir)
    import os

    from django.utils import timezone

    from m3.message.calendar import calendar_import
    from m3.org.models import Person

    person = Person.objects.filter(email__iexact=leader.strip()).first()
    if person is None:
        raise InputError(f"No person with the email {leader!r}; check it or import the org.")
    result = calendar_import(file, _initiative(title), person, timezone.localdate(), match=match,
                             skip_invalid=skip_invalid, dry_run=dry_run,
                             run_by=os.environ.get("USER", ""))
    click.echo(f"Matched on: {', '.join(result.terms)}")
    verb = "would be " if result.dry_run else ""
    click.echo(f"Touchpoints{' (dry run)' if result.dry_run else ''}: {result.added} {verb}added, "
               f"{result.updated} {verb}updated, {result.unchanged} unchanged, "
               f"{result.skipped_total} skipped, {result.rejected} rejected.")
    for reason, count in result.skipped:
        click.echo(f"  skipped: {count} {reason}")
    if result.report_path:
        click.echo(f"Rejected events are listed in {result.report_path}")


@message_group.command(name="health")
@click.argument("initiative")
@click.option("--unit", default=None, help="Only this team (its name).")
@click.option("--week", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Any day of the ISO week (default: this week).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@data_dir_option
def health_command(initiative: str, unit: str | None, week: dt.datetime | None, fmt: str,
                   data_dir: Path | None) -> None:
    """Print the message health of INITIATIVE's teams: clarity, comprehension, frequency,
    consistency (0-100 each), health, and the main finding, least healthy first."""
    django_ready(data_dir)
    from django.utils import timezone

    from m3.message.selectors import initiative_message_health
    from m3.org.scope import Scope
    from m3.vocabulary import Role

    everything = Scope(Role.ADMIN, None, frozenset(), frozenset(), everything=True)
    health = initiative_message_health(_initiative(initiative), everything,
                                       week.date() if week else None, timezone.localdate())
    rows = [r for r in health.units if unit is None or r.name.lower() == unit.lower()]
    if unit is not None and not rows:
        raise InputError(f"No team called {unit!r} in {health.title}.")
    if fmt == "json":
        click.echo(json.dumps({
            "initiative": health.title, "week": health.week.isoformat(),
            "as_of": health.as_of.isoformat(), "clarity": health.clarity,
            "units": [{"unit": r.name, "health": _round(r.health),
                       **{k: _round(v) for k, v in r.parts.as_dict().items()},
                       "days_since_reinforcement": r.days_since_reinforcement,
                       "findings": [f.text for f in r.findings]} for r in rows],
        }, indent=2, ensure_ascii=False))
        return
    click.echo(f"{health.title}: week of {health.week} (up to {health.as_of})")
    header = (f"{'unit':<24} {'health':>6} {'clarity':>7} {'compr.':>6} {'freq.':>6} "
              f"{'consist.':>8}  finding")
    click.echo(header)
    for r in rows:
        p = r.parts
        finding = r.findings[0].text if r.findings else "On track"
        click.echo(f"{r.name[:24]:<24} {_cell(r.health):>6} {_cell(p.clarity):>7} "
                   f"{_cell(p.comprehension):>6} {_cell(p.frequency):>6} "
                   f"{_cell(p.consistency):>8}  {finding}")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"
