"""Django app config for m3.initiatives."""

from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "m3.initiatives"
    label = "initiatives"
    default_auto_field = "django.db.models.BigAutoField"
