"""Django app config for m3.org."""

from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "m3.org"
    label = "org"
    default_auto_field = "django.db.models.BigAutoField"
