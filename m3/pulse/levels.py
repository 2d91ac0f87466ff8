"""Pulse levels: how a group of reps answers each pulse question over recent weeks (pure).

A pulse answer is a 1–5 Likert score by one rep to one question in one ISO week. A question's
**level** for a group is (mean answer - 1) / 4, so 0 is "strongly disagree" by everyone and 1
"strongly agree" by everyone; it counts the answers of the group's reps in the last
PULSE_WINDOW_DAYS days (the weeks whose Monday falls in the window), and is None when nobody in
the group answered. Message health reads the clarity, consistency and energy levels of each
team; formulas are in docs/message.md.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from m3.vocabulary import PulseQuestion

# Pulse levels look at the last four weeks: long enough for most reps to have answered, short
# enough to move when the team's mood does.
PULSE_WINDOW_DAYS = 28


@dataclass(frozen=True)
class PulseScore:
    """One rep's answer to one question in one ISO week (`week` is its Monday)."""

    person_id: int
    week: dt.date
    question: PulseQuestion
    score: int


@dataclass(frozen=True)
class PulseLevels:
    """Each question's level for one group of reps on one day, 0..1 (None without answers)."""

    clarity: float | None
    consistency: float | None
    confidence: float | None
    energy: float | None


def pulse_level(scores: Sequence[int]) -> float | None:
    """A Likert question's level, 0..1: (mean score - 1) / 4; None without answers."""
    if not scores:
        return None
    return (float(np.mean(scores)) - 1) / 4


@dataclass(frozen=True)
class PulseHistory:
    """Every pulse answer of an initiative that was read, indexed by rep and question.

    Built once from the answers; `scores` and `levels` then answer for any group and day
    without scanning the other reps' answers, so a weekly series costs no new read.
    """

    answers: tuple[PulseScore, ...]
    # (rep, question) -> (weeks ascending, the scores of those weeks)
    _by_key: Mapping[tuple[int, PulseQuestion], tuple[tuple[dt.date, ...], tuple[int, ...]]] = (
        field(init=False, repr=False, compare=False))

    def __post_init__(self) -> None:
        rows: dict[tuple[int, PulseQuestion], list[tuple[dt.date, int]]] = {}
        for answer in self.answers:
            rows.setdefault((answer.person_id, answer.question), []).append(
                (answer.week, answer.score))
        index = {}
        for key, answered in rows.items():
            answered.sort()
            index[key] = (tuple(w for w, _ in answered), tuple(s for _, s in answered))
        # Frozen: the index is derived here, once, and never assigned afterwards.
        object.__setattr__(self, "_by_key", index)

    def scores(self, person_ids: Iterable[int], question: PulseQuestion, as_of: dt.date,
               window_days: int = PULSE_WINDOW_DAYS) -> list[int]:
        """The answers of `person_ids` to `question` for weeks in (as_of - window_days, as_of]."""
        since = as_of - dt.timedelta(days=window_days)
        found: list[int] = []
        for person_id in person_ids:
            weeks, scores = self._by_key.get((person_id, question), ((), ()))
            # Weeks are sorted, so the window is one slice: after `since`, up to `as_of`.
            lo, hi = bisect.bisect_right(weeks, since), bisect.bisect_right(weeks, as_of)
            found.extend(scores[lo:hi])
        return found

    def level(self, person_ids: Iterable[int], question: PulseQuestion,
              as_of: dt.date) -> float | None:
        """`pulse_level` of the group's answers to `question` in the window ending `as_of`."""
        return pulse_level(self.scores(person_ids, question, as_of))

    def levels(self, person_ids: Iterable[int], as_of: dt.date) -> PulseLevels:
        """Every question's level for the group on `as_of`."""
        people = list(person_ids)
        return PulseLevels(
            clarity=self.level(people, PulseQuestion.CLARITY, as_of),
            consistency=self.level(people, PulseQuestion.CONSISTENCY, as_of),
            confidence=self.level(people, PulseQuestion.CONFIDENCE, as_of),
            energy=self.level(people, PulseQuestion.ENERGY, as_of),
        )
