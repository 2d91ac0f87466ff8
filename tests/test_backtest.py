"""The backtest runs point in time on a simulated organisation and finds its causes."""

from __future__ import annotations

from benchmarks.backtest import HELD_OUT, figures, organisation_run
from benchmarks.simulator import PRE_WEEKS, organisation_simulate


def test_the_simulator_is_seeded_and_keeps_history_before_the_rollout() -> None:
    first, again = organisation_simulate(3, 12), organisation_simulate(3, 12)
    assert [t.history for t in first] == [t.history for t in again]
    assert all(len(t.history) == PRE_WEEKS + 12 for t in first)
    assert all(s.forecast is None for t in first for s in t.history[:PRE_WEEKS])


def test_a_held_out_organisation_is_diagnosed_mostly_right() -> None:
    f = figures(organisation_run(HELD_OUT[0], 26))
    assert f.cause_accuracy >= 0.8
