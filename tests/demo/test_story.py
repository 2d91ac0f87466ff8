"""The demo story: pure, seeded, and each team behaves as its archetype says (docs/demo.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from m3.demo.archetype import Archetype
from m3.demo.story import ACTIVITY_TYPES, PULSE_QUESTIONS, STAGES, Story, story_generate
from m3.errors import InputError
from m3.message.clarity import message_clarity
from m3.message.consistency import text_consistency
from m3.message.encoders import LexicalEncoder
from m3.message.text import CanonicalMessage

TODAY = dt.date(2026, 3, 4)  # a Wednesday
LEVERS = ["meeting", "demo", "proposal"]


def original_members(story: Story, archetype: Archetype) -> set[int]:
    """Reps in the team from before the history until today (no movers, no leaver)."""
    team = story.team(archetype)
    return {m.person for m in story.memberships
            if m.unit == team and m.end is None and m.start < story.history_start}


def week_since_rollout(story: Story, times: pd.Series) -> pd.Series:
    return (times - pd.Timestamp(story.start)).dt.days // 7


def levers_per_rep_week(story: Story, archetype: Archetype, first: int, last: int,
                        column: str = "behaviour") -> float:
    """Meetings + demos + proposals per rep per week in weeks [first, last) since the rollout."""
    reps = original_members(story, archetype)
    acts = story.activities
    week = week_since_rollout(story, acts["occurred_at"])
    mask = (acts["person"].isin(reps) & acts[column].isin(LEVERS) & (week >= first)
            & (week < last))
    return float(mask.sum()) / len(reps) / (last - first)


def opportunities_by_archetype(story: Story) -> pd.DataFrame:
    team = {m.person: m.unit for m in sorted(story.memberships, key=lambda m: m.start)}
    opps = story.opportunities
    return opps.assign(archetype=opps["person"].map(lambda p: story.archetypes[team[p]]))


def test_the_same_seed_gives_the_same_story_and_another_seed_another() -> None:
    first = story_generate(reps=24, weeks=8, seed=3, today=TODAY)
    again = story_generate(reps=24, weeks=8, seed=3, today=TODAY)
    other = story_generate(reps=24, weeks=8, seed=4, today=TODAY)
    pd.testing.assert_frame_equal(first.activities, again.activities)
    pd.testing.assert_frame_equal(first.opportunities, again.opportunities)
    pd.testing.assert_frame_equal(first.pulses, again.pulses)
    assert first.touchpoints == again.touchpoints and first.people == again.people
    assert first.logins == again.logins
    assert len(first.activities) != len(other.activities)


def test_the_rollout_is_weeks_before_the_monday_of_today(story: Story) -> None:
    assert story.as_of == dt.date(2026, 3, 2)
    assert story.start == dt.date(2026, 3, 2) - dt.timedelta(weeks=16)
    assert story.activities["occurred_at"].min() >= pd.Timestamp(story.history_start)
    assert story.activities["occurred_at"].max() < pd.Timestamp(story.as_of)


def test_too_few_reps_or_weeks_are_refused_with_what_to_change() -> None:
    with pytest.raises(InputError, match="at least 12 reps"):
        story_generate(reps=5, today=TODAY)
    with pytest.raises(InputError, match="8-104 weeks"):
        story_generate(weeks=3, today=TODAY)


def test_activity_rates_per_rep_and_week_are_those_of_real_reps(story: Story) -> None:
    acts = story.activities
    pre = acts[acts["occurred_at"] < pd.Timestamp(story.start)]
    per_rep_week = (
        pre.groupby(["person", week_since_rollout(story, pre["occurred_at"]), "behaviour"])
        .size().unstack(fill_value=0).groupby("person").median()
    )
    medians = per_rep_week.median()
    assert 30 <= medians["call"] <= 60 and 40 <= medians["email"] <= 80
    assert 3 <= medians["meeting"] <= 8 and 0 <= medians["demo"] <= 4
    assert 0 <= medians["proposal"] <= 2
    assert set(acts["type"].dropna().unique()) <= set(ACTIVITY_TYPES)


def test_activities_happen_in_business_hours_with_a_few_at_weekends(story: Story) -> None:
    when = story.activities["occurred_at"]
    weekend = when.dt.dayofweek >= 5
    assert 0 < weekend.mean() < 0.05
    assert when[~weekend].dt.hour.between(8, 17).all()


def test_the_exemplary_teams_levers_rise_after_the_rollout_and_beat_the_faded_team(
    story: Story,
) -> None:
    before = levers_per_rep_week(story, Archetype.EXEMPLARY, -8, 0)
    last = levers_per_rep_week(story, Archetype.EXEMPLARY, 8, 16)
    assert last > 1.2 * before
    assert last > levers_per_rep_week(story, Archetype.FADED, 8, 16)


def test_the_faded_teams_levers_lift_for_a_few_weeks_then_decay(story: Story) -> None:
    peak = levers_per_rep_week(story, Archetype.FADED, 0, 3)
    assert peak > levers_per_rep_week(story, Archetype.FADED, -8, 0)
    assert peak > 1.2 * levers_per_rep_week(story, Archetype.FADED, 8, 16)


def test_the_exemplary_teams_output_follows_its_levers(story: Story) -> None:
    opps = opportunities_by_archetype(story)
    won = opps[opps["won"].fillna(False).astype(bool)
               & (opps["archetype"] == Archetype.EXEMPLARY)]
    week = week_since_rollout(story, won["closed_at"])
    assert won.loc[week >= 8, "amount"].sum() > 1.2 * won.loc[week < 0, "amount"].sum()


def test_the_faded_team_hears_the_message_once_at_week_1(story: Story) -> None:
    team = story.team(Archetype.FADED)
    members = {m.person for m in story.memberships if m.unit == team}
    touches = [t for t in story.touchpoints if t.unit == team or t.person in members]
    assert len(touches) == 1
    assert (touches[0].date - story.start).days // 7 == 1


def test_the_two_voices_team_hears_two_leaders_and_the_overlay_contradicts(story: Story) -> None:
    team = story.team(Archetype.TWO_VOICES)
    touches = [t for t in story.touchpoints if t.unit == team]
    assert len({t.leader for t in touches}) >= 2
    overlay = next(ls.person for ls in story.leaders(team) if ls.kind == "overlay")
    manager = next(ls.person for ls in story.leaders(team) if ls.kind == "manager")
    assert {t.fidelity for t in touches if t.leader == overlay} == {"contradicting"}
    assert {t.fidelity for t in touches if t.leader == manager} <= {"faithful", "partial"}


def test_faithful_touchpoints_score_as_consistent_and_the_overlays_do_not(story: Story) -> None:
    spec = story.initiative
    message = CanonicalMessage(spec.why, spec.how, spec.what, spec.key_points)
    encoder = LexicalEncoder()

    def median(fidelity: str) -> float:
        texts = [t.content for t in story.touchpoints if t.fidelity == fidelity][:15]
        return float(np.median([text_consistency(message, t, encoder).consistency
                                for t in texts]))

    assert median("faithful") > median("partial") > median("contradicting")
    assert median("contradicting") < 0.2


def test_the_canonical_message_is_clear() -> None:
    spec = story_generate(reps=12, weeks=8, today=TODAY).initiative
    message = CanonicalMessage(spec.why, spec.how, spec.what, spec.key_points)
    assert message_clarity(message).score >= 80


def test_the_no_lever_reporting_team_does_its_levers_but_logs_them_as_other(
    story: Story,
) -> None:
    reps = original_members(story, Archetype.NO_LEVER_REPORTING)
    theirs = story.activities[story.activities["person"].isin(reps)]
    assert not theirs["type"].isin(LEVERS).any()
    assert theirs["behaviour"].isin(LEVERS).any()
    assert (theirs.loc[theirs["behaviour"].isin(LEVERS), "type"] == "other").all()
    others = story.activities[~story.activities["person"].isin(reps)]
    assert (others["type"] == others["behaviour"]).all()


def test_the_poor_territory_team_wins_less_often_and_smaller_deals(story: Story) -> None:
    opps = opportunities_by_archetype(story)
    closed = opps[opps["closed_at"].notna()]
    win_rate = closed.groupby("archetype")["won"].mean()
    deal = closed.groupby("archetype")["amount"].mean()
    poor = Archetype.POOR_TERRITORY
    assert (win_rate.drop(poor) > win_rate[poor]).all()
    assert (deal.drop(poor) > deal[poor]).all()
    assert levers_per_rep_week(story, poor, 8, 16) > levers_per_rep_week(story, poor, -8, 0)


def test_opportunity_outcomes_stages_and_dates_agree(story: Story) -> None:
    opps = story.opportunities
    closed = opps["closed_at"].notna()
    assert opps.loc[closed, "won"].notna().all() and opps.loc[~closed, "won"].isna().all()
    assert (opps.loc[closed, "closed_at"] > opps.loc[closed, "created_at"]).all()
    assert set(opps.loc[closed, "stage"]) == {"closed_won", "closed_lost"}
    assert (opps.loc[opps["won"].fillna(False).astype(bool), "stage"] == "closed_won").all()
    assert set(opps.loc[~closed, "stage"]) <= set(STAGES[:4])
    assert opps["id"].is_unique and story.activities["id"].is_unique
    assert opps["amount"].between(1_000, 500_000).all() and opps["amount"].median() > 10_000


def test_demos_and_proposals_follow_an_open_opportunity_of_the_same_rep(story: Story) -> None:
    acts = story.activities
    linked = acts[acts["opportunity"].notna()].merge(
        story.opportunities, left_on="opportunity", right_on="id", suffixes=("", "_opp"))
    assert (linked["person"] == linked["person_opp"]).all()
    assert (linked["account"] == linked["account_opp"]).all()
    assert (linked["created_at"] <= linked["occurred_at"]).all()
    still_open = linked["closed_at"].isna() | (linked["closed_at"] > linked["occurred_at"])
    assert still_open.all()
    demos = acts[acts["behaviour"] == "demo"]
    assert demos["opportunity"].notna().mean() > 0.95
    proposals = acts[acts["behaviour"] == "proposal"]
    assert proposals["amount"].notna().mean() > 0.8


def test_pulses_come_weekly_from_about_seventy_percent_of_reps(story: Story) -> None:
    pulses = story.pulses
    assert set(pulses["question"]) == set(PULSE_QUESTIONS)
    assert pulses["score"].between(1, 5).all()
    answered = pulses.groupby(["person", "week"]).ngroups
    assert 0.6 < answered / (60 * 16) < 0.8
    assert (pulses["comment"] != "").any()


def test_pulses_rise_in_the_exemplary_team_and_drop_in_the_faded_one(story: Story) -> None:
    team = {m.person: story.archetypes[m.unit] for m in story.memberships if m.end is None}
    pulses = story.pulses.assign(archetype=story.pulses["person"].map(team),
                                 late=[(w - story.start).days >= 56 for w in story.pulses["week"]])
    mean = pulses.groupby(["archetype", "question", "late"])["score"].mean()
    assert mean[Archetype.EXEMPLARY, "clarity", True] > mean[Archetype.EXEMPLARY, "clarity", False]
    assert mean[Archetype.FADED, "clarity", True] < mean[Archetype.FADED, "clarity", False] - 0.5
    consistency = mean.xs("consistency", level="question").groupby("archetype").mean()
    assert consistency.idxmin() is Archetype.TWO_VOICES


def test_the_initiative_has_key_points_asks_cadence_and_a_rising_forecast(story: Story) -> None:
    spec = story.initiative
    assert len(spec.key_points) == 4
    assert {a.lever_metric: a.target_per_rep_per_week for a in spec.asks} == {
        "meetings": 5, "demos": 2, "proposals": 1}
    assert {c.kind for c in spec.cadence} == {"deliver", "reinforce", "redeliver"}
    values = [v for _, v in spec.forecast]
    assert spec.forecast[0][0] == story.start and all(w.weekday() == 0 for w, _ in spec.forecast)
    assert values[-1] > values[0] > 0


def test_the_story_is_frozen(story: Story) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        story.start = TODAY  # type: ignore[misc]
