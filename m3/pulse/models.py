"""Pulse surveys: a rep's 1–5 answer to a short recurring question, with an optional comment."""

from __future__ import annotations

from django.db import models

from m3.initiatives.models import Initiative
from m3.org.models import Person
from m3.vocabulary import PulseQuestion


class PulseResponse(models.Model):
    """One answer by one rep to one question in one ISO week."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="pulses")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pulses")
    week = models.DateField(help_text="The Monday of the ISO week answered.")
    question = models.CharField(max_length=16, choices=PulseQuestion.choices)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "person", "week", "question"],
                                    name="pulse_once_per_week"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                   name="pulse_score_1_to_5"),
        ]
