"""The demo's CRM facts: activity rates, lever lifts per archetype, opportunities, links."""

from __future__ import annotations

import pandas as pd

from m3.demo.archetype import Archetype
from m3.demo.facts import ACTIVITY_TYPES, STAGES
from m3.demo.story import Story

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
    # against the weeks just before the rollout (the same season)
    assert peak > levers_per_rep_week(story, Archetype.FADED, -4, 0)
    assert peak > 1.2 * levers_per_rep_week(story, Archetype.FADED, 8, 16)


def test_the_exemplary_teams_output_follows_its_levers(story: Story) -> None:
    opps = opportunities_by_archetype(story)
    won = opps[opps["won"].fillna(False).astype(bool)
               & (opps["archetype"] == Archetype.EXEMPLARY)]
    week = week_since_rollout(story, won["closed_at"])
    # the same number of weeks before the rollout and after the levers had time to close deals
    assert (won.loc[week >= 8, "amount"].sum()
            > 1.2 * won.loc[(week >= -8) & (week < 0), "amount"].sum())


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
