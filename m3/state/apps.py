"""Django app config for m3.state."""

from django.apps import AppConfig


class StateConfig(AppConfig):
    name = "m3.state"
    label = "state"
    default_auto_field = "django.db.models.BigAutoField"

