"""Builders for small, exact test organisations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from m3.org.models import Person, Unit
from m3.org.services import leadership_start, membership_move, user_create
from m3.vocabulary import LeadershipKind, Role

PASSWORD = "pw-test-1234"
START = dt.date(2026, 1, 5)


def person_make(name: str, role: Role, unit: Unit | None = None, *, login: bool = True) -> Person:
    """A person (with a login by default) who joins `unit` on START."""
    email = f"{name.lower().replace(' ', '.')}@example.test"
    person = Person.objects.create(name=name, email=email, role=role)
    if unit is not None:
        membership_move(person, unit, START)
    if login:
        user_create(email, PASSWORD)
    return person


@dataclass(frozen=True)
class SmallOrg:
    """Company > North (Team A, Team B), South (Team C); one person per role and place."""

    company: Unit
    north: Unit
    south: Unit
    team_a: Unit
    team_b: Unit
    team_c: Unit
    admin: Person
    executive: Person
    director_north: Person
    manager_a: Person
    overlay_a: Person
    manager_b: Person
    manager_c: Person
    rep_a1: Person
    rep_a2: Person
    rep_b1: Person
    rep_c1: Person


def small_org() -> SmallOrg:
    """Build the SmallOrg in the test database."""
    company = Unit.objects.create(name="Company")
    north = Unit.objects.create(name="North", parent=company)
    south = Unit.objects.create(name="South", parent=company)
    team_a = Unit.objects.create(name="Team A", parent=north)
    team_b = Unit.objects.create(name="Team B", parent=north)
    team_c = Unit.objects.create(name="Team C", parent=south)
    people = {
        "admin": person_make("Ada Admin", Role.ADMIN),
        "executive": person_make("Eve Exec", Role.EXECUTIVE),
        "director_north": person_make("Dan Director", Role.LEADER),
        "manager_a": person_make("Mia Manager", Role.LEADER),
        "overlay_a": person_make("Oli Overlay", Role.LEADER),
        "manager_b": person_make("Max Manager", Role.LEADER),
        "manager_c": person_make("Cleo Manager", Role.LEADER),
        "rep_a1": person_make("Rae Rep", Role.REP, team_a),
        "rep_a2": person_make("Ray Rep", Role.REP, team_a),
        "rep_b1": person_make("Bea Rep", Role.REP, team_b),
        "rep_c1": person_make("Cal Rep", Role.REP, team_c),
    }
    leadership_start(people["executive"], company, LeadershipKind.DIRECTOR, START)
    leadership_start(people["director_north"], north, LeadershipKind.DIRECTOR, START)
    leadership_start(people["manager_a"], team_a, LeadershipKind.MANAGER, START)
    leadership_start(people["overlay_a"], team_a, LeadershipKind.OVERLAY, START)
    leadership_start(people["manager_b"], team_b, LeadershipKind.MANAGER, START)
    leadership_start(people["manager_c"], team_c, LeadershipKind.MANAGER, START)
    return SmallOrg(company=company, north=north, south=south, team_a=team_a, team_b=team_b,
                    team_c=team_c, **people)
