"""Message health of a unit in a week: clarity, comprehension, frequency, consistency (pure).

Each part is 0..100 (None when there is nothing to measure it with) and the health score is
half their weighted mean and half the weakest part (see `health_score`), so one failing part
cannot hide behind three good ones. The findings are one plain-English line each ("Not
reinforced for 96 days", "Two leaders disagree on point 2"), most serious first, so a page can
show what is wrong without explanation. `unit_health` and `initiative_health` compute it for
any team and day from `HealthInputs` read once, so a weekly series costs no new read. Formulas
are in the docstrings below and in docs/message.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from m3.findings import Finding
from m3.message.alignment import UnitAlignment, team_supporters, unit_alignment
from m3.message.cadence import DueItem, PlanStep, reach, touches_vs_plan
from m3.message.comprehension import UnitComprehension, unit_comprehension
from m3.message.inputs import HealthInputs
from m3.pulse.levels import PulseLevels
from m3.vocabulary import CadenceKind, PulseQuestion

# Weights of the parts in the health score (renormalised over the parts that exist).
HEALTH_WEIGHTS: dict[str, float] = {
    "clarity": 0.1, "comprehension": 0.3, "frequency": 0.3, "consistency": 0.3,
}
# Weights inside the consistency part.
CONSISTENCY_WEIGHTS: dict[str, float] = {"content": 0.6, "delivery": 0.2, "voices": 0.2}
# A key point fewer than this share of answering reps can state is a finding.
LOW_POINT_SHARE = 0.5
# A recurring step this many days late or less is not yet a finding (the frequency part counts
# it): a reinforcement a couple of days late is noise, weeks late is the story.
GRACE_DAYS = 7
# Health bands for colour: below RED is red, below AMBER amber, else green.
RED, AMBER = 50.0, 70.0
# Windows, in days ending on the day counted: content consistency and comprehension look at a
# quarter (a leader who reinforces monthly still has three touchpoints in it); frequency (touches
# vs plan, reach) at the last four weeks, like the pulses (`m3.pulse.levels.PULSE_WINDOW_DAYS`).
CONSISTENCY_WINDOW_DAYS = 91
COMPREHENSION_WINDOW_DAYS = 91
FREQUENCY_WINDOW_DAYS = 28


class FindingKind(StrEnum):
    """What a health finding is about, most serious first."""

    NOT_DELIVERED = "not_delivered"
    NOT_REINFORCED = "not_reinforced"
    DISAGREEMENT = "disagreement"
    CONTRADICTION = "contradiction"
    SILENT = "silent"
    LOW_COMPREHENSION = "low_comprehension"
    NOT_ANSWERED = "not_answered"

    @property
    def severity(self) -> int:
        """0 is the most serious (the order of the kinds above)."""
        return SEVERITY[self]


SEVERITY = {kind: rank for rank, kind in enumerate(FindingKind)}


@dataclass(frozen=True)
class HealthParts:
    """The four parts of message health, each 0..100 or None."""

    clarity: float | None
    comprehension: float | None
    frequency: float | None
    consistency: float | None

    def as_dict(self) -> dict[str, float | None]:
        """The parts by name."""
        return {"clarity": self.clarity, "comprehension": self.comprehension,
                "frequency": self.frequency, "consistency": self.consistency}


def weighted_mean(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """sum(w_i * v_i) / sum(w_i) over the values that are not None; None if all are None."""
    present = [(weights[name], v) for name, v in values.items() if v is not None]
    total = sum(w for w, _ in present)
    if total == 0:
        return None
    return sum(w * v for w, v in present) / total


def frequency_part(steps: Sequence[tuple[PlanStep, DueItem]]) -> float | None:
    """Frequency, 0..100: is the unit hearing the message as often as the plan says?

    0 while a deliver step is overdue (the message was never delivered); otherwise
    100 * mean over the recurring steps (redeliver, reinforce) of
    max(0, 1 - days_overdue / every_days): on time scores 1, one full interval late scores 0.
    100 when only a delivered deliver step exists; None without a cadence plan.
    """
    if not steps:
        return None
    recurring = []
    for step, item in steps:
        if step.kind is CadenceKind.DELIVER:
            if item.overdue:
                return 0.0
        elif step.kind is CadenceKind.REDELIVER or step.kind is CadenceKind.REINFORCE:
            every = step.every_days or 1
            recurring.append(max(0.0, 1 - item.days_overdue / every))
        else:
            assert_never(step.kind)
    if not recurring:
        return 100.0
    return 100 * sum(recurring) / len(recurring)


def consistency_part(alignment: UnitAlignment, voices: float | None) -> float | None:
    """Consistency, 0..100, of what the unit hears from all its leaders.

    100 * weighted mean (CONSISTENCY_WEIGHTS, renormalised over what exists) of: content (the
    leaders' content consistency, `alignment.content_consistency`), delivery (evenness against
    the plan, `alignment.delivery_consistency`) and voices (the team's answer to "My leaders all
    say the same thing about it.": (mean - 1) / 4).
    """
    mean = weighted_mean({"content": alignment.content, "delivery": alignment.delivery,
                          "voices": voices}, CONSISTENCY_WEIGHTS)
    return None if mean is None else 100 * mean


def comprehension_part(comprehension: UnitComprehension) -> float | None:
    """Comprehension, 0..100: 100 * `UnitComprehension.score` (restatements and clarity pulse)."""
    return None if comprehension.score is None else 100 * comprehension.score


def health_score(parts: HealthParts) -> float | None:
    """Health, 0..100: half the weighted mean of the parts, half the weakest part.

    health = 0.5 * sum(w_p * part_p) / sum(w_p) + 0.5 * min_p(part_p), over the parts that exist
    (HEALTH_WEIGHTS: clarity 0.1, comprehension 0.3, frequency 0.3, consistency 0.3). The
    minimum is there because a message fails on its weakest part: a clear message that nobody
    repeats, or that two leaders tell differently, does not land however good the rest is.
    None when no part exists.
    """
    mean = weighted_mean(parts.as_dict(), HEALTH_WEIGHTS)
    if mean is None:
        return None
    weakest = min(v for v in parts.as_dict().values() if v is not None)
    return 0.5 * mean + 0.5 * weakest


def band(value: float | None) -> str:
    """"red", "amber", "green" or "none" for a 0..100 value (RED and AMBER thresholds)."""
    if value is None:
        return "none"
    return "red" if value < RED else "amber" if value < AMBER else "green"


def _points(numbers: Sequence[int]) -> str:
    if len(numbers) == 1:
        return f"point {numbers[0]}"
    return "points " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[:limit - 1].rstrip() + "…") + "”"


def unit_findings(
    steps: Sequence[tuple[PlanStep, DueItem]],
    alignment: UnitAlignment,
    comprehension: UnitComprehension,
    names: Mapping[int, str],
    as_of: dt.date,
    clock_start: dt.date,
) -> tuple[Finding[FindingKind], ...]:
    """The unit's findings, most serious first; each is one line that needs no explanation.

    `clock_start` is when reinforcement could first have been due (first delivery, else the
    initiative's start): "Not reinforced for N days" counts from the last reinforcing touch, or
    from it when there was none.
    """
    found: list[Finding[FindingKind]] = []
    for step, item in steps:
        if not item.overdue or (step.kind is not CadenceKind.DELIVER
                                and item.days_overdue <= GRACE_DAYS):
            continue
        if step.kind is CadenceKind.DELIVER:
            found.append(Finding(FindingKind.NOT_DELIVERED,
                                 f"Message never delivered ({item.days_overdue} days late)"))
        elif step.kind is CadenceKind.REINFORCE or step.kind is CadenceKind.REDELIVER:
            since = (as_of - (item.last_touch or clock_start)).days
            verb = "reinforced" if step.kind is CadenceKind.REINFORCE else "redelivered"
            found.append(Finding(FindingKind.NOT_REINFORCED, f"Not {verb} for {since} days",
                                 days=since))
        else:
            assert_never(step.kind)
    disagreeing = set()
    for d in alignment.disagreements:
        disagreeing.add((d.contradicting_leader, d.key_point))
        found.append(Finding(
            FindingKind.DISAGREEMENT,
            f"Two leaders disagree on point {d.key_point}: {names.get(d.contradicting_leader, '?')}"
            f" says {_quote(d.quote)}",
            key_point=d.key_point,
        ))
    for lead in alignment.leaders:
        for k, quote in enumerate(lead.contradictions, start=1):
            if quote and (lead.leader_id, k) not in disagreeing:
                found.append(Finding(
                    FindingKind.CONTRADICTION,
                    f"{names.get(lead.leader_id, '?')} contradicts point {k}: {_quote(quote)}",
                    key_point=k,
                ))
        silent = [k for k in lead.silent_points() if not lead.contradictions[k - 1]]
        if silent:
            found.append(Finding(FindingKind.SILENT,
                                 f"{names.get(lead.leader_id, '?')} never mentions "
                                 f"{_points(silent)}", key_point=silent[0]))
    low = [(share, k) for k, share in enumerate(comprehension.point_share, start=1)
           if share is not None and share < LOW_POINT_SHARE]
    if low:
        share, k = min(low)
        found.append(Finding(FindingKind.LOW_COMPREHENSION,
                             f"Only {share:.0%} of reps can state point {k}", key_point=k))
    if comprehension.not_answered and comprehension.members:
        found.append(Finding(
            FindingKind.NOT_ANSWERED,
            f"{len(comprehension.not_answered)} of {len(comprehension.members)} reps have not "
            "restated the message",
        ))
    return tuple(sorted(found, key=lambda f: (f.kind.severity, -f.days)))


@dataclass(frozen=True)
class UnitHealthRow:
    """One unit's message health on a day, with what it rests on."""

    unit_id: int
    name: str
    members: tuple[int, ...]
    parts: HealthParts
    health: float | None
    findings: tuple[Finding[FindingKind], ...]
    alignment: UnitAlignment
    comprehension: UnitComprehension
    pulse: PulseLevels  # the team's pulse levels, 0..1 each
    last_touch: dt.date | None
    days_since_touch: int | None
    days_since_reinforcement: int | None
    touches_vs_plan: float | None
    reach: float | None

    @property
    def energy(self) -> float | None:
        """Team-rated leaders' energy and ownership, 0..1 (the energy pulse level)."""
        return self.pulse.energy

    @property
    def voices(self) -> float | None:
        """Team-rated "my leaders all say the same thing", 0..1 (the consistency pulse level)."""
        return self.pulse.consistency


def _days_before(day: dt.date, window_days: int) -> dt.date:
    """The first day of the `window_days`-day window that ends on `day`."""
    return day - dt.timedelta(days=window_days - 1)


def unit_health(inputs: HealthInputs, unit_id: int, as_of: dt.date) -> UnitHealthRow | None:
    """The message health of one team on `as_of`, from the rows dated up to that day; None when
    the unit is outside the initiative or has no members that day (it is not a team then).

    On `as_of`, with the team's members and leaders that day and the touchpoints up to it that
    reached the team (addressed to it, to a unit above it, or to one of its members):
      clarity = the canonical message's clarity score;
      comprehension = `comprehension_part` of the members' latest restatements in the last
        COMPREHENSION_WINDOW_DAYS days and their clarity pulse;
      frequency = `frequency_part` of the plan's steps on `as_of` (`HealthInputs.due_on`);
      consistency = `consistency_part` of the leaders' scored touchpoints in the last
        CONSISTENCY_WINDOW_DAYS days and the team's "my leaders all say the same thing" pulse;
      health = `health_score` of the four; findings = `unit_findings`.
    Alongside: days since the last touch and since the last reinforcement (from the first touch,
    else the initiative's start, when there was none), touches vs plan (mean over the recurring
    steps) and reach, both over the last FREQUENCY_WINDOW_DAYS days.
    """
    members = inputs.members_on(unit_id, as_of) if unit_id in inputs.scope_unit_ids else ()
    if not members:
        return None
    n_points = len(inputs.key_points)
    carriers = inputs.carriers_on(unit_id, as_of)
    touches = inputs.touches_reaching(unit_id, members, as_of)
    steps = inputs.due_on(unit_id, carriers, touches, as_of)
    consistency_from = _days_before(as_of, CONSISTENCY_WINDOW_DAYS)
    frequency_from = _days_before(as_of, FREQUENCY_WINDOW_DAYS)
    scored = [t.score for t in touches if t.score is not None and t.date >= consistency_from]
    alignment = unit_alignment(unit_id, team_supporters(carriers, inputs.steps), scored,
                               n_points, CONSISTENCY_WINDOW_DAYS)
    comprehension = unit_comprehension(
        members, inputs.restatements_of(members),
        inputs.pulses.scores(members, PulseQuestion.CLARITY, as_of), n_points,
        _days_before(as_of, COMPREHENSION_WINDOW_DAYS), as_of,
    )
    pulse = inputs.pulses.levels(members, as_of)
    parts = HealthParts(
        clarity=float(inputs.clarity.score),
        comprehension=comprehension_part(comprehension),
        frequency=frequency_part(steps),
        consistency=consistency_part(alignment, pulse.consistency),
    )
    last_touch = touches[-1].date if touches else None
    # The clock of "not reinforced for N days" starts at the team's first touch of any kind.
    clock = touches[0].date if touches else inputs.start
    reinforce = next((item for step, item in steps if step.kind is CadenceKind.REINFORCE), None)
    last_reinforced = (reinforce.last_touch or clock) if reinforce else None
    cadence = [t.touch for t in touches]
    plan = [touches_vs_plan(cadence, unit_id, item.carriers, step.every_days or 1,
                            frequency_from, as_of)
            for step, item in steps if step.every_days]
    return UnitHealthRow(
        unit_id=unit_id, name=inputs.unit_name(unit_id), members=members, parts=parts,
        health=health_score(parts),
        findings=unit_findings(steps, alignment, comprehension, inputs.names, as_of, clock),
        alignment=alignment, comprehension=comprehension, pulse=pulse, last_touch=last_touch,
        days_since_touch=(as_of - last_touch).days if last_touch else None,
        days_since_reinforcement=(as_of - last_reinforced).days if last_reinforced else None,
        touches_vs_plan=sum(plan) / len(plan) if plan else None,
        reach=reach(cadence, unit_id, members, frequency_from, as_of),
    )


def initiative_health(inputs: HealthInputs, as_of: dt.date,
                      unit_ids: Collection[int] | None = None) -> tuple[UnitHealthRow, ...]:
    """The health of every team on `as_of` (only those in `unit_ids` when given), least healthy
    first (a team with no health last), then by name."""
    rows = [row for team in inputs.teams_on(as_of)
            if unit_ids is None or team in unit_ids
            if (row := unit_health(inputs, team, as_of)) is not None]
    return tuple(sorted(rows, key=lambda r: (r.health if r.health is not None else 101, r.name)))
