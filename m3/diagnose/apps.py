"""Django app config for m3.diagnose (its pages' templates and template filters)."""

from django.apps import AppConfig


class DiagnoseConfig(AppConfig):
    name = "m3.diagnose"
    label = "diagnose"
    default_auto_field = "django.db.models.BigAutoField"
