"""Starting Django for a command or a server: data dir, settings, migrations, facts schema."""

from __future__ import annotations

import os
from pathlib import Path


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
