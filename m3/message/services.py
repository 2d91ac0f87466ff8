"""Writes for the message: logging touchpoints, checked against the org and the initiative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from m3.errors import AccessDenied, InputError
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.message.models import Channel, Touchpoint
from m3.org.models import Person, Unit
from m3.org.selectors import person_unit_on, unit_ids_with_descendants, units_led_by

MAX_TOUCHPOINT_CHARS = 50_000


@dataclass(frozen=True)
class TouchpointInput:
    """One delivery of the message, as a form, the API, the CLI or a CSV row gives it."""

    initiative_id: int
    leader_id: int
    channel: str
    date: dt.date
    content: str = ""
    unit_id: int | None = None
    person_id: int | None = None


@dataclass(frozen=True)
class TouchpointLogged:
    """The stored touchpoint and whether this call created, updated or found it unchanged."""

    touchpoint: Touchpoint
    outcome: str  # "added" | "updated" | "unchanged"


def touchpoint_problems(data: TouchpointInput, today: dt.date) -> list[str]:
    """Everything wrong with `data` except scope, each a sentence saying what to change."""
    problems = []
    if (data.unit_id is None) == (data.person_id is None):
        problems.append("Give the audience: a unit or a person (not both).")
    if data.channel not in Channel.values:
        problems.append(
            f"Unknown channel {data.channel!r}; use one of {', '.join(Channel.values)}."
        )
    if data.date > today:
        problems.append(f"The date {data.date} is in the future; log touchpoints that happened.")
    if len(data.content) > MAX_TOUCHPOINT_CHARS:
        problems.append(f"The content has {len(data.content):,} characters; keep it under "
                        f"{MAX_TOUCHPOINT_CHARS:,} (paste the talk track, not the transcript).")
    initiative = Initiative.objects.filter(pk=data.initiative_id).first()
    leader = Person.objects.filter(pk=data.leader_id).first()
    if initiative is None or leader is None:
        return problems + ["The initiative or the leader does not exist."]
    if not initiative.start - dt.timedelta(days=30) <= data.date <= initiative.end:
        problems.append(f"{data.date} is outside {initiative.title} ({initiative.start} to "
                        f"{initiative.end}).")
    scope = initiative_unit_ids(initiative)
    if data.unit_id is not None and not unit_ids_with_descendants([data.unit_id]) & scope:
        problems.append(f"That unit is outside the scope of {initiative.title}.")
    if data.person_id is not None:
        person = Person.objects.filter(pk=data.person_id).first()
        unit = person_unit_on(person, data.date) if person else None
        if unit is not None and unit.pk not in scope:
            problems.append(f"That person is outside the scope of {initiative.title}.")
    return problems


def touchpoint_scope_problem(data: TouchpointInput) -> str | None:
    """Why the leader may not log this audience on this date, or None when they may."""
    leader = Person.objects.get(pk=data.leader_id)
    led = units_led_by(leader, data.date)
    if data.unit_id is not None and data.unit_id not in led:
        unit = Unit.objects.filter(pk=data.unit_id).first()
        name = unit.name if unit else f"unit {data.unit_id}"
        return (f"{leader.name} does not lead {name} on {data.date}; log touchpoints only for "
                "units you lead.")
    if data.person_id is not None:
        person = Person.objects.filter(pk=data.person_id).first()
        unit = person_unit_on(person, data.date) if person else None
        if unit is None or unit.pk not in led:
            return f"That person is not in a unit {leader.name} leads on {data.date}."
    return None


@transaction.atomic
def touchpoint_log(data: TouchpointInput, today: dt.date | None = None) -> TouchpointLogged:
    """Record a touchpoint; the same leader, audience, channel and date again is the same one."""
    problems = touchpoint_problems(data, today or timezone.localdate())
    if problems:
        raise InputError(" ".join(problems))
    denied = touchpoint_scope_problem(data)
    if denied:
        raise AccessDenied(denied)
    key: dict[str, object] = {
        "initiative_id": data.initiative_id, "leader_id": data.leader_id,
        "unit_id": data.unit_id, "person_id": data.person_id, "channel": data.channel,
        "date": data.date,
    }
    touchpoint, created = Touchpoint.objects.get_or_create(
        **key, defaults={"content": data.content}
    )
    if created:
        return TouchpointLogged(touchpoint, "added")
    if touchpoint.content != data.content and data.content:
        touchpoint.content = data.content
        touchpoint.save(update_fields=["content"])
        return TouchpointLogged(touchpoint, "updated")
    return TouchpointLogged(touchpoint, "unchanged")
