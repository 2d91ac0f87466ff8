"""The unit tree as plain data: parents, children, names (pure; `unit_tree_read` reads it once).

A page that asks "which units are above this team?" or "which units does a touchpoint to this
region reach?" for hundreds of teams reads the tree once and walks it in memory, instead of
reading the unit table once per question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UnitTree:
    """Every unit's parent (None for a root) and name."""

    parents: Mapping[int, int | None]
    names: Mapping[int, str]
    _children: Mapping[int, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        children: dict[int, list[int]] = {}
        for unit_id, parent_id in self.parents.items():
            if parent_id is not None:
                children.setdefault(parent_id, []).append(unit_id)
        # Frozen: the index is derived here, once, and never assigned afterwards.
        object.__setattr__(self, "_children", {u: tuple(c) for u, c in children.items()})

    def ancestors(self, unit_id: int) -> list[int]:
        """The unit's ancestors, nearest first (not the unit itself); stops at a cycle."""
        chain: list[int] = []
        current = self.parents.get(unit_id)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parents.get(current)
        return chain

    def chain(self, unit_id: int) -> list[int]:
        """The unit and its ancestors, nearest first."""
        return [unit_id, *self.ancestors(unit_id)]

    def with_descendants(self, unit_ids: Iterable[int]) -> frozenset[int]:
        """The given units and every unit below them."""
        seen: set[int] = set()
        stack = list(unit_ids)
        while stack:
            unit_id = stack.pop()
            if unit_id in seen:
                continue
            seen.add(unit_id)
            stack.extend(self._children.get(unit_id, ()))
        return frozenset(seen)

    def name(self, unit_id: int) -> str:
        """The unit's name (its id as text when unknown)."""
        return self.names.get(unit_id, str(unit_id))
