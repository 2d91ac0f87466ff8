"""The reps' restatements: the message in their own words at the comprehension checks.

`restatements_generate` has every rep restate the message every few weeks from week 2; which
key points they recall follows their team's archetype (`RESTATEMENT_PATHS`): the faded team's
recall halves every few weeks, and some two-voices reps echo the overlay instead of the ROI step.
`points` and `contradicts` keep the truth for the tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from m3.demo.archetype import ARCHETYPES, Archetype
from m3.demo.organisation import Organisation
from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, Timeline


@dataclass(frozen=True)
class RestatementSpec:
    """A rep's restatement of the message; `points` are the key points (0-based) it carries and
    `contradicts` those it states the opposite of (the truth, for tests)."""

    person: int
    date: dt.date
    text: str
    points: tuple[int, ...]
    contradicts: tuple[int, ...] = ()


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


def restatements_generate(
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
