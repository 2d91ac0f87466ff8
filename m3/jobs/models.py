"""A job: work that runs in the background (a recomputation after a change), kept in the app DB."""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    PENDING = "pending", "pending"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class Job(models.Model):
    """One queued piece of work: its kind, what it is about, and how it went.

    `initiative_id` None means every initiative; `since` None means from the beginning. Pending
    jobs of one kind and initiative are merged (the earliest `since` wins), so a burst of changes
    costs one run.
    """

    kind = models.CharField(max_length=40)
    initiative_id = models.IntegerField(null=True, blank=True)
    since = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=JobStatus.choices,
                              default=JobStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True,
                                      help_text="A retry waits until then (a busy database).")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
