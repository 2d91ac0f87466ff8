"""The organisation: people, a unit tree of any depth, dated memberships and leaderships."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from m3.vocabulary import LeadershipKind, Role


class Unit(models.Model):
    """A node of the org tree (company > division > region > team, any depth)."""

    name = models.CharField(max_length=200, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone in the sales organisation, optionally linked to a login."""

    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REP)
    active = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class CrmIdentity(models.Model):
    """An owner id or name by which a CRM refers to a person (a person may have several)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="crm_ids")
    crm_id = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name_plural = "CRM identities"

    def __str__(self) -> str:
        return self.crm_id


class Membership(models.Model):
    """A person belongs to a unit from `start` (inclusive) until `end` (exclusive, open if null)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person_id", "start"]
        indexes = [models.Index(fields=["unit", "start"]), models.Index(fields=["person", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="membership_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} in {self.unit.name} from {self.start}"


class Leadership(models.Model):
    """A person leads a unit (and its descendants) in a kind, from `start` until `end`."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="leaderships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="leaderships")
    kind = models.CharField(
        max_length=16, choices=LeadershipKind.choices, default=LeadershipKind.MANAGER
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "start"]
        indexes = [models.Index(fields=["person", "start"]), models.Index(fields=["unit", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="leadership_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} leads {self.unit.name} ({self.kind})"
