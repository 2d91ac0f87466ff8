"""The demo organisation: its unit tree, people, dated memberships and leaderships, and logins.

`organisation_generate` makes a company of regions of teams (the five special teams first, see
`archetype`), its executive, enablement lead, product overlay, directors and managers, and reps
split evenly over the teams; two reps move and one leaves mid-period so the org's history matters.
Besides the specs it returns the arrays the simulations read: each rep's team per week.

Roles and leader kinds come from `m3.vocabulary` (enums whose values are the strings stored).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from m3.demo.archetype import ARCH_INDEX, SPECIAL_TEAMS, Archetype
from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, Timeline
from m3.vocabulary import LeadershipKind, Role

COMPANY = "Atlas Systems"
EMAIL_DOMAIN = "demo.m3"
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class UnitSpec:
    """A unit of the tree; `archetype` is set on teams only."""

    name: str
    parent: str | None
    level: str  # company, region, team
    archetype: Archetype | None = None


@dataclass(frozen=True)
class PersonSpec:
    """A person; `key` is their index in `Story.people`, used by the frames' `person` column."""

    key: int
    name: str
    email: str
    role: str  # admin, executive, leader, rep
    crm_id: str | None
    active: bool = True


@dataclass(frozen=True)
class MembershipSpec:
    """A rep in a team from `start` until `end` (exclusive; open when None)."""

    person: int
    unit: str
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class LeadershipSpec:
    """A leader of a unit in a kind (manager, director, overlay, enablement)."""

    person: int
    unit: str
    kind: str
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class LoginSpec:
    """A demo login: the role it shows, the person and a password derived from the seed."""

    role: str
    person: int
    password: str


FIRST_NAMES = tuple(
    """Maya Liam Olivia Noah Ava Ethan Sofia Lucas Amelia Mason Isla Leo Chloe Arjun Zoe Mateo
    Hannah Kai Priya Owen Grace Diego Nora Samuel Leila Jonas Aisha Felix Ruby Tomas Mia Omar
    Elena Caleb Yara Hugo Freya Ravi Lena Marcus Ines Theo Julia Victor Emma Rafael Clara Daniel
    Sara Adrian Naomi Jasper Eva Malik Alice Bruno Chiara Kenji Rosa Idris""".split()
)
LAST_NAMES = tuple(
    """Chen Patel Garcia Novak Okafor Schmidt Rossi Nakamura Kowalski Silva Murphy Larsen Haddad
    Dubois Andersen Kim Moreau Fischer Costa Ibrahim Walsh Jensen Romero Sato Bauer Mendes Quinn
    Lindqvist Adeyemi Horvat Russo Petrov Duarte Nguyen Becker Oliveira Byrne Tanaka Kaur Weber
    Santos Fernandes Hughes Varga Morales Eriksen Yilmaz Costello Brennan Rahman Vogel Marino
    Holm Alvarez Keller Ward Ortiz Lund Reyes Grant""".split()
)
TEAM_WORDS = tuple(
    """Aurora Beacon Cedar Falcon Granite Juniper Lighthouse Meadow Orchard Pioneer Redwood Sierra
    Tidewater Willow Alder Bluebird Canyon Dune Evergreen Fjord Glacier Horizon Iris Jasper
    Kestrel Lagoon Maple Nova Onyx Prairie Quartz Raven Sequoia Timber Upland Vista Wren Yarrow
    Zephyr Birch Comet Driftwood Echo Fern Grove Hawthorn Indigo Kite Lantern Mesa Nimbus Oak
    Pebble Ridge Saffron Thistle Valley Wharf""".split()
)
REGION_WORDS = ("North", "Central", "South", "East", "West", "Coastal", "Highlands", "Lakes",
                "Plains", "Capital", "Valley", "Metro")


@dataclass(frozen=True)
class Organisation:
    """The org as specs, plus the (rep, week) arrays and key people the simulations read."""

    units: tuple[UnitSpec, ...]
    people: tuple[PersonSpec, ...]
    memberships: tuple[MembershipSpec, ...]
    leaderships: tuple[LeadershipSpec, ...]
    teams: tuple[str, ...]
    team_arch: np.ndarray  # archetype index per team
    team_of: np.ndarray  # (reps, weeks): team index, -1 when not a member
    rep_keys: np.ndarray  # person key per rep index
    managers: tuple[int, ...]  # person key per team
    directors: dict[str, int]  # region -> person key
    region_of_team: tuple[str, ...]
    executive: int
    enablement: int
    overlay: int


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct person names; middle initials only once first x last names run out."""
    n_first, n_last = len(FIRST_NAMES), len(LAST_NAMES)
    plain = n_first * n_last
    picks = rng.choice(plain if n <= plain else plain * 27, size=n, replace=False)
    names = []
    for pick in picks.tolist():
        initial, rest = divmod(pick, plain)
        first, last = FIRST_NAMES[rest // n_last], LAST_NAMES[rest % n_last]
        names.append(f"{first} {chr(64 + initial)}. {last}" if initial else f"{first} {last}")
    return names


def _email(name: str) -> str:
    return ".".join(part.strip(".").lower() for part in name.split()) + f"@{EMAIL_DOMAIN}"


def _crm_id(key: int) -> str:
    # Salesforce user ids start with 005 and are 15 characters long.
    return f"005Dm{key:010d}"


def organisation_generate(rng: np.random.Generator, reps: int, cal: Timeline) -> Organisation:
    """A company of regions of teams, its leaders, and reps who move, leave and stay."""
    n_teams = max(6, round(reps / 10))
    n_regions = max(3, round(n_teams / 4))
    regions = [
        f"{REGION_WORDS[i]} Region" if i < len(REGION_WORDS) else f"Region {i + 1}"
        for i in range(n_regions)
    ]
    # The five special teams come first, so round-robin spreads them over the regions.
    specials = list(SPECIAL_TEAMS.items())
    teams: list[str] = [name for _, name in specials]
    archs: list[Archetype] = [arch for arch, _ in specials]
    for i in range(n_teams - len(specials)):
        word = TEAM_WORDS[i % len(TEAM_WORDS)]
        round_ = i // len(TEAM_WORDS)
        teams.append(f"Team {word}" + (f" {round_ + 1}" if round_ else ""))
        archs.append(Archetype.STEADY)
    region_of_team = tuple(regions[i % n_regions] for i in range(n_teams))
    units = (
        UnitSpec(COMPANY, None, "company"),
        *(UnitSpec(r, COMPANY, "region") for r in regions),
        *(UnitSpec(t, region_of_team[i], "team", archs[i]) for i, t in enumerate(teams)),
    )

    # People: admin, executive, enablement, overlay, directors, managers, then reps.
    n_leaders = 3 + n_regions + n_teams
    names = _names(rng, n_leaders + reps)
    people: list[PersonSpec] = [PersonSpec(0, "Demo Admin", ADMIN_EMAIL, Role.ADMIN, None)]
    for i, name in enumerate(names):
        key = i + 1
        role = Role.EXECUTIVE if key == 1 else Role.LEADER if key <= n_leaders else Role.REP
        people.append(PersonSpec(key, name, _email(name), role, _crm_id(key)))
    executive, enablement, overlay = 1, 2, 3
    directors = {r: 4 + i for i, r in enumerate(regions)}
    managers = tuple(4 + n_regions + i for i in range(n_teams))
    rep_keys = np.arange(n_leaders + 1, n_leaders + 1 + reps)

    long_ago = cal.sim_start - dt.timedelta(days=400)
    leaderships = [
        LeadershipSpec(executive, COMPANY, LeadershipKind.DIRECTOR, long_ago),
        LeadershipSpec(enablement, COMPANY, LeadershipKind.ENABLEMENT, long_ago),
        LeadershipSpec(overlay, SPECIAL_TEAMS[Archetype.TWO_VOICES], LeadershipKind.OVERLAY,
                       cal.start - dt.timedelta(days=60)),
        *(LeadershipSpec(directors[r], r, LeadershipKind.DIRECTOR, long_ago) for r in regions),
        *(LeadershipSpec(managers[i], t, LeadershipKind.MANAGER, long_ago)
          for i, t in enumerate(teams)),
    ]

    # Reps split evenly over teams; hire dates before the simulation so every week is worked.
    team_of_rep = np.repeat(np.arange(n_teams), [len(a) for a in np.array_split(range(reps),
                                                                                  n_teams)])
    hired = [cal.sim_start - dt.timedelta(days=int(d)) for d in rng.integers(7, 900, size=reps)]
    team_of = np.repeat(team_of_rep[:, None], cal.n_weeks, axis=1)
    memberships: list[MembershipSpec] = []
    moves: dict[int, tuple[int, int]] = {}  # rep -> (week it moves, new team)
    ends: dict[int, int] = {}  # rep -> week it leaves
    weeks = cal.n_weeks - BURN_IN_WEEKS - PRE_WEEKS
    rollout = BURN_IN_WEEKS + PRE_WEEKS
    steady = [i for i, a in enumerate(archs) if a is Archetype.STEADY]
    by_team = [np.flatnonzero(team_of_rep == t).tolist() for t in range(n_teams)]
    faded = archs.index(Archetype.FADED)
    # Two moves and one leaver, mid-period, so the org history matters to every selector.
    moves[by_team[steady[0]][0]] = (rollout + weeks // 2, archs.index(Archetype.EXEMPLARY))
    moves[by_team[faded][-1]] = (rollout + round(weeks * 0.6), steady[-1])
    leaver_team = steady[-1] if len(by_team[steady[-1]]) >= 3 else archs.index(
        Archetype.TWO_VOICES)
    ends[by_team[leaver_team][-2]] = rollout + round(weeks * 0.35)
    for r in range(reps):
        key = int(rep_keys[r])
        team = int(team_of_rep[r])
        if r in moves:
            week, new_team = moves[r]
            moved = cal.monday(week)
            memberships.append(MembershipSpec(key, teams[team], hired[r], moved))
            memberships.append(MembershipSpec(key, teams[new_team], moved))
            team_of[r, week:] = new_team
        elif r in ends:
            left = cal.monday(ends[r])
            memberships.append(MembershipSpec(key, teams[team], hired[r], left))
            team_of[r, ends[r]:] = -1
            people[key] = PersonSpec(key, people[key].name, people[key].email, Role.REP,
                                     people[key].crm_id, active=False)
        else:
            memberships.append(MembershipSpec(key, teams[team], hired[r]))
    return Organisation(
        units=units,
        people=tuple(people),
        memberships=tuple(memberships),
        leaderships=tuple(leaderships),
        teams=tuple(teams),
        team_arch=np.array([ARCH_INDEX[a] for a in archs]),
        team_of=team_of,
        rep_keys=rep_keys,
        managers=managers,
        directors=directors,
        region_of_team=region_of_team,
        executive=executive,
        enablement=enablement,
        overlay=overlay,
    )


def logins_generate(rng: np.random.Generator, org: Organisation) -> tuple[LoginSpec, ...]:
    """The demo logins: admin, executive, two managers (exemplary, two voices) and a rep."""
    # Four digits from the seed keep the passwords stable across runs yet not guessable.
    digits = rng.integers(1000, 10_000, size=5)
    exemplary_team = org.teams.index(SPECIAL_TEAMS[Archetype.EXEMPLARY])
    two_voices_team = org.teams.index(SPECIAL_TEAMS[Archetype.TWO_VOICES])
    first_rep = int(org.rep_keys[np.flatnonzero(org.team_of[:, -1] == exemplary_team)[0]])
    return (
        LoginSpec(Role.ADMIN, 0, f"demo-admin-{digits[0]}"),
        LoginSpec(Role.EXECUTIVE, org.executive, f"demo-executive-{digits[1]}"),
        LoginSpec(Role.LEADER, org.managers[exemplary_team], f"demo-leader-{digits[2]}"),
        LoginSpec(Role.REP, first_rep, f"demo-rep-{digits[3]}"),
        LoginSpec(Role.LEADER, org.managers[two_voices_team], f"demo-leader-{digits[4]}"),
    )
