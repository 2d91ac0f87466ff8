"""What an initiative's message health rests on, read once, as plain data (pure; no ORM).

`m3.message.selectors.health_inputs` reads these rows with one query per table; everything in
`m3.message.health`, `m3.message.matrix` and the due lists is computed from them for any day
the read covered, so a page for one week, the evidence of one team and a 26-week series all
cost the same few reads. The indexes built here (touches by audience, memberships and
leaderships by unit, restatements by rep) are why a team's numbers never scan every other
team's rows: a touch reaches a team when its audience is the team, a unit above it, or one of
its members, so a team looks up its own chain and its own members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from m3.message.alignment import ScoredTouch
from m3.message.cadence import Carrier, DueItem, PlanStep, Touch, due_items
from m3.message.clarity import ClarityReport, message_clarity
from m3.message.comprehension import RepRestatement
from m3.message.text import CanonicalMessage
from m3.pulse.levels import PulseHistory


@dataclass(frozen=True)
class Span:
    """A dated membership (kind "") or leadership (kind: manager, director …) of a unit."""

    unit_id: int
    person_id: int
    start: dt.date
    end: dt.date | None  # exclusive; None while it lasts
    kind: str = ""

    def active_on(self, day: dt.date) -> bool:
        """True when the span covers `day` (start <= day < end)."""
        return self.start <= day and (self.end is None or self.end > day)


@dataclass(frozen=True)
class TouchRecord:
    """One touchpoint: as the cadence sees it, its audience, and its stored score if scored."""

    touchpoint_id: int
    touch: Touch
    audience_unit_id: int | None  # None for a touchpoint to a person
    score: ScoredTouch | None

    @property
    def date(self) -> dt.date:
        """The day it happened."""
        return self.touch.date


@dataclass(frozen=True)
class HealthInputs:
    """Everything the message health of an initiative's teams rests on, over a span of days.

    `memberships` are ordered by (person, start) and `leaderships` by (unit, start, id), as the
    database orders them: the first member seen decides the order teams are listed in, and the
    first leader of a kind in a unit is the one the plan's interval is given to. `touches` are
    ordered by (date, id). Rows outside what was read (other units, later days) are simply
    absent, so the functions below are only asked about the teams and days the read covered.
    """

    initiative_id: int
    title: str
    start: dt.date
    message: CanonicalMessage
    steps: tuple[PlanStep, ...]
    scope_unit_ids: frozenset[int]  # the initiative's units with every unit below them
    chains: Mapping[int, tuple[int, ...]]  # unit -> itself and the units above it, nearest first
    unit_names: Mapping[int, str]
    memberships: tuple[Span, ...]
    leaderships: tuple[Span, ...]
    touches: tuple[TouchRecord, ...]
    restatements: tuple[RepRestatement, ...]  # scored ones only
    pulses: PulseHistory
    names: Mapping[int, str]  # person id -> name, for everyone above
    # Derived in __post_init__: the message's clarity (the same for every team and day) and the
    # indexes.
    clarity: ClarityReport = field(init=False, compare=False)
    _members_by_unit: Mapping[int, tuple[Span, ...]] = field(
        init=False, repr=False, compare=False)
    _leaders_by_unit: Mapping[int, tuple[Span, ...]] = field(
        init=False, repr=False, compare=False)
    _touches_by_unit: Mapping[int, tuple[TouchRecord, ...]] = field(
        init=False, repr=False, compare=False)
    _touches_by_person: Mapping[int, tuple[TouchRecord, ...]] = field(
        init=False, repr=False, compare=False)
    _restatements_by_person: Mapping[int, tuple[RepRestatement, ...]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen: the derived fields are set here, once, and never assigned afterwards.
        object.__setattr__(self, "clarity", message_clarity(self.message))
        object.__setattr__(self, "_members_by_unit", _group(self.memberships,
                                                            lambda s: s.unit_id))
        object.__setattr__(self, "_leaders_by_unit", _group(self.leaderships,
                                                            lambda s: s.unit_id))
        object.__setattr__(self, "_touches_by_unit", _group(self.touches,
                                                            lambda t: t.audience_unit_id))
        object.__setattr__(self, "_touches_by_person", _group(self.touches,
                                                              lambda t: t.touch.person_id))
        object.__setattr__(self, "_restatements_by_person", _group(self.restatements,
                                                                  lambda r: r.person_id))

    @property
    def key_points(self) -> tuple[str, ...]:
        """The message's key points, in order."""
        return self.message.key_points

    def chain(self, unit_id: int) -> tuple[int, ...]:
        """The unit and the units above it, nearest first."""
        return self.chains.get(unit_id, (unit_id,))

    def unit_name(self, unit_id: int) -> str:
        """The unit's name (its id as text when unknown)."""
        return self.unit_names.get(unit_id, str(unit_id))

    def teams_on(self, day: dt.date) -> list[int]:
        """The initiative's teams on `day`: units in its scope with members that day.

        Listed in the order their first member appears (memberships by person, then start).
        """
        teams: dict[int, None] = {}
        for span in self.memberships:
            if span.unit_id in self.scope_unit_ids and span.active_on(day):
                teams.setdefault(span.unit_id)
        return list(teams)

    def members_on(self, unit_id: int, day: dt.date) -> tuple[int, ...]:
        """The people who belong to the unit on `day`, by person id."""
        return tuple(s.person_id for s in self._members_by_unit.get(unit_id, ())
                     if s.active_on(day))

    def carriers_on(self, unit_id: int, day: dt.date) -> list[Carrier]:
        """The leaders of the unit or of a unit above it on `day`: its own first, then upwards."""
        return [Carrier(s.person_id, s.kind)
                for unit in self.chain(unit_id)
                for s in self._leaders_by_unit.get(unit, ()) if s.active_on(day)]

    def touches_reaching(self, unit_id: int, members: Iterable[int],
                         until: dt.date) -> list[TouchRecord]:
        """Touches up to `until` addressed to the unit, a unit above it, or one of `members`.

        In (date, id) order, like `touches`.
        """
        found = [t for unit in self.chain(unit_id)
                 for t in self._touches_by_unit.get(unit, ())]
        found += [t for person in dict.fromkeys(members)
                  for t in self._touches_by_person.get(person, ())]
        # One touchpoint has one audience, so the lists never overlap.
        return sorted((t for t in found if t.date <= until),
                      key=lambda t: (t.date, t.touchpoint_id))

    def restatements_of(self, person_ids: Iterable[int]) -> list[RepRestatement]:
        """The scored restatements of these people (any date read)."""
        return [r for p in person_ids for r in self._restatements_by_person.get(p, ())]

    def due_on(self, unit_id: int, carriers: Sequence[Carrier], touches: Sequence[TouchRecord],
               day: dt.date) -> list[tuple[PlanStep, DueItem]]:
        """Each plan step with its state for the team on `day` (`m3.message.cadence.due_items`).

        `touches` are the team's own (`touches_reaching`): the cadence only counts touches to
        the team or a unit above it, all of which are among them.
        """
        items = due_items(self.steps, {unit_id: carriers}, [t.touch for t in touches],
                          self.start, day)
        return list(zip(self.steps, items, strict=True))


K = TypeVar("K")
V = TypeVar("V")


def _group(rows: Iterable[V], key: Callable[[V], K | None]) -> dict[K, tuple[V, ...]]:
    """Rows by key, each group in the rows' order."""
    grouped: dict[K, list[V]] = {}
    for row in rows:
        k = key(row)
        if k is not None:
            grouped.setdefault(k, []).append(row)
    return {k: tuple(v) for k, v in grouped.items()}
