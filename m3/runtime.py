"""What every `m3` command runs on: the data folder option, a ready Django (settings checked,
database reachable and migrated), the facts store's tables, and a progress bar.

Domain command groups (`m3/<domain>/cli.py`) import this module, never `m3.cli`, which imports
them: the command line has one top (`m3/cli.py`) and one runtime (this module)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from m3.errors import ConfigError, M3Error


def django_setup(data_dir: Path | None = None) -> None:
    """Point M3 at `data_dir` (if given), validate settings and start Django."""
    if data_dir is not None:
        os.environ["M3_DATA_DIR"] = str(data_dir)
    import django
    from django.conf import settings

    if not settings.configured:
        # M3's own settings, even when the shell names another Django project's.
        os.environ["DJANGO_SETTINGS_MODULE"] = "m3.settings"

    django.setup()


def database_migrate(verbosity: int = 0) -> None:
    """Apply all Django migrations to the app database (idempotent)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def migrations_pending() -> list[str]:
    """Names of migrations not yet applied to the app database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


F = TypeVar("F", bound=Callable[..., Any])


def data_dir_option(func: F) -> F:
    """Add --data-dir (overrides M3_DATA_DIR) to a command."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Data folder (default: M3_DATA_DIR, else ./m3-data).",
    )(func)


def django_ready(data_dir: Path | None, *, migrate: bool = True) -> None:
    """Set up Django for `data_dir`, checking the app database is reachable (and migrated)."""
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
    django_setup(data_dir)
    from django.db import OperationalError, connection

    try:
        connection.ensure_connection()
        if migrate:
            database_migrate()
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"M3_DATABASE_URL: cannot use the app database ({first_line}); check the URL, "
            "that the server runs and that the user may connect."
        ) from None


def facts_ready() -> None:
    """Create the facts tables if missing (idempotent)."""
    from m3.facts.store import facts_store_from_settings

    try:
        facts_store_from_settings().schema_create()
    except M3Error:
        raise
    except Exception as exc:
        raise ConfigError(f"M3_FACTS_URL: cannot use the facts store ({exc}).") from None


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[str, float], None]]:
    """A rich progress bar; yields `update(step, fraction)`."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(), transient=False,
    ) as progress:
        task = progress.add_task(description, total=1.0)

        def update(step: str, fraction: float) -> None:
            progress.update(task, completed=fraction, description=f"{description}: {step}")

        yield update


def django_command(command: click.Command) -> click.Command:
    """Give a domain command --data-dir and a ready Django (settings checked, DB migrated)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            django_command(sub)
        return command
    if any(p.name == "data_dir" for p in command.params) or command.callback is None:
        return command
    original = command.callback
    command.params.append(click.Option(
        ["--data-dir"], type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Data folder (default: M3_DATA_DIR, else ./m3-data).",
    ))

    @functools.wraps(original)
    def callback(*args: Any, data_dir: Path | None = None, **kwargs: Any) -> Any:
        django_ready(data_dir)
        return original(*args, **kwargs)

    command.callback = callback
    return command
