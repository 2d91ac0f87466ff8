"""The leaders' touchpoints: who hears the message, from whom, and how faithfully it is said."""

from __future__ import annotations

import numpy as np

from m3.demo.archetype import Archetype
from m3.demo.story import Story
from m3.message.consistency import text_consistency
from m3.message.encoders import LexicalEncoder
from m3.message.text import CanonicalMessage


def test_the_faded_team_hears_the_message_once_at_week_1(story: Story) -> None:
    team = story.team(Archetype.FADED)
    members = {m.person for m in story.memberships if m.unit == team}
    touches = [t for t in story.touchpoints if t.unit == team or t.person in members]
    assert len(touches) == 1
    assert (touches[0].date - story.start).days // 7 == 1


def test_the_two_voices_team_hears_two_leaders_and_the_overlay_contradicts(story: Story) -> None:
    team = story.team(Archetype.TWO_VOICES)
    touches = [t for t in story.touchpoints if t.unit == team]
    assert len({t.leader for t in touches}) >= 2
    overlay = next(ls.person for ls in story.leaders(team) if ls.kind == "overlay")
    manager = next(ls.person for ls in story.leaders(team) if ls.kind == "manager")
    assert {t.fidelity for t in touches if t.leader == overlay} == {"contradicting"}
    assert {t.fidelity for t in touches if t.leader == manager} <= {"faithful", "partial"}


def test_faithful_touchpoints_score_as_consistent_and_the_overlays_do_not(story: Story) -> None:
    spec = story.initiative
    message = CanonicalMessage(spec.why, spec.how, spec.what, spec.key_points)
    encoder = LexicalEncoder()

    def median(fidelity: str) -> float:
        texts = [t.content for t in story.touchpoints if t.fidelity == fidelity][:15]
        return float(np.median([text_consistency(message, t, encoder).consistency
                                for t in texts]))

    assert median("faithful") > median("partial") > median("contradicting")
    assert median("contradicting") < 0.2
