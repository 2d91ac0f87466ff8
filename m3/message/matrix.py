"""The leader x key-point matrix: what each leader says to the viewer's teams (pure).

One row per leader whose touchpoints reached one of the teams in the last
CONSISTENCY_WINDOW_DAYS days (as a supporter of that team: a leader of it or of a unit above
it), one cell per key point: the share of the leader's touchpoints carrying it, or the clause in
which they contradict it. It answers the article's question across teams: do all the leaders
who support the team say the same thing?
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from m3.message.alignment import ScoredTouch, Supporter, leader_alignment, team_supporters
from m3.message.health import CONSISTENCY_WINDOW_DAYS
from m3.message.inputs import HealthInputs


@dataclass(frozen=True)
class KeyPointCell:
    """One cell of the leader x key-point matrix."""

    share: float | None  # share of the leader's touchpoints carrying the point
    contradiction: str | None  # the leader's latest clause contradicting it


@dataclass(frozen=True)
class LeaderRow:
    """One leader in the leader x key-point matrix."""

    leader_id: int
    name: str
    kinds: tuple[str, ...]
    teams: tuple[str, ...]  # the viewer's teams their touchpoints reached
    touches: int
    content: float | None
    last_touch: dt.date | None
    cells: tuple[KeyPointCell, ...]

    @property
    def contradicts(self) -> bool:
        """True when the leader contradicts any key point."""
        return any(cell.contradiction for cell in self.cells)


def leader_matrix(inputs: HealthInputs, as_of: dt.date,
                  team_ids: Sequence[int]) -> tuple[LeaderRow, ...]:
    """The matrix over `team_ids` on `as_of`: contradicting leaders first, then the least
    consistent, then by name.

    A leader's row counts each of their touchpoints once, however many of the teams it reached
    (`leader_alignment` over them: content = mean stored consistency, cell k = share carrying
    key point k, or their latest clause contradicting it). Their kinds are those they support
    any of the teams in; a leader with no touchpoint in the window has no row.
    """
    n_points = len(inputs.key_points)
    since = as_of - dt.timedelta(days=CONSISTENCY_WINDOW_DAYS - 1)
    kinds_of: dict[int, set[str]] = {}
    teams_of: dict[int, set[str]] = {}
    # Keyed by touchpoint, in the order first seen (team by team, each by date): a touchpoint
    # to a region reaches several teams but is one delivery.
    seen: dict[int, ScoredTouch] = {}
    for team in team_ids:
        members = inputs.members_on(team, as_of)
        supporters = team_supporters(inputs.carriers_on(team, as_of), inputs.steps)
        for s in supporters:
            kinds_of.setdefault(s.leader_id, set()).add(s.kind)
        supporter_ids = {s.leader_id for s in supporters}
        for touch in inputs.touches_reaching(team, members, as_of):
            st = touch.score
            if st is not None and st.date >= since and st.leader_id in supporter_ids:
                seen[st.touchpoint_id] = st
                teams_of.setdefault(st.leader_id, set()).add(inputs.unit_name(team))
    touches = list(seen.values())
    rows = []
    for leader_id, kinds in kinds_of.items():
        lead = leader_alignment(Supporter(leader_id, ""), touches, n_points,
                                CONSISTENCY_WINDOW_DAYS)
        if not lead.touches:
            continue
        rows.append(LeaderRow(
            leader_id=leader_id, name=inputs.names.get(leader_id, str(leader_id)),
            kinds=tuple(sorted(kinds)), teams=tuple(sorted(teams_of.get(leader_id, ()))),
            touches=lead.touches, content=lead.content, last_touch=lead.last_touch,
            cells=tuple(KeyPointCell(share, quote) for share, quote in
                        zip(lead.covered_share, lead.contradictions, strict=True)),
        ))
    return tuple(sorted(rows, key=lambda r: (not r.contradicts, r.content or 0.0, r.name)))
