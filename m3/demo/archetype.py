"""The archetypes: how each demo team carries the initiative, and the teams that show each one.

Every archetype is a case M3's diagnosis must name (docs/demo.md). This module owns the list, its
one-line descriptions, the fixed names of the five special teams and the archetypes' order, which
the simulations use as an array index. How each archetype behaves lives with the behaviour it
shapes: lever lifts in `facts`, deliveries in `touchpoints`, pulse paths in `pulses`, recall in
`restatements`.
"""

from __future__ import annotations

from enum import StrEnum


class Archetype(StrEnum):
    """How a team carries the initiative; each one is a case the diagnosis must name."""

    EXEMPLARY = "exemplary"
    FADED = "faded"
    TWO_VOICES = "two voices"
    NO_LEVER_REPORTING = "no lever reporting"
    POOR_TERRITORY = "poor territory"
    STEADY = "steady"


ARCHETYPE_DESCRIPTIONS: dict[Archetype, str] = {
    Archetype.EXEMPLARY: "Clear, reinforced, consistent message and lever reporting: levers rise, "
    "output follows 3-5 weeks later, momentum builds.",
    Archetype.FADED: "Heard the message once at week 1 and never again: levers lift for 2-3 "
    "weeks, then decay; clarity and confidence drop.",
    Archetype.TWO_VOICES: "The manager and the product overlay say different things (the overlay "
    "says skip the ROI calculator, just demo): levers mixed, consistency low.",
    Archetype.NO_LEVER_REPORTING: "Message fine, but demos, meetings and proposals are not logged "
    "in the CRM (they appear as 'other'): levers invisible, output flat.",
    Archetype.POOR_TERRITORY: "Engaged (on-cadence message, high pulses, levers at target) but "
    "small deals and a low win rate: an opportunity problem, not engagement.",
    Archetype.STEADY: "Average behaviour with noise: a modest, slower lift.",
}

# Fixed names for the five special teams, so docs and the UI can point at them at any size.
SPECIAL_TEAMS: dict[Archetype, str] = {
    Archetype.EXEMPLARY: "Team Harbor",
    Archetype.FADED: "Team Ember",
    Archetype.TWO_VOICES: "Team Summit",
    Archetype.NO_LEVER_REPORTING: "Team Quarry",
    Archetype.POOR_TERRITORY: "Team Delta",
}

# The simulations keep one archetype index per team (`Organisation.team_arch`) and index
# per-archetype arrays with it, in this order.
ARCHETYPES = tuple(Archetype)
ARCH_INDEX = {a: i for i, a in enumerate(ARCHETYPES)}
