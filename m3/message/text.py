"""The canonical message as data, its load from YAML, and the text limits shared by the scorers.

A canonical message is why / how / what plus 3-5 key points every rep must be able to say, and
optionally the asks (behaviours asked of reps, each with a lever metric and a target). Loading is
lenient about *missing* parts (a draft without a why is still a message whose clarity can be
scored; clarity reports it) and strict about *wrong* ones (unknown keys, wrong types, oversized
fields), raising `InputError` with the first problem and what to change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from m3.errors import InputError
from m3.schema import Loc, Spec, close_match, fix, schema_problems

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
    try:
        spec = _MESSAGE.validate_python(dict(data) if isinstance(data, Mapping) else data)
    except ValidationError as exc:
        problems = schema_problems(exc, lambda loc: _where(source, loc), _unknown_key)
        raise InputError(problems[0]) from None
    return CanonicalMessage(
        why=spec.why, how=spec.how, what=spec.what, key_points=tuple(spec.key_points),
        asks=tuple(Ask(a.behaviour, a.metric or None, a.target or None) for a in spec.asks),
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


# --- the schema of a message file (see m3/schema.py for how problems are worded) -------------

def _scalar_text(value: Any) -> Any:
    # An empty part is no text yet, and a number written as a part is its digits.
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _trimmed(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_FIELD_CHARS:
        raise ValueError(f"{len(text)} characters is too long for a message part "
                         f"(limit {MAX_FIELD_CHARS}); keep the message short and link the detail.")
    return text


MessageText = Annotated[str, fix(lambda v: f"expected text, got {_kind(v)}."),
                        BeforeValidator(_scalar_text), AfterValidator(_trimmed)]


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


def _key_points_wording(value: Any) -> str:
    if isinstance(value, str):
        return "key_points must be a list (one '- point' per line), not one text."
    if isinstance(value, list):
        return (f"{len(value)} key points; at most {MAX_KEY_POINTS} are accepted "
                "(and 3-5 are recommended).")
    return f"key_points must be a list of texts, got {_kind(value)}."


def _no_empty_point(points: list[str]) -> list[str]:
    for number, point in enumerate(points, start=1):
        if not point:
            raise ValueError(f"key_points item {number} is empty; write it or remove it.")
    return points


class AskSpec(Spec):
    """An ask as written: a behaviour, and the lever metric and target that measure it."""

    behaviour: MessageText
    metric: MessageText = ""
    target: MessageText = ""

    @model_validator(mode="after")
    def _behaviour_given(self) -> AskSpec:
        if not self.behaviour:
            raise ValueError("behaviour is missing; say what reps should do.")
        return self


def _bare_behaviour(item: Any) -> Any:
    # A bare behaviour is allowed so clarity can point out the missing metric and target.
    return {"behaviour": item} if isinstance(item, str) else item


class MessageSpec(Spec):
    """A message file: why, how, what, key_points (a list of texts) and asks, each optional,
    but not all of why, how, what and key_points."""

    why: MessageText = ""
    how: MessageText = ""
    what: MessageText = ""
    key_points: Annotated[list[MessageText], Strict(), Field(max_length=MAX_KEY_POINTS),
                          fix(_key_points_wording), BeforeValidator(_none_as_empty),
                          AfterValidator(_no_empty_point)] = Field(default_factory=list)
    asks: Annotated[
        list[Annotated[AskSpec, fix("expected a mapping with behaviour, metric, target."),
                       BeforeValidator(_bare_behaviour)]],
        Strict(),
        fix(lambda v: "asks must be a list of mappings with behaviour, metric, target; "
                      f"got {_kind(v)}."),
        BeforeValidator(_none_as_empty),
    ] = Field(default_factory=list)

    @classmethod
    def key_problems(cls, given: dict[str, Any]) -> list[tuple[Loc, str]]:
        """A message says at least one of why, how, what and key_points."""
        if any(key in given for key in MESSAGE_KEYS[:4]):
            return []
        return [((), "the message is empty; add why, how, what and key_points.")]


_MESSAGE = TypeAdapter(Annotated[MessageSpec, fix(
    lambda v: "expected a mapping with keys why, how, what, key_points (and optionally asks), "
              f"got {_kind(v)}.")])


def _where(source: str, loc: Loc) -> str:
    """`source`, then the key (`: why`), the item (` item 2`) and its key (`: metric`); a list's
    own problems name the list in their text."""
    if len(loc) == 1 and loc[0] in ("key_points", "asks"):
        return source
    where = source
    for part in loc:
        where += f" item {part + 1}" if isinstance(part, int) else f": {part}"
    return where


def _unknown_key(loc: Loc, names: list[str]) -> list[str]:
    allowed = ASK_KEYS if loc else MESSAGE_KEYS
    close = close_match(names[0], allowed)
    hint = f" (did you mean {close!r}?)" if close else ""
    return [f"unknown key {names[0]!r}{hint}; allowed keys are {', '.join(allowed)}."]
