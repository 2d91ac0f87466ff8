"""Who sees what: a user's scope of units and people, from their role and the org on a date.

The one place permission questions are answered: views, APIs, services and the CLI ask the
viewer's `Scope` (computed once per request by `request_scope`).

Rules (DESIGN.md, "Who uses it"):
- admin (and a Django superuser with no person): everything;
- executive and leader: the units they lead on the day, with all descendants, the people who
  belong to those units on the day, the leaders of those units, and themselves;
- rep: themself only.
A user with no linked person and no superuser flag sees nothing.

What a person may *do* with the message follows the same org on the day: leaders (of any role)
read message health and log touchpoints for the units they lead and the people in them; reps
restate the message and answer pulses for the initiatives that cover their unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, assert_never

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from m3.errors import AccessDenied
from m3.org.models import Leadership, Person, Unit
from m3.org.selectors import (
    active_on,
    audience_member_on_date,
    members_of_units_on,
    person_unit_on,
    unit_ancestor_ids,
    unit_ids_with_descendants,
    units_led_by,
)
from m3.vocabulary import Role


@dataclass(frozen=True)
class Scope:
    """The units and people one viewer may see, fixed for one request."""

    role: Role
    person_id: int | None
    unit_ids: frozenset[int]
    person_ids: frozenset[int]
    everything: bool = False
    # The units the person leads on the day, with the units below them: where they deliver the
    # message. For an executive or a leader the same as `unit_ids`; an admin may lead some too.
    led_unit_ids: frozenset[int] = frozenset()

    def can_see_unit(self, unit_id: int) -> bool:
        """True when the unit is inside the viewer's scope."""
        return self.everything or unit_id in self.unit_ids

    def can_see_person(self, person_id: int) -> bool:
        """True when the person's own numbers may be shown to the viewer."""
        return self.everything or person_id in self.person_ids

    def require_unit(self, unit_id: int) -> None:
        """Raise AccessDenied unless the unit is in scope."""
        if not self.can_see_unit(unit_id):
            raise AccessDenied("This unit is outside your scope: ask an admin if you need it.")

    def sees_whole_history(self, person_id: int) -> bool:
        """True when every fact of the person may be shown (an admin, or the person themself)."""
        return self.everything or person_id == self.person_id

    def may_create_initiatives(self) -> bool:
        """Admins, executives and leaders create initiatives (for units they lead)."""
        return self.everything or self.role is Role.EXECUTIVE or self.role is Role.LEADER

    def may_edit_units(self, unit_ids: Iterable[int]) -> bool:
        """True when the viewer may change an initiative covering `unit_ids`: admins anything,
        executives and leaders only when every unit is one they lead (or below)."""
        if self.everything:
            return True
        return self.may_create_initiatives() and set(unit_ids) <= self.unit_ids

    def require_person(self, person_id: int) -> None:
        """Raise AccessDenied unless the person is in scope."""
        if not self.can_see_person(person_id):
            raise AccessDenied("This person is outside your scope: you can see only your team.")

    # --- the message and pulses -------------------------------------------------------------

    def linked_person_id(self, refusal: str) -> int:
        """The viewer's person; AccessDenied(refusal) for a login linked to no person."""
        if self.person_id is None:
            raise AccessDenied(refusal)
        return self.person_id

    def may_see_message_health(self) -> bool:
        """Message health is for leaders, executives and admins; reps restate the message."""
        return self.everything or self.role is not Role.REP

    def require_message_health(self) -> None:
        """Raise AccessDenied unless the viewer may read message health and its evidence."""
        if not self.may_see_message_health():
            raise AccessDenied("Message health is for leaders: as a rep, restate the message on "
                               "the initiative's page instead.")

    def may_see_team_diagnosis(self) -> bool:
        """Momentum, alerts and the diagnosis are read per unit: for leaders, executives and
        admins. M3 computes no momentum per rep yet, so a rep is shown none of them."""
        return self.everything or self.role is not Role.REP

    def require_team_diagnosis(self) -> None:
        """Raise AccessDenied unless the viewer may read units' momentum and diagnosis."""
        if not self.may_see_team_diagnosis():
            raise AccessDenied("Momentum and the diagnosis are read per team, for its leaders: "
                               "as a rep, see your own levers on your overview.")

    def require_restater(self) -> int:
        """The viewer's person, when it is a rep: only reps restate the message."""
        if self.person_id is None or self.role is not Role.REP:
            raise AccessDenied("Only reps restate the message: it checks what the team "
                               "understood. Leaders log touchpoints instead.")
        return self.person_id

    def require_pulse_answerer(self) -> int:
        """The viewer's person, when it is a rep: only reps answer pulses."""
        if self.person_id is None or self.role is not Role.REP:
            raise AccessDenied("Pulses ask reps how the initiative lands; leaders read them on "
                               "the message health page.")
        return self.person_id

    def touchpoint_author_id(self) -> int:
        """The viewer's person, who logs touchpoints as themself."""
        return self.linked_person_id(
            "Only leaders log touchpoints: your login is not linked to a person.")

    def require_touchpoint_logging(self) -> int:
        """The viewer's person, when they lead a unit today (the touchpoint form lists them)."""
        person_id = self.touchpoint_author_id()
        if not self.led_unit_ids:
            raise AccessDenied("Only leaders log touchpoints: you lead no unit today.")
        return person_id

    def touchpoint_problem(self, day: dt.date, unit_id: int | None,
                           person_id: int | None) -> str | None:
        """Why this leader (the scope of the touchpoint's leader on `day`) may not log a
        touchpoint to the unit or the person on `day`, or None when they may.

        A leader delivers the message to the units they lead that day (and the units below)
        and to the people who belong to those units that day.
        """
        if unit_id is not None and unit_id not in self.led_unit_ids:
            unit = Unit.objects.filter(pk=unit_id).first()
            name = unit.name if unit else f"unit {unit_id}"
            return (f"{self._name()} does not lead {name} on {day}; log touchpoints only for "
                    "units you lead.")
        if person_id is not None:
            person = Person.objects.filter(pk=person_id).first()
            unit = person_unit_on(person, day) if person else None
            if unit is None or unit.pk not in self.led_unit_ids:
                return f"That person is not in a unit {self._name()} leads on {day}."
        return None

    def restatement_problem(self, day: dt.date, initiative_unit_ids: frozenset[int],
                            title: str) -> str | None:
        """Why this person (the scope of the rep on `day`) may not restate the initiative
        covering `initiative_unit_ids`, called `title`, on `day`; None when they may."""
        if self.role is not Role.REP:
            return (f"{self._name()} is not a rep: restatements check what reps understood; "
                    "leaders log touchpoints instead.")
        unit = self._unit_on(day)
        if unit is None or unit not in initiative_unit_ids:
            return (f"{self._name()} is outside the scope of {title} on {day}: only reps in "
                    "its units restate it.")
        return None

    def pulse_problem(self, week: dt.date, initiative_unit_ids: frozenset[int],
                      title: str) -> str | None:
        """Why this person may not answer the pulse of the initiative covering
        `initiative_unit_ids`, called `title`, for the ISO week starting `week`; None when they
        may. Their unit is the one at the week's end (else its start: a rep who left mid-week
        still answers for it)."""
        if self.role is not Role.REP:
            return "Pulses ask reps how the initiative lands; leaders read them, they don't answer."
        unit = self._unit_on(week + dt.timedelta(days=6)) or self._unit_on(week)
        if unit is None or unit not in initiative_unit_ids:
            return f"{self._name()} is outside the scope of {title} that week."
        return None

    def audience_filter(self, day: dt.date) -> Q | None:
        """The rows addressed by a leader to a unit or a person (touchpoints: `leader_id`,
        `unit_id`, `person_id`, `date`) the viewer may read on `day`; None for all of them.

        Admins: all. Leaders: those to a unit they lead, to a person while that person was in a
        unit they lead, and their own. Reps: those to them and to their unit or a unit above it.
        """
        if self.everything:
            return None
        seen = Q(unit_id__in=self.unit_ids) | (
            Q(person_id__isnull=False) & Q(audience_member_on_date(self.unit_ids)))
        if self.person_id is not None:
            seen |= Q(leader_id=self.person_id) | Q(person_id=self.person_id)
            if self.role is Role.REP:
                unit = self._unit_on(day)
                if unit is not None:
                    seen |= Q(unit_id__in=[unit, *unit_ancestor_ids(unit)])
        return seen

    def _person(self) -> Person | None:
        if self.person_id is None:
            return None
        return Person.objects.filter(pk=self.person_id).first()

    def _name(self) -> str:
        person = self._person()
        return person.name if person else "Nobody"

    def _unit_on(self, day: dt.date) -> int | None:
        person = self._person()
        unit = person_unit_on(person, day) if person else None
        return unit.pk if unit else None


NOBODY = Scope(role=Role.REP, person_id=None, unit_ids=frozenset(), person_ids=frozenset())


def scope_for_person(person: Person, day: dt.date | None = None) -> Scope:
    """The scope of `person` on `day` (today by default)."""
    day = day or timezone.localdate()
    role = Role(person.role)
    if role is Role.ADMIN:
        return Scope(role, person.pk, frozenset(), frozenset(), everything=True,
                     led_unit_ids=_led_unit_ids(person, day))
    if role is Role.REP:
        return Scope(role, person.pk, frozenset(), frozenset([person.pk]),
                     led_unit_ids=_led_unit_ids(person, day))
    if role is Role.EXECUTIVE or role is Role.LEADER:
        unit_ids = units_led_by(person, day)
        members = members_of_units_on(unit_ids, day).values_list("pk", flat=True)
        leaders = Leadership.objects.filter(active_on(day), unit_id__in=unit_ids).values_list(
            "person_id", flat=True
        )
        return Scope(role, person.pk, unit_ids, frozenset([person.pk, *members, *leaders]),
                     led_unit_ids=unit_ids)
    assert_never(role)


def _led_unit_ids(person: Person, day: dt.date) -> frozenset[int]:
    """`units_led_by`, in one query for the usual case of someone who leads nothing."""
    direct = list(Leadership.objects.filter(active_on(day), person=person)
                  .values_list("unit_id", flat=True))
    return unit_ids_with_descendants(direct) if direct else frozenset()


def scope_for_user(user: AbstractBaseUser | AnonymousUser, day: dt.date | None = None) -> Scope:
    """The scope of a logged-in user: through their person, or everything for a superuser."""
    if not user.is_authenticated:
        return NOBODY
    person = Person.objects.filter(user_id=user.pk, active=True).first()
    if person is not None:
        return scope_for_person(person, day)
    if getattr(user, "is_superuser", False):
        return Scope(Role.ADMIN, None, frozenset(), frozenset(), everything=True)
    return NOBODY


def request_scope(request: HttpRequest) -> Scope:
    """The viewer's scope, computed once per request."""
    cached = getattr(request, "_m3_scope", None)
    if cached is None:
        cached = scope_for_user(request.user)
        request._m3_scope = cached  # type: ignore[attr-defined]
    return cached


def request_person(request: HttpRequest) -> Person | None:
    """The person behind the logged-in user, if any."""
    if not request.user.is_authenticated:
        return None
    return Person.objects.filter(user_id=request.user.pk, active=True).first()


def viewer_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the viewer's person and scope."""
    if not request.user.is_authenticated:
        return {}
    return {"viewer": request_person(request), "scope": request_scope(request)}
