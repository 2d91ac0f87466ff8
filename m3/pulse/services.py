"""Writes for pulses: a rep answers this week's questions for an initiative they are part of.

Who may answer is the rep's `Scope` (`Scope.pulse_problem`): reps only, for an initiative that
covers their unit that week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from m3.errors import AccessDenied, InputError
from m3.initiatives.models import Initiative
from m3.initiatives.selectors import initiative_unit_ids
from m3.jobs.services import state_refresh_enqueue
from m3.org.models import Person
from m3.org.scope import scope_for_person
from m3.pulse.models import PulseResponse
from m3.vocabulary import PulseQuestion

MAX_COMMENT_CHARS = 2_000


@dataclass(frozen=True)
class PulseAnswers:
    """One rep's answers for one ISO week: question → score 1–5, and optional comments."""

    initiative_id: int
    person_id: int
    week: dt.date
    scores: Mapping[str, int]
    comments: Mapping[str, str]


@dataclass(frozen=True)
class PulseProblem:
    """One problem with a week's answers: the question it is about ("" for the week as a
    whole; `comment` when it is that question's comment) and what to change."""

    question: str
    text: str
    comment: bool = False


def pulse_problems(data: PulseAnswers) -> list[PulseProblem]:
    """Everything wrong with the answers, each at its question and saying what to change."""
    problems = []
    if data.week.weekday() != 0:
        problems.append(PulseProblem("", "The week must be a Monday (the start of the ISO "
                                     "week)."))
    if not data.scores:
        problems.append(PulseProblem("", "Answer at least one question."))
    for question, score in data.scores.items():
        if question not in PulseQuestion.values:
            problems.append(PulseProblem(question, f"Unknown question {question!r}; use one of "
                                         f"{', '.join(PulseQuestion.values)}."))
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            problems.append(PulseProblem(question, f"The answer to {question!r} must be 1 to 5 "
                                         f"(got {score!r})."))
    for question, comment in data.comments.items():
        if question not in data.scores:
            problems.append(PulseProblem(question, f"A comment on {question!r} needs an answer "
                                         "to that question.", comment=True))
        if len(comment) > MAX_COMMENT_CHARS:
            problems.append(PulseProblem(question, f"The comment on {question!r} is longer than "
                                         f"{MAX_COMMENT_CHARS:,} characters: shorten it.",
                                         comment=True))
    return problems


def pulse_week_problem(initiative: Initiative, week: dt.date) -> str | None:
    """Why the initiative takes no pulse for the ISO week starting `week`; None when it does."""
    if not initiative.start - dt.timedelta(days=6) <= week <= initiative.end:
        return f"{initiative.title} is not running in the week of {week}."
    return None


@transaction.atomic
def pulse_answer(data: PulseAnswers) -> tuple[int, int]:
    """Store the week's answers, replacing any given before. Returns (added, updated)."""
    problems = pulse_problems(data)
    if problems:
        raise InputError(" ".join(p.text for p in problems))
    person = Person.objects.filter(pk=data.person_id).first()
    initiative = Initiative.objects.filter(pk=data.initiative_id).first()
    if person is None or initiative is None:
        raise AccessDenied("The person or the initiative does not exist.")
    denied = scope_for_person(person, data.week).pulse_problem(
        data.week, initiative_unit_ids(initiative), initiative.title)
    if denied:
        raise AccessDenied(denied)
    not_running = pulse_week_problem(initiative, data.week)
    if not_running:
        raise AccessDenied(not_running)
    added = updated = 0
    # Answering again replaces the whole week: questions left out this time are withdrawn.
    PulseResponse.objects.filter(
        initiative_id=data.initiative_id, person_id=data.person_id, week=data.week
    ).exclude(question__in=list(data.scores)).delete()
    for question, score in data.scores.items():
        comment = data.comments.get(question, "").strip()
        _, created = PulseResponse.objects.update_or_create(
            initiative_id=data.initiative_id, person_id=data.person_id, week=data.week,
            question=question, defaults={"score": score, "comment": comment},
        )
        added, updated = added + int(created), updated + int(not created)
    state_refresh_enqueue(f"pulse of person {data.person_id}", initiative_id=initiative.pk,
                          since=data.week)
    return added, updated
