"""Exchange rates the admin provides, to report money metrics in one currency."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models


class ExchangeRate(models.Model):
    """One unit of `currency` is worth `rate` units of the reporting currency."""

    currency = models.CharField(max_length=3, unique=True, help_text="ISO 4217 code, e.g. EUR.")
    rate = models.FloatField(
        validators=[MinValueValidator(0.0)],
        help_text="Value of one unit of this currency in the reporting currency.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive")
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate:g}"
