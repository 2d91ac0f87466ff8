"""Django app config for m3.measure."""

from django.apps import AppConfig


class MeasureConfig(AppConfig):
    name = "m3.measure"
    label = "measure"
    default_auto_field = "django.db.models.BigAutoField"
