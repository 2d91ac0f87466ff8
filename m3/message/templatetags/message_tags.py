"""Template filters of the message pages: percentages and colour bands."""

from __future__ import annotations

from django import template

from m3.message.health import band

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0..1 as a whole percentage ("–" for None)."""
    return "–" if value is None else f"{round(100 * value)}%"


@register.filter
def score(value: float | None) -> str:
    """0..100 as a whole number ("–" for None)."""
    return "–" if value is None else f"{round(value)}"


@register.filter
def health_band(value: float | None) -> str:
    """The colour band (red, amber, green, none) of a 0..100 value."""
    return band(value)


@register.filter
def share_band(value: float | None) -> str:
    """The colour band of a 0..1 share."""
    return band(None if value is None else 100 * value)


@register.filter
def at(values: list[object] | tuple[object, ...], index: int) -> object:
    """values[index] (None when out of range)."""
    return values[index] if 0 <= index < len(values) else None


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    """mapping[key] (None when missing)."""
    return mapping.get(key)
