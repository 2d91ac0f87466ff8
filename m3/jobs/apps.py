"""Django app config for m3.jobs."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "m3.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
