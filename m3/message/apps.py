"""Django app config for m3.message."""

from django.apps import AppConfig


class MessageConfig(AppConfig):
    name = "m3.message"
    label = "message"
    default_auto_field = "django.db.models.BigAutoField"
