"""Django app config for m3.diagnose (its pages' templates and filters, the weekly refresh job)."""

from django.apps import AppConfig


class DiagnoseConfig(AppConfig):
    name = "m3.diagnose"
    label = "diagnose"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from m3.diagnose.weekly import state_due_enqueue, state_refresh_job
        from m3.jobs.services import STATE_REFRESH, job_handler_register, job_schedule_register

        job_handler_register(STATE_REFRESH, state_refresh_job)
        job_schedule_register(state_due_enqueue)
