"""The leader x key-point matrix on the tiny world: one row per leader, each touch once."""

from __future__ import annotations

import pytest

from m3.message.matrix import KeyPointCell, leader_matrix
from tests.message.tiny import DAN, MAX, MIA, TEAM_A, TEAM_B, day, tiny_inputs


def test_contradicting_leaders_come_first_then_the_least_consistent() -> None:
    rows = leader_matrix(tiny_inputs(), day(20), [TEAM_A, TEAM_B])
    assert [r.leader_id for r in rows] == [DAN, MAX, MIA]
    dan, max_, mia = rows
    assert dan.contradicts and dan.cells == (KeyPointCell(1.0, None), KeyPointCell(0.0, "skip it"))
    # Dan's one touch to North reached both teams: it counts once, and names both.
    assert (dan.touches, dan.teams, dan.kinds) == (1, ("Team A", "Team B"), ("director",))
    assert (max_.touches, max_.content, max_.teams) == (1, 0.0, ("Team B",))
    assert mia.content == pytest.approx(0.8) and mia.last_touch == day(2)


def test_the_matrix_covers_only_the_teams_asked_and_the_window() -> None:
    only_a = leader_matrix(tiny_inputs(), day(20), [TEAM_A])
    assert [r.leader_id for r in only_a] == [DAN, MIA]
    # 91 days after Dan's touch (day 5) it has left the window; Mia's unscored one never counts.
    assert leader_matrix(tiny_inputs(), day(5 + 91), [TEAM_A, TEAM_B]) == ()
