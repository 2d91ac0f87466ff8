"""Shared fixtures for the message tests: the labelled set, the encoders, the small story."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from m3.message.encoders import EmbeddingEncoder, LexicalEncoder, encoder_available
from m3.message.text import CanonicalMessage, message_from_mapping
from tests.message.story import Story, story_build

LABELLED = Path(__file__).parent / "data" / "labelled.yaml"
SEMANTIC_MISSING = (
    "the embedding method needs the 'semantic' extra: pip install -e '.[semantic]'"
)


@dataclass(frozen=True)
class LabelledText:
    """One labelled text: message name, label, key points covered and contradicted (1-based)."""

    id: str
    message: str
    label: str
    text: str
    covers: frozenset[int]
    contradicts: frozenset[int]


@dataclass(frozen=True)
class LabelledSet:
    """The labelled messages and texts."""

    messages: dict[str, CanonicalMessage]
    texts: tuple[LabelledText, ...]


@pytest.fixture(scope="session")
def labelled() -> LabelledSet:
    """The hand-labelled set in data/labelled.yaml."""
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    messages = {name: message_from_mapping(body, name) for name, body in data["messages"].items()}
    texts = []
    for item in data["texts"]:
        everything = range(1, len(messages[item["message"]].key_points) + 1)
        texts.append(LabelledText(
            id=item["id"], message=item["message"], label=item["label"], text=item["text"],
            covers=frozenset(item.get("covers", everything if item["label"] == "faithful" else ())),
            contradicts=frozenset(item.get("contradicts", ())),
        ))
    return LabelledSet(messages, tuple(texts))


@pytest.fixture(scope="session")
def lexical() -> LexicalEncoder:
    """The TF-IDF encoder (always available)."""
    return LexicalEncoder()


@pytest.fixture(scope="session")
def embedding() -> EmbeddingEncoder:
    """The embedding encoder; skips the test when the semantic extra is not installed."""
    if not encoder_available():
        pytest.skip(SEMANTIC_MISSING)
    return EmbeddingEncoder()


@pytest.fixture(autouse=True)
def lexical_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Touchpoints and restatements written by tests are scored lexically (no model to load).

    Only the services' "auto" choice is pinned; tests of the encoders themselves are unaffected.
    """
    monkeypatch.setattr("m3.message.services.encoder_available", lambda: False)


@pytest.fixture
def story(db: None) -> Story:
    """North (Team A, Team B) hears the message: Team A from two voices, Team B only once."""
    return story_build()
