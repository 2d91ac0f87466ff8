"""Django admin for initiatives."""

from django.contrib import admin

from m3.initiatives.models import Ask, CadenceStep, ForecastPoint, Initiative, KeyPoint


class KeyPointInline(admin.TabularInline):
    model = KeyPoint
    extra = 0


class AskInline(admin.TabularInline):
    model = Ask
    extra = 0


class ForecastInline(admin.TabularInline):
    model = ForecastPoint
    extra = 0


class CadenceInline(admin.TabularInline):
    model = CadenceStep
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "start", "end", "output_metric")
    filter_horizontal = ("units",)
    inlines = [KeyPointInline, AskInline, CadenceInline, ForecastInline]
