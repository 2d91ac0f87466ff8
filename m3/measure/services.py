"""Writes of the measure app: exchange rates."""

from __future__ import annotations

import re

from m3.errors import InputError
from m3.measure.models import ExchangeRate


def exchange_rate_set(currency: str, rate: float) -> ExchangeRate:
    """Set the value of one unit of `currency` in the reporting currency (create or update)."""
    code = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise InputError(f"{currency!r} is not a currency code; use three letters, e.g. EUR.")
    if not rate > 0:
        raise InputError(f"The rate for {code} must be greater than 0, not {rate}.")
    obj, _ = ExchangeRate.objects.update_or_create(currency=code, defaults={"rate": rate})
    return obj
