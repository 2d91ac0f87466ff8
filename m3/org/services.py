"""Writes to the organisation: units, people, dated moves and leaderships, logins."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from m3.errors import InputError, NotFound
from m3.org.models import Leadership, Membership, Person, Unit
from m3.vocabulary import LeadershipKind, Role


def unit_create(name: str, parent: Unit | None = None) -> Unit:
    """Create a unit under `parent` (a root when None)."""
    if Unit.objects.filter(name=name).exists():
        raise InputError(f"A unit named {name!r} exists already; choose another name.")
    return Unit.objects.create(name=name, parent=parent)


def person_create(name: str, email: str, role: Role = Role.REP) -> Person:
    """Create a person; the email must be new."""
    email = email.strip().lower()
    if Person.objects.filter(email__iexact=email).exists():
        raise InputError(f"{email} exists already; each person has one email.")
    return Person.objects.create(name=name, email=email, role=role)


@transaction.atomic
def membership_move(person: Person, unit: Unit, on: dt.date) -> Membership:
    """Move `person` into `unit` from `on`: the open membership ends that day, history is kept."""
    current = Membership.objects.filter(person=person, end__isnull=True).first()
    if current is not None:
        if current.unit_id == unit.pk:
            return current
        if current.start >= on:
            raise InputError(
                f"{person.name} joined {current.unit.name} on {current.start}; a move must be "
                "dated after that."
            )
        current.end = on
        current.save(update_fields=["end"])
    return Membership.objects.create(person=person, unit=unit, start=on)


def leadership_start(
    person: Person, unit: Unit, kind: LeadershipKind, on: dt.date
) -> Leadership:
    """Make `person` a leader of `unit` in `kind` from `on` (idempotent if already so)."""
    existing = Leadership.objects.filter(
        person=person, unit=unit, kind=kind, end__isnull=True
    ).first()
    return existing or Leadership.objects.create(person=person, unit=unit, kind=kind, start=on)


def leadership_end(leadership: Leadership, on: dt.date) -> Leadership:
    """End a leadership on `on`."""
    if leadership.start >= on:
        raise InputError(f"The leadership started on {leadership.start}; end it after that.")
    leadership.end = on
    leadership.save(update_fields=["end"])
    return leadership


@transaction.atomic
def user_create(email: str, password: str, *, role: Role | None = None) -> Person:
    """Give the person with `email` a login (creating the person if `role` is given)."""
    email = email.strip().lower()
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        if role is None:
            raise NotFound(
                f"No person with email {email}: import the org first, or pass --role and "
                "--name to create one."
            )
        person = Person.objects.create(name=email.split("@")[0], email=email, role=role)
    elif role is not None and person.role != role:
        person.role = role
        person.save(update_fields=["role"])
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InputError("Password refused: " + " ".join(exc.messages)) from None
    user_model = get_user_model()
    user = person.user or user_model.objects.filter(username=email).first()
    if user is None:
        user = user_model.objects.create_user(username=email, email=email, password=password)
    else:
        user.set_password(password)
    is_admin = person.role == Role.ADMIN
    user.is_staff = is_admin
    user.is_superuser = is_admin
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    return person
