"""The `m3 import` and `m3 owners` commands: CRM exports into the facts, and unmatched owners."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--profile", type=click.Choice(["m3", "salesforce", "hubspot", "generic"]),
              required=True, help="Who wrote the files (generic: any CSV, with --mapping).")
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The mapping YAML for --profile generic (see docs/import.md).")
@click.option("--kind", type=click.Choice(["activities", "opportunities"]),
              help="What the files hold, when the header does not say (m3 profile).")
@click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows; write the others to a report.")
@click.option("--encoding", help="Text encoding of CSV files (default: detected), e.g. cp1252.")
def import_command(
    files: tuple[Path, ...], profile: str, mapping_path: Path | None, kind: str | None,
    dry_run: bool, skip_invalid: bool, encoding: str | None,
) -> None:
    """Import CRM exports (CSV, XLSX, Parquet) into the facts: all rows or none."""
    from django.conf import settings

    from m3.facts.store import facts_store_from_settings
    from m3.ingest.crm.importer import crm_import

    store = facts_store_from_settings()
    store.schema_create()
    outcome = crm_import(
        list(files), profile=profile, store=store, data_dir=settings.M3.data_dir,
        mapping_path=mapping_path, kind=kind, dry_run=dry_run, skip_invalid=skip_invalid,
        encoding=encoding,
    )
    if outcome.dry_run:
        click.echo(f"Dry run: {outcome.rows_valid} valid row(s), {outcome.rejected} with "
                   "problems; nothing written.")
    else:
        click.echo(f"Imported (run #{outcome.run_id}): {outcome.added} added, "
                   f"{outcome.updated} updated, {outcome.unchanged} unchanged, "
                   f"{outcome.rejected} rejected.")
    if outcome.skipped:
        click.echo(f"{outcome.skipped} row(s) skipped on purpose (deleted or still open tasks).")
    if outcome.users_linked or outcome.users_unmatched:
        click.echo(f"Salesforce users linked to people: {outcome.users_linked}; with no person "
                   f"of that email: {', '.join(outcome.users_unmatched) or 'none'}.")
    if outcome.report_path:
        click.echo(f"Rejected rows and why: {outcome.report_path}")
    if outcome.unknown_owners:
        listed = ", ".join(f"{o} ({n})" for o, n in outcome.unknown_owners[:10])
        click.echo(f"{len(outcome.unknown_owners)} owner(s) match no person and count for no one "
                   f"yet: {listed}. Map each with `m3 owners map OWNER EMAIL`.")


@click.group("owners")
def owners_group() -> None:
    """CRM owners that match no person: list them, map them to people."""


@owners_group.command("list")
def owners_list() -> None:
    """List the owners of fact rows that match no person, with their row counts."""
    from m3.facts.store import facts_store_from_settings
    from m3.ingest.crm.owners import unknown_owners

    rows = unknown_owners(facts_store_from_settings())
    if not rows:
        click.echo("Every owner matches a person.")
        return
    for u in rows:
        click.echo(f"{u.owner}\t{u.activities} activities\t{u.opportunities} opportunities")


@owners_group.command("map")
@click.argument("owner")
@click.argument("person")
def owners_map(owner: str, person: str) -> None:
    """Map OWNER (as the CRM wrote it) to PERSON (email or CRM id), updating the facts."""
    from m3.facts.store import facts_store_from_settings
    from m3.ingest.crm.owners import owner_map

    found, updated = owner_map(facts_store_from_settings(), owner, person)
    click.echo(f"{owner} is {found.name} <{found.email}>; {updated} fact row(s) updated.")
