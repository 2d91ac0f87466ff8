"""The record of every import run: who, when, which files, what it added, changed or rejected."""

from __future__ import annotations

from django.db import models

from m3.vocabulary import ImportStatus


class ImportRun(models.Model):
    """One run of an import command or upload."""

    kind = models.CharField(max_length=40)  # org, activities, opportunities, touchpoints …
    source = models.CharField(max_length=100, blank=True)
    files = models.TextField(help_text="The files read, one per line.")
    run_by = models.CharField(max_length=200, blank=True)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    report_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} import #{self.pk} ({self.status})"
