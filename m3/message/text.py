"""The canonical message as data, its load from YAML or JSON, and the text helpers of the scorers.

A canonical message is why / how / what plus 3-5 key points every rep must be able to say, and
optionally the asks (behaviours asked of reps, each with a lever metric and a target). Its file
format is the message part of an initiative file (`m3.initiatives.spec`, the one parser of
both): loading is lenient about *missing* parts (a draft without a why is still a message whose
clarity can be scored; clarity reports it) and strict about *wrong* ones (unknown keys, wrong
types, oversized fields), raising `InputError` with the first problem and what to change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from m3.initiatives.spec import document_parse, message_spec_read

# Texts scored for consistency (talk tracks, emails, restatements) are cut here; the cut is
# reported (`truncated`), so a pasted transcript costs bounded time and says so.
MAX_SCORED_TEXT_CHARS = 20_000

_WORD_RE = re.compile(r"[^\W_](?:[\w'\-]*[^\W_])?")
# Sentence ends: . ! ? followed by white space. Lines are wrapped text unless a blank line or a
# bullet / numbered item starts a new piece, because talk tracks and notes are written as lists.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_BULLET_RE = re.compile(r"^\s*(?:[-*•·]+|\d+[.)])\s+")
_BLANK_LINE_RE = re.compile(r"\n\s*\n")

# The most frequent English function words. Their share of a text's words is a cheap language
# check: English prose and notes run at 0.25-0.55, other languages far below.
ENGLISH_STOP_WORDS = frozenset(
    """a about after all also am an and any are as at be because been before being but by can
    could did do does doing don't down during each every for from had has have he her here him his
    how i if in into is it it's its just me more most my no not now of on once only or other our
    out over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we we're were what when where which while who why
    will with within would you you're your""".split()
)


@dataclass(frozen=True)
class Ask:
    """A behaviour asked of reps, tied to a lever metric and a target (both may be missing)."""

    behaviour: str
    metric: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class CanonicalMessage:
    """An initiative's message: why, how, what, the key points and the asks."""

    why: str
    how: str
    what: str
    key_points: tuple[str, ...]
    asks: tuple[Ask, ...] = ()

    def sections(self) -> tuple[tuple[str, str], ...]:
        """Return the narrative parts in the order the message is told: why, how, what."""
        return (("why", self.why), ("how", self.how), ("what", self.what))

    def full_text(self) -> str:
        """Return the message as one text: why, how, what, then each key point as a sentence."""
        parts = [text for _, text in self.sections() if text]
        parts.extend(_as_sentence(point) for point in self.key_points)
        return "\n".join(parts)


def message_from_mapping(data: Any, source: str = "message") -> CanonicalMessage:
    """Build a `CanonicalMessage` from a parsed YAML/JSON mapping (a message file, or an
    initiative file whose rollout keys are ignored), or raise `InputError`."""
    spec = message_spec_read(data, source)
    return CanonicalMessage(
        why=spec.why, how=spec.how, what=spec.what, key_points=tuple(spec.key_points),
        asks=tuple(Ask(a.behaviour, a.metric or None, a.target_text() or None)
                   for a in spec.asks),
    )


def message_from_yaml(text: str, source: str = "message") -> CanonicalMessage:
    """Parse a YAML (or, when `source` ends in .json, JSON) text into a `CanonicalMessage`;
    `source` names the file in error messages."""
    return message_from_mapping(document_parse(text, source), source)


def words(text: str) -> list[str]:
    """Return the lower-cased word tokens of `text` (letters/digits, inner ' and - kept)."""
    return _WORD_RE.findall(text.replace("\u2019", "'").lower())


def sentences(text: str) -> list[str]:
    """Split `text` into sentences at . ! ?, blank lines and list items (bullets dropped)."""
    blocks: list[str] = []
    for paragraph in _BLANK_LINE_RE.split(text):
        for line in paragraph.splitlines():
            if _BULLET_RE.match(line) or not blocks:
                blocks.append(_BULLET_RE.sub("", line))
            else:
                blocks[-1] += " " + line.strip()
        blocks.append("")  # a blank line closes the paragraph's last block
    pieces = (piece.strip() for block in blocks for piece in _SENTENCE_END_RE.split(block))
    return [piece for piece in pieces if words(piece)]


def english_stop_word_share(tokens: Sequence[str]) -> float:
    """Return the share of `tokens` that are common English function words (0 when empty)."""
    if not tokens:
        return 0.0
    return sum(token in ENGLISH_STOP_WORDS for token in tokens) / len(tokens)


def text_cap(text: str, limit: int = MAX_SCORED_TEXT_CHARS) -> tuple[str, bool]:
    """Cut `text` to at most `limit` characters at a word boundary; return it and whether cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    # Cutting mid-word would leave a fragment that matches nothing; fall back to a hard cut only
    # when there is no space in the last 100 characters (one enormous token).
    if space > 0 and limit - space <= 100:
        cut = cut[:space]
    return cut, True


def _as_sentence(point: str) -> str:
    point = point.strip()
    return point if point.endswith((".", "!", "?")) else point + "."
