"""Django app config for m3.reports."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "m3.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
