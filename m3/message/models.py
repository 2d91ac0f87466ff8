"""Touchpoints: each delivery of an initiative's message by a leader to an audience."""

from __future__ import annotations

from django.db import models

from m3.initiatives.models import Initiative
from m3.org.models import Person, Unit


class Channel(models.TextChoices):
    """How a touchpoint reached its audience."""

    MEETING = "meeting", "Team meeting"
    ONE_TO_ONE = "one_to_one", "One-to-one"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    VIDEO = "video", "Video / recording"
    RIDE_ALONG = "ride_along", "Ride-along / call coaching"


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
