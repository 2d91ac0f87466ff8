"""Clarity of the canonical message: small exact cases for each part of the score."""

from __future__ import annotations

from dataclasses import replace

import pytest

from m3.message.clarity import FindingKind, grade_level, message_clarity, syllables
from m3.message.text import Ask, CanonicalMessage

CLEAR = CanonicalMessage(
    why="Deals close faster when buyers see their own numbers early. Last year they won 31%.",
    how="Build the ROI model with the buyer in the first call. Send a one-page summary the next "
        "day.",
    what="Every new deal has an ROI model in the CRM before the proposal.",
    key_points=(
        "Open discovery by building the ROI model with the buyer.",
        "Send the one-page summary within 24 hours.",
        "Review the model with the economic buyer before the proposal.",
        "Attach the model to the deal in the CRM.",
    ),
    asks=(Ask("Complete the calculator in the first call", "roi_models_completed", "80%"),),
)


def kinds(message: CanonicalMessage) -> list[FindingKind]:
    return [f.kind for f in message_clarity(message).findings]


def test_a_short_plain_message_scores_high_with_no_findings() -> None:
    report = message_clarity(CLEAR)
    assert report.findings == ()
    assert report.score == 100


def test_a_message_with_no_why_gets_a_structure_finding_and_loses_10() -> None:
    report = message_clarity(replace(CLEAR, why=""))
    assert [f.kind for f in report.findings] == [FindingKind.STRUCTURE]
    assert "no why" in report.findings[0].text
    assert "Start with why" in report.findings[0].suggestion
    assert report.score == 90


def test_a_two_word_how_is_too_thin() -> None:
    report = message_clarity(replace(CLEAR, how="Use calculator."))
    assert "too thin" in report.findings[0].text


def test_seven_key_points_get_a_finding_and_lose_20() -> None:
    points = tuple(f"Point number {n} is short." for n in range(7))
    report = message_clarity(replace(CLEAR, key_points=points))
    assert kinds(replace(CLEAR, key_points=points)) == [FindingKind.KEY_POINTS]
    assert "7 key points" in report.findings[0].text
    assert report.score == 80


def test_two_key_points_get_a_finding_asking_for_more() -> None:
    report = message_clarity(replace(CLEAR, key_points=CLEAR.key_points[:2]))
    assert "Add key points" in report.findings[0].suggestion
    assert report.score == 85


def test_a_duplicated_key_point_is_named() -> None:
    points = (*CLEAR.key_points[:3], "Send the one-page summary within 24 hours.")
    report = message_clarity(replace(CLEAR, key_points=points))
    assert "Key point 4 repeats key point 2." in [f.text for f in report.findings]


def test_jargon_and_vague_words_are_each_named() -> None:
    report = message_clarity(replace(CLEAR, what="Leverage synergy and move the needle, etc."))
    texts = [f.text for f in report.findings if f.kind is FindingKind.JARGON]
    assert texts == ['Jargon: "leverage".', 'Jargon: "synergy".', 'Jargon: "move the needle".',
                     'Vague wording: "etc".']
    assert report.score == 88


def test_an_ask_without_metric_or_target_and_with_a_vague_verb_gets_two_findings() -> None:
    report = message_clarity(replace(CLEAR, asks=(Ask("Focus on discovery quality"),)))
    texts = [f.text for f in report.findings]
    assert texts == ['Ask 1 ("Focus on discovery quality") has no metric and no target.',
                     'Ask 1 starts with the vague verb "focus on".']
    assert report.score == 90


def test_long_academic_sentences_lose_readability_and_sentence_length_points() -> None:
    dense = ("Organisational transformation necessitates comprehensive stakeholder "
             "alignment regarding institutional prioritisation methodologies, "
             "incorporating quantitative evaluation frameworks, longitudinal performance "
             "indicators, cross-functional accountability mechanisms and continuous "
             "improvement initiatives throughout every operational geography, business "
             "unit, commercial function and customer segment, notwithstanding previously "
             "established organisational commitments and their associated dependencies.")
    report = message_clarity(replace(CLEAR, why=dense))
    found = {f.kind for f in report.findings}
    assert {FindingKind.READABILITY, FindingKind.SENTENCE_LENGTH} <= found
    assert report.score < 85


def test_an_empty_message_with_vague_asks_takes_each_capped_penalty() -> None:
    # structure 30 (cap) + key points 20 (none) + asks 15 (cap of 6 x 5) = 65
    report = message_clarity(CanonicalMessage("", "", "", (), (Ask("Support it"),) * 3))
    assert report.score == 35


@pytest.mark.parametrize(("word", "count"), [
    ("the", 1), ("make", 1), ("calculator", 4), ("summary", 3), ("closed", 1),
    ("people", 2), ("50k", 2), ("economic", 4),
])
def test_syllables_are_counted_by_vowel_groups(word: str, count: int) -> None:
    assert syllables(word) == count


def test_grade_level_follows_flesch_kincaid_on_a_tiny_text() -> None:
    # 6 words, 1 sentence, 6 syllables: 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert grade_level("The cat sat on the mat.") == pytest.approx(-1.45)
