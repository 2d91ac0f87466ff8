"""The demo organisation and its behaviour as plain data: pure, seeded, no ORM, no I/O.

`story_generate` returns a `Story`: the unit tree, people, dated memberships and leaderships, one
initiative with its message, asks, forecast and cadence plan, the leaders' touchpoints, the reps'
weekly pulses, and the CRM facts (activities, opportunities) as data frames. Each team is given an
`Archetype` (exemplary, faded, two voices, no lever reporting, poor territory, steady) that drives
its behaviour, so every diagnosis M3 makes has a unit that should trigger it (docs/demo.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from m3.demo.archetype import ARCHETYPES, Archetype
from m3.demo.facts import facts_generate
from m3.demo.organisation import (
    COMPANY,
    LeadershipSpec,
    LoginSpec,
    MembershipSpec,
    Organisation,
    PersonSpec,
    UnitSpec,
    logins_generate,
    organisation_generate,
)
from m3.demo.restatements import RestatementSpec, restatements_generate
from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, Timeline, timeline_until
from m3.demo.touchpoints import TouchpointSpec, touchpoints_generate
from m3.errors import InputError

# --------------------------------------------------------------------------------------------
# The story's vocabulary. Values are those of m3.org.models.Role / LeadershipKind,
# m3.message.models.Channel, m3.initiatives.models.CadenceKind and m3.pulse.models.PulseQuestion;
# this module repeats them as plain strings because it must not import Django models.


PULSE_QUESTIONS = ("clarity", "consistency", "confidence", "energy")

PULSE_RESPONSE_RATE = 0.7


# --------------------------------------------------------------------------------------------
# The story as data.


@dataclass(frozen=True)
class AskSpec:
    """A behaviour asked of every rep, its lever metric and weekly target per rep."""

    behaviour: str
    lever_metric: str
    target_per_rep_per_week: float


@dataclass(frozen=True)
class CadenceSpec:
    """A cadence step: deliver by `due`, or redeliver / reinforce every `every_days`."""

    kind: str  # deliver, redeliver, reinforce
    leader_kinds: tuple[str, ...]
    due: dt.date | None = None
    every_days: int | None = None


@dataclass(frozen=True)
class InitiativeSpec:
    """The initiative rolled out to the whole company."""

    title: str
    owner: int
    units: tuple[str, ...]
    start: dt.date
    end: dt.date
    why: str
    how: str
    what: str
    key_points: tuple[str, ...]
    asks: tuple[AskSpec, ...]
    output_metric: str
    forecast: tuple[tuple[dt.date, float], ...]
    cadence: tuple[CadenceSpec, ...]


@dataclass(frozen=True, eq=False)
class Story:
    """The whole demo: org, initiative, touchpoints, pulses and facts (see the module doc).

    `activities` has the fact columns but `person` (a key into `people`) instead of rep_id and
    owner, and a `behaviour` column: what the rep really did, which differs from `type` where a
    team does not log its levers. `opportunities` likewise; `pulses` has person, week, question,
    score, comment.
    """

    today: dt.date
    start: dt.date  # the rollout (a Monday)
    history_start: dt.date  # first day with activities (a Monday, PRE_WEEKS before the rollout)
    as_of: dt.date  # the Monday of today's week: facts stop the day before
    units: tuple[UnitSpec, ...]
    people: tuple[PersonSpec, ...]
    memberships: tuple[MembershipSpec, ...]
    leaderships: tuple[LeadershipSpec, ...]
    initiative: InitiativeSpec
    touchpoints: tuple[TouchpointSpec, ...]
    logins: tuple[LoginSpec, ...]
    archetypes: dict[str, Archetype]  # team name -> archetype
    activities: pd.DataFrame
    opportunities: pd.DataFrame
    pulses: pd.DataFrame
    restatements: tuple[RestatementSpec, ...] = ()

    def team(self, archetype: Archetype) -> str:
        """The name of the (first) team with `archetype`."""
        return next(name for name, a in self.archetypes.items() if a is archetype)

    def members(self, team: str, on: dt.date) -> list[int]:
        """Keys of the reps in `team` on `on`."""
        return [
            m.person for m in self.memberships
            if m.unit == team and m.start <= on and (m.end is None or on < m.end)
        ]

    def leaders(self, unit: str) -> list[LeadershipSpec]:
        """The leaderships of `unit` (not of its ancestors)."""
        return [ls for ls in self.leaderships if ls.unit == unit]


# --------------------------------------------------------------------------------------------
# The initiative's message.

TITLE = "Lead with value: ROI-led discovery"
WHY = (
    "Customers buy when they see the value in their own numbers. Our deals stall when we lead "
    "with features, and we lose on price when price is the only number on the table."
)
HOW = (
    "Every rep runs discovery around what the problem costs the customer, builds the ROI case "
    "with them, demos only what moves their numbers and proposes on those figures."
)
WHAT = (
    "Each week, each rep holds five discovery meetings, runs two ROI-led demos and sends one "
    "proposal built on the customer's ROI figures."
)
KEY_POINTS = (
    "Open discovery by asking what the problem costs the customer today.",
    "Build the ROI case with the customer in the ROI calculator before any demo.",
    "Demo only the features that move the customer's numbers.",
    "Send a proposal built on the customer's own ROI figures within a week of the demo.",
)
ASKS = (
    AskSpec("Hold discovery meetings that start with what the problem costs", "meetings", 5),
    AskSpec("Run ROI-led demos with qualified prospects", "demos", 2),
    AskSpec("Send proposals that quote the customer's ROI figures", "proposals", 1),
)
# Forecast: the pre-rollout weekly won revenue, lifted by this much once the levers have had
# time to turn into closed deals.
FORECAST_UPLIFT = 0.2
FORECAST_LAG_WEEKS = 3

PULSE_COMMENTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("clarity", "low"): (
        "I am not sure what we are meant to do differently any more.",
        "We heard about this once at the start and then nothing.",
        "Is the ROI calculator still a thing?",
    ),
    ("clarity", "high"): (
        "Clear plan, and the ROI calculator helps in discovery.",
        "I know exactly what is asked of me each week.",
    ),
    ("consistency", "low"): (
        "My manager says build the ROI case first; the overlay says skip it and demo.",
        "Different leaders tell us different things about this.",
        "Which is it: ROI first or demo first?",
    ),
    ("consistency", "high"): ("Everyone is saying the same thing, which helps.",),
    ("confidence", "low"): (
        "We do the demos but the deals in our territory are small.",
        "Not convinced this works for my accounts.",
        "Feels like this was forgotten after the kickoff.",
    ),
    ("confidence", "high"): (
        "Customers react well when we start with their numbers.",
        "Two of my deals moved after building the ROI case together.",
    ),
    ("energy", "low"): (
        "Nobody has mentioned this in weeks.",
        "Leadership seems to have moved on.",
    ),
    ("energy", "high"): ("Our manager brings this up every week, with real energy.",),
}

# Pulse means per archetype and question: (level at rollout, level reached, weeks to get there).
PULSE_PATHS: dict[Archetype, tuple[tuple[float, float, float], ...]] = {
    Archetype.EXEMPLARY: ((3.9, 4.6, 6), (4.0, 4.6, 6), (3.6, 4.5, 8), (4.1, 4.7, 6)),
    Archetype.FADED: ((3.9, 2.4, 5), (3.5, 2.9, 6), (3.7, 2.3, 5), (3.6, 2.2, 4)),
    Archetype.TWO_VOICES: ((3.4, 2.9, 6), (2.7, 1.8, 4), (3.3, 2.9, 8), (3.5, 3.2, 8)),
    Archetype.NO_LEVER_REPORTING: ((4.0, 4.1, 6), (3.9, 4.0, 6), (3.5, 3.3, 8), (3.8, 3.8, 6)),
    Archetype.POOR_TERRITORY: ((4.1, 4.4, 6), (4.1, 4.3, 6), (3.9, 3.4, 10), (4.2, 4.4, 6)),
    Archetype.STEADY: ((3.6, 3.7, 6), (3.6, 3.6, 6), (3.5, 3.6, 8), (3.6, 3.6, 6)),
}

# --------------------------------------------------------------------------------------------
# Generation.


def story_generate(*, reps: int = 120, weeks: int = 26, seed: int = 7, today: dt.date) -> Story:
    """Generate the demo organisation, its initiative and its behaviour (pure and seeded)."""
    if reps < 12:
        raise InputError(f"The demo needs at least 12 reps (2 per team); you asked for {reps}.")
    if not 8 <= weeks <= 104:
        raise InputError(f"The demo covers 8-104 weeks since the rollout; you asked for {weeks}.")
    rng = np.random.default_rng(seed)
    cal = timeline_until(today, weeks)
    org = organisation_generate(rng, reps, cal)
    activities, opportunities = facts_generate(rng, org, cal)
    touchpoints = touchpoints_generate(rng, org, cal)
    pulses = _pulses_generate(rng, org, cal)
    # A generator of its own, so adding restatements left every other seeded number as it was.
    restatements = restatements_generate(np.random.default_rng([seed, 4]), org, cal)
    initiative = _initiative(org, cal, weeks, opportunities)
    logins = logins_generate(rng, org)
    return Story(
        today=today,
        start=cal.start,
        history_start=cal.history_start,
        as_of=cal.as_of,
        units=org.units,
        people=org.people,
        memberships=org.memberships,
        leaderships=org.leaderships,
        initiative=initiative,
        touchpoints=touchpoints,
        logins=logins,
        archetypes={u.name: u.archetype for u in org.units if u.archetype is not None},
        activities=activities,
        opportunities=opportunities,
        pulses=pulses,
        restatements=restatements,
    )


# --------------------------------------------------------------------------------------------
# Pulses.


def _pulses_generate(rng: np.random.Generator, org: Organisation, cal: Timeline) -> pd.DataFrame:
    """Weekly pulse answers from ~70% of reps since the rollout; scores follow the archetype."""
    rollout = BURN_IN_WEEKS + PRE_WEEKS
    team_of = org.team_of[:, rollout:]
    n_reps, n_weeks = int(team_of.shape[0]), int(team_of.shape[1])
    since = np.arange(n_weeks)
    # Mean per archetype, question and week since rollout.
    path = np.zeros((len(ARCHETYPES), len(PULSE_QUESTIONS), n_weeks))
    for a, archetype in enumerate(ARCHETYPES):
        for qi, (begin, end, tau) in enumerate(PULSE_PATHS[archetype]):
            if archetype is Archetype.FADED:
                # Fades after the second week, once no one repeats the message.
                progress = 1 - np.exp(-np.maximum(since - 2, 0) / tau)
            else:
                progress = 1 - np.exp(-since / tau)
            path[a, qi] = begin + (end - begin) * progress
    propensity = np.clip(rng.normal(PULSE_RESPONSE_RATE, 0.12, n_reps), 0.3, 0.98)
    answers = (team_of >= 0) & (rng.random((n_reps, n_weeks)) < propensity[:, None])
    rep, week = np.nonzero(answers)
    arch = org.team_arch[team_of[rep, week]]
    n = rep.size
    bias = rng.normal(0, 0.35, n_reps)
    q = np.tile(np.arange(len(PULSE_QUESTIONS)), n)
    rep4, week4, arch4 = np.repeat(rep, 4), np.repeat(week, 4), np.repeat(arch, 4)
    mean = path[arch4, q, week4] + bias[rep4]
    score = np.clip(np.rint(mean + rng.normal(0, 0.6, mean.size)), 1, 5).astype(np.int8)
    comment = np.full(score.size, "", dtype=object)
    commented = np.flatnonzero(rng.random(score.size) < 0.05)
    for i in commented.tolist():
        band = "low" if score[i] <= 2 else "high" if score[i] >= 4 else ""
        pool = PULSE_COMMENTS.get((PULSE_QUESTIONS[q[i]], band))
        if pool:
            comment[i] = pool[int(rng.integers(len(pool)))]
    mondays = np.array([cal.start + dt.timedelta(weeks=w) for w in range(n_weeks)])
    return pd.DataFrame({
        "person": org.rep_keys[rep4],
        "week": mondays[week4],
        "question": np.array(PULSE_QUESTIONS, dtype=object)[q],
        "score": score,
        "comment": comment,
    })


# --------------------------------------------------------------------------------------------
# The initiative.


def _initiative(
    org: Organisation, cal: Timeline, weeks: int, opportunities: pd.DataFrame
) -> InitiativeSpec:
    """The initiative, with a forecast lifted from the pre-rollout won revenue."""
    end = cal.start + dt.timedelta(weeks=max(52, weeks + 13))
    # The forecast a leader would make: recent weekly won revenue per rep, times the reps in
    # scope, lifted by FORECAST_UPLIFT once the levers have had time to close deals.
    won = opportunities[opportunities["won"].fillna(False).astype(bool)]
    pre = won[(won["closed_at"] >= pd.Timestamp(cal.history_start))
              & (won["closed_at"] < pd.Timestamp(cal.start))]
    rollout = BURN_IN_WEEKS + PRE_WEEKS
    rep_weeks = max(1, int((org.team_of[:, rollout - PRE_WEEKS:rollout] >= 0).sum()))
    per_rep_week = float(pre["amount"].sum()) / rep_weeks
    reps_at_start = int((org.team_of[:, rollout] >= 0).sum())
    n_weeks = (end - cal.start).days // 7
    since = np.arange(n_weeks)
    ramp = 1 - np.exp(-np.maximum(since - FORECAST_LAG_WEEKS, 0) / 4)
    values = np.round(per_rep_week * reps_at_start * (1 + FORECAST_UPLIFT * ramp), -2)
    forecast = tuple(
        (cal.start + dt.timedelta(weeks=int(w)), float(v)) for w, v in zip(since, values,
                                                                          strict=True)
    )
    return InitiativeSpec(
        title=TITLE,
        owner=org.executive,
        units=(COMPANY,),
        start=cal.start,
        end=end,
        why=WHY,
        how=HOW,
        what=WHAT,
        key_points=KEY_POINTS,
        asks=ASKS,
        output_metric="won_revenue",
        forecast=forecast,
        cadence=(
            CadenceSpec("deliver", ("manager",), due=cal.start + dt.timedelta(days=7)),
            CadenceSpec("reinforce", ("manager",), every_days=14),
            CadenceSpec("redeliver", ("director",), every_days=28),
        ),
    )
