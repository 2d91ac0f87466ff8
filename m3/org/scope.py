"""Who sees what: a user's scope of units and people, from their role and the org on a date.

The one place permission questions are answered: views, APIs, services and the CLI ask the
viewer's `Scope` (computed once per request by `request_scope`).

Rules (DESIGN.md, "Who uses it"):
- admin (and a Django superuser with no person): everything;
- executive and leader: the units they lead on the day, with all descendants, the people who
  belong to those units on the day, the leaders of those units, and themselves;
- rep: themself only.
A user with no linked person and no superuser flag sees nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, assert_never

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from m3.errors import AccessDenied
from m3.org.models import Leadership, Person
from m3.org.selectors import active_on, members_of_units_on, units_led_by
from m3.vocabulary import Role


@dataclass(frozen=True)
class Scope:
    """The units and people one viewer may see, fixed for one request."""

    role: Role
    person_id: int | None
    unit_ids: frozenset[int]
    person_ids: frozenset[int]
    everything: bool = False

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


NOBODY = Scope(role=Role.REP, person_id=None, unit_ids=frozenset(), person_ids=frozenset())


def scope_for_person(person: Person, day: dt.date | None = None) -> Scope:
    """The scope of `person` on `day` (today by default)."""
    day = day or timezone.localdate()
    role = Role(person.role)
    if role is Role.ADMIN:
        return Scope(role, person.pk, frozenset(), frozenset(), everything=True)
    if role is Role.REP:
        return Scope(role, person.pk, frozenset(), frozenset([person.pk]))
    if role is Role.EXECUTIVE or role is Role.LEADER:
        unit_ids = units_led_by(person, day)
        members = members_of_units_on(unit_ids, day).values_list("pk", flat=True)
        leaders = Leadership.objects.filter(active_on(day), unit_id__in=unit_ids).values_list(
            "person_id", flat=True
        )
        return Scope(role, person.pk, unit_ids, frozenset([person.pk, *members, *leaders]))
    assert_never(role)


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
