"""The weekly state: one row per initiative, unit and ISO week, computed from what is dated by
the end of that week (point in time by construction) and stamped with when it was computed."""

from __future__ import annotations

from django.db import models

from m3.initiatives.models import Initiative
from m3.org.models import Unit


class UnitWeek(models.Model):
    """A unit's diagnosis, momentum, pace and alerts for one week of an initiative.

    The columns are what pages sort and filter on; `record` is the whole of it
    (`m3.diagnose.report.UnitDiagnosisAnswer` as JSON: the unit's page, the diagnosis row with
    its evidence, momentum, figures, open alerts, lever model and weekly signals).
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="unit_weeks")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="weeks")
    week = models.DateField(help_text="The Monday of the ISO week.")
    as_of = models.DateField(help_text="The Sunday that ends the week: nothing later is used.")
    status = models.CharField(max_length=20)
    cause = models.CharField(max_length=20)
    detail = models.CharField(max_length=40, blank=True, default="")
    momentum = models.CharField(max_length=20)
    momentum_score = models.FloatField(null=True, blank=True)
    to_date = models.FloatField(null=True, blank=True,
                                help_text="Output to date ÷ forecast to date.")
    projected = models.FloatField(null=True, blank=True,
                                  help_text="Projected output ÷ forecast, to the end.")
    alerts = models.PositiveIntegerField(default=0)
    record = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["initiative", "unit", "week"],
                                               name="state_unit_week_unique")]
        indexes = [models.Index(fields=["initiative", "week"])]
        ordering = ["initiative", "week", "pk"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.week}: {self.status}/{self.cause}"
