"""Write the demo story (m3.demo.story) to the app database and the facts store: `m3 demo`."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from m3.demo.facts import SOURCE
from m3.demo.story import Story, story_generate
from m3.errors import InputError
from m3.facts.schema import TABLES
from m3.facts.store import FactsStore
from m3.ingest.services import import_run_finish, import_run_start
from m3.initiatives.models import Initiative
from m3.initiatives.services import AskInput, CadenceInput, InitiativeInput, initiative_save
from m3.jobs.services import state_refresh_enqueue
from m3.message.encoders import Method
from m3.message.models import Restatement, Touchpoint
from m3.message.services import initiative_rescore
from m3.org.models import CrmIdentity, Leadership, Membership, Person, Unit
from m3.org.services import user_create
from m3.pulse.models import PulseResponse
from m3.vocabulary import CadenceKind, ImportStatus, Role

Progress = Callable[[str, float], None]
# Facts go to the store in slices: bounded memory per upsert and a progress bar that moves.
FACT_BATCH_ROWS = 1_000_000


@dataclass(frozen=True)
class DemoResult:
    """What `demo_build` made: the logins (role, email, password), row counts, team archetypes."""

    logins: tuple[tuple[str, str, str], ...]
    counts: dict[str, int]
    story: dict[str, str]  # team name -> archetype (docs/demo.md says what each shows)
    timings: dict[str, float] = field(default_factory=dict)  # seconds of the slower steps


def demo_build(
    *,
    reps: int = 120,
    weeks: int = 26,
    seed: int = 7,
    today: dt.date | None = None,
    facts: FactsStore,
    reset: bool = False,
    progress: Progress | None = None,
) -> DemoResult:
    """Build the demo organisation, initiative, touchpoints, pulses, facts and logins."""
    report: Progress = progress or (lambda step, fraction: None)
    report("checking the data folder", 0.0)
    if Unit.objects.exists() and not reset:
        raise InputError(
            "The data dir already has an organisation; use a new --data-dir or `m3 demo --reset`"
        )
    report("simulating the organisation", 0.02)
    story = story_generate(reps=reps, weeks=weeks, seed=seed,
                           today=today or timezone.localdate())
    facts.schema_create()
    counts: dict[str, int] = {}
    timings: dict[str, float] = {}
    # One transaction for the app DB, closed only once the facts are in: a failed build leaves
    # no half-made organisation behind.
    with transaction.atomic():
        if reset:
            report("removing the previous demo", 0.2)
            _org_delete()
        report("writing the organisation", 0.22)
        pk = _org_write(story, counts)
        report("writing the initiative and touchpoints", 0.27)
        _initiative_write(story, pk, counts, timings)
        report("writing pulse answers", 0.3)
        _pulses_write(story, pk, counts)
        report("creating the demo logins", 0.36)
        logins = tuple(
            (login.role, story.people[login.person].email, login.password)
            for login in story.logins
        )
        for _, email, password in logins:
            user_create(email, password)
        counts["logins"] = len(logins)
        _facts_write(story, pk, facts, counts, report)
        state_refresh_enqueue("demo built")
    report("done", 1.0)
    return DemoResult(
        logins=logins,
        counts=counts,
        story={team: archetype.value for team, archetype in story.archetypes.items()},
        timings=timings,
    )


def _org_delete() -> None:
    """Delete the whole organisation (people, units, initiatives and what hangs off them)."""
    # PROTECT foreign keys decide the order: initiatives (with touchpoints and pulses) first,
    # then dated links, then people, then units from the leaves up.
    Initiative.objects.all().delete()
    Touchpoint.objects.all().delete()
    Restatement.objects.all().delete()
    Membership.objects.all().delete()
    Leadership.objects.all().delete()
    user_ids = list(Person.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    Person.objects.all().delete()
    get_user_model().objects.filter(pk__in=user_ids).delete()
    while Unit.objects.exists():
        Unit.objects.filter(children__isnull=True).delete()


def _org_write(story: Story, counts: dict[str, int]) -> np.ndarray:
    """Create units, people, CRM ids, memberships and leaderships; return Person pk per key."""
    units: dict[str, Unit] = {}
    for level in ("company", "region", "team"):
        made = Unit.objects.bulk_create(
            Unit(name=u.name, parent=units[u.parent] if u.parent else None)
            for u in story.units if u.level == level
        )
        units.update((u.name, u) for u in made)
    Person.objects.bulk_create(
        (Person(name=p.name, email=p.email, role=Role(p.role), active=p.active)
         for p in story.people),
        batch_size=2000,
    )
    by_email = dict(Person.objects.values_list("email", "pk"))
    pk = np.array([by_email[p.email] for p in story.people], dtype=np.int64)
    CrmIdentity.objects.bulk_create(
        (CrmIdentity(person_id=pk[p.key], crm_id=p.crm_id) for p in story.people if p.crm_id),
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        (Membership(person_id=pk[m.person], unit=units[m.unit], start=m.start, end=m.end)
         for m in story.memberships),
        batch_size=2000,
    )
    Leadership.objects.bulk_create(
        Leadership(person_id=pk[ls.person], unit=units[ls.unit], kind=ls.kind, start=ls.start,
                   end=ls.end)
        for ls in story.leaderships
    )
    counts.update(units=len(units), people=len(story.people),
                  memberships=len(story.memberships), leaderships=len(story.leaderships))
    return pk


def _initiative_write(story: Story, pk: np.ndarray, counts: dict[str, int],
                      timings: dict[str, float]) -> None:
    """Create the initiative through its service, then the touchpoints."""
    spec = story.initiative
    unit_pk = dict(Unit.objects.values_list("name", "pk"))
    initiative = initiative_save(InitiativeInput(
        title=spec.title,
        owner_id=int(pk[spec.owner]),
        unit_ids=tuple(unit_pk[u] for u in spec.units),
        start=spec.start,
        end=spec.end,
        why=spec.why,
        how=spec.how,
        what=spec.what,
        key_points=spec.key_points,
        asks=tuple(AskInput(a.behaviour, a.lever_metric, a.target_per_rep_per_week)
                   for a in spec.asks),
        output_metric=spec.output_metric,
        forecast=spec.forecast,
        cadence=tuple(CadenceInput(kind=CadenceKind(c.kind), leader_kinds=c.leader_kinds,
                                   due=c.due, every_days=c.every_days) for c in spec.cadence),
    ))
    Touchpoint.objects.bulk_create(
        (Touchpoint(initiative=initiative, leader_id=pk[t.leader],
                    unit_id=unit_pk[t.unit] if t.unit else None,
                    person_id=pk[t.person] if t.person is not None else None,
                    channel=t.channel, date=t.date, content=t.content)
         for t in story.touchpoints),
        batch_size=2000,
    )
    counts.update(initiatives=1, touchpoints=len(story.touchpoints))
    _message_score(story, initiative, pk, counts, timings)


def _message_score(story: Story, initiative: Initiative, pk: np.ndarray,
                   counts: dict[str, int], timings: dict[str, float]) -> None:
    """Write the restatements, then score every touchpoint and restatement in one batch each.

    The lexical method scores ~200 texts a second with nothing to load; the embedding model
    would add its load time and ~15 texts a second to every demo build
    (`m3 message rescore TITLE --method embedding` switches a built demo over).
    """
    began = time.perf_counter()
    Restatement.objects.bulk_create(
        (Restatement(initiative=initiative, person_id=pk[r.person], date=r.date, text=r.text)
         for r in story.restatements),
        batch_size=2000,
    )
    result = initiative_rescore(initiative, Method.LEXICAL)
    counts["restatements"] = result.restatements
    timings["message scoring"] = time.perf_counter() - began


def _pulses_write(story: Story, pk: np.ndarray, counts: dict[str, int]) -> None:
    """Create the weekly pulse answers."""
    initiative = Initiative.objects.get(title=story.initiative.title)
    frame = story.pulses
    people = pk[frame["person"].to_numpy()].tolist()
    PulseResponse.objects.bulk_create(
        (PulseResponse(initiative=initiative, person_id=person, week=week, question=question,
                       score=score, comment=comment)
         for person, week, question, score, comment in zip(
             people, frame["week"], frame["question"], frame["score"].tolist(), frame["comment"],
             strict=True)),
        batch_size=5000,
    )
    counts["pulses"] = len(frame)


def _facts_write(
    story: Story, pk: np.ndarray, facts: FactsStore, counts: dict[str, int], report: Progress
) -> None:
    """Replace the store's demo rows with the story's activities and opportunities."""
    report("clearing earlier demo facts", 0.4)
    with facts.connect(write=True) as con:
        for table in TABLES:
            con.raw_sql(f"DELETE FROM {table} WHERE source = '{SOURCE}'")
    crm_ids = pa.array([p.crm_id for p in story.people], pa.string())
    frames = {"opportunities": story.opportunities, "activities": story.activities}
    total = sum(len(f) for f in frames.values())
    done = 0
    for table, frame in frames.items():
        counts[table] = len(frame)
        # Recorded like any CRM import, so freshness and the audit see where the facts came from.
        run = import_run_start(table, ["(demo generator)"], source=SOURCE, run_by="m3 demo")
        for first in range(0, max(len(frame), 1), FACT_BATCH_ROWS):
            batch = _fact_rows(frame.iloc[first:first + FACT_BATCH_ROWS], pk, crm_ids)
            facts.upsert(table, batch)
            done += len(batch)
            report(f"writing {table} ({done:,} of {total:,} facts)", 0.42 + 0.58 * done / total)
        import_run_finish(run, ImportStatus.SUCCEEDED, added=len(frame))


def _fact_rows(frame: pd.DataFrame, pk: np.ndarray, crm_ids: pa.Array) -> pd.DataFrame:
    """The story's rows with the store's key and owner columns: source, rep_id, owner."""
    person = frame["person"].to_numpy()
    rows = frame.drop(columns=["person"]).copy()
    rows["source"] = SOURCE
    rows["rep_id"] = pk[person]
    rows["owner"] = pd.Series(pd.arrays.ArrowExtensionArray(crm_ids.take(pa.array(person))),
                              index=frame.index)
    return rows
