"""Consistency across leaders on tiny exact cases: content, delivery, disagreements, energy."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.message.alignment import (
    ScoredTouch,
    Supporter,
    content_consistency,
    delivery_consistency,
    energy_spread,
    leader_alignment,
    unit_alignment,
)

DAY = dt.date(2026, 3, 2)


def touch(pk: int, leader: int, consistency: float, covered: tuple[bool, ...],
          contradictions: tuple[str | None, ...] = (None, None, None), days: int = 0
          ) -> ScoredTouch:
    return ScoredTouch(pk, leader, DAY + dt.timedelta(days=days), consistency, covered,
                       contradictions)


def test_a_leaders_content_is_the_mean_of_their_touchpoints_and_shares_count_each_point() -> None:
    touches = [touch(1, 7, 0.8, (True, True, False)), touch(2, 7, 0.4, (True, False, False)),
               touch(3, 9, 0.1, (False, False, False))]
    lead = leader_alignment(Supporter(7, "manager", 14), touches, 3, 28)
    assert lead.content == pytest.approx(0.6)
    assert lead.covered_share == (1.0, 0.5, 0.0)
    assert lead.touches_vs_plan == pytest.approx(2 / (28 / 14))
    assert lead.silent_points() == (3,)


def test_one_touchpoint_is_too_few_to_say_a_leader_never_mentions_a_point() -> None:
    lead = leader_alignment(Supporter(7, "manager"), [touch(1, 7, 0.5, (True, False, True))],
                            3, 28)
    assert lead.silent_points() == ()
    assert lead.touches_vs_plan is None


def test_delivery_consistency_is_one_minus_the_coefficient_of_variation_of_capped_ratios(
) -> None:
    assert delivery_consistency([1.0, 1.0]) == 1.0
    assert delivery_consistency([2.0, 1.0]) == 1.0  # over-delivery is capped at the plan
    assert delivery_consistency([1.0, 0.5]) == pytest.approx(1 - 0.25 / 0.75)
    assert delivery_consistency([1.0, 0.0, 0.0]) == 0.0  # CV > 1 is clipped
    assert delivery_consistency([0.0, 0.0]) == 0.0
    assert delivery_consistency([]) is None


def test_content_consistency_halves_the_mean_with_the_least_consistent_leader() -> None:
    leads = [leader_alignment(Supporter(1, "manager"), [touch(1, 1, 0.8, (True,) * 3)], 3, 28),
             leader_alignment(Supporter(2, "overlay"), [touch(2, 2, 0.0, (False,) * 3)], 3, 28)]
    assert content_consistency(leads) == pytest.approx(0.5 * 0.4 + 0.5 * 0.0)
    assert content_consistency([]) is None


def test_a_leader_contradicting_a_point_another_carries_is_a_disagreement_with_the_quote() -> None:
    touches = [touch(1, 1, 0.9, (True, True, True)),
               touch(2, 2, 0.02, (False, False, True), (None, "skip the ROI calculator", None)),
               touch(3, 2, 0.05, (False, False, True), (None, "forget the calculator", None), 5)]
    alignment = unit_alignment(10, [Supporter(1, "manager", 14), Supporter(2, "overlay")],
                               touches, 3, 28)
    [d] = alignment.disagreements
    assert (d.key_point, d.contradicting_leader, d.covering_leader) == (2, 2, 1)
    assert d.quote == "forget the calculator"  # the latest contradiction is quoted
    overlay = next(lead for lead in alignment.leaders if lead.leader_id == 2)
    assert overlay.touches_vs_plan is None and alignment.delivery == 1.0


def test_a_planned_leader_who_never_touched_the_unit_still_counts_for_delivery() -> None:
    alignment = unit_alignment(10, [Supporter(1, "manager", 14), Supporter(2, "director", 28),
                                    Supporter(3, "enablement")],
                               [touch(1, 1, 0.9, (True,) * 3)], 3, 28)
    assert [lead.leader_id for lead in alignment.leaders] == [1, 2]
    assert alignment.delivery == 0.0  # ratios 0.5 and 0: CV 1
    assert alignment.content == pytest.approx(0.9)


def test_energy_spread_is_one_minus_the_range_of_the_team_levels() -> None:
    assert energy_spread({1: 0.9, 2: 0.4}) == pytest.approx(0.5)
    assert energy_spread({1: 0.9}) is None
