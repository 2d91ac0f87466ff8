"""A finding: one thing M3 noticed, said as a line a user can act on (pure).

Every computation that reports what it found (message clarity, consistency, health, the
measurement audit) returns these, each with its own enum of kinds (an enum may rank its kinds,
as message health's `FindingKind.severity` does), so pages, the API and the CLI show them one
way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

K = TypeVar("K", bound=Enum)


@dataclass(frozen=True)
class Finding(Generic[K]):
    """One finding: its kind, the sentence that says it, and what it is about."""

    kind: K
    text: str
    suggestion: str = ""  # what to do about it, when the text does not say
    subject: str = ""  # what it is about (an audit area, a leader …), when not in the text
    key_point: int | None = None  # 1-based, when it is about one key point
    days: int = 0  # how long, for something late; the longest comes first
