"""Writes for the message: touchpoints and restatements, checked against the org and scored.

Every touchpoint and restatement is scored against the initiative's canonical message when it is
written, and the score is stored: pages and reports read scores, never run a text model.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from m3.errors import AccessDenied, InputError
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.jobs.services import state_refresh_enqueue
from m3.message.consistency import ConsistencyReport, texts_consistency
from m3.message.encoders import Method, TextEncoder, default_encoder, encoder_available
from m3.message.models import Restatement, Touchpoint, TouchpointScore
from m3.message.scores import key_points_to_json
from m3.message.selectors import initiative_message, initiative_scoring_method, message_digest
from m3.message.text import CanonicalMessage
from m3.org.models import Leadership, Membership, Person, Unit
from m3.org.scope import Scope, scope_for_person
from m3.org.selectors import unit_ids_with_descendants, unit_tree_read
from m3.org.tree import UnitTree
from m3.vocabulary import Channel, Role

MAX_TOUCHPOINT_CHARS = 50_000
MAX_RESTATEMENT_CHARS = 5_000


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


class OrgLookups:
    """What checking many touchpoints or restatements asks again and again, each asked once.

    Made for one import (or one request): it reads the org as it is when first asked, so it
    must not outlive the transaction it serves.
    """

    def __init__(self) -> None:
        self._initiatives: dict[int, Initiative | None] = {}
        self._people: dict[int, Person | None] = {}
        self._scope_units: dict[int, frozenset[int]] = {}
        self._reach: dict[int, frozenset[int]] = {}
        self._memberships: dict[int, list[Membership]] = {}
        self._scopes: dict[tuple[int, dt.date], Scope] = {}
        self._leaderships: dict[int, list[Leadership]] = {}
        self._led: dict[frozenset[int], frozenset[int]] = {}
        self._tree: UnitTree | None = None

    def initiative(self, pk: int) -> Initiative | None:
        """The initiative `pk`, or None."""
        if pk not in self._initiatives:
            self._initiatives[pk] = Initiative.objects.filter(pk=pk).first()
        return self._initiatives[pk]

    def person(self, pk: int) -> Person | None:
        """The person `pk`, or None."""
        if pk not in self._people:
            self._people[pk] = Person.objects.filter(pk=pk).first()
        return self._people[pk]

    def people_load(self, people: Sequence[Person]) -> None:
        """Remember `people` (already read), so `person` does not read them again."""
        self._people.update((person.pk, person) for person in people)

    def scope_units(self, initiative: Initiative) -> frozenset[int]:
        """`initiative_unit_ids`: the units the initiative covers."""
        if initiative.pk not in self._scope_units:
            self._scope_units[initiative.pk] = initiative_unit_ids(initiative)
        return self._scope_units[initiative.pk]

    def reach(self, unit_id: int) -> frozenset[int]:
        """The unit and every unit below it."""
        if unit_id not in self._reach:
            self._reach[unit_id] = unit_ids_with_descendants([unit_id])
        return self._reach[unit_id]

    def unit_on(self, person: Person, day: dt.date) -> Unit | None:
        """`person_unit_on`: the unit `person` belongs to on `day` (memberships read once)."""
        if person.pk not in self._memberships:
            self._memberships[person.pk] = list(
                Membership.objects.filter(person=person).select_related("unit")
                .order_by("person_id", "start"))
        return next((m.unit for m in self._memberships[person.pk]
                     if m.start <= day and (m.end is None or m.end > day)), None)

    def scope(self, person: Person, day: dt.date) -> Scope:
        """`scope_for_person` of `person` on `day`."""
        if (person.pk, day) not in self._scopes:
            self._scopes[person.pk, day] = scope_for_person(person, day)
        return self._scopes[person.pk, day]

    def led_unit_ids(self, person: Person, day: dt.date) -> frozenset[int]:
        """`Scope.led_unit_ids` of `person` on `day`: the units they lead then, and those below
        (their leaderships and the unit tree read once)."""
        if person.pk not in self._leaderships:
            self._leaderships[person.pk] = list(Leadership.objects.filter(person=person))
        direct = frozenset(lead.unit_id for lead in self._leaderships[person.pk]
                           if lead.start <= day and (lead.end is None or lead.end > day))
        if direct not in self._led:
            if self._tree is None:
                self._tree = unit_tree_read()
            self._led[direct] = self._tree.with_descendants(direct)
        return self._led[direct]

    def touchpoint_problem(self, leader: Person, day: dt.date, unit_id: int | None,
                           person_id: int | None) -> str | None:
        """`Scope.touchpoint_problem` of the leader's scope on `day`, answered in memory.

        The rule and its wording stay the scope's: the leader's units on the day are computed
        here (`led_unit_ids`), and only a touchpoint they may not log goes to the scope method
        for the sentence that says why.
        """
        led = self.led_unit_ids(leader, day)
        person = self.person(person_id) if person_id is not None else None
        unit = self.unit_on(person, day) if person is not None else None
        allowed = ((unit_id is None or unit_id in led)
                   and (person_id is None or (unit is not None and unit.pk in led)))
        if allowed:
            return None
        scope = Scope(Role(leader.role), leader.pk, led, frozenset(), led_unit_ids=led)
        return scope.touchpoint_problem(day, unit_id, person_id)


def touchpoint_problems(data: TouchpointInput, today: dt.date,
                        lookups: OrgLookups | None = None) -> list[str]:
    """Everything wrong with `data` except scope, each a sentence saying what to change.

    `lookups` shares the org's answers between the rows of one import.
    """
    org = lookups or OrgLookups()
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
    if "\x00" in data.content:
        problems.append("The content holds a NUL character (binary data?): paste plain text.")
    initiative = org.initiative(data.initiative_id)
    leader = org.person(data.leader_id)
    if initiative is None or leader is None:
        return problems + ["The initiative or the leader does not exist."]
    if not initiative.start - dt.timedelta(days=30) <= data.date <= initiative.end:
        problems.append(f"{data.date} is outside {initiative.title} ({initiative.start} to "
                        f"{initiative.end}).")
    scope = org.scope_units(initiative)
    if data.unit_id is not None and not org.reach(data.unit_id) & scope:
        problems.append(f"That unit is outside the scope of {initiative.title}.")
    if data.person_id is not None:
        person = org.person(data.person_id)
        unit = org.unit_on(person, data.date) if person else None
        if unit is not None and unit.pk not in scope:
            problems.append(f"That person is outside the scope of {initiative.title}.")
    return problems


@transaction.atomic
def touchpoint_log(data: TouchpointInput, today: dt.date | None = None, *,
                   score: bool = True) -> TouchpointLogged:
    """Record and score a touchpoint; the same leader, audience, channel and date is the same one.

    `score=False` leaves scoring to the caller (imports score their rows in one batch).
    """
    problems = touchpoint_problems(data, today or timezone.localdate())
    if problems:
        raise InputError(" ".join(problems))
    # The leader's scope on the touchpoint's day: they may have led other units then.
    leader = scope_for_person(Person.objects.get(pk=data.leader_id), data.date)
    denied = leader.touchpoint_problem(data.date, data.unit_id, data.person_id)
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
    outcome = "added" if created else "unchanged"
    if not created and touchpoint.content != data.content and data.content:
        touchpoint.content = data.content
        touchpoint.save(update_fields=["content"])
        outcome = "updated"
    if score and (outcome != "unchanged" or not TouchpointScore.objects.filter(
            touchpoint=touchpoint).exists()):
        touchpoints_score([touchpoint], touchpoint.initiative)
    return TouchpointLogged(touchpoint, outcome)


# --- scoring -------------------------------------------------------------------------------------

@functools.cache
def scoring_encoder(method: Method) -> TextEncoder:
    """One encoder per method per process: the embedding one keeps its model and vector cache."""
    return default_encoder(method)


def initiative_encoder(initiative: Initiative, method: str | Method | None = None) -> TextEncoder:
    """The encoder for `initiative`: `method` if given, else the one its scores already use.

    An unscored initiative gets embeddings when the semantic extra is installed, else the
    lexical method; so one initiative's numbers are always computed one way.
    """
    chosen = str(method or initiative_scoring_method(initiative) or "auto").lower()
    if chosen == "auto":
        chosen = Method.EMBEDDING if encoder_available() else Method.LEXICAL
    if chosen not in Method.__members__.values():
        raise InputError(f"Unknown method {method!r}; use auto, embedding or lexical.")
    return scoring_encoder(Method(chosen))


def score_fields(report: ConsistencyReport, digest: str) -> dict[str, Any]:
    """A consistency report as the columns a stored score keeps."""
    return {
        "consistency": report.consistency,
        "key_points": key_points_to_json(report.key_points),
        "method": str(report.method),
        "reliable": report.reliable,
        "message_digest": digest,
    }


def _reports(message: CanonicalMessage, texts: list[str],
             encoder: TextEncoder) -> tuple[ConsistencyReport, ...]:
    """Score `texts` in batches, each distinct text once (templates and copied emails repeat
    verbatim; `texts_consistency`)."""
    return texts_consistency(message, texts, encoder)


def touchpoints_score(
    touchpoints: Sequence[Touchpoint],
    initiative: Initiative,
    encoder: TextEncoder | None = None,
    message: CanonicalMessage | None = None,
) -> int:
    """Score `touchpoints` (all of `initiative`) and store or replace their scores; return count."""
    message = message or initiative_message(initiative)
    if not touchpoints or not message.key_points:
        return 0
    encoder = encoder or initiative_encoder(initiative)
    digest = message_digest(message)
    reports = _reports(message, [t.content for t in touchpoints], encoder)
    rows = []
    for touchpoint, report in zip(touchpoints, reports, strict=True):
        fields = score_fields(report, digest)
        rows.append(TouchpointScore(touchpoint=touchpoint, truncated=report.truncated, **fields))
    TouchpointScore.objects.bulk_create(
        rows, batch_size=500, update_conflicts=True, unique_fields=["touchpoint"],
        update_fields=["consistency", "key_points", "method", "reliable", "truncated",
                       "message_digest", "scored_at"],
    )
    state_refresh_enqueue(f"{len(rows)} touchpoint(s) scored", initiative_id=initiative.pk,
                          since=min(t.date for t in touchpoints))
    return len(rows)


def restatements_score(
    restatements: Sequence[Restatement],
    initiative: Initiative,
    encoder: TextEncoder | None = None,
    message: CanonicalMessage | None = None,
) -> int:
    """Score `restatements` of `initiative` against its key points and save them; return count."""
    message = message or initiative_message(initiative)
    if not restatements or not message.key_points:
        return 0
    encoder = encoder or initiative_encoder(initiative)
    digest = message_digest(message)
    reports = _reports(message, [r.text for r in restatements], encoder)
    for restatement, report in zip(restatements, reports, strict=True):
        for name, value in score_fields(report, digest).items():
            setattr(restatement, name, value)
    Restatement.objects.bulk_update(
        restatements, ["consistency", "key_points", "method", "reliable", "message_digest"],
        batch_size=500,
    )
    state_refresh_enqueue(f"{len(restatements)} restatement(s) scored",
                          initiative_id=initiative.pk, since=min(r.date for r in restatements))
    return len(restatements)


@dataclass(frozen=True)
class RescoreResult:
    """What `initiative_rescore` did."""

    touchpoints: int
    restatements: int
    method: Method
    seconds: float


@transaction.atomic
def initiative_rescore(initiative: Initiative, method: str | Method | None = None) -> RescoreResult:
    """Score every touchpoint and restatement of `initiative` again (after its message changed)."""
    began = time.perf_counter()
    encoder = initiative_encoder(initiative, method)
    message = initiative_message(initiative)
    touchpoints = list(Touchpoint.objects.filter(initiative=initiative).order_by("pk"))
    restatements = list(Restatement.objects.filter(initiative=initiative).order_by("pk"))
    n_t = touchpoints_score(touchpoints, initiative, encoder, message)
    n_r = restatements_score(restatements, initiative, encoder, message)
    return RescoreResult(n_t, n_r, encoder.method, time.perf_counter() - began)


# --- restatements ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RestatementInput:
    """A rep's restatement of the message, from the form, a CSV row or the API."""

    initiative_id: int
    person_id: int
    date: dt.date
    text: str


@dataclass(frozen=True)
class RestatementSaved:
    """The stored restatement and whether it was added, updated or unchanged."""

    restatement: Restatement
    outcome: str  # "added" | "updated" | "unchanged"


def restatement_problems(data: RestatementInput, today: dt.date,
                         lookups: OrgLookups | None = None) -> list[str]:
    """Everything wrong with `data` except scope, each a sentence saying what to change.

    `lookups` shares the org's answers between the rows of one import.
    """
    org = lookups or OrgLookups()
    problems = []
    if not data.text.strip():
        problems.append("The restatement is empty: write the message in your own words.")
    if len(data.text) > MAX_RESTATEMENT_CHARS:
        problems.append(f"The restatement has {len(data.text):,} characters; keep it under "
                        f"{MAX_RESTATEMENT_CHARS:,} (a few sentences are enough).")
    if "\x00" in data.text:
        problems.append("The restatement holds a NUL character (binary data?): write plain text.")
    if data.date > today:
        problems.append(f"The date {data.date} is in the future.")
    initiative = org.initiative(data.initiative_id)
    if initiative is None:
        problems.append(f"No initiative {data.initiative_id}.")
    elif not initiative.start <= data.date <= initiative.end:
        problems.append(f"{data.date} is outside {initiative.title} ({initiative.start} to "
                        f"{initiative.end}).")
    if org.person(data.person_id) is None:
        problems.append(f"No person {data.person_id}.")
    return problems


@transaction.atomic
def restatement_submit(data: RestatementInput, today: dt.date | None = None, *,
                       score: bool = True) -> RestatementSaved:
    """Store and score a rep's restatement; the same rep, initiative and date again replaces it.

    `score=False` leaves scoring to the caller (imports score their rows in one batch).
    """
    problems = restatement_problems(data, today or timezone.localdate())
    if problems:
        raise InputError(" ".join(problems))
    initiative = Initiative.objects.get(pk=data.initiative_id)
    rep = scope_for_person(Person.objects.get(pk=data.person_id), data.date)
    denied = rep.restatement_problem(data.date, initiative_unit_ids(initiative), initiative.title)
    if denied:
        raise AccessDenied(denied)
    restatement, created = Restatement.objects.get_or_create(
        initiative_id=data.initiative_id, person_id=data.person_id, date=data.date,
        defaults={"text": data.text.strip()},
    )
    outcome = "added" if created else "unchanged"
    if not created and restatement.text != data.text.strip():
        restatement.text = data.text.strip()
        restatement.save(update_fields=["text"])
        outcome = "updated"
    if score and (outcome != "unchanged" or not restatement.method):
        restatements_score([restatement], restatement.initiative)
    return RestatementSaved(restatement, outcome)
