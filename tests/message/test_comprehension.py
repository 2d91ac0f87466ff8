"""Comprehension on tiny exact cases: latest restatement per rep, shares, pulse, non-answers."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.message.comprehension import RepRestatement, unit_comprehension

DAY = dt.date(2026, 3, 2)


def said(pk: int, person: int, covered: tuple[bool, ...], days: int = 0) -> RepRestatement:
    return RepRestatement(pk, person, DAY + dt.timedelta(days=days), 0.5, covered)


def test_the_share_of_reps_stating_each_point_counts_only_each_reps_latest_answer() -> None:
    restatements = [said(1, 1, (True, True, True)), said(2, 1, (True, False, False), days=3),
                    said(3, 2, (True, True, False)), said(4, 9, (True, True, True))]
    result = unit_comprehension([1, 2, 3], restatements, [], 3, DAY, DAY + dt.timedelta(days=10))
    assert result.point_share == (1.0, 0.5, 0.0)
    assert result.restatement == pytest.approx(0.5)
    assert result.not_answered == (3,)
    assert result.answered == 2 and result.stating_all() == 0
    assert result.score == pytest.approx(0.5)


def test_the_clarity_pulse_joins_the_restatements_with_a_quarter_of_the_weight() -> None:
    result = unit_comprehension([1], [said(1, 1, (True, True))], [5, 3], 2, DAY, DAY)
    assert result.clarity_pulse == pytest.approx(0.75)
    assert result.score == pytest.approx(0.75 * 1.0 + 0.25 * 0.75)


def test_restatements_outside_the_window_do_not_count() -> None:
    result = unit_comprehension([1], [said(1, 1, (True,), days=-1)], [], 1, DAY, DAY)
    assert result.point_share == (None,)
    assert result.score is None and result.not_answered == (1,)
