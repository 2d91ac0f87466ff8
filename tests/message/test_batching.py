"""Scoring in batches gives the numbers scoring each text alone gives, for both methods."""

from __future__ import annotations

import numpy as np
import pytest

from m3.message import consistency, encoders
from m3.message.consistency import texts_consistency
from m3.message.encoders import EmbeddingEncoder, LexicalEncoder, TextEncoder
from m3.message.text import sentences
from tests.message.conftest import LabelledSet

# Edge cases next to the labelled texts: repeats, stop words only, one word, a negation, a key
# point's own wording, empty and non-English texts.
EXTRA = ("", "The and of.", "ROI", "Don't skip the ROI calculator.", "Use the ROI calculator",
         "Use the ROI calculator", "Начинайте каждый звонок с калькулятора.")


def texts_of(labelled: LabelledSet, name: str) -> list[str]:
    return [t.text for t in labelled.texts if t.message == name] + list(EXTRA)


def assert_same_reports(encoder: TextEncoder, labelled: LabelledSet) -> None:
    for name, message in labelled.messages.items():
        texts = texts_of(labelled, name)
        together = texts_consistency(message, texts, encoder)
        alone = [texts_consistency(message, [text], encoder)[0] for text in texts]
        for a, b in zip(together, alone, strict=True):
            assert a.consistency == pytest.approx(b.consistency, abs=1e-4)
            assert [kp.similarity for kp in a.key_points] == pytest.approx(
                [kp.similarity for kp in b.key_points], abs=1e-4)
            assert [(kp.covered, kp.contradicted, kp.evidence, kp.contradiction)
                    for kp in a.key_points] == [
                (kp.covered, kp.contradicted, kp.evidence, kp.contradiction)
                for kp in b.key_points]
            assert (a.reliable, a.truncated, a.findings) == (b.reliable, b.truncated, b.findings)


def assert_similarities_are_encode_batch_by_batch(encoder: TextEncoder,
                                                  labelled: LabelledSet) -> None:
    """`similarities` equals the dot products of `encode` on each batch alone (its meaning)."""
    message = labelled.messages["roi_discovery"]
    head, tail = list(message.key_points), sentences(message.full_text())
    groups = [sentences(text) for text in texts_of(labelled, "roi_discovery")] + [[], ["the"]]
    groups[0] = [*groups[0], head[0], groups[0][0]]  # a key point and a repeat inside a batch
    fast = encoder.similarities(head, groups, tail)
    assert fast.shape == (len(head), sum(len(g) for g in groups))
    column = 0
    for group in groups:
        vectors = encoder.encode([*head, *group, *tail])
        expected = vectors[:len(head)] @ vectors[len(head):len(head) + len(group)].T
        np.testing.assert_allclose(fast[:, column:column + len(group)], expected, atol=1e-5)
        column += len(group)


def test_lexical_batch_scores_equal_each_text_scored_alone(
    lexical: LexicalEncoder, labelled: LabelledSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consistency, "SCORING_CHUNK_TEXTS", 7)  # several chunks, one cut mid-way
    assert_same_reports(lexical, labelled)


def test_lexical_similarities_are_each_batch_fit_alone(
    lexical: LexicalEncoder, labelled: LabelledSet
) -> None:
    assert_similarities_are_encode_batch_by_batch(lexical, labelled)


def test_a_batch_of_stop_words_and_nothing_has_no_similarity(lexical: LexicalEncoder) -> None:
    assert not lexical.similarities(["the", "and"], [["of"], []]).any()
    assert lexical.similarities([], [["a text"]]).shape == (0, 1)


def test_repeated_texts_get_the_same_report(lexical: LexicalEncoder,
                                            labelled: LabelledSet) -> None:
    message = labelled.messages["renewals"]
    text = labelled.texts[0].text
    first, again = texts_consistency(message, [text, "Something else.", text], lexical)[::2]
    assert first == again


@pytest.mark.semantic
def test_embedding_batch_scores_equal_each_text_scored_alone(
    embedding: EmbeddingEncoder, labelled: LabelledSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consistency, "SCORING_CHUNK_TEXTS", 16)
    assert_same_reports(embedding, labelled)


@pytest.mark.semantic
def test_embedding_similarities_are_each_batch_encoded_alone(
    embedding: EmbeddingEncoder, labelled: LabelledSet
) -> None:
    assert_similarities_are_encode_batch_by_batch(embedding, labelled)


@pytest.mark.semantic
def test_a_full_vector_cache_still_answers_every_text(
    labelled: LabelledSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache is emptied when a batch would overflow it; the texts cached before still count.
    monkeypatch.setattr(encoders, "EMBEDDING_CACHE_SIZE", 4)
    encoder = EmbeddingEncoder(lexical_weight=0.0)  # the embeddings alone, no batch-fit part
    texts = [t.text for t in labelled.texts[:6]]
    cached = encoder.encode(texts[:2])
    both = encoder.encode(texts)
    np.testing.assert_allclose(both[:2], cached, atol=1e-6)
