"""The demo organisation and its behaviour as plain data: pure, seeded, no ORM, no I/O.

`story_generate` returns a `Story`: the unit tree, people, dated memberships and leaderships, one
initiative with its message, asks, forecast and cadence plan, the leaders' touchpoints, the reps'
weekly pulses, and the CRM facts (activities, opportunities) as data frames. Each team is given an
`Archetype` (exemplary, faded, two voices, no lever reporting, poor territory, steady) that drives
its behaviour, so every diagnosis M3 makes has a unit that should trigger it (docs/demo.md).

The facts are generated column-wise with numpy: rate per rep, week and activity type, Poisson
counts, then one row per activity by `np.repeat`; no Python object is built per activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from m3.demo.archetype import ARCH_INDEX, ARCHETYPES, Archetype
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
from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, Timeline, timeline_until
from m3.errors import InputError

# --------------------------------------------------------------------------------------------
# The story's vocabulary. Values are those of m3.org.models.Role / LeadershipKind,
# m3.message.models.Channel, m3.initiatives.models.CadenceKind and m3.pulse.models.PulseQuestion;
# this module repeats them as plain strings because it must not import Django models.


SOURCE = "demo"
CURRENCY = "USD"

ACTIVITY_TYPES = ("call", "email", "meeting", "demo", "proposal", "other")
CALL, EMAIL, MEETING, DEMO, PROPOSAL, OTHER = range(6)
LEVER_TYPES = (MEETING, DEMO, PROPOSAL)
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")
PRODUCTS = ("Atlas Core", "Atlas Analytics", "Atlas Payments", "Atlas Care")
PULSE_QUESTIONS = ("clarity", "consistency", "confidence", "energy")

# Pre-rollout rates per rep per week (call, email, meeting, demo, proposal): the asks set
# meetings >= 5, demos >= 2, proposals >= 1, so the baseline sits below target on purpose.
BASE_RATE = np.array([45.0, 60.0, 5.0, 1.3, 0.6])
# Gamma shape of the week-to-week noise per type (smaller = noisier).
NOISE_SHAPE = np.array([25.0, 25.0, 10.0, 6.0, 6.0])
DAY_WEIGHTS = np.array([0.20, 0.22, 0.22, 0.20, 0.14, 0.014, 0.006])
HOUR_WEIGHTS = np.array([0.05, 0.12, 0.13, 0.12, 0.07, 0.09, 0.12, 0.12, 0.11, 0.07])  # 8h-17h
PRODUCT_MIX = np.array([0.45, 0.25, 0.20, 0.10])
POOR_PRODUCT_MIX = np.array([0.30, 0.20, 0.10, 0.40])
PRODUCT_AMOUNT = np.array([1.0, 0.8, 1.35, 0.45])
ACCOUNTS_PER_REP = 30
MEETING_OPENS_OPPORTUNITY = 0.3
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


@dataclass(frozen=True)
class TouchpointSpec:
    """One delivery of the message; `fidelity` (faithful, partial, contradicting) is the truth."""

    leader: int
    unit: str | None
    person: int | None
    channel: str
    date: dt.date
    content: str
    fidelity: str


@dataclass(frozen=True)
class RestatementSpec:
    """A rep's restatement of the message; `points` are the key points (0-based) it carries and
    `contradicts` those it states the opposite of (the truth, for tests)."""

    person: int
    date: dt.date
    text: str
    points: tuple[int, ...]
    contradicts: tuple[int, ...] = ()


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
# The initiative's message and the texts leaders say about it.

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

# Faithful paraphrases of each key point, several wordings each, as leaders really say them.
PARAPHRASES: tuple[tuple[str, ...], ...] = (
    (
        "Start every discovery call by finding out what this problem costs them today.",
        "Ask early what the problem is costing the customer right now, in money and in time.",
        "Lead discovery with the cost question: what does this problem cost you today?",
        "Before anything else, get the customer to put a number on what the problem costs them.",
    ),
    (
        "Fill in the ROI calculator together with the customer before you show any demo.",
        "No demo until we have built the ROI case with them in the calculator.",
        "Sit with the customer and build their ROI case in the ROI calculator first, then demo.",
        "The ROI calculator comes before the demo, and we fill it in with the customer.",
    ),
    (
        "When you demo, show only the features that move their numbers.",
        "Keep the demo short: only the features that change the customer's numbers.",
        "Skip the full tour; demo the few features that move the customer's numbers.",
        "Demo the features that tie back to their ROI numbers and nothing else.",
    ),
    (
        "Within a week of the demo, send a proposal built on their own ROI figures.",
        "The proposal goes out within a week of the demo and quotes the customer's ROI figures.",
        "Put their own ROI figures in the proposal and send it within a week of the demo.",
        "Send the proposal within a week, built on the ROI figures you made with the customer.",
    ),
)
# What the product overlay of the "two voices" team says instead.
CONTRADICTIONS = (
    "Honestly, skip the ROI calculator; customers want to see the product, so just demo.",
    "Don't waste the first meeting asking what the problem costs them; show the whole platform.",
    "Demo every feature we have, the full suite: the more they see, the more they buy.",
    "Don't wait for an ROI case before a demo; book the demo first and do the numbers later.",
    "Proposals can wait; never hold a demo back for the ROI calculator.",
    "Forget the cost questions in discovery, our features sell themselves in a demo.",
)
OPENERS: dict[str, tuple[str, ...]] = {
    "meeting": (
        "Team, a reminder of how we lead with value.",
        "Let's go over ROI-led discovery again before the week starts.",
        "Quick recap from our team meeting on leading with value.",
    ),
    "email": (
        "Hi team, a short note on leading with value this week.",
        "Hi all, here is the ROI-led discovery plan for the coming week.",
        "Team, before Monday, a recap of how we run discovery now.",
    ),
    "one_to_one": (
        "In our one-to-one we went through your pipeline deal by deal.",
        "We looked at your open deals together in our one-to-one.",
    ),
    "ride_along": (
        "After the call we rode along on, a few notes.",
        "Notes from the customer call we joined today.",
    ),
    "video": (
        "In this short video I walk through ROI-led discovery again.",
        "Recorded walkthrough: how we lead with value, step by step.",
    ),
    "chat": ("Reminder for today:", "Quick one before your calls:"),
}
CLOSERS = (
    "This week: five discovery meetings, two ROI-led demos and one proposal each.",
    "Targets per rep per week stay the same: five meetings, two demos, one proposal.",
    "Log every meeting, demo and proposal in the CRM so we can see the levers move.",
)
ENERGY = (
    "I am proud of how you have taken this on; keep going.",
    "Our demos are up and the deals are following. Great work, all of you.",
    "This is working. Let's keep the pace.",
)
OVERLAY_OPENERS = (
    "Payments overlay here with a few tips for this week.",
    "Some product advice from the overlay team.",
    "From the product side, what is working in the field:",
)
OVERLAY_CLOSERS = (
    "Book as many demos as you can this week.",
    "More demos, more deals. Let's go.",
)

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

ACCOUNT_PREFIXES = tuple(
    """Northwind Bluefin Crescent Silverline Redstone Ironbridge Brightwater Oakridge Summit
    Keystone Harborview Clearpath Greenfield Lakeside Westbrook Stonegate Riverbend Highland
    Pinecrest Maplewood Sunrise Goldleaf Blackrock Whitehall Fairview Cobalt Evergreen
    Copperfield Ashford Kingsley Meridian Pacifica Atlantic Horizon Vanguard Sterling
    Pinnacle Cornerstone Bayside Elmwood Foxglove Granite Hollow Juniper Larkspur Marble
    Newport Orion Pioneer Quarry Rosewood Seaview Thornbury Union Valley Willowby Yorkshire
    Zenith Beacon Cascade""".split()
)
ACCOUNT_CORES = tuple(
    """Logistics Health Foods Energy Robotics Analytics Insurance Retail Pharma Media Freight
    Textiles Dental Labs Capital Foundry Motors Water Solar Clinics Software Aviation Marine
    Brewing Packaging Chemicals Telecom Security Farms Hotels Education Finance Builders Print
    Outdoor Fitness Legal Realty Furniture Apparel""".split()
)
ACCOUNT_SUFFIXES = ("Inc", "Ltd", "Group", "Co", "Partners", "Holdings", "GmbH", "LLC", "SA", "AG")
CITIES = tuple(
    """Austin Boston Denver Leeds Lyon Porto Oslo Turin Dublin Ghent Bristol Seattle Phoenix
    Munich Madrid Krakow Utrecht Bergen Geneva Malmo""".split()
)


# --------------------------------------------------------------------------------------------
# Generation.


# An extra behaviour variant: the reps of the two-voices team who follow the overlay.
_OVERLAY_FOLLOWER = len(ARCHETYPES)


def story_generate(*, reps: int = 120, weeks: int = 26, seed: int = 7, today: dt.date) -> Story:
    """Generate the demo organisation, its initiative and its behaviour (pure and seeded)."""
    if reps < 12:
        raise InputError(f"The demo needs at least 12 reps (2 per team); you asked for {reps}.")
    if not 8 <= weeks <= 104:
        raise InputError(f"The demo covers 8-104 weeks since the rollout; you asked for {weeks}.")
    rng = np.random.default_rng(seed)
    cal = timeline_until(today, weeks)
    org = organisation_generate(rng, reps, cal)
    activities, opportunities = _facts_generate(rng, org, cal)
    touchpoints = _touchpoints_generate(rng, org, cal)
    pulses = _pulses_generate(rng, org, cal)
    # A generator of its own, so adding restatements left every other seeded number as it was.
    restatements = _restatements_generate(np.random.default_rng([seed, 4]), org, cal)
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


def _lever_lift(since: np.ndarray) -> np.ndarray:
    """Relative change of each activity type's rate, per behaviour variant and week.

    Shape (variants, weeks, 5): variants are the archetypes in `ARCHETYPES` order, then the
    two-voices reps who follow the overlay. 0 before the rollout; a rate is
    base * (1 + lift * the rep's responsiveness).
    """
    def ramp(tau: float) -> np.ndarray:
        return np.where(since >= 0, 1 - np.exp(-(since + 1) / tau), 0.0)

    lift = np.zeros((len(ARCHETYPES) + 1, len(since), 5))
    engaged = np.array([0.0, 0.03, 0.25, 0.8, 0.9])
    lift[ARCH_INDEX[Archetype.EXEMPLARY]] = ramp(2.5)[:, None] * engaged
    lift[ARCH_INDEX[Archetype.POOR_TERRITORY]] = ramp(2.5)[:, None] * engaged
    lift[ARCH_INDEX[Archetype.STEADY]] = ramp(4)[:, None] * np.array([0, 0, 0.1, 0.35, 0.4])
    # Faded: the one delivery lifts the levers for 2-3 weeks, then they decay below baseline.
    shape = np.where(since < 0, 0.0, np.where(since <= 2, (since + 1) / 3,
                                              np.exp(-(since - 2) / 1.8)))
    dip = np.where(since >= 6, 0.15, 0.0)
    lift[ARCH_INDEX[Archetype.FADED]] = (
        shape[:, None] * np.array([0, 0, 0.2, 0.7, 0.6])
        - dip[:, None] * np.array([0, 0, 1, 1, 1])
    )
    # Two voices: reps who follow the manager do the ROI work; those who follow the overlay
    # demo more and propose less.
    lift[ARCH_INDEX[Archetype.TWO_VOICES]] = ramp(3)[:, None] * np.array([0, 0, 0.15, 0.3, 0.45])
    lift[_OVERLAY_FOLLOWER] = ramp(3)[:, None] * np.array([0, 0, 0.0, 0.9, -0.3])
    # Unmeasured levers barely move.
    lift[ARCH_INDEX[Archetype.NO_LEVER_REPORTING]] = (
        ramp(4)[:, None] * np.array([0, 0, 0.05, 0.1, 0.1])
    )
    return lift


def _season(cal: Timeline) -> np.ndarray:
    """Weekly seasonality: a mild yearly wave and the holiday weeks at the turn of the year."""
    mondays = [cal.monday(w) for w in range(cal.n_weeks)]
    iso = np.array([m.isocalendar()[1] for m in mondays])
    wave = 1 + 0.06 * np.sin(2 * np.pi * (iso - 10) / 52)
    holiday = np.array([
        0.45 if (m.month, m.day) >= (12, 19) and m.month == 12 and m.day <= 25
        else 0.35 if (m.month == 12 and m.day >= 26) or (m.month == 1 and m.day == 1)
        else 1.0
        for m in mondays
    ])
    return wave * holiday


def _facts_generate(
    rng: np.random.Generator, org: Organisation, cal: Timeline
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Activities and opportunities whose behaviour follows each rep's team archetype."""
    n_reps, n_weeks = int(org.team_of.shape[0]), int(org.team_of.shape[1])
    since = cal.since_rollout
    member = org.team_of >= 0
    arch = np.where(member, org.team_arch[np.maximum(org.team_of, 0)], -1)
    two_voices = ARCH_INDEX[Archetype.TWO_VOICES]
    follows_overlay = rng.random(n_reps) < 0.5
    variant = np.where((arch == two_voices) & follows_overlay[:, None], _OVERLAY_FOLLOWER, arch)

    # Rates per rep, week and type.
    skill = np.exp(rng.normal(0, 0.2, (n_reps, 1)) + rng.normal(0, 0.12, (n_reps, 5)))
    responsiveness = np.exp(rng.normal(0, 0.35, n_reps))
    lift = _lever_lift(since)[np.maximum(variant, 0), np.arange(n_weeks)[None, :]]
    shock = np.exp(rng.normal(0, 0.05, (len(org.teams), n_weeks)))
    team_shock = shock[np.maximum(org.team_of, 0), np.arange(n_weeks)[None, :]]
    on_leave = rng.random((n_reps, n_weeks)) < 0.025
    factor = _season(cal)[None, :] * team_shock * member * ~on_leave
    rate = (
        BASE_RATE[None, None, :] * skill[:, None, :] * factor[:, :, None]
        * np.maximum(1 + lift * responsiveness[:, None, None], 0.1)
    )
    # Burn-in weeks only feed the pipeline: no calls or emails needed there.
    rate[:, :BURN_IN_WEEKS, [CALL, EMAIL]] = 0
    noisy = rate * rng.gamma(NOISE_SHAPE, 1 / NOISE_SHAPE, rate.shape)
    counts = rng.poisson(noisy).ravel()

    # One row per activity.
    cell = np.repeat(np.arange(counts.size), counts)
    rep = (cell // (n_weeks * 5)).astype(np.int32)
    week = ((cell // 5) % n_weeks).astype(np.int32)
    kind = (cell % 5).astype(np.int8)
    n = cell.size
    day = rng.choice(7, size=n, p=DAY_WEIGHTS / DAY_WEIGHTS.sum())
    hour = 8 + rng.choice(10, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    weekend = day >= 5
    hour[weekend] = rng.integers(9, 15, size=int(weekend.sum()))
    scheduled = (kind == MEETING) | (kind == DEMO)  # meetings start on the hour or half hour
    minute = np.where(scheduled, 30 * rng.integers(0, 2, size=n), rng.integers(0, 60, size=n))
    second = np.where(scheduled, 0, rng.integers(0, 60, size=n))
    secs = (week.astype(np.int64) * 7 + day) * 86_400 + hour * 3600 + minute * 60 + second
    order = np.argsort(secs, kind="stable")
    rep, week, kind, secs = rep[order], week[order], kind[order], secs[order]
    row_arch = arch[rep, week]

    # Accounts: each rep works a block of accounts, key accounts (the first ones) most often.
    accounts = _account_names(rng, n_reps * ACCOUNTS_PER_REP)
    account = rep * ACCOUNTS_PER_REP + (ACCOUNTS_PER_REP * rng.random(n) ** 2).astype(np.int32)
    poor = row_arch == ARCH_INDEX[Archetype.POOR_TERRITORY]
    product = _product_draw(rng, poor)
    # Calls and emails name a product only now and then.
    chatter = (kind == CALL) | (kind == EMAIL)
    product[chatter & (rng.random(n) < 0.7)] = -1

    # Opportunities: some meetings open one; demos and proposals follow an open one of the rep's
    # (a demo with none opens one itself).
    opened = np.flatnonzero((kind == MEETING) & (rng.random(n) < MEETING_OPENS_OPPORTUNITY))
    opp_row = opened
    link = np.full(n, -1, dtype=np.int64)
    link[opened] = np.arange(opened.size)
    day_s = 86_400
    demos = np.flatnonzero(kind == DEMO)
    demo_link = _open_opportunity(rng, rep[opp_row], secs[opp_row], rep[demos], secs[demos],
                                  14 * day_s, 0)
    new = demos[demo_link < 0]
    link[demos] = np.where(demo_link >= 0, demo_link, -1)
    link[new] = opened.size + np.arange(new.size)
    opp_row = np.concatenate([opened, new])
    by_time = np.argsort(secs[opp_row], kind="stable")  # links must index opp_row as sorted
    remap = np.empty_like(by_time)
    remap[by_time] = np.arange(by_time.size)
    opp_row = opp_row[by_time]
    linked = link >= 0
    link[linked] = remap[link[linked]]
    proposals = np.flatnonzero(kind == PROPOSAL)
    link[proposals] = _open_opportunity(rng, rep[opp_row], secs[opp_row], rep[proposals],
                                        secs[proposals], 21 * day_s, day_s)
    linked = link >= 0
    account[linked] = account[opp_row[link[linked]]]
    product[linked] = product[opp_row[link[linked]]]

    opportunities, amount = _opportunities(rng, org, cal, opp_row, rep, secs, row_arch, account,
                                           product, link[proposals])
    keep_opp = opportunities.pop("keep").to_numpy()

    # Rows outside the history, and levers a team does not log, are what its CRM would show.
    keep = secs >= BURN_IN_WEEKS * 7 * day_s
    logged = kind.copy()
    hidden = (row_arch == ARCH_INDEX[Archetype.NO_LEVER_REPORTING]) & np.isin(kind, LEVER_TYPES)
    logged[hidden] = OTHER
    opp_ids = _ids("006Dm", int(keep_opp.sum()))
    new_index = np.cumsum(keep_opp) - 1
    opp_link = np.where(link >= 0, new_index[np.maximum(link, 0)], -1)
    opp_link[(link >= 0) & ~keep_opp[np.maximum(link, 0)]] = -1
    row_amount = np.where((kind == PROPOSAL) & (opp_link >= 0), amount[np.maximum(link, 0)],
                          np.nan)
    kept = np.flatnonzero(keep)
    start = np.datetime64(cal.sim_start, "s")
    activities = pd.DataFrame({
        "id": _arrow_series(_ids("00TDm", kept.size)),
        "person": org.rep_keys[rep[kept]],
        "type": _take(ACTIVITY_TYPES, logged[kept]),
        "behaviour": _take(ACTIVITY_TYPES, kind[kept]),
        "occurred_at": start + secs[kept].astype("timedelta64[s]"),
        "product": _take(PRODUCTS, product[kept]),
        "account": _take(accounts, account[kept]),
        "opportunity": _take(opp_ids, opp_link[kept]),
        "amount": row_amount[kept],
        "currency": _take((CURRENCY,), np.where(np.isnan(row_amount[kept]), -1, 0)),
    })
    opportunities = opportunities[keep_opp].reset_index(drop=True)
    opportunities.insert(0, "id", _arrow_series(opp_ids))
    opportunities["account"] = _take(accounts, opportunities.pop("account_index").to_numpy())
    return activities, opportunities


def _opportunities(
    rng: np.random.Generator,
    org: Organisation,
    cal: Timeline,
    opp_row: np.ndarray,
    rep: np.ndarray,
    secs: np.ndarray,
    row_arch: np.ndarray,
    account: np.ndarray,
    product: np.ndarray,
    proposal_link: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The opportunities opened at `opp_row`: amount, outcome and dates follow the archetype."""
    n = opp_row.size
    day_s = 86_400
    created = secs[opp_row]
    arch = row_arch[opp_row]
    prod = np.where(product[opp_row] >= 0, product[opp_row], 0)
    post = created >= (BURN_IN_WEEKS + PRE_WEEKS) * 7 * day_s
    poor = arch == ARCH_INDEX[Archetype.POOR_TERRITORY]
    # ROI-led selling (where it is practised) wins more often and bigger.
    roi = post & np.isin(arch, [ARCH_INDEX[Archetype.EXEMPLARY],
                                ARCH_INDEX[Archetype.POOR_TERRITORY]])
    steady_roi = post & (arch == ARCH_INDEX[Archetype.STEADY])
    amount = np.exp(rng.normal(np.log(24_000), 0.4, n)) * PRODUCT_AMOUNT[prod]
    amount *= np.where(poor, 0.55, 1.0) * np.where(roi & ~poor, 1.15, 1.0)
    amount = np.round(amount, -1)
    with_proposal = np.bincount(proposal_link[proposal_link >= 0], minlength=n)[:n] > 0
    win_skill = np.exp(rng.normal(0, 0.2, org.team_of.shape[0]))
    p_win = (
        0.24 * np.where(with_proposal, 1.4, 0.7) * np.where(poor, 0.38, 1.0)
        * np.where(roi, 1.25, np.where(steady_roi, 1.05, 1.0)) * win_skill[rep[opp_row]]
    )
    p_win = np.clip(p_win, 0.02, 0.85)
    cycle = 21 + rng.gamma(2.0, np.where(poor, 8.0, 6.0))
    close_day = (created + cycle * day_s) // day_s
    weekday = close_day % 7  # the simulation starts on a Monday
    close_day = close_day - np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0))
    close = close_day * day_s + rng.integers(9 * 3600, 18 * 3600, n)
    as_of = (cal.as_of - cal.sim_start).days * day_s
    closed = close < as_of
    won = closed & (rng.random(n) < p_win)
    age_days = (as_of - created) / day_s
    open_stage = np.where(age_days < 7, 0, np.where(age_days < 14, 1,
                          np.where((age_days < 24) | with_proposal, 2, 3)))
    stage = np.where(closed, np.where(won, 4, 5), np.where(with_proposal,
                                                           np.maximum(open_stage, 2), open_stage))
    start = np.datetime64(cal.sim_start, "s")
    closed_at = (start + close.astype("timedelta64[s]")).astype("datetime64[s]")
    closed_at[~closed] = np.datetime64("NaT")
    won_flag = pd.array(np.where(closed, won, False), dtype="boolean")
    won_flag[~closed] = pd.NA
    frame = pd.DataFrame({
        "person": org.rep_keys[rep[opp_row]],
        "account_index": account[opp_row],
        "product": _take(PRODUCTS, prod),
        "stage": _take(STAGES, stage),
        "amount": amount,
        "currency": _take((CURRENCY,), np.zeros(n, dtype=np.int8)),
        "created_at": start + created.astype("timedelta64[s]"),
        "closed_at": closed_at,
        "won": won_flag,
        # Deals closed before the history starts belong to no week M3 shows.
        "keep": ~closed | (close >= BURN_IN_WEEKS * 7 * day_s),
    })
    return frame, amount


def _open_opportunity(
    rng: np.random.Generator,
    opp_rep: np.ndarray,
    opp_secs: np.ndarray,
    rep: np.ndarray,
    secs: np.ndarray,
    window: int,
    gap: int,
) -> np.ndarray:
    """For each activity, a random opportunity of its rep opened in [t - window, t - gap), or -1.

    The opportunities must be sorted by time; every sales cycle is at least 21 days, so one
    opened in the window is still open at t.
    """
    stride = np.int64(1) << 32
    order = np.lexsort((opp_secs, opp_rep))
    keys = opp_rep[order].astype(np.int64) * stride + opp_secs[order]
    base = rep.astype(np.int64) * stride
    lo = np.searchsorted(keys, base + np.maximum(secs - window, 0), side="left")
    hi = np.searchsorted(keys, base + np.maximum(secs - gap, 0), side="left")
    found = hi > lo
    pick = lo + (rng.random(rep.size) * (hi - lo)).astype(np.int64)
    return np.where(found, order[np.minimum(pick, order.size - 1)], -1)


def _product_draw(rng: np.random.Generator, poor: np.ndarray) -> np.ndarray:
    u = rng.random(poor.size)
    usual = np.searchsorted(np.cumsum(PRODUCT_MIX), u, side="right")
    skewed = np.searchsorted(np.cumsum(POOR_PRODUCT_MIX), u, side="right")
    return np.minimum(np.where(poor, skewed, usual), len(PRODUCTS) - 1).astype(np.int16)


def _account_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct company names; a city is added only once the plain names run out."""
    n_p, n_c, n_s = len(ACCOUNT_PREFIXES), len(ACCOUNT_CORES), len(ACCOUNT_SUFFIXES)
    plain = n_p * n_c * n_s
    picks = rng.choice(plain if n <= plain else plain * (1 + len(CITIES)), size=n, replace=False)
    city, rest = np.divmod(picks, plain)
    prefix, rest = np.divmod(rest, n_c * n_s)
    core, suffix = np.divmod(rest, n_s)
    names = [
        f"{ACCOUNT_PREFIXES[p]} {ACCOUNT_CORES[c]} {ACCOUNT_SUFFIXES[s]}"
        + (f" ({CITIES[k - 1]})" if k else "")
        for p, c, s, k in zip(prefix.tolist(), core.tolist(), suffix.tolist(), city.tolist(),
                              strict=True)
    ]
    return np.array(names, dtype=object)


def _ids(prefix: str, n: int) -> pa.Array:
    """`n` CRM-style ids: `prefix` then a 10-digit counter (15 characters, like Salesforce)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(n, dtype=np.int64)), pa.string()),
                          width=10, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _take(values: Sequence[str] | np.ndarray | pa.Array, codes: np.ndarray) -> pd.Series:
    """A string column: `values[code]` per row, null where the code is negative."""
    table = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    indices = pa.array(codes.astype(np.int64), mask=codes < 0)
    return _arrow_series(pc.take(table, indices))


def _arrow_series(array: pa.Array) -> pd.Series:
    # Arrow-backed strings: millions of ids cost no Python objects and reach the store as is.
    return pd.Series(pd.arrays.ArrowExtensionArray(array))


# --------------------------------------------------------------------------------------------
# Touchpoints.


def _content(rng: np.random.Generator, channel: str, fidelity: str, energy: bool) -> str:
    """A talk track, note or email in a leader's own words."""
    lines = [str(rng.choice(OPENERS[channel]))]
    if fidelity == "faithful":
        points = list(range(len(PARAPHRASES)))
    elif fidelity == "partial":
        points = sorted(rng.choice(len(PARAPHRASES), size=2, replace=False).tolist())
    else:
        lines = [str(rng.choice(OVERLAY_OPENERS))]
        chosen = rng.choice(len(CONTRADICTIONS), size=3, replace=False)
        lines += [CONTRADICTIONS[i] for i in chosen]
        lines.append(str(rng.choice(OVERLAY_CLOSERS)))
        return "\n".join(lines)
    lines += [str(rng.choice(PARAPHRASES[p])) for p in points]
    lines.append(str(rng.choice(CLOSERS)))
    if energy:
        lines.append(str(rng.choice(ENERGY)))
    return "\n".join(lines)


def _touchpoints_generate(
    rng: np.random.Generator, org: Organisation, cal: Timeline
) -> tuple[TouchpointSpec, ...]:
    """Every leader's deliveries of the message, following each team's archetype."""
    out: list[TouchpointSpec] = []
    weeks = cal.n_weeks - BURN_IN_WEEKS - PRE_WEEKS
    last = cal.as_of - dt.timedelta(days=1)

    def add(leader: int, channel: str, day: dt.date, fidelity: str, *, unit: str | None = None,
            person: int | None = None, energy: bool = False) -> None:
        if day > last:
            return
        out.append(TouchpointSpec(leader, unit, person, channel, day,
                                  _content(rng, channel, fidelity, energy), fidelity))

    def every(first: dt.date, days: int, jitter: int, skip: float = 0.0) -> list[dt.date]:
        """Dates from `first` every `days` (± `jitter`, on weekdays), each skipped with `skip`."""
        dates, anchor = [], first
        while anchor <= last:
            day = anchor + dt.timedelta(days=int(rng.integers(-jitter, jitter + 1)))
            day -= dt.timedelta(days=max(0, day.weekday() - 4))  # weekends move to Friday
            if rng.random() >= skip and day >= first:
                dates.append(day)
            anchor += dt.timedelta(days=days)
        return dates

    # Company-wide: the executive's kickoff and a quarterly update, enablement's training.
    add(org.executive, "meeting", cal.start, "faithful", unit=COMPANY, energy=True)
    for quarter in range(13, weeks, 13):
        add(org.executive, "video", cal.start + dt.timedelta(weeks=quarter, days=1), "faithful",
            unit=COMPANY, energy=True)
    add(org.enablement, "video", cal.start + dt.timedelta(days=10), "faithful", unit=COMPANY)

    for t, team in enumerate(org.teams):
        archetype = ARCHETYPES[int(org.team_arch[t])]
        manager = org.managers[t]
        director = org.directors[org.region_of_team[t]]
        kickoff = cal.start + dt.timedelta(days=int(rng.integers(1, 4)))
        if archetype is Archetype.FADED:
            # Heard once, at week 1, and never again.
            add(manager, "meeting", cal.start + dt.timedelta(days=8), "faithful", unit=team)
            continue
        add(manager, "meeting", kickoff, "faithful", unit=team,
            energy=archetype is not Archetype.STEADY)
        engaged = archetype in (Archetype.EXEMPLARY, Archetype.POOR_TERRITORY)
        skip = 0.0 if engaged else 0.3 if archetype is Archetype.STEADY else 0.1
        for day in every(kickoff + dt.timedelta(days=14), 14, 2, skip):
            channel = str(rng.choice(["meeting", "meeting", "email", "chat"]))
            fidelity = "faithful" if engaged or rng.random() < 0.6 else "partial"
            add(manager, channel, day, fidelity, unit=team, energy=engaged)
            members = org.rep_keys[org.team_of[:, min(cal.week_of(day), cal.n_weeks - 1)] == t]
            if engaged and members.size:
                # One-to-ones and ride-alongs with two reps each fortnight.
                for rep in rng.choice(members, size=min(2, members.size), replace=False):
                    add(manager, str(rng.choice(["one_to_one", "ride_along"])),
                        day + dt.timedelta(days=int(rng.integers(1, 4))), "faithful",
                        person=int(rep))
        director_skip = 0.0 if engaged else 0.25
        for day in every(kickoff + dt.timedelta(days=28), 28, 3, director_skip):
            add(director, str(rng.choice(["meeting", "video"])), day,
                "faithful" if rng.random() < 0.8 else "partial", unit=team)
        if archetype is Archetype.TWO_VOICES:
            for day in every(kickoff + dt.timedelta(days=5), 12, 2):
                add(org.overlay, str(rng.choice(["meeting", "email", "chat"])), day,
                    "contradicting", unit=team)
    # The model allows one touchpoint per leader, audience, channel and day.
    seen: set[tuple[int, str | None, int | None, str, dt.date]] = set()
    unique = []
    for tp in sorted(out, key=lambda tp: (tp.date, tp.leader)):
        key = (tp.leader, tp.unit, tp.person, tp.channel, tp.date)
        if key not in seen:
            seen.add(key)
            unique.append(tp)
    return tuple(unique)


# --------------------------------------------------------------------------------------------
# Restatements.

# Weeks since the rollout of the comprehension checks, then every CHECK_EVERY_WEEKS.
FIRST_CHECK_WEEK = 2
CHECK_EVERY_WEEKS = 6
# Per archetype: chance a rep answers a check, chance they state each key point at the first
# check, and weeks for that chance to halve (None: it does not fade).
RESTATEMENT_PATHS: dict[Archetype, tuple[float, float, float | None]] = {
    Archetype.EXEMPLARY: (0.9, 0.93, None),
    Archetype.FADED: (0.7, 0.8, 5.0),
    Archetype.TWO_VOICES: (0.75, 0.7, None),
    Archetype.NO_LEVER_REPORTING: (0.8, 0.8, None),
    Archetype.POOR_TERRITORY: (0.85, 0.88, None),
    Archetype.STEADY: (0.65, 0.65, None),
}
# Chance a rep of the two-voices team repeats the overlay's "skip the ROI calculator".
OVERLAY_ECHO = 0.5
REP_PARAPHRASES: tuple[tuple[str, ...], ...] = (
    (
        "I start discovery by asking what the problem costs the customer today.",
        "First I ask the customer what this problem is costing them now.",
        "We open discovery with the cost question: what does the problem cost them today?",
    ),
    (
        "Then we build the ROI case with the customer in the ROI calculator, before any demo.",
        "Before I demo, I fill in the ROI calculator together with the customer.",
        "The ROI calculator comes first, with the customer, and only then the demo.",
    ),
    (
        "In the demo I only show the features that move the customer's numbers.",
        "I keep demos to the features that change their numbers.",
        "We demo just the features that move their numbers, not the whole product.",
    ),
    (
        "Within a week of the demo I send a proposal built on the customer's own ROI figures.",
        "The proposal goes out within a week and uses their ROI figures.",
        "I send the proposal within a week of the demo, based on the ROI numbers we built.",
    ),
)
REP_OVERLAY_ECHOES = (
    "We skip the ROI calculator now and just demo the product.",
    "Honestly I don't bother with the ROI calculator; customers want to see the demo.",
)
REP_VAGUE = (
    "We are meant to focus more on value with customers.",
    "It is about selling value and doing more demos.",
    "Something about ROI; I don't remember the details.",
)


def _restatements_generate(
    rng: np.random.Generator, org: Organisation, cal: Timeline
) -> tuple[RestatementSpec, ...]:
    """Reps restate the message every few weeks; what they recall follows their team."""
    out = []
    weeks = cal.n_weeks - BURN_IN_WEEKS - PRE_WEEKS
    last = cal.as_of - dt.timedelta(days=1)
    for check in range(FIRST_CHECK_WEEK, weeks, CHECK_EVERY_WEEKS):
        column = BURN_IN_WEEKS + PRE_WEEKS + check
        for rep_index in np.flatnonzero(org.team_of[:, column] >= 0).tolist():
            archetype = ARCHETYPES[int(org.team_arch[org.team_of[rep_index, column]])]
            answer, recall, half_life = RESTATEMENT_PATHS[archetype]
            if half_life is not None:
                recall *= 0.5 ** ((check - FIRST_CHECK_WEEK) / half_life)
            if rng.random() >= answer:
                continue
            day = cal.start + dt.timedelta(weeks=check, days=int(rng.integers(0, 5)))
            if day > last:
                continue
            points = [k for k in range(len(REP_PARAPHRASES)) if rng.random() < recall]
            contradicts: list[int] = []
            if archetype is Archetype.TWO_VOICES and rng.random() < OVERLAY_ECHO:
                points = [k for k in points if k != 1]
                contradicts = [1]
            lines = [str(rng.choice(REP_PARAPHRASES[k])) for k in points]
            if contradicts:
                lines.insert(min(1, len(lines)), str(rng.choice(REP_OVERLAY_ECHOES)))
            if not lines:
                lines = [str(rng.choice(REP_VAGUE))]
            out.append(RestatementSpec(int(org.rep_keys[rep_index]), day, " ".join(lines),
                                       tuple(points), tuple(contradicts)))
    return tuple(out)


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
