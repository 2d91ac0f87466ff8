"""Django app config for m3.state: registers the weekly state's refresh as a job kind."""

from django.apps import AppConfig


class StateConfig(AppConfig):
    name = "m3.state"
    label = "state"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from m3.jobs.services import job_handler_register
        from m3.state.services import state_refresh_job

        job_handler_register("state_refresh", state_refresh_job)
