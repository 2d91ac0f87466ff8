"""An initiative: the strategy rolled out to units, with its canonical message and plans."""

from __future__ import annotations

from django.db import models

from m3.org.models import Person, Unit
from m3.vocabulary import CadenceKind, LeadershipKind


class Initiative(models.Model):
    """The strategy rolled out: scope, dates, owner, message (why / how / what), output metric."""

    title = models.CharField(max_length=200, unique=True)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="initiatives_owned")
    units = models.ManyToManyField(Unit, related_name="initiatives", help_text="Scope (with "
                                   "every unit below the ones chosen).")
    start = models.DateField()
    end = models.DateField()
    why = models.TextField(help_text="Why we are doing this: the reason the team should care.")
    how = models.TextField(help_text="How we will do it.")
    what = models.TextField(help_text="What each rep does differently.")
    output_metric = models.CharField(max_length=100, help_text="Name of the output metric in "
                                     "the catalogue, e.g. won_revenue.")

    class Meta:
        ordering = ["-start", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="initiative_end_after_start")
        ]

    def __str__(self) -> str:
        return self.title


class KeyPoint(models.Model):
    """One of the 3–5 points every rep must be able to say."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="key_points")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["initiative_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "position"], name="key_point_position")
        ]

    def __str__(self) -> str:
        return self.text


class Ask(models.Model):
    """A behaviour asked of every rep, measured by a lever metric with a weekly target per rep."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="asks")
    behaviour = models.CharField(max_length=300)
    lever_metric = models.CharField(max_length=100)
    target_per_rep_per_week = models.FloatField()

    class Meta:
        ordering = ["initiative_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(target_per_rep_per_week__gte=0),
                                   name="ask_target_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.behaviour} ({self.lever_metric} ≥ {self.target_per_rep_per_week}/week)"


class ForecastPoint(models.Model):
    """The forecast of the output metric for one ISO week (Monday), for the whole scope."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="forecast")
    week = models.DateField(help_text="The Monday that starts the ISO week.")
    value = models.FloatField()

    class Meta:
        ordering = ["initiative_id", "week"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "week"], name="forecast_week"),
        ]


class UnitForecastPoint(models.Model):
    """A unit's own forecast of the output metric for one ISO week (with the units below it).

    A unit without one gets a share of the forecast of the nearest unit above it that has one,
    else of the scope's (`m3.momentum.selectors`)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="unit_forecast")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="forecast_points")
    week = models.DateField(help_text="The Monday that starts the ISO week.")
    value = models.FloatField()

    class Meta:
        ordering = ["initiative_id", "unit_id", "week"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "unit", "week"],
                                    name="unit_forecast_week"),
            models.CheckConstraint(condition=models.Q(value__gte=0),
                                   name="unit_forecast_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.week}: {self.value:g}"


class CadenceStep(models.Model):
    """Part of the cadence plan: deliver by a date, or redeliver / reinforce every N days."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="cadence")
    kind = models.CharField(max_length=16, choices=CadenceKind.choices)
    due = models.DateField(null=True, blank=True, help_text="For deliver: the date it is due by.")
    every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For redeliver and reinforce: the interval in days."
    )
    leader_kinds = models.CharField(
        max_length=100,
        default=LeadershipKind.MANAGER,
        help_text="Comma-separated leader kinds who carry this step (manager, director, …).",
    )

    class Meta:
        ordering = ["initiative_id", "kind"]

    def __str__(self) -> str:
        when = f"by {self.due}" if self.due else f"every {self.every_days} days"
        return f"{self.kind} {when} ({self.leader_kinds})"

    def leader_kind_list(self) -> list[str]:
        """The leader kinds as a list."""
        return [k.strip() for k in self.leader_kinds.split(",") if k.strip()]
