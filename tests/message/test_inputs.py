"""What message health rests on, indexed: teams, members and leaders on a day, touches per team."""

from __future__ import annotations

from m3.message.cadence import Carrier
from m3.message.inputs import Span
from tests.message.tiny import (
    BEA,
    DAN,
    MAX,
    MIA,
    RAE,
    RAY,
    SOUTH,
    START,
    TEAM_A,
    TEAM_B,
    day,
    tiny_inputs,
)


def test_a_span_covers_its_start_and_not_its_end() -> None:
    span = Span(TEAM_A, RAE, day(1), day(5))
    assert [span.active_on(day(n)) for n in (0, 1, 4, 5)] == [False, True, True, False]
    assert Span(TEAM_A, RAE, day(1), None).active_on(day(999))


def test_teams_are_units_in_scope_with_members_that_day_in_first_member_order() -> None:
    inputs = tiny_inputs(memberships=(
        Span(TEAM_B, RAE, START, day(10)), Span(TEAM_A, RAE, day(10), None),
        Span(TEAM_A, RAY, START, None), Span(SOUTH, BEA, START, None)))
    assert inputs.teams_on(day(1)) == [TEAM_B, TEAM_A]  # Rae (the first person) is in Team B
    assert inputs.teams_on(day(10)) == [TEAM_A]  # Team B emptied; South is not in scope
    assert inputs.members_on(TEAM_A, day(1)) == (RAY,)
    assert inputs.members_on(TEAM_A, day(10)) == (RAE, RAY)
    assert inputs.teams_on(day(-1)) == []


def test_a_teams_carriers_are_its_own_leaders_then_those_above_it_that_day() -> None:
    inputs = tiny_inputs()
    assert inputs.carriers_on(TEAM_A, day(1)) == [Carrier(MIA, "manager"), Carrier(DAN, "director")]
    moved = tiny_inputs(leaderships=(Span(TEAM_A, MIA, START, day(3), "manager"),))
    assert moved.carriers_on(TEAM_A, day(3)) == []


def test_a_team_is_reached_by_touches_to_it_to_a_unit_above_it_and_to_its_members() -> None:
    inputs = tiny_inputs()
    team_a = inputs.touches_reaching(TEAM_A, (RAE, RAY), day(40))
    assert [t.touchpoint_id for t in team_a] == [1, 3, 4]  # by date; Max's one-to-one is Bea's
    assert [t.touchpoint_id for t in inputs.touches_reaching(TEAM_B, (BEA,), day(40))] == [2, 3]
    assert [t.touchpoint_id for t in inputs.touches_reaching(TEAM_A, (RAE,), day(4))] == [1]
    assert inputs.restatements_of([RAY]) == []
    assert inputs.unit_name(TEAM_B) == "Team B" and inputs.unit_name(99) == "99"
    assert MAX in inputs.names
