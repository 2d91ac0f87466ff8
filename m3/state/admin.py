"""The weekly state in the Django admin (every field read only: it is computed, never edited)."""

from django.contrib import admin

from m3.state.models import UnitWeek


@admin.register(UnitWeek)
class UnitWeekAdmin(admin.ModelAdmin):
    list_display = ("initiative", "unit", "week", "status", "cause", "momentum", "computed_at")
    list_filter = ("initiative", "week", "status", "cause")
    readonly_fields = [f.name for f in UnitWeek._meta.fields]
