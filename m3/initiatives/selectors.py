"""Reads of initiatives, scoped to what a viewer may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from m3.errors import NotFound
from m3.initiatives.models import Initiative
from m3.initiatives.services import AskInput, CadenceInput, InitiativeInput, cadence_order
from m3.org.models import Person
from m3.org.scope import Scope
from m3.org.selectors import person_unit_on, unit_ancestor_ids, unit_ids_with_descendants
from m3.vocabulary import CadenceKind


def initiative_unit_ids(initiative: Initiative) -> frozenset[int]:
    """The units an initiative covers: those chosen and every unit below them."""
    return unit_ids_with_descendants(initiative.units.values_list("pk", flat=True))


def initiatives_visible(scope: Scope, day: dt.date) -> QuerySet[Initiative]:
    """Initiatives touching the viewer's units (for a rep: rolled out to the rep's unit)."""
    initiatives = Initiative.objects.select_related("owner").prefetch_related("units")
    if scope.everything:
        return initiatives.all()
    if scope.unit_ids:
        ids = [i.pk for i in initiatives if initiative_unit_ids(i) & scope.unit_ids]
        return initiatives.filter(pk__in=ids)
    if scope.person_id is not None:
        person = Person.objects.get(pk=scope.person_id)
        unit = person_unit_on(person, day)
        if unit is None:
            return initiatives.none()
        chain = [unit.pk, *unit_ancestor_ids(unit.pk)]
        return initiatives.filter(units__in=chain).distinct()
    return initiatives.none()


def initiative_for_viewer(pk: int, scope: Scope, day: dt.date) -> Initiative:
    """One initiative the viewer may see, or NotFound."""
    initiative = initiatives_visible(scope, day).filter(pk=pk).first()
    if initiative is None:
        raise NotFound(f"No initiative {pk} in your scope.")
    return initiative


def initiative_by_title(title: str) -> Initiative:
    """The initiative called `title` (for the CLI), or NotFound naming the ones that exist."""
    initiative = Initiative.objects.filter(title__iexact=title.strip()).first()
    if initiative is None:
        known = ", ".join(Initiative.objects.values_list("title", flat=True)[:10]) or "none yet"
        raise NotFound(f"No initiative called {title!r} (known: {known}).")
    return initiative


def initiative_editable(scope: Scope, initiative: Initiative | None, unit_ids: set[int]) -> bool:
    """May the viewer save `initiative` (None: a new one) covering `unit_ids`?"""
    covered = set(unit_ids) | (initiative_unit_ids(initiative) if initiative else set())
    return scope.may_edit_units(covered)


def initiative_input_of(initiative: Initiative) -> InitiativeInput:
    """The initiative as stored, as the InitiativeInput that would save it again (units,
    forecasts and cadence in a fixed order, so two inputs compare equal when they say the same)."""
    return InitiativeInput(
        title=initiative.title,
        owner_id=initiative.owner_id,
        unit_ids=tuple(sorted(initiative.units.values_list("pk", flat=True))),
        start=initiative.start,
        end=initiative.end,
        why=initiative.why,
        how=initiative.how,
        what=initiative.what,
        key_points=tuple(kp.text for kp in initiative.key_points.all()),
        asks=tuple(AskInput(a.behaviour, a.lever_metric, a.target_per_rep_per_week)
                   for a in initiative.asks.all()),
        output_metric=initiative.output_metric,
        forecast=tuple(sorted((f.week, f.value) for f in initiative.forecast.all())),
        cadence=tuple(sorted(
            (CadenceInput(CadenceKind(s.kind), tuple(s.leader_kind_list()), s.due, s.every_days)
             for s in initiative.cadence.all()), key=cadence_order)),
        unit_forecast=tuple(sorted((f.unit_id, f.week, f.value)
                                   for f in initiative.unit_forecast.all())),
    )
