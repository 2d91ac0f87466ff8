"""Clarity of a canonical message *to the team*: a 0-100 score and findings with suggestions.

Pure: takes a `CanonicalMessage`, returns a `ClarityReport`. No model, no I/O, so it can run on
every keystroke while a leader edits the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from m3.findings import Finding
from m3.message.text import CanonicalMessage, sentences, words

# Word lists are data: extend them here, the scorer reads them as they are.
JARGON = frozenset(
    """synergy synergies leverage leveraging paradigm holistic bandwidth ecosystem robust seamless
    seamlessly empower empowering actionable scalable disruptive disrupt game-changer
    game-changing cutting-edge best-in-class world-class next-generation next-gen mindshare
    omnichannel hyper-growth operationalize operationalise incentivize incentivise ideate
    learnings granular""".split()
)
JARGON_PHRASES = (
    "move the needle",
    "low-hanging fruit",
    "low hanging fruit",
    "circle back",
    "deep dive",
    "value-add",
    "thought leadership",
    "north star",
    "boil the ocean",
    "touch base",
    "win-win",
    "best practice",
    "core competency",
    "paradigm shift",
    "drink our own champagne",
    "take it offline",
    "single pane of glass",
)
VAGUE = frozenset(
    """stuff things various etc somehow hopefully maybe possibly perhaps optimize optimise
    appropriate appropriately significant significantly certain several""".split()
)
VAGUE_PHRASES = (
    "as needed",
    "as appropriate",
    "where possible",
    "when possible",
    "going forward",
    "in due course",
    "and so on",
    "kind of",
    "sort of",
    "more or less",
    "a lot of",
)
# An ask that opens with one of these names an attitude, not a behaviour someone can count.
VAGUE_ASK_VERBS = (
    "support",
    "focus on",
    "leverage",
    "embrace",
    "consider",
    "think about",
    "be more",
    "try to",
    "try",
    "improve",
    "engage with",
    "drive",
    "own",
    "champion",
    "explore",
    "aim to",
    "strive to",
    "be aware",
    "understand",
    "remember",
)

# Targets of the score; the formula in `message_clarity` refers to these names.
TARGET_GRADE = 9.0
TARGET_SENTENCE_WORDS = 20.0
LONG_SENTENCE_WORDS = 35
TARGET_TOTAL_WORDS = 150
MIN_PART_WORDS = 4
MIN_KEY_POINTS = 3
MAX_KEY_POINTS = 5
MAX_KEY_POINT_WORDS = 20


class FindingKind(StrEnum):
    """What a clarity finding is about; each kind owns one part of the score."""

    STRUCTURE = "structure"
    KEY_POINTS = "key_points"
    READABILITY = "readability"
    SENTENCE_LENGTH = "sentence_length"
    LENGTH = "length"
    JARGON = "jargon"
    ASKS = "asks"


@dataclass(frozen=True)
class ClarityPart:
    """One part of the clarity score: the penalty taken, its cap, and the measure behind it."""

    kind: FindingKind
    penalty: float
    cap: float
    measure: float


@dataclass(frozen=True)
class ClarityReport:
    """Clarity score 0-100, the findings, the score's parts, and the raw readability figures."""

    score: int
    findings: tuple[Finding[FindingKind], ...]
    parts: tuple[ClarityPart, ...]
    grade_level: float
    words: int
    sentences: int
    mean_sentence_words: float


def message_clarity(message: CanonicalMessage) -> ClarityReport:
    """Score how clear `message` is to a team: 100 minus capped penalties, floored at 0.

    score = round(max(0, 100 - (structure + key_points + readability + sentence_length
                                + length + jargon + asks)))
    with each penalty (the text is why, how, what and the key points, one sentence each):
    - structure (cap 30): 10 for each of why, how, what that is missing or has fewer than
      4 words (the message must start with why, then how, then what).
    - key_points (cap 20): 0 for 3-5 points; otherwise 10 + 5 per point outside 3..5
      (no points: 20); plus 3 per point longer than 20 words and 5 per duplicated point.
    - readability (cap 20): 4 per Flesch-Kincaid grade above 9, where
      grade = 0.39 * words / sentences + 11.8 * syllables / words - 15.59.
    - sentence_length (cap 10): 2 per word of mean sentence length above 20, plus 2 per
      sentence longer than 35 words.
    - length (cap 10): 1 per 15 words above 150 words in total.
    - jargon (cap 15): 3 per distinct jargon or vague word/phrase (lists `JARGON`,
      `JARGON_PHRASES`, `VAGUE`, `VAGUE_PHRASES`).
    - asks (cap 15): 5 per ask without a metric or a target, 5 per ask whose behaviour starts
      with a vague verb (`VAGUE_ASK_VERBS`); a message without asks is not penalised here.
    """
    text = message.full_text()
    text_sentences = sentences(text)
    text_words = words(text)
    n_words = len(text_words)
    n_sentences = max(1, len(text_sentences))
    grade = grade_level(text) if text_words else 0.0
    mean_words = n_words / n_sentences

    checks = (
        _structure(message),
        _key_points(message),
        _readability(grade),
        _sentence_length(text_sentences, mean_words),
        _length(n_words),
        _jargon(text),
        _asks(message),
    )
    parts = tuple(part for part, _ in checks)
    findings = tuple(finding for _, found in checks for finding in found)
    total = sum(part.penalty for part in parts)
    return ClarityReport(
        score=round(max(0.0, 100.0 - total)),
        findings=findings,
        parts=parts,
        grade_level=round(grade, 1),
        words=n_words,
        sentences=len(text_sentences),
        mean_sentence_words=round(mean_words, 1),
    )


def grade_level(text: str) -> float:
    """Flesch-Kincaid grade: 0.39 * words/sentences + 11.8 * syllables/words - 15.59."""
    text_words = words(text)
    if not text_words:
        return 0.0
    n_sentences = max(1, len(sentences(text)))
    n_syllables = sum(syllables(word) for word in text_words)
    return 0.39 * len(text_words) / n_sentences + 11.8 * n_syllables / len(text_words) - 15.59


_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Estimate the syllables of an English word by vowel groups (silent final e dropped)."""
    if any(ch.isdigit() for ch in word):
        # Numbers and codes ("50k", "24h") are read aloud as about two syllables.
        return 2
    letters = re.sub(r"[^a-z]", "", word.lower())
    if not letters:
        return 1
    count = len(_VOWEL_GROUP_RE.findall(letters))
    if letters.endswith("e") and not letters.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if letters.endswith(("ed", "es")) and count > 1 and not letters.endswith(("ted", "ded")):
        # "closed", "makes": the final -ed/-es is usually not voiced as its own syllable.
        if len(letters) > 3 and letters[-3] not in "aeiouy":
            count -= 1
    return max(1, count)


def _structure(message: CanonicalMessage) -> tuple[ClarityPart, list[Finding[FindingKind]]]:
    advice = {
        "why": "Start with why: the problem or opportunity, in the team's terms, with a number.",
        "how": "Say how: the few things reps will do differently, in order.",
        "what": "Say what success looks like: the result and how it will be measured.",
    }
    findings = []
    for name, part in message.sections():
        n = len(words(part))
        if n == 0:
            findings.append(Finding(FindingKind.STRUCTURE, f"The message has no {name}.",
                                    advice[name]))
        elif n < MIN_PART_WORDS:
            findings.append(Finding(FindingKind.STRUCTURE,
                                    f"The {name} is {n} word(s): too thin to carry meaning.",
                                    advice[name]))
    penalty = min(30.0, 10.0 * len(findings))
    return ClarityPart(FindingKind.STRUCTURE, penalty, 30.0, float(len(findings))), findings


def _key_points(message: CanonicalMessage) -> tuple[ClarityPart, list[Finding[FindingKind]]]:
    points = message.key_points
    n = len(points)
    findings = []
    penalty = 0.0
    if n == 0:
        penalty = 20.0
        findings.append(Finding(FindingKind.KEY_POINTS, "The message has no key points.",
                                "Add 3-5 key points that every rep must be able to say."))
    elif n < MIN_KEY_POINTS or n > MAX_KEY_POINTS:
        distance = MIN_KEY_POINTS - n if n < MIN_KEY_POINTS else n - MAX_KEY_POINTS
        penalty = 10.0 + 5.0 * distance
        suggestion = (
            "Merge or drop points until 3-5 remain: a team remembers a handful, not a list."
            if n > MAX_KEY_POINTS
            else "Add key points until there are 3-5 that cover why, how and what."
        )
        findings.append(Finding(FindingKind.KEY_POINTS, f"The message has {n} key points.",
                                suggestion))
    for number, point in enumerate(points, start=1):
        n_words = len(words(point))
        if n_words > MAX_KEY_POINT_WORDS:
            penalty += 3.0
            findings.append(Finding(
                FindingKind.KEY_POINTS,
                f"Key point {number} is {n_words} words long.",
                f"Cut it to at most {MAX_KEY_POINT_WORDS} words so a rep can say it in one breath.",
            ))
    seen: dict[tuple[str, ...], int] = {}
    for number, point in enumerate(points, start=1):
        key = tuple(sorted(set(words(point))))
        if key in seen:
            penalty += 5.0
            findings.append(Finding(FindingKind.KEY_POINTS,
                                    f"Key point {number} repeats key point {seen[key]}.",
                                    "Remove the duplicate or make each point say one thing."))
        else:
            seen[key] = number
    return ClarityPart(FindingKind.KEY_POINTS, min(20.0, penalty), 20.0, float(n)), findings


def _readability(grade: float) -> tuple[ClarityPart, list[Finding[FindingKind]]]:
    excess = max(0.0, grade - TARGET_GRADE)
    findings = []
    if excess > 0:
        findings.append(Finding(
            FindingKind.READABILITY,
            f"Reading grade level is {grade:.1f} (target {TARGET_GRADE:.0f} or below).",
            "Use shorter words and sentences; say it as you would to a new rep on a call.",
        ))
    return ClarityPart(FindingKind.READABILITY, min(20.0, 4.0 * excess), 20.0, grade), findings


def _sentence_length(
    text_sentences: list[str], mean_words: float
) -> tuple[ClarityPart, list[Finding[FindingKind]]]:
    findings = []
    excess = max(0.0, mean_words - TARGET_SENTENCE_WORDS)
    if excess > 0:
        findings.append(Finding(
            FindingKind.SENTENCE_LENGTH,
            f"Sentences average {mean_words:.0f} words (target {TARGET_SENTENCE_WORDS:.0f}).",
            "Split long sentences: one idea per sentence.",
        ))
    long_ones = [s for s in text_sentences if len(words(s)) > LONG_SENTENCE_WORDS]
    for sentence in long_ones:
        preview = " ".join(sentence.split()[:8])
        findings.append(Finding(
            FindingKind.SENTENCE_LENGTH,
            f"A sentence has {len(words(sentence))} words: \"{preview} ...\".",
            f"Split it into sentences of at most {LONG_SENTENCE_WORDS} words.",
        ))
    penalty = min(10.0, 2.0 * excess + 2.0 * len(long_ones))
    return ClarityPart(FindingKind.SENTENCE_LENGTH, penalty, 10.0, mean_words), findings


def _length(n_words: int) -> tuple[ClarityPart, list[Finding[FindingKind]]]:
    excess = max(0, n_words - TARGET_TOTAL_WORDS)
    findings = []
    if excess > 0:
        findings.append(Finding(
            FindingKind.LENGTH,
            f"The message is {n_words} words (target {TARGET_TOTAL_WORDS} or fewer).",
            "Keep it simple: move detail to enablement material and keep the message short.",
        ))
    penalty = min(10.0, excess / 15.0)
    return ClarityPart(FindingKind.LENGTH, penalty, 10.0, float(n_words)), findings


def _jargon(text: str) -> tuple[ClarityPart, list[Finding[FindingKind]]]:
    lowered = " " + " ".join(words(text)) + " "
    tokens = set(lowered.split())
    jargon = sorted(tokens & JARGON) + [p for p in JARGON_PHRASES if f" {p} " in lowered]
    vague = sorted(tokens & VAGUE) + [p for p in VAGUE_PHRASES if f" {p} " in lowered]
    findings = [
        Finding(FindingKind.JARGON, f"Jargon: \"{term}\".",
                "Replace it with the plain words a rep would use with a customer.")
        for term in jargon
    ] + [
        Finding(FindingKind.JARGON, f"Vague wording: \"{term}\".",
                "Say exactly what, how many or by when.")
        for term in vague
    ]
    count = len(jargon) + len(vague)
    return ClarityPart(FindingKind.JARGON, min(15.0, 3.0 * count), 15.0, float(count)), findings


def _asks(message: CanonicalMessage) -> tuple[ClarityPart, list[Finding[FindingKind]]]:
    findings = []
    for number, ask in enumerate(message.asks, start=1):
        missing = [name for name, value in (("metric", ask.metric), ("target", ask.target))
                   if not value]
        if missing:
            findings.append(Finding(
                FindingKind.ASKS,
                f"Ask {number} (\"{ask.behaviour}\") has no {' and no '.join(missing)}.",
                "Tie the ask to a lever metric and a target, e.g. '3 multi-threaded meetings "
                "per deal per month'.",
            ))
        lowered = " ".join(words(ask.behaviour))
        verb = next((v for v in VAGUE_ASK_VERBS if lowered == v or lowered.startswith(v + " ")),
                    None)
        if verb is not None:
            findings.append(Finding(
                FindingKind.ASKS,
                f"Ask {number} starts with the vague verb \"{verb}\".",
                "Name a behaviour someone could count: run, send, book, attach, log ...",
            ))
    penalty = min(15.0, 5.0 * len(findings))
    return ClarityPart(FindingKind.ASKS, penalty, 15.0, float(len(findings))), findings
