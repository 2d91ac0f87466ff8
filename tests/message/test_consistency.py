"""Consistency of texts with the canonical message: tiny exact cases and the labelled set."""

from __future__ import annotations

import pytest
from sklearn.metrics import roc_auc_score

from m3.errors import ConfigError, InputError
from m3.message.consistency import (
    ConsistencyReport,
    FindingKind,
    clauses,
    is_negated,
    negation_removed,
    text_consistency,
    texts_consistency,
)
from m3.message.encoders import (
    EmbeddingEncoder,
    LexicalEncoder,
    Method,
    TextEncoder,
    default_encoder,
    encoder_available,
)
from m3.message.text import MAX_SCORED_TEXT_CHARS, CanonicalMessage

from .conftest import SEMANTIC_MISSING, LabelledSet

ROI = CanonicalMessage(
    why="Buyers who see their own numbers early buy faster.",
    how="Build the ROI model with the buyer in discovery and send a summary the next day.",
    what="Every opportunity has an ROI model in the CRM.",
    key_points=(
        "Open every discovery call by building the ROI model with the buyer in the calculator.",
        "Send the buyer a one-page ROI summary within 24 hours of the call.",
        "Attach the completed ROI model to the opportunity in the CRM.",
    ),
)
FAITHFUL = ("Start each discovery call by building the ROI model with your buyer in the "
            "calculator. Send them the one-page ROI summary within 24 hours. Attach the "
            "completed model to the opportunity in the CRM.")
CONTRADICTING = ("Don't raise ROI in discovery, skip the calculator. Send the buyer a one-page "
                 "ROI summary within 24 hours. Attach the completed ROI model to the opportunity "
                 "in the CRM.")


def scored(labelled: LabelledSet, encoder: TextEncoder) -> list[ConsistencyReport]:
    reports = {}
    for name, message in labelled.messages.items():
        mine = [t for t in labelled.texts if t.message == name]
        for item, report in zip(mine, texts_consistency(message, [t.text for t in mine], encoder),
                                strict=True):
            reports[item.id] = report
    return [reports[t.id] for t in labelled.texts]


def key_point_accuracy(labelled: LabelledSet, reports: list[ConsistencyReport]) -> float:
    pairs = [
        kp.covered == (number in t.covers)
        for t, r in zip(labelled.texts, reports, strict=True)
        for number, kp in enumerate(r.key_points, start=1)
    ]
    return sum(pairs) / len(pairs)


def on_off_auc(labelled: LabelledSet, reports: list[ConsistencyReport]) -> float:
    y = [t.label in ("faithful", "partial") for t in labelled.texts]
    return float(roc_auc_score(y, [r.consistency for r in reports]))


def assert_contradicting_below_every_faithful(
    labelled: LabelledSet, reports: list[ConsistencyReport]
) -> None:
    for name in labelled.messages:
        pairs = [(t, r) for t, r in zip(labelled.texts, reports, strict=True) if t.message == name]
        faithful = min(r.consistency for t, r in pairs if t.label == "faithful")
        for t, r in pairs:
            if t.label == "contradicting":
                assert r.consistency < faithful, t.id


@pytest.fixture(scope="module")
def lexical_reports(labelled: LabelledSet, lexical: LexicalEncoder) -> list[ConsistencyReport]:
    return scored(labelled, lexical)


@pytest.fixture(scope="module")
def embedding_reports(
    labelled: LabelledSet, embedding: EmbeddingEncoder
) -> list[ConsistencyReport]:
    return scored(labelled, embedding)


def test_the_labelled_set_has_60_texts_of_every_label(labelled: LabelledSet) -> None:
    labels = [t.label for t in labelled.texts]
    assert len(labels) >= 60
    assert set(labels) == {"faithful", "partial", "off-message", "contradicting"}


def test_a_faithful_paraphrase_covers_every_key_point(lexical: LexicalEncoder) -> None:
    report = text_consistency(ROI, FAITHFUL, lexical)
    assert [kp.covered for kp in report.key_points] == [True, True, True]
    assert report.consistency > 0.8
    assert report.reliable and not report.truncated and report.method is Method.LEXICAL


def test_a_text_that_says_the_opposite_names_the_contradicted_key_point(
    lexical: LexicalEncoder,
) -> None:
    report = text_consistency(ROI, CONTRADICTING, lexical)
    assert [kp.contradicted for kp in report.key_points] == [True, False, False]
    assert report.key_points[0].covered is False
    finding = [f for f in report.findings if f.kind is FindingKind.CONTRADICTION]
    assert len(finding) == 1 and finding[0].key_point == 1
    assert report.consistency < text_consistency(ROI, FAITHFUL, lexical).consistency / 3


def test_rejecting_an_alternative_is_not_a_contradiction(lexical: LexicalEncoder) -> None:
    text = ("Don't open with a product demo; open every discovery call by building the ROI "
            "model with the buyer in the calculator.")
    report = text_consistency(ROI, text, lexical)
    assert report.key_points[0].covered and not report.key_points[0].contradicted


def test_a_precondition_with_until_is_not_a_contradiction(lexical: LexicalEncoder) -> None:
    assert not is_negated("Don't send a proposal until the economic buyer has seen the model")
    assert is_negated("Don't send the proposal to the economic buyer")


def test_clauses_split_at_punctuation_conjunctions_and_instead_of() -> None:
    assert clauses("Skip the demo, use the calculator instead of slides") == [
        "Skip the demo", "use the calculator", "instead of slides"]


def test_negation_removed_keeps_what_the_clause_says_not_to_do() -> None:
    assert negation_removed("There is no need to send the summary") == "send the summary"
    assert negation_removed("Don't bother attaching the model") == "attaching the model"


def test_an_off_message_text_scores_near_zero(lexical: LexicalEncoder) -> None:
    text = "The holiday schedule is out; the office closes on the 24th. Enjoy the break."
    report = text_consistency(ROI, text, lexical)
    assert report.consistency < 0.1
    assert not any(kp.covered for kp in report.key_points)


def test_empty_text_scores_zero_with_a_reason_instead_of_raising(lexical: LexicalEncoder) -> None:
    report = text_consistency(ROI, "   \n ", lexical)
    assert report.consistency == 0.0 and report.reliable is False
    assert report.findings[0].text == "The text is empty."


def test_enormous_text_is_capped_and_reported_truncated(lexical: LexicalEncoder) -> None:
    text = FAITHFUL + " More words follow here." * 2_000
    report = text_consistency(ROI, text, lexical)
    assert report.truncated is True
    assert any(f.kind is FindingKind.TRUNCATED for f in report.findings)
    assert str(MAX_SCORED_TEXT_CHARS) in report.findings[0].text
    assert report.key_points[0].covered


def test_french_text_is_flagged_unreliable(lexical: LexicalEncoder) -> None:
    text = ("Commencez chaque appel de découverte en construisant le modèle de retour sur "
            "investissement avec l'acheteur, puis envoyez le résumé dans les 24 heures.")
    report = text_consistency(ROI, text, lexical)
    assert report.reliable is False
    assert "English" in report.findings[0].text


def test_russian_text_is_flagged_unreliable(lexical: LexicalEncoder) -> None:
    report = text_consistency(ROI, "Начинайте каждый звонок с калькулятора окупаемости.", lexical)
    assert report.reliable is False


def test_terse_english_notes_are_still_reliable(lexical: LexicalEncoder) -> None:
    notes = "- ROI calc in first disco call\n- summary to buyer within 24h\n- model in CRM"
    assert text_consistency(ROI, notes, lexical).reliable is True


def test_a_message_without_key_points_cannot_score_texts(lexical: LexicalEncoder) -> None:
    with pytest.raises(InputError, match="no key points"):
        text_consistency(CanonicalMessage("why", "how", "what", ()), "text", lexical)


def test_lexical_is_chosen_explicitly_and_unknown_methods_are_refused() -> None:
    assert default_encoder("lexical").method is Method.LEXICAL
    with pytest.raises(InputError, match="auto, embedding or lexical"):
        default_encoder("magic")


def test_auto_picks_embeddings_exactly_when_the_extra_is_installed() -> None:
    expected = Method.EMBEDDING if encoder_available() else Method.LEXICAL
    assert default_encoder("auto").method is expected


@pytest.mark.skipif(encoder_available(), reason="the semantic extra is installed")
def test_asking_for_embeddings_without_the_extra_says_how_to_install() -> None:
    with pytest.raises(ConfigError, match=r"pip install -e '\.\[semantic\]'"):
        default_encoder("embedding")


def test_lexical_contradicting_texts_rank_below_every_faithful_paraphrase(
    labelled: LabelledSet, lexical_reports: list[ConsistencyReport]
) -> None:
    assert_contradicting_below_every_faithful(labelled, lexical_reports)


def test_lexical_separates_on_from_off_message_with_auc_above_0_95(
    labelled: LabelledSet, lexical_reports: list[ConsistencyReport]
) -> None:
    assert on_off_auc(labelled, lexical_reports) >= 0.95


def test_lexical_key_point_accuracy_is_at_least_0_9(
    labelled: LabelledSet, lexical_reports: list[ConsistencyReport]
) -> None:
    assert key_point_accuracy(labelled, lexical_reports) >= 0.9


@pytest.mark.semantic
def test_embedding_contradicting_texts_rank_below_every_faithful_paraphrase(
    labelled: LabelledSet, embedding_reports: list[ConsistencyReport]
) -> None:
    assert_contradicting_below_every_faithful(labelled, embedding_reports)


@pytest.mark.semantic
def test_embedding_auc_is_at_least_0_95_and_key_point_accuracy_at_least_0_9(
    labelled: LabelledSet, embedding_reports: list[ConsistencyReport]
) -> None:
    assert on_off_auc(labelled, embedding_reports) >= 0.95
    assert key_point_accuracy(labelled, embedding_reports) >= 0.9


@pytest.mark.semantic
def test_embedding_names_the_contradicted_key_point(embedding: EmbeddingEncoder) -> None:
    report = text_consistency(ROI, CONTRADICTING, embedding)
    assert [kp.contradicted for kp in report.key_points] == [True, False, False]
    assert report.method is Method.EMBEDDING


@pytest.mark.semantic
def test_embedding_model_is_loaded_once_per_process(embedding: EmbeddingEncoder) -> None:
    from m3.message.encoders import embedding_model

    assert embedding_model() is embedding_model()
    pure = EmbeddingEncoder(lexical_weight=0.0)
    vectors = pure.encode(["Send the summary.", "Email the recap.", "Holiday party on Friday."])
    assert vectors.shape == (3, 384)
    # Paraphrase with no shared content word is closer than an unrelated sentence.
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


def test_the_skip_message_says_how_to_install_the_extra() -> None:
    assert "pip install -e '.[semantic]'" in SEMANTIC_MISSING
