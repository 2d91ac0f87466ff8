"""M3's fixed vocabulary: roles, leader kinds, cadence moments, channels, pulse questions,
activity types and import outcomes.

These are the words every layer shares, so they live here, below everything: models use them as
field choices, pure computations compare them with `is`, and the CLI offers them as choices.
They are Django `TextChoices` (a `StrEnum` with labels; importing them touches no settings and
no database). A new kind is added here, and mypy then names every `assert_never` chain that
must handle it.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import TextChoices


class Role(TextChoices):
    """What a person does in M3; decides, with the org, what they see."""

    ADMIN = "admin", "Admin / sales ops"
    EXECUTIVE = "executive", "Executive"
    LEADER = "leader", "Leader"
    REP = "rep", "Rep"


class LeadershipKind(TextChoices):
    """The kinds of leader a unit can have; several may support one unit."""

    MANAGER = "manager", "Manager"
    DIRECTOR = "director", "Director"
    OVERLAY = "overlay", "Product overlay"
    ENABLEMENT = "enablement", "Enablement"


class CadenceKind(TextChoices):
    """The three moments of a message: first delivery, redelivery, reinforcement."""

    DELIVER = "deliver", "Deliver"
    REDELIVER = "redeliver", "Redeliver"
    REINFORCE = "reinforce", "Reinforce"


class Channel(TextChoices):
    """How a touchpoint reached its audience."""

    MEETING = "meeting", "Team meeting"
    ONE_TO_ONE = "one_to_one", "One-to-one"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    VIDEO = "video", "Video / recording"
    RIDE_ALONG = "ride_along", "Ride-along / call coaching"


class PulseQuestion(TextChoices):
    """The standard pulse questions (Likert 1 = strongly disagree … 5 = strongly agree)."""

    CLARITY = "clarity", "I can explain what we are doing and why."
    CONSISTENCY = "consistency", "My leaders all say the same thing about it."
    CONFIDENCE = "confidence", "I am confident this will work for me."
    ENERGY = "energy", "My leaders are energised and own this."


class ImportStatus(TextChoices):
    """Where an import run ended."""

    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    REJECTED = "rejected", "Rejected (nothing written)"
    FAILED = "failed", "Failed (nothing written)"


class Engine(StrEnum):
    """The engines a facts store runs on (M3_FACTS_URL's scheme)."""

    DUCKDB = "duckdb"
    POSTGRES = "postgres"
    PYSPARK = "pyspark"


# The activity types of the facts store, in the order pages show them.
ACTIVITY_TYPES = ("call", "email", "meeting", "demo", "proposal", "other")
