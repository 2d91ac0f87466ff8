"""The canonical message as data, its load from YAML, and the text limits shared by the scorers.

A canonical message is why / how / what plus 3-5 key points every rep must be able to say, and
optionally the asks (behaviours asked of reps, each with a lever metric and a target). Loading is
lenient about *missing* parts (a draft without a why is still a message whose clarity can be
scored; clarity reports it) and strict about *wrong* ones (unknown keys, wrong types, oversized
fields), raising `InputError` with what to change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from m3.errors import InputError

# A canonical message is meant to be short; a field past this is a pasted document, not a message.
MAX_FIELD_CHARS = 4_000
MAX_KEY_POINTS = 20
# Texts scored for consistency (talk tracks, emails, restatements) are cut here; the cut is
# reported (`truncated`), so a pasted transcript costs bounded time and says so.
MAX_SCORED_TEXT_CHARS = 20_000

MESSAGE_KEYS = ("why", "how", "what", "key_points", "asks")
ASK_KEYS = ("behaviour", "metric", "target")

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
    """Build a `CanonicalMessage` from a parsed YAML/JSON mapping, or raise `InputError`."""
    if not isinstance(data, Mapping):
        raise InputError(
            f"{source}: expected a mapping with keys why, how, what, key_points "
            f"(and optionally asks), got {_kind(data)}."
        )
    unknown = [str(key) for key in data if key not in MESSAGE_KEYS]
    if unknown:
        raise InputError(f"{source}: unknown key {_with_hint(unknown[0], MESSAGE_KEYS)}.")
    if not any(key in data for key in MESSAGE_KEYS[:4]):
        raise InputError(f"{source}: the message is empty; add why, how, what and key_points.")
    why, how, what = (_text_field(data.get(key), f"{source}: {key}") for key in MESSAGE_KEYS[:3])
    return CanonicalMessage(
        why=why,
        how=how,
        what=what,
        key_points=_key_points(data.get("key_points"), source),
        asks=_asks(data.get("asks"), source),
    )


def message_from_yaml(text: str, source: str = "message") -> CanonicalMessage:
    """Parse YAML text into a `CanonicalMessage`; `source` names the file in error messages."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{source}: not valid YAML{where}; check indentation and quotes.") from exc
    return message_from_mapping(data, source)


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


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


def _with_hint(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{key!r}{hint}; allowed keys are {', '.join(allowed)}"


def _text_field(value: object, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"{where}: expected text, got {_kind(value)}.")
    text = str(value).strip()
    if len(text) > MAX_FIELD_CHARS:
        raise InputError(
            f"{where}: {len(text)} characters is too long for a message part "
            f"(limit {MAX_FIELD_CHARS}); keep the message short and link the detail."
        )
    return text


def _key_points(value: object, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        raise InputError(
            f"{source}: key_points must be a list (one '- point' per line), not one text."
        )
    if not isinstance(value, list):
        raise InputError(f"{source}: key_points must be a list of texts, got {_kind(value)}.")
    if len(value) > MAX_KEY_POINTS:
        raise InputError(
            f"{source}: {len(value)} key points; at most {MAX_KEY_POINTS} are accepted "
            "(and 3-5 are recommended)."
        )
    points = []
    for number, item in enumerate(value, start=1):
        point = _text_field(item, f"{source}: key_points item {number}")
        if not point:
            raise InputError(f"{source}: key_points item {number} is empty; write it or remove it.")
        points.append(point)
    return tuple(points)


def _asks(value: object, source: str) -> tuple[Ask, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(
            f"{source}: asks must be a list of mappings with behaviour, metric, target; "
            f"got {_kind(value)}."
        )
    asks = []
    for number, item in enumerate(value, start=1):
        where = f"{source}: asks item {number}"
        if isinstance(item, str):
            # A bare behaviour is allowed so clarity can point out the missing metric and target.
            item = {"behaviour": item}
        if not isinstance(item, Mapping):
            raise InputError(f"{where}: expected a mapping with behaviour, metric, target.")
        unknown = [str(key) for key in item if key not in ASK_KEYS]
        if unknown:
            raise InputError(f"{where}: unknown key {_with_hint(unknown[0], ASK_KEYS)}.")
        behaviour = _text_field(item.get("behaviour"), f"{where}: behaviour")
        if not behaviour:
            raise InputError(f"{where}: behaviour is missing; say what reps should do.")
        metric = _text_field(item.get("metric"), f"{where}: metric") or None
        target = _text_field(item.get("target"), f"{where}: target") or None
        asks.append(Ask(behaviour=behaviour, metric=metric, target=target))
    return tuple(asks)
