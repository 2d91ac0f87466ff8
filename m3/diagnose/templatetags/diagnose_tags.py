"""Template filters of the diagnosis pages: statuses, causes and momentum in words and colours."""

from __future__ import annotations

from django import template

register = template.Library()

STATUS_WORDS = {"on_track": "on track", "at_risk": "at risk", "behind": "behind",
                "insufficient": "insufficient data"}
STATUS_BANDS = {"on_track": "green", "at_risk": "amber", "behind": "red", "insufficient": "none"}
MOMENTUM_BANDS = {"building": "green", "holding": "green", "stalling": "amber",
                  "sliding": "red", "insufficient": "none"}
QUESTIONS = {
    "reporting": "Is the reporting trustworthy?",
    "output": "Is output behind, or projected behind?",
    "levers": "Are the levers moving?",
    "message": "Is it the message?",
    "morale": "Is it momentum: morale sliding while the message holds?",
}


@register.filter
def status_words(value: object) -> str:
    """A status (on_track, at_risk, behind, insufficient) in words."""
    return STATUS_WORDS.get(str(value), str(value))


@register.filter
def status_band(value: object) -> str:
    """The colour band of a status."""
    return STATUS_BANDS.get(str(value), "none")


@register.filter
def momentum_band(value: object) -> str:
    """The colour band of a momentum state."""
    return MOMENTUM_BANDS.get(str(value), "none")


@register.filter
def cause_words(row: object) -> str:
    """"message / frequency", or the cause alone; "none" reads as "–"."""
    cause = str(getattr(row, "cause", ""))
    detail = str(getattr(row, "detail", "") or "").replace("_", " ")  # "win_rate" → "win rate"
    if cause == "none":
        return "–"
    if cause == "insufficient":
        return f"insufficient data ({detail})" if detail else "insufficient data"
    return f"{cause} / {detail}" if detail else cause


@register.filter
def words(value: object) -> str:
    """An enum value in words: "projected_miss" → "projected miss"."""
    return str(value).replace("_", " ")


@register.filter
def question(step: object) -> str:
    """The question a step of the chain answers."""
    return QUESTIONS.get(str(step), str(step))


@register.filter
def signed(value: float | None) -> str:
    """-1..1 with its sign and two decimals ("–" for None)."""
    return "–" if value is None else f"{value:+.2f}"


@register.filter
def figure(value: float | None, kind: str) -> str:
    """A figure of the unit page in its own unit (share %, score /100, pulse /5, momentum)."""
    if value is None:
        return "–"
    if kind == "share":
        return f"{round(100 * value)}%"
    if kind == "score":
        return f"{round(value)}/100"
    if kind == "pulse":
        return f"{value:.1f}/5"
    return f"{value:+.2f}"
