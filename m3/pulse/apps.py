"""Django app config for m3.pulse."""

from django.apps import AppConfig


class PulseConfig(AppConfig):
    name = "m3.pulse"
    label = "pulse"
    default_auto_field = "django.db.models.BigAutoField"
