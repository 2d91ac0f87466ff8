"""Admin pages of the measure app: exchange rates."""

from django.contrib import admin

from m3.measure.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "rate", "updated_at")
    search_fields = ("currency",)
