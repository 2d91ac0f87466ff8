"""Django admin for pulse responses."""

from django.contrib import admin

from m3.pulse.models import PulseResponse


@admin.register(PulseResponse)
class PulseResponseAdmin(admin.ModelAdmin):
    list_display = ("person", "initiative", "week", "question", "score")
    list_filter = ("question", "initiative")
