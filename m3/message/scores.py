"""A text's score per key point, as the consistency scorer returns it and the database keeps it.

Touchpoint scores and restatements store their per-key-point scores in a JSON field (a list of
objects, one per key point). `KeyPointScore` is the one typed shape of such an entry: the scorer
builds it, `key_points_to_json` writes it and `key_points_from_json` reads it back, so no page,
API or computation reads the JSON by key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KeyPointScore:
    """How one key point fares in a text: covered, contradicted, and the evidence for each."""

    point: str
    covered: bool
    similarity: float
    contradicted: bool
    evidence: str | None
    contradiction: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object stored for this key point (keys in the order the API shows them)."""
        return {"point": self.point, "covered": self.covered, "similarity": self.similarity,
                "contradicted": self.contradicted, "evidence": self.evidence,
                "contradiction": self.contradiction}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> KeyPointScore:
        """A stored JSON object back as a score; `covered` is required, the rest default.

        Rows written before a key was added read as that key's neutral value (not contradicted,
        no evidence), so old scores still count instead of failing a page.
        """
        return cls(
            point=str(raw.get("point", "")),
            covered=bool(raw["covered"]),
            similarity=float(raw.get("similarity", 0.0)),
            contradicted=bool(raw.get("contradicted", False)),
            evidence=raw.get("evidence"),
            contradiction=raw.get("contradiction"),
        )


def key_points_to_json(points: Iterable[KeyPointScore]) -> list[dict[str, Any]]:
    """Scores as the JSON list a `key_points` field stores."""
    return [point.to_dict() for point in points]


def key_points_from_json(raw: Iterable[Mapping[str, Any]]) -> tuple[KeyPointScore, ...]:
    """A stored `key_points` JSON list as typed scores, in key-point order."""
    return tuple(KeyPointScore.from_dict(entry) for entry in raw)
