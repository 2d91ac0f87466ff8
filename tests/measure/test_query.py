"""Simple-metric queries over the facts: windows, periods and attribution tables."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from m3.attribution import FAR_FUTURE, Attribution
from m3.errors import InputError
from m3.measure.query import Window, attribution_table, periods
from m3.weeks import Grain


def test_a_window_lists_every_period_it_touches() -> None:
    window = Window(Grain.WEEK, dt.date(2025, 12, 31), dt.date(2026, 1, 12))
    assert periods(window) == [dt.date(2025, 12, 29), dt.date(2026, 1, 5), dt.date(2026, 1, 12)]
    assert window.end_ts == dt.datetime(2026, 1, 13)


def test_a_window_that_ends_before_it_starts_says_to_swap_the_dates() -> None:
    with pytest.raises(InputError, match="swap --from and --to"):
        Window(Grain.DAY, dt.date(2026, 1, 2), dt.date(2026, 1, 1))


def test_the_attribution_table_carries_timestamp_bounds() -> None:
    table = attribution_table([Attribution("Team A", 7, dt.date(2026, 1, 5)),
                               Attribution("Team A", 8, None, dt.date(2026, 2, 1))])
    rows = ibis.duckdb.connect().execute(table).to_dict("records")
    assert rows[0]["member_from"] == dt.datetime(2026, 1, 5)
    assert rows[0]["member_until"] == FAR_FUTURE
    assert rows[1]["member_id"] == 8 and rows[1]["member_until"] == dt.datetime(2026, 2, 1)
