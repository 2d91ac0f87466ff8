"""Django app config for m3.ingest."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "m3.ingest"
    label = "ingest"
    default_auto_field = "django.db.models.BigAutoField"
