"""Reads of the organisation: the unit tree, who belongs where and who leads whom, on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from m3.attribution import Attribution
from m3.org.models import Leadership, Membership, Person, Unit
from m3.org.tree import UnitTree


def active_on(day: dt.date) -> Q:
    """The filter for a dated row (membership, leadership) that covers `day`."""
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day))


def unit_tree_read() -> UnitTree:
    """The whole unit tree (parents and names), in one query."""
    rows = list(Unit.objects.values_list("id", "parent_id", "name"))
    return UnitTree({u: parent for u, parent, _ in rows}, {u: name for u, _, name in rows})


def audience_member_on_date(unit_ids: Iterable[int]) -> Exists:
    """True for a row (a touchpoint) whose `person_id` belonged to one of `unit_ids` on its `date`.

    A one-to-one before a rep moved belongs to the rep's old unit, not to their new leader.
    """
    return Exists(Membership.objects.filter(
        person_id=OuterRef("person_id"), unit_id__in=list(unit_ids), start__lte=OuterRef("date"),
    ).filter(Q(end__isnull=True) | Q(end__gt=OuterRef("date"))))


def unit_ids_with_descendants(unit_ids: Iterable[int]) -> frozenset[int]:
    """The given units and every unit below them in the tree."""
    return unit_tree_read().with_descendants(unit_ids)


def unit_ancestor_ids(unit_id: int) -> list[int]:
    """The unit's ancestors, nearest first (not the unit itself)."""
    return unit_tree_read().ancestors(unit_id)


def units_led_by(person: Person, day: dt.date) -> frozenset[int]:
    """Ids of the units `person` leads on `day`, with all their descendants."""
    direct = Leadership.objects.filter(active_on(day), person=person).values_list(
        "unit_id", flat=True
    )
    return unit_ids_with_descendants(direct)


def unit_members_on(unit: Unit, day: dt.date, *, descendants: bool = True) -> QuerySet[Person]:
    """People who belong to `unit` (and, by default, the units below it) on `day`."""
    unit_ids = unit_ids_with_descendants([unit.pk]) if descendants else frozenset([unit.pk])
    return members_of_units_on(unit_ids, day)


def members_of_units_on(unit_ids: Iterable[int], day: dt.date) -> QuerySet[Person]:
    """People who belong to any of `unit_ids` on `day`."""
    member_ids = Membership.objects.filter(active_on(day), unit_id__in=list(unit_ids)).values(
        "person_id"
    )
    return Person.objects.filter(pk__in=member_ids).order_by("name")


def person_unit_on(person: Person, day: dt.date) -> Unit | None:
    """The unit `person` belongs to on `day`, or None."""
    membership = (
        Membership.objects.filter(active_on(day), person=person).select_related("unit").first()
    )
    return membership.unit if membership else None


@dataclass(frozen=True)
class LeaderOf:
    """One leader of a person on a date: who, through which unit, in which kind."""

    leader: Person
    unit: Unit
    kind: str
    distance: int  # 0: leads the person's own unit; 1: its parent; and so on


def leaders_of_person_on(person: Person, day: dt.date) -> list[LeaderOf]:
    """Everyone leading `person`'s unit or an ancestor of it on `day`, nearest first."""
    unit = person_unit_on(person, day)
    if unit is None:
        return []
    chain = [unit.pk, *unit_ancestor_ids(unit.pk)]
    distance = {unit_id: i for i, unit_id in enumerate(chain)}
    rows = (
        Leadership.objects.filter(active_on(day), unit_id__in=chain)
        .exclude(person=person)
        .select_related("person", "unit")
    )
    found = [LeaderOf(r.person, r.unit, r.kind, distance[r.unit_id]) for r in rows]
    return sorted(found, key=lambda lo: (lo.distance, lo.kind, lo.leader.name))


def unit_leaders_on(unit: Unit, day: dt.date) -> QuerySet[Leadership]:
    """The leaderships of `unit` itself on `day` (its manager, director, overlay …)."""
    return (
        Leadership.objects.filter(active_on(day), unit=unit)
        .select_related("person")
        .order_by("kind", "person__name")
    )


def person_by_email_or_crm_id(key: str) -> Person | None:
    """The person whose email or CRM id is `key` (case-insensitive email), or None."""
    key = key.strip()
    person = Person.objects.filter(email__iexact=key).first()
    if person is None:
        person = Person.objects.filter(crm_ids__crm_id=key).first()
    return person


def membership_history(person_ids: Iterable[int]) -> list[tuple[int, int, dt.date, dt.date | None]]:
    """(person_id, unit_id, start, end) for every membership of the people, for fact attribution."""
    return list(
        Membership.objects.filter(person_id__in=list(person_ids))
        .order_by("person_id", "start")
        .values_list("person_id", "unit_id", "start", "end")
    )


def unit_attribution(unit_ids: Iterable[int], node: str = "") -> list[Attribution]:
    """Every membership of the units: a fact counts for the unit its rep belonged to that day."""
    rows = Membership.objects.filter(unit_id__in=list(unit_ids)).values_list(
        "person_id", "start", "end"
    )
    return [Attribution(node, pid, start, end) for pid, start, end in rows]


def unit_tree_attribution(unit: Unit, node: str | None = None) -> list[Attribution]:
    """Who counts for `unit` and when: every membership of it and of the units below it.

    The node is `node`, or the unit's name.
    """
    label = unit.name if node is None else node
    return unit_attribution(unit_ids_with_descendants([unit.pk]), label)


def units_tree_attribution(units: Iterable[tuple[int, str]]) -> list[Attribution]:
    """`unit_tree_attribution` for many units at once: one tree read, one membership read.

    `units` are (unit id, node) pairs; every membership of each unit and of the units below it
    counts for that unit's node.
    """
    units = list(units)
    tree = unit_tree_read()
    below = {unit_id: tree.with_descendants([unit_id]) for unit_id, _ in units}
    rows = list(Membership.objects.filter(
        unit_id__in=sorted(set().union(*below.values()))).values_list(
            "unit_id", "person_id", "start", "end"))
    return [Attribution(node, pid, start, end) for unit_id, node in units
            for member_unit, pid, start, end in rows if member_unit in below[unit_id]]


def people_attribution_seen(
    people: Iterable[tuple[int, str]], unit_ids: frozenset[int], whole_history: set[int]
) -> list[Attribution]:
    """`person_attribution_seen` for many people at once ((person id, node) pairs), one read.

    A person in `whole_history` counts with all their facts, the others only while they belonged
    to one of `unit_ids`.
    """
    people = list(people)
    stretches: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for pid, start, end in Membership.objects.filter(
            unit_id__in=list(unit_ids), person_id__in=[p for p, _ in people]).values_list(
                "person_id", "start", "end"):
        stretches.setdefault(pid, []).append((start, end))
    found = []
    for pid, node in people:
        if pid in whole_history:
            found.append(Attribution(node, pid))
        else:
            found += [Attribution(node, pid, start, end) for start, end in stretches.get(pid, [])]
    return found


def person_attribution_seen(
    person: Person, unit_ids: frozenset[int], *, whole_history: bool, node: str = ""
) -> list[Attribution]:
    """The stretches of `person`'s facts a viewer may see.

    `whole_history` (the person themself, or an admin): all of them. Otherwise only while the
    person belonged to one of `unit_ids`: a leader never sees what a rep did in another unit.
    """
    if whole_history:
        return [Attribution(node, person.pk)]
    return [a for a in unit_attribution(unit_ids, node) if a.rep_id == person.pk]
