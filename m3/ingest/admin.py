"""Django admin for import runs (read-only: the record of what happened)."""

from django.contrib import admin

from m3.ingest.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "source", "status", "started_at", "added", "updated",
                    "unchanged", "rejected", "run_by")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
