"""The leaders' touchpoints: every delivery of the message, when, to whom and in whose words.

`touchpoints_generate` follows each team's archetype: the exemplary and poor-territory managers
reinforce every fortnight with one-to-ones and ride-alongs, steady managers skip some fortnights,
the faded team hears the message once, and the two-voices team's product overlay contradicts it.
Texts are drawn from the leaders' paraphrases of the key points, so the message scoring has real
wording to judge; `fidelity` keeps the truth for the tests.

Channels come from `m3.vocabulary`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from m3.demo.archetype import ARCHETYPES, Archetype
from m3.demo.organisation import COMPANY, Organisation
from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, Timeline
from m3.vocabulary import Channel


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
    Channel.MEETING: (
        "Team, a reminder of how we lead with value.",
        "Let's go over ROI-led discovery again before the week starts.",
        "Quick recap from our team meeting on leading with value.",
    ),
    Channel.EMAIL: (
        "Hi team, a short note on leading with value this week.",
        "Hi all, here is the ROI-led discovery plan for the coming week.",
        "Team, before Monday, a recap of how we run discovery now.",
    ),
    Channel.ONE_TO_ONE: (
        "In our one-to-one we went through your pipeline deal by deal.",
        "We looked at your open deals together in our one-to-one.",
    ),
    Channel.RIDE_ALONG: (
        "After the call we rode along on, a few notes.",
        "Notes from the customer call we joined today.",
    ),
    Channel.VIDEO: (
        "In this short video I walk through ROI-led discovery again.",
        "Recorded walkthrough: how we lead with value, step by step.",
    ),
    Channel.CHAT: ("Reminder for today:", "Quick one before your calls:"),
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


def touchpoints_generate(
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
    add(org.executive, Channel.MEETING, cal.start, "faithful", unit=COMPANY, energy=True)
    for quarter in range(13, weeks, 13):
        add(org.executive, Channel.VIDEO, cal.start + dt.timedelta(weeks=quarter, days=1),
            "faithful", unit=COMPANY, energy=True)
    add(org.enablement, Channel.VIDEO, cal.start + dt.timedelta(days=10), "faithful", unit=COMPANY)

    for t, team in enumerate(org.teams):
        archetype = ARCHETYPES[int(org.team_arch[t])]
        manager = org.managers[t]
        director = org.directors[org.region_of_team[t]]
        kickoff = cal.start + dt.timedelta(days=int(rng.integers(1, 4)))
        if archetype is Archetype.FADED:
            # Heard once, at week 1, and never again.
            add(manager, Channel.MEETING, cal.start + dt.timedelta(days=8), "faithful", unit=team)
            continue
        add(manager, Channel.MEETING, kickoff, "faithful", unit=team,
            energy=archetype is not Archetype.STEADY)
        engaged = archetype in (Archetype.EXEMPLARY, Archetype.POOR_TERRITORY)
        # Summit's manager and director carry the message on cadence: its trouble is the overlay.
        on_cadence = engaged or archetype is Archetype.TWO_VOICES
        skip = 0.0 if on_cadence else 0.3 if archetype is Archetype.STEADY else 0.1
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
        director_skip = 0.0 if on_cadence else 0.25
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
