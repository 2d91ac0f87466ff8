"""The reps' restatements: when they come, and what their words say they recall."""

from __future__ import annotations

import datetime as dt

import numpy as np

from m3.demo.archetype import Archetype
from m3.demo.organisation import organisation_generate
from m3.demo.restatements import (
    REP_OVERLAY_ECHOES,
    REP_PARAPHRASES,
    REP_VAGUE,
    restatements_generate,
)
from m3.demo.story import Story
from m3.demo.timeline import timeline_until

TODAY = dt.date(2026, 3, 4)  # a Wednesday


def test_restatements_come_on_weekdays_of_the_check_weeks(story: Story) -> None:
    weeks = {(r.date - story.start).days // 7 for r in story.restatements}
    assert weeks == {2, 8, 14}  # from week 2, every 6 weeks, within the 16 weeks
    assert all(r.date.weekday() < 5 and r.date < story.as_of for r in story.restatements)


def test_a_small_org_with_eight_weeks_has_one_check_in_week_2() -> None:
    cal = timeline_until(TODAY, 8)
    org = organisation_generate(np.random.default_rng(1), 12, cal)
    restatements = restatements_generate(np.random.default_rng(2), org, cal)
    check = cal.start + dt.timedelta(weeks=2)
    assert restatements
    assert all(check <= r.date <= check + dt.timedelta(days=4) for r in restatements)
    assert len({r.person for r in restatements}) == len(restatements)
    assert {r.person for r in restatements} <= set(org.rep_keys.tolist())


def test_the_text_carries_exactly_the_points_it_claims(story: Story) -> None:
    for r in story.restatements:
        assert list(r.points) == sorted(set(r.points)) and set(r.points) <= {0, 1, 2, 3}
        for k, wordings in enumerate(REP_PARAPHRASES):
            assert any(w in r.text for w in wordings) is (k in r.points)
        assert any(e in r.text for e in REP_OVERLAY_ECHOES) is (r.contradicts == (1,))
        if not r.points and not r.contradicts:
            assert r.text in REP_VAGUE


def test_only_the_two_voices_team_contradicts_and_then_drops_the_roi_step(story: Story) -> None:
    contradicting = [r for r in story.restatements if r.contradicts]
    assert contradicting
    team = story.team(Archetype.TWO_VOICES)
    for r in contradicting:
        monday = r.date - dt.timedelta(days=r.date.weekday())
        assert r.person in story.members(team, monday)
        assert r.contradicts == (1,) and 1 not in r.points
