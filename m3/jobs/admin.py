"""The job queue in the Django admin: what ran, when, and how it went."""

from django.contrib import admin

from m3.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "initiative_id", "since", "status", "created_at", "finished_at")
    list_filter = ("status", "kind")
    readonly_fields = ("created_at", "started_at", "finished_at", "result")
