"""The demo organisation: its unit tree, leaders, people, moves and logins."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from m3.demo.archetype import ARCHETYPE_DESCRIPTIONS, SPECIAL_TEAMS, Archetype
from m3.demo.organisation import logins_generate, organisation_generate
from m3.demo.story import Story, story_generate
from m3.demo.timeline import timeline_until

TODAY = dt.date(2026, 3, 4)  # a Wednesday


def test_every_archetype_has_a_team_with_its_fixed_name(story: Story) -> None:
    assert set(story.archetypes.values()) == set(Archetype)
    for archetype, name in SPECIAL_TEAMS.items():
        assert story.archetypes[name] is archetype
    assert set(ARCHETYPE_DESCRIPTIONS) == set(Archetype)


def test_the_org_is_a_company_of_regions_of_teams_with_their_leaders(story: Story) -> None:
    levels = [u.level for u in story.units]
    assert levels.count("company") == 1 and levels.count("region") >= 3
    assert levels.count("team") == 6
    kinds = {(ls.unit, ls.kind) for ls in story.leaderships}
    for unit in story.units:
        expected = {"company": "director", "region": "director", "team": "manager"}[unit.level]
        assert (unit.name, expected) in kinds
    assert ("Atlas Systems", "enablement") in kinds
    assert (story.team(Archetype.TWO_VOICES), "overlay") in kinds
    roles = [p.role for p in story.people]
    assert roles.count("admin") == 1 and roles.count("executive") == 1
    assert roles.count("rep") == 60


def test_two_reps_move_and_one_leaves_during_the_rollout(story: Story) -> None:
    moved = [m for m in story.memberships if m.end is not None
             and any(n.person == m.person and n.start == m.end for n in story.memberships)]
    assert len(moved) == 2
    assert all(story.start < m.end < story.as_of for m in moved if m.end)
    left = [p for p in story.people if not p.active]
    assert len(left) == 1
    end = next(m.end for m in story.memberships if m.person == left[0].key)
    assert end is not None and story.start < end < story.as_of
    acts = story.activities
    assert not (acts["person"].eq(left[0].key) & (acts["occurred_at"] >= pd.Timestamp(end))).any()


def test_the_size_flags_scale_the_org() -> None:
    big = story_generate(reps=240, weeks=8, today=TODAY)
    levels = [u.level for u in big.units]
    assert levels.count("team") == 24 and levels.count("region") == 6
    assert sum(p.role == "rep" for p in big.people) == 240
    assert len({u.name for u in big.units}) == len(big.units)
    assert len({p.email for p in big.people}) == len(big.people)


def test_the_smallest_org_has_six_teams_over_three_regions_in_a_fixed_order() -> None:
    org = organisation_generate(np.random.default_rng(1), 12, timeline_until(TODAY, 8))
    assert org.teams == ("Team Harbor", "Team Ember", "Team Summit", "Team Quarry",
                         "Team Delta", "Team Aurora")
    assert org.region_of_team == ("North Region", "Central Region", "South Region",
                                  "North Region", "Central Region", "South Region")
    assert (org.executive, org.enablement, org.overlay) == (1, 2, 3)
    assert org.directors == {"North Region": 4, "Central Region": 5, "South Region": 6}
    assert org.managers == (7, 8, 9, 10, 11, 12)
    assert org.rep_keys.tolist() == list(range(13, 25))
    assert org.team_of.shape == (12, 8 + 12 + 8)
    assert org.team_of[:, 0].tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_people_have_an_email_from_their_name_and_a_salesforce_style_crm_id() -> None:
    org = organisation_generate(np.random.default_rng(1), 12, timeline_until(TODAY, 8))
    admin, *others = org.people
    assert (admin.key, admin.email, admin.role, admin.crm_id) == (0, "admin@demo.m3", "admin", None)
    for person in others:
        assert person.email == ".".join(p.strip(".") for p in person.name.lower().split()) \
            + "@demo.m3"
        assert person.crm_id == f"005Dm{person.key:010d}" and len(person.crm_id) == 15
    assert [p.key for p in org.people] == list(range(len(org.people)))


def test_the_logins_are_admin_executive_two_managers_and_a_rep_of_the_exemplary_team() -> None:
    rng = np.random.default_rng(1)
    org = organisation_generate(rng, 12, timeline_until(TODAY, 8))
    logins = logins_generate(rng, org)
    assert [(login.role, login.person) for login in logins] == [
        ("admin", 0), ("executive", 1), ("leader", 7), ("rep", 13), ("leader", 9)]
    for login in logins:
        assert re.fullmatch(rf"demo-{login.role}-[0-9]{{4}}", login.password)
