"""Attribution: a rep's facts count for a node inside [start, end), unbounded where not given."""

from __future__ import annotations

import datetime as dt

from m3.attribution import FAR_FUTURE, FAR_PAST, Attribution


def test_a_stretch_covers_its_start_day_but_not_its_end_day() -> None:
    moved = Attribution("Team A", 7, dt.date(2024, 3, 1), dt.date(2024, 3, 6))
    assert moved.covers(dt.date(2024, 3, 1)) and moved.covers(dt.date(2024, 3, 5))
    assert not moved.covers(dt.date(2024, 3, 6)) and not moved.covers(dt.date(2024, 2, 29))


def test_an_open_stretch_has_the_one_far_past_and_far_future_bound() -> None:
    always = Attribution("Team A", 7)
    assert always.covers(dt.date(1950, 1, 1)) and always.covers(dt.date(2900, 1, 1))
    assert (always.start_ts, always.end_ts) == (FAR_PAST, FAR_FUTURE)


def test_a_stretch_can_be_counted_for_another_node() -> None:
    mine = Attribution("", 7, dt.date(2024, 3, 1)).for_node("person:7")
    assert mine == Attribution("person:7", 7, dt.date(2024, 3, 1))
    assert mine.start_ts == dt.datetime(2024, 3, 1)
