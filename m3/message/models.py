"""Touchpoints: each delivery of an initiative's message by a leader to an audience."""

from __future__ import annotations

from django.db import models

from m3.initiatives.models import Initiative
from m3.message.scores import KeyPointScore, key_points_from_json
from m3.org.models import Person, Unit
from m3.vocabulary import Channel


class Touchpoint(models.Model):
    """One delivery of the message by a leader to a unit or a person, with what was said."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="touchpoints")
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="touchpoints")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="touchpoints")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="touchpoints_received")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    date = models.DateField()
    content = models.TextField(blank=True, help_text="Talk track, notes or email text.")

    class Meta:
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["initiative", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, person__isnull=True)
                | models.Q(unit__isnull=True, person__isnull=False),
                name="touchpoint_one_audience",
            ),
            # Logging the same delivery twice is a no-op, not a second touch.
            models.UniqueConstraint(
                fields=["initiative", "leader", "unit", "person", "channel", "date"],
                name="touchpoint_once",
            ),
        ]

    def __str__(self) -> str:
        audience = self.unit or self.person
        return f"{self.leader.name} → {audience} ({self.channel}, {self.date})"


class TouchpointScore(models.Model):
    """How consistently one touchpoint's content carries the initiative's message.

    Written when the touchpoint is logged (and by `m3 message rescore`), so pages read scores
    instead of running a text model in a request. `key_points` holds one `KeyPointScore` per
    key point as JSON (read it with `points()`). `message_digest` identifies the message version
    the score was computed against.
    """

    touchpoint = models.OneToOneField(Touchpoint, on_delete=models.CASCADE,
                                      related_name="score")
    consistency = models.FloatField()
    key_points = models.JSONField(default=list)
    method = models.CharField(max_length=16)
    reliable = models.BooleanField(default=True)
    truncated = models.BooleanField(default=False)
    message_digest = models.CharField(max_length=64)
    scored_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.consistency:.2f} ({self.method}) for touchpoint {self.touchpoint_id}"

    def points(self) -> tuple[KeyPointScore, ...]:
        """The stored score of each key point, typed."""
        return key_points_from_json(self.key_points)


class Restatement(models.Model):
    """A rep's restatement of the message in their own words, scored against its key points."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="restatements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="restatements")
    date = models.DateField()
    text = models.TextField()
    consistency = models.FloatField(default=0.0)
    key_points = models.JSONField(default=list)
    method = models.CharField(max_length=16, blank=True)
    reliable = models.BooleanField(default=True)
    message_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["initiative", "date"])]
        constraints = [
            # A rep restates once per day per initiative; saying it again that day replaces it.
            models.UniqueConstraint(fields=["initiative", "person", "date"],
                                    name="restatement_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} restates {self.initiative.title} ({self.date})"

    def points(self) -> tuple[KeyPointScore, ...]:
        """The stored score of each key point, typed (empty until the restatement is scored)."""
        return key_points_from_json(self.key_points)
