"""The unit tree as plain data: ancestors nearest first, descendants, names."""

from __future__ import annotations

from m3.org.tree import UnitTree

# 1 > 2 > (3, 4); 5 alone; 6 and 7 point at each other (a damaged tree).
TREE = UnitTree({1: None, 2: 1, 3: 2, 4: 2, 5: None, 6: 7, 7: 6},
                {1: "Company", 2: "North", 3: "Team A"})


def test_ancestors_are_nearest_first_and_stop_at_a_cycle() -> None:
    assert TREE.ancestors(3) == [2, 1]
    assert TREE.chain(4) == [4, 2, 1]
    assert TREE.ancestors(1) == [] and TREE.ancestors(99) == []
    assert TREE.ancestors(6) == [7, 6]


def test_descendants_include_the_units_given() -> None:
    assert TREE.with_descendants([2]) == {2, 3, 4}
    assert TREE.with_descendants([1, 5]) == {1, 2, 3, 4, 5}
    assert TREE.with_descendants([]) == frozenset()
    assert TREE.name(3) == "Team A" and TREE.name(4) == "4"
