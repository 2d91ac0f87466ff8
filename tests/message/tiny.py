"""A tiny, exact world for the pure message tests, as `HealthInputs` built by hand.

Units: Company (1) > North (2) > Team A (3), Team B (4); South (5) is outside the initiative.
Leaders: Mia (10) manages Team A, Max (11) Team B, Dan (12) directs North. Reps: Rae (20) and
Ray (21) in Team A, Bea (22) in Team B. The plan: deliver by day 7, reinforce every 14 days,
both by the manager. Touchpoints (day: who → audience, score):
  day 2: Mia → Team A, carries both key points (0.8);
  day 3: Max → Bea (a one-to-one), carries neither (0.0);
  day 5: Dan → North (both teams), carries point 1 and contradicts point 2 ("skip it") (0.2);
  day 30: Mia → Team A, not scored (no content).
Rae restates point 1 on day 10; Rae answers "my leaders all say the same thing" 3 and Ray
"I can explain what we are doing" 5, in the first week.
"""

from __future__ import annotations

import datetime as dt

from m3.message.alignment import ScoredTouch
from m3.message.cadence import PlanStep, Touch
from m3.message.comprehension import RepRestatement
from m3.message.inputs import HealthInputs, Span, TouchRecord
from m3.message.text import CanonicalMessage
from m3.pulse.levels import PulseHistory, PulseScore
from m3.vocabulary import CadenceKind, PulseQuestion

START = dt.date(2026, 1, 5)  # a Monday
COMPANY, NORTH, TEAM_A, TEAM_B, SOUTH = 1, 2, 3, 4, 5
MIA, MAX, DAN, RAE, RAY, BEA = 10, 11, 12, 20, 21, 22
MESSAGE = CanonicalMessage(
    why="Buyers cut budgets; only a quantified case gets signed.",
    how="Open every discovery with the ROI calculator.",
    what="Run two ROI demos a week and send a proposal with the number in it.",
    key_points=("Use the ROI calculator", "Put the number in the proposal"),
    asks=(),
)
DELIVER = PlanStep(CadenceKind.DELIVER, frozenset({"manager"}), due=START + dt.timedelta(days=7))
REINFORCE = PlanStep(CadenceKind.REINFORCE, frozenset({"manager"}), every_days=14)
BELOW = {COMPANY: frozenset({1, 2, 3, 4, 5}), NORTH: frozenset({2, 3, 4}),
         TEAM_A: frozenset({3}), TEAM_B: frozenset({4})}


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def touch(pk: int, leader: int, n: int, *, unit: int | None = None, person: int | None = None,
          score: tuple[float, tuple[bool, ...], tuple[str | None, ...]] | None = None
          ) -> TouchRecord:
    scored = None if score is None else ScoredTouch(pk, leader, day(n), *score)
    return TouchRecord(pk, Touch(leader, day(n), BELOW[unit] if unit else frozenset(), person),
                       unit, scored)


TOUCHES = (
    touch(1, MIA, 2, unit=TEAM_A, score=(0.8, (True, True), (None, None))),
    touch(2, MAX, 3, person=BEA, score=(0.0, (False, False), (None, None))),
    touch(3, DAN, 5, unit=NORTH, score=(0.2, (True, False), (None, "skip it"))),
    touch(4, MIA, 30, unit=TEAM_A),
)


def tiny_inputs(**changes: object) -> HealthInputs:
    """The tiny world's inputs; keyword arguments replace fields."""
    fields: dict[str, object] = dict(
        initiative_id=1, title="Lead with value", start=START, message=MESSAGE,
        steps=(DELIVER, REINFORCE),
        scope_unit_ids=frozenset({NORTH, TEAM_A, TEAM_B}),
        chains={NORTH: (NORTH, COMPANY), TEAM_A: (TEAM_A, NORTH, COMPANY),
                TEAM_B: (TEAM_B, NORTH, COMPANY)},
        unit_names={NORTH: "North", TEAM_A: "Team A", TEAM_B: "Team B"},
        memberships=(Span(TEAM_A, RAE, START, None), Span(TEAM_A, RAY, START, None),
                     Span(TEAM_B, BEA, START, None)),
        leaderships=(Span(NORTH, DAN, START, None, "director"),
                     Span(TEAM_A, MIA, START, None, "manager"),
                     Span(TEAM_B, MAX, START, None, "manager")),
        touches=TOUCHES,
        restatements=(RepRestatement(1, RAE, day(10), 0.5, (True, False)),),
        pulses=PulseHistory((PulseScore(RAE, START, PulseQuestion.CONSISTENCY, 3),
                             PulseScore(RAY, START, PulseQuestion.CLARITY, 5))),
        names={MIA: "Mia", MAX: "Max", DAN: "Dan", RAE: "Rae", RAY: "Ray", BEA: "Bea"},
    )
    fields.update(changes)
    return HealthInputs(**fields)  # type: ignore[arg-type]
