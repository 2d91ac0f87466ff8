"""Consistency of a text (a leader's touchpoint, a rep's restatement) with the canonical message.

Pure: takes a `CanonicalMessage`, a text and a `TextEncoder`, returns a `ConsistencyReport`.
The text is cut into sentences and clauses; each key point is matched to its best affirmative
sentence or clause (covered when the similarity reaches the method's threshold) and checked
against the text's negated clauses (contradicted when the text says "don't / skip / never ..."
about that key point more strongly than it says it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from m3.errors import InputError
from m3.findings import Finding
from m3.message.encoders import Method, TextEncoder, default_encoder
from m3.message.scores import KeyPointScore
from m3.message.text import (
    MAX_SCORED_TEXT_CHARS,
    CanonicalMessage,
    english_stop_word_share,
    sentences,
    text_cap,
    words,
)


@dataclass(frozen=True)
class Calibration:
    """Per-method constants: the similarity a key point needs, and the 0..1 rescaling band."""

    covered: float  # best-clause similarity at or above which a key point counts as covered
    low: float  # similarity mapped to 0 (typical of an unrelated sentence)
    high: float  # similarity mapped to 1 (typical of a faithful paraphrase)
    contradiction: float  # a negated clause this similar to a key point is about that point


# Calibrated on tests/message/data/labelled.yaml with benchmarks/message_quality.py --calibrate:
# `covered` maximises per-key-point accuracy; `low`/`high` are the medians of the best similarity
# of uncovered / covered key points.
CALIBRATION: dict[Method, Calibration] = {
    Method.EMBEDDING: Calibration(covered=0.38, low=0.17, high=0.67, contradiction=0.35),
    Method.LEXICAL: Calibration(covered=0.21, low=0.04, high=0.55, contradiction=0.25),
}

# A text that contradicts the message is off-message whatever else it repeats: each contradicted
# key point multiplies the score by this factor (one contradiction: x0.25, two: x0.0625).
CONTRADICTION_FACTOR = 0.25
# Below this many words a text cannot be judged (a "yes", a name), and below this share of
# common English words it is most likely not English; scores are then flagged unreliable.
MIN_RELIABLE_WORDS = 4
MIN_ENGLISH_SHARE = 0.12
# Cheap script check: a text mostly in non-Latin letters is not English whatever its stop words.
MAX_NON_LATIN_SHARE = 0.3

# Directive negation and dismissal cues: a clause holding one tells the reader *not* to do what
# follows. Descriptive negations ("three deals had no model attached", "not just your champion")
# are deliberately absent: they report a gap or widen a point rather than reverse it.
NEGATION_WORDS = frozenset(
    """don't dont never skip skipping avoid stop stopping forget drop ignore instead rather
    bother waste pointless unnecessary shouldn't mustn't needn't""".split()
)
NEGATION_PHRASES = ("no need", "no longer", "do not", "does not need", "should not", "must not",
                    "need not", "not necessary", "doesn't matter", "instead of", "rather than",
                    "waste of time", "don't bother")
# "Don't send a proposal until the EB has seen it" states a precondition, not a refusal.
PRECONDITION_WORDS = frozenset({"until", "unless", "till"})

_CLAUSE_SPLIT_RE = re.compile(
    r"([,;:()\u2013\u2014]|\s-\s|\b(?:but|and|so|or|while|whereas|although|though|because|then)\b"
    r"|(?=\b(?:instead of|rather than)\b))",
    re.IGNORECASE,
)
# After "and"/"or", a piece that opens with one of these, or is this short, continues the
# previous clause's object ("stop logging every contact and their role in the CRM") rather than
# starting a new instruction, so it stays in that clause (and under its negation).
NOUN_PHRASE_OPENERS = frozenset(
    "the a an their your our its his her any every all each my this that these those".split()
)
MAX_CONTINUATION_WORDS = 4
# Texts are scored this many at a time: one model call and one TF-IDF pass per chunk, big
# enough to pay each call's overhead once, small enough to bound the memory of a long rescore.
SCORING_CHUNK_TEXTS = 512


class FindingKind(StrEnum):
    """What a consistency finding is about."""

    CONTRADICTION = "contradiction"
    MISSING = "missing"
    UNRELIABLE = "unreliable"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class ConsistencyReport:
    """Consistency 0..1 of one text with the message, per key point, with reliability flags."""

    consistency: float
    key_points: tuple[KeyPointScore, ...]
    method: Method
    reliable: bool
    truncated: bool
    findings: tuple[Finding[FindingKind], ...]


@dataclass(frozen=True)
class _Clause:
    text: str
    negated: bool


def text_consistency(
    message: CanonicalMessage,
    text: str,
    encoder: TextEncoder | None = None,
    calibration: Calibration | None = None,
) -> ConsistencyReport:
    """Score how consistently `text` carries `message`'s key points, 0 (not at all) to 1.

    For each key point k (K in all), with the method's calibration (covered, low, high,
    contradiction) from `CALIBRATION` unless `calibration` is given:
      a_k = max cosine similarity between k and the text's affirmative units (sentences with no
            negated clause, their clauses, and runs of consecutive affirmative clauses);
      n_k = max cosine similarity between k and the text's negated clauses, cue words removed;
      contradicted_k = n_k >= contradiction and n_k > a_k   (never for a key point that is
            itself phrased as a negation: then all units count as affirmative);
      covered_k = a_k >= covered and not contradicted_k;
      s_k = 0 if contradicted_k else clip((a_k - low) / (high - low), 0, 1).
    consistency = mean_k(s_k) * CONTRADICTION_FACTOR ** (number of contradicted key points).
    The similarities are those of the encoder fit on the key points, the text's units and the
    message's sentences (one batch per text, whatever else is scored with it).
    Empty text scores 0 (reliable False, reason given) rather than raising, so one blank
    restatement does not stop a batch; text past MAX_SCORED_TEXT_CHARS is cut (truncated True);
    text under MIN_RELIABLE_WORDS words or not English is scored but flagged reliable False.
    """
    if not message.key_points:
        raise InputError("The message has no key points; add 3-5 key_points to score texts.")
    return texts_consistency(message, [text], encoder, calibration)[0]


def texts_consistency(
    message: CanonicalMessage,
    texts: Sequence[str],
    encoder: TextEncoder | None = None,
    calibration: Calibration | None = None,
) -> tuple[ConsistencyReport, ...]:
    """Score each of `texts` against `message` (`text_consistency`), all in batches.

    One encoder is chosen for the batch; each distinct text is scored once; the texts' units
    are compared with the key points SCORING_CHUNK_TEXTS texts at a time (`similarities`), with
    the numbers scoring each text alone gives.
    """
    chosen = encoder if encoder is not None else default_encoder()
    if not texts:
        return ()
    if not message.key_points:
        raise InputError("The message has no key points; add 3-5 key_points to score texts.")
    calibration = calibration if calibration is not None else CALIBRATION[chosen.method]
    prepared = {text: _prepared(text) for text in dict.fromkeys(texts)}
    points = list(message.key_points)
    context = sentences(message.full_text())
    negated_points = [is_negated(point) for point in points]
    reports: dict[str, ConsistencyReport] = {}
    scorable = [text for text, ready in prepared.items() if ready.group]
    for first in range(0, len(scorable), SCORING_CHUNK_TEXTS):
        chunk = scorable[first:first + SCORING_CHUNK_TEXTS]
        groups = [prepared[text].group for text in chunk]
        similarity = chosen.similarities(points, groups, context)
        column = 0
        for text, group in zip(chunk, groups, strict=True):
            block = similarity[:, column:column + len(group)]
            column += len(group)
            scores = _key_point_scores(points, negated_points, prepared[text], block, calibration)
            reports[text] = _report(prepared[text], scores, chosen.method, calibration)
    for text, ready in prepared.items():
        if not ready.group:
            points_zero = tuple(KeyPointScore(p, False, 0.0, False, None, None) for p in points)
            reports[text] = ConsistencyReport(0.0, points_zero, chosen.method, False,
                                              ready.truncated, ready.findings)
    return tuple(reports[text] for text in texts)


def clauses(sentence: str) -> list[str]:
    """Split a sentence into clauses at punctuation and conjunctions (but, and, so, instead of)."""
    parts = _CLAUSE_SPLIT_RE.split(sentence)
    result: list[str] = []
    separator = ""
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a captured separator
            separator = part.strip().lower()
            continue
        piece = part.strip()
        tokens = words(piece)
        if not tokens:
            continue
        continues = separator in ("and", "or") and (
            tokens[0] in NOUN_PHRASE_OPENERS or len(tokens) <= MAX_CONTINUATION_WORDS
        )
        if continues and result:
            result[-1] = f"{result[-1]} {separator} {piece}"
        else:
            result.append(piece)
    return result


def is_negated(clause: str) -> bool:
    """Return True when `clause` says not to do something (a cue, and no until/unless)."""
    tokens = words(clause)
    joined = " " + " ".join(tokens) + " "
    has_cue = bool(NEGATION_WORDS.intersection(tokens)) or any(
        f" {phrase} " in joined for phrase in NEGATION_PHRASES
    )
    return has_cue and not PRECONDITION_WORDS.intersection(tokens)


def negation_removed(clause: str) -> str:
    """Return `clause` without its negation cue words: what the clause says not to do."""
    text = " ".join(words(clause))
    for phrase in ("there is no need to", "no need to", "waste of time", *NEGATION_PHRASES):
        text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text)
    return " ".join(token for token in text.split() if token not in NEGATION_WORDS)


def _unreliable_reason(text: str) -> str | None:
    tokens = words(text)
    letters = [ch for ch in text if ch.isalpha()]
    non_latin = sum(not ("a" <= ch.lower() <= "z") for ch in letters) / max(1, len(letters))
    if non_latin > MAX_NON_LATIN_SHARE:
        return "The text does not look like English; the score is unreliable."
    if len(tokens) >= MIN_RELIABLE_WORDS and english_stop_word_share(tokens) < MIN_ENGLISH_SHARE:
        return (
            "The text does not look like English (few common English words); both methods "
            "compare English wording, so the score is unreliable."
        )
    if len(tokens) < MIN_RELIABLE_WORDS:
        return f"The text has {len(tokens)} word(s): too short to judge; the score is unreliable."
    return None


@dataclass(frozen=True)
class _Prepared:
    """A text ready to score: its cut, its units and what is already known about it."""

    truncated: bool
    unreliable: str | None
    findings: tuple[Finding[FindingKind], ...]  # truncation, unreliability, emptiness
    affirmative: tuple[str, ...]
    negated: tuple[_Clause, ...]
    group: tuple[str, ...]  # what is compared with the key points: affirmative, negated, scopes


def _prepared(text: str) -> _Prepared:
    capped, truncated = text_cap(text.strip(), MAX_SCORED_TEXT_CHARS)
    findings: list[Finding[FindingKind]] = []
    if truncated:
        findings.append(Finding(
            FindingKind.TRUNCATED,
            f"The text is longer than {MAX_SCORED_TEXT_CHARS} characters; only the first "
            f"{len(capped)} were scored.",
        ))
    if not words(capped):
        findings.append(Finding(FindingKind.UNRELIABLE, "The text is empty."))
        return _Prepared(truncated, None, tuple(findings), (), (), ())
    unreliable = _unreliable_reason(capped)
    if unreliable is not None:
        findings.append(Finding(FindingKind.UNRELIABLE, unreliable))
    affirmative, negated = _units(capped)
    scopes = tuple(negation_removed(clause.text) or clause.text for clause in negated)
    group = (*affirmative, *(clause.text for clause in negated), *scopes)
    return _Prepared(truncated, unreliable, tuple(findings), affirmative, negated, group)


def _units(text: str) -> tuple[tuple[str, ...], tuple[_Clause, ...]]:
    """Return affirmative units (sentences, clauses, clause runs) and negated clauses."""
    affirmative: list[str] = []
    negated: list[_Clause] = []
    for sentence in sentences(text):
        units, negations = _sentence_units(sentence)
        affirmative.extend(units)
        negated.extend(negations)
    # Order-preserving de-duplication: a one-clause sentence is both a sentence and a clause.
    return tuple(dict.fromkeys(affirmative)), tuple(negated)


@functools.lru_cache(maxsize=16_384)
def _sentence_units(sentence: str) -> tuple[tuple[str, ...], tuple[_Clause, ...]]:
    """One sentence's affirmative units and negated clauses (sentences recur across texts)."""
    affirmative: list[str] = []
    negated: list[_Clause] = []
    parts = [_Clause(c, is_negated(c)) for c in clauses(sentence)] or [
        _Clause(sentence, is_negated(sentence))
    ]
    if not any(part.negated for part in parts):
        affirmative.append(sentence)
    run: list[str] = []
    for part in [*parts, _Clause("", True)]:
        if part.negated:
            if len(run) > 1:
                affirmative.append(" ".join(run))
            run = []
            if part.text:
                negated.append(part)
        else:
            run.append(part.text)
            affirmative.append(part.text)
    return tuple(affirmative), tuple(negated)


def _key_point_scores(
    points: Sequence[str], negated_points: Sequence[bool], text: _Prepared,
    similarity: NDArray[np.float32], calibration: Calibration,
) -> tuple[KeyPointScore, ...]:
    """Each key point's score from its similarities to the text's units (`text.group` order)."""
    a, n = len(text.affirmative), len(text.negated)
    sim_affirmative = similarity[:, :a]
    sim_negated_raw = similarity[:, a:a + n]
    sim_scope = similarity[:, a + n:a + 2 * n]
    best_a_all = sim_affirmative.max(axis=1) if a else np.zeros(len(points), dtype=np.float32)
    arg_a_all = sim_affirmative.argmax(axis=1) if a else None
    best_n_all = sim_scope.max(axis=1) if n else np.zeros(len(points), dtype=np.float32)
    arg_n_all = sim_scope.argmax(axis=1) if n else None

    scores = []
    for i, point in enumerate(points):
        best_a = float(best_a_all[i])
        evidence = text.affirmative[int(arg_a_all[i])] if arg_a_all is not None else None
        if negated_points[i]:
            # A key point that is itself a prohibition ("never discount before ...") is carried
            # by negated clauses too; contradiction detection is not attempted for it.
            best_raw = float(sim_negated_raw[i].max()) if n else 0.0
            if best_raw > best_a:
                best_a = best_raw
                evidence = text.negated[int(sim_negated_raw[i].argmax())].text
            scores.append(KeyPointScore(point, best_a >= calibration.covered, round(best_a, 4),
                                        False, evidence, None))
            continue
        best_n = float(best_n_all[i])
        contradicted = best_n >= calibration.contradiction and best_n > best_a
        contradiction = (text.negated[int(arg_n_all[i])].text
                         if contradicted and arg_n_all is not None else None)
        scores.append(KeyPointScore(
            point=point,
            covered=best_a >= calibration.covered and not contradicted,
            similarity=round(best_a, 4),
            contradicted=contradicted,
            evidence=evidence,
            contradiction=contradiction,
        ))
    return tuple(scores)


def _report(text: _Prepared, points: tuple[KeyPointScore, ...], method: Method,
            calibration: Calibration) -> ConsistencyReport:
    """The consistency of a scored text, and its findings (see `text_consistency`)."""
    band = calibration.high - calibration.low
    parts = [
        0.0 if kp.contradicted else min(1.0, max(0.0, (kp.similarity - calibration.low) / band))
        for kp in points
    ]
    n_contradicted = sum(kp.contradicted for kp in points)
    consistency = float(np.mean(parts)) * CONTRADICTION_FACTOR**n_contradicted
    findings = list(text.findings)
    for number, kp in enumerate(points, start=1):
        if kp.contradicted:
            findings.append(Finding(
                FindingKind.CONTRADICTION,
                f"Contradicts key point {number} (\"{kp.point}\"): \"{kp.contradiction}\".",
                key_point=number,
            ))
        elif not kp.covered:
            findings.append(Finding(
                FindingKind.MISSING, f"Does not carry key point {number} (\"{kp.point}\").",
                key_point=number
            ))
    return ConsistencyReport(
        consistency=round(consistency, 4),
        key_points=points,
        method=method,
        reliable=text.unreliable is None,
        truncated=text.truncated,
        findings=tuple(findings),
    )
