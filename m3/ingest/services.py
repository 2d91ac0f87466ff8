"""Writes for import runs: open a run, close it with its counts."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from m3.ingest.models import ImportRun
from m3.vocabulary import ImportStatus


def import_run_start(
    kind: str, files: Sequence[str], *, source: str = "", run_by: str = "", dry_run: bool = False
) -> ImportRun:
    """Record that an import of `files` started."""
    return ImportRun.objects.create(
        kind=kind, source=source, files="\n".join(files), run_by=run_by, dry_run=dry_run
    )


def import_run_finish(
    run: ImportRun,
    status: ImportStatus,
    *,
    added: int = 0,
    updated: int = 0,
    unchanged: int = 0,
    rejected: int = 0,
    report_path: str = "",
    message: str = "",
) -> ImportRun:
    """Record how an import run ended, with its counts."""
    run.status = status
    run.added, run.updated, run.unchanged, run.rejected = added, updated, unchanged, rejected
    run.report_path = report_path
    run.message = message[:10_000]
    run.finished_at = timezone.now()
    run.save()
    return run
