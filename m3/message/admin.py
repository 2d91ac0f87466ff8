"""Django admin for touchpoints."""

from django.contrib import admin

from m3.message.models import Touchpoint


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ("date", "initiative", "leader", "unit", "person", "channel")
    list_filter = ("channel", "initiative")
    search_fields = ("content", "leader__name")
