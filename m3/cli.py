"""The `m3` command. Each subcommand's docstring is its --help; errors are one line."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import traceback
from pathlib import Path

import click

from m3.diagnose.cli import diagnose_command
from m3.diagnose.weekly_cli import state_group
from m3.errors import ConfigError, M3Error
from m3.ingest.cli import import_command, owners_group
from m3.initiatives.cli import initiatives_group
from m3.jobs.cli import jobs_group
from m3.measure.cli import measure_group, metrics_group
from m3.message.cli import message_group
from m3.momentum.cli import alerts_command, momentum_command
from m3.pulse.cli import pulse_group
from m3.runtime import data_dir_option, django_command, django_ready, facts_ready, progress_bar


@click.group()
@click.version_option(package_name="m3")
def cli() -> None:
    """M3: Message, Measure, Momentum. Execute a sales strategy, every week."""


@cli.command()
@data_dir_option
def init(data_dir: Path | None) -> None:
    """Create the data folder, its secret key, the app database and the facts store."""
    from m3.config import config_load, secret_key_create

    if data_dir is not None:
        os.environ["M3_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("M3_DATA_DIR", "./m3-data")
    target = Path(os.environ["M3_DATA_DIR"]).expanduser().resolve()
    if "M3_SECRET_KEY" not in os.environ:
        secret_key_create(target)
    django_ready(target)
    facts_ready()
    config = config_load()
    click.echo(f"M3 is ready in {config.data_dir}")
    click.echo(f"  app database: {config.database_url}")
    click.echo(f"  facts store:  {config.facts_url}")
    click.echo("Next: `m3 org import UNITS.csv PEOPLE.csv`, `m3 users create EMAIL`, `m3 serve`.")


@cli.command()
@click.option("--reps", default=120, show_default=True, type=click.IntRange(12, 20_000))
@click.option("--weeks", default=26, show_default=True, type=click.IntRange(8, 104))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Replace an earlier demo in the same data folder.")
@click.option("--no-serve", is_flag=True, help="Build the demo and exit without serving it.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@data_dir_option
@click.pass_context
def demo(ctx: click.Context, reps: int, weeks: int, seed: int, reset: bool, no_serve: bool,
         host: str, port: int, data_dir: Path | None) -> None:
    """Build the demo organisation and its initiative, then serve it on localhost."""
    ctx.invoke(init, data_dir=data_dir)
    from m3.demo.build import demo_build
    from m3.facts.store import facts_store_from_settings

    with progress_bar("Building the demo") as update:
        result = demo_build(reps=reps, weeks=weeks, seed=seed, reset=reset,
                            facts=facts_store_from_settings(), progress=update)
    click.echo("Demo logins (role, email, password):")
    for role, email, password in result.logins:
        click.echo(f"  {role:<10} {email:<36} {password}")
    click.echo("The weekly state (momentum and diagnosis per unit and week) is computed in the "
               "background by `m3 serve`, or now by `m3 jobs run`.")
    if not no_serve:
        ctx.invoke(serve, host=host, port=port, workers=2, threads=8, jobs=True,
                   data_dir=data_dir)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Processes; one per CPU is right for most machines.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Threads per process: requests waiting on the databases do not queue.")
@click.option("--jobs/--no-jobs", default=True, show_default=True,
              help="Also work the job queue (the weekly state's refreshes) in a worker process.")
@data_dir_option
def serve(host: str, port: int, workers: int, threads: int, jobs: bool,
          data_dir: Path | None) -> None:
    """Serve the web app and API with gunicorn (Ctrl-C stops it), and work the job queue."""
    django_ready(data_dir, migrate=False)
    from m3.runtime import migrations_pending

    pending = migrations_pending()
    if pending:
        raise ConfigError(f"The app database lacks {len(pending)} migration(s): run `m3 init`.")
    facts_ready()
    # Not an M3_* name: settings refuse unknown M3_ variables, and this one is for m3.serving.
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="m3.settings",
               SERVE_JOB_WORKER="1" if jobs else "0")
    click.echo(f"M3 serving on http://{host}:{port}/  (Ctrl-C to stop)")
    command = [sys.executable, "-m", "gunicorn", "m3.wsgi:application",
               "--bind", f"{host}:{port}", "--workers", str(workers),
               "--threads", str(threads), "--worker-class", "gthread",
               "--access-logfile", "-", "--timeout", "120", "--config", "python:m3.serving"]
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:
            raise M3Error(f"Port {port} on {host} is in use: stop what runs there or choose "
                          f"another with --port {port + 1}.")
    sys.stdout.flush()
    # Become gunicorn: Ctrl-C and `kill` reach the server itself, and no child is left behind.
    os.execve(sys.executable, command, env)


@cli.command()
@data_dir_option
def check(data_dir: Path | None) -> None:
    """Check settings, the app database, migrations and the facts store; exit 1 if any fails."""
    results: list[tuple[str, bool, str]] = []
    try:
        django_ready(data_dir, migrate=False)
        results.append(("settings", True, "valid"))
        results.append(("app database", True, "reachable"))
        from m3.runtime import migrations_pending

        pending = migrations_pending()
        results.append(("migrations", not pending,
                        "all applied" if not pending else f"{len(pending)} pending: run m3 init"))
    except M3Error as exc:
        results.append(("settings / app database", False, exc.message))
    if all(ok for _, ok, _ in results):
        from m3.facts.schema import TABLES
        from m3.facts.store import facts_store_from_settings

        try:
            present = facts_store_from_settings().tables_present()
            missing = sorted(set(TABLES) - present)
            results.append(("facts store", not missing,
                            "reachable, tables present" if not missing
                            else f"missing tables {', '.join(missing)}: run m3 init"))
        except Exception as exc:  # any engine error is a failed check, reported in one line
            results.append(("facts store", False, str(exc).splitlines()[0]))
    for name, ok, detail in results:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    if not all(ok for _, ok, _ in results):
        raise SystemExit(1)


@cli.group()
def users() -> None:
    """Manage logins."""


@users.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(["admin", "executive", "leader", "rep"]),
              default=None, help="Create the person with this role if they are not in the org.")
@data_dir_option
def users_create(email: str, password: str, role: str | None, data_dir: Path | None) -> None:
    """Give the person with EMAIL a login (an admin role also opens the Django admin)."""
    django_ready(data_dir)
    from m3.org.services import user_create
    from m3.vocabulary import Role

    person = user_create(email, password, role=Role(role) if role else None)
    click.echo(f"Login ready for {person.name} <{person.email}> ({person.role}).")


@users.command("list")
@data_dir_option
def users_list(data_dir: Path | None) -> None:
    """List people who can log in."""
    django_ready(data_dir)
    from m3.org.models import Person

    for person in Person.objects.filter(user__isnull=False).order_by("role", "email"):
        click.echo(f"{person.role:<10} {person.email:<40} {person.name}")


@cli.group()
def org() -> None:
    """The organisation: units, people, memberships and leaderships."""


@org.command("import")
@click.argument("units_csv", type=click.Path(path_type=Path))
@click.argument("people_csv", type=click.Path(path_type=Path))
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of any moves in the file (default: today).")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows; write the others to a report file.")
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
@click.option("--encoding", default=None, help="File encoding (default: detected).")
@data_dir_option
def org_import_command(units_csv: Path, people_csv: Path, as_of: dt.datetime | None,
                       skip_invalid: bool, dry_run: bool, encoding: str | None,
                       data_dir: Path | None) -> None:
    """Import UNITS_CSV (unit, parent) and PEOPLE_CSV (name, email, role, unit, leads, crm_id)."""
    django_ready(data_dir)
    from django.utils import timezone

    from m3.ingest.org import org_import

    result = org_import(
        units_csv, people_csv,
        as_of=as_of.date() if as_of else timezone.localdate(),
        skip_invalid=skip_invalid, dry_run=dry_run, run_by=os.environ.get("USER", ""),
        encoding=encoding,
    )
    prefix = "Dry run, nothing written: would have " if result.dry_run else ""
    click.echo(
        f"{prefix}units: {result.units_added} added, {result.units_updated} updated; people: "
        f"{result.people_added} added, {result.people_updated} updated, {result.unchanged} "
        f"unchanged; {result.moves} moved."
    )
    if result.skipped:
        click.echo(f"{result.skipped} problem row(s) skipped; see {result.report_path}")


# Domain command groups. The message commands ready Django themselves (some need no database);
# the others get --data-dir and a ready Django from django_command.
cli.add_command(message_group)
for _command in (import_command, owners_group, initiatives_group, pulse_group, metrics_group,
                 measure_group, momentum_command, alerts_command, diagnose_command, state_group,
                 jobs_group):
    cli.add_command(django_command(_command))


def _log_traceback() -> Path:
    log = Path(os.environ.get("M3_LOG_FILE") or
               Path(os.environ.get("M3_DATA_DIR", "./m3-data")) / "m3.log")
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now().isoformat()} m3 {' '.join(sys.argv[1:])}\n")
            handle.write(traceback.format_exc())
    except OSError:
        log = Path("(could not write the log)")
    return log


def main(argv: list[str] | None = None) -> None:
    """Run the `m3` command: user errors print one line and exit 1."""
    try:
        cli.main(args=argv, prog_name="m3", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        raise SystemExit(1) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except M3Error as exc:
        click.echo(f"Error: {exc.message}", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:
        log = _log_traceback()
        click.echo(f"Error: {type(exc).__name__}: {exc} (details in {log})", err=True)
        raise SystemExit(2) from None
