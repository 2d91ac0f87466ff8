"""The reps' weekly pulses: four questions scored 1-5, from about 70% of reps since the rollout.

`pulses_generate` draws each answer around its team archetype's path for the question
(`PULSE_PATHS`: the level at the rollout, the level reached and how fast), plus a per-rep bias
and noise; a few answers carry a comment that fits their score.

Questions are plain strings, the values of m3.pulse.models.PulseQuestion: the demo must not
import Django models.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from m3.demo.archetype import ARCHETYPES, Archetype
from m3.demo.organisation import Organisation
from m3.demo.timeline import BURN_IN_WEEKS, PRE_WEEKS, Timeline
from m3.vocabulary import PulseQuestion

PULSE_QUESTIONS = tuple(PulseQuestion.values)
PULSE_RESPONSE_RATE = 0.7

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


def pulses_generate(rng: np.random.Generator, org: Organisation, cal: Timeline) -> pd.DataFrame:
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
