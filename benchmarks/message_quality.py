"""Quality and speed of message consistency scoring on the labelled set, for each method.

Reports, per method: AUC of `consistency` for on-message (faithful + partial) against
off-message (off + contradicting) texts; where contradicting texts rank (their highest score
against the lowest faithful score); per-key-point coverage accuracy; contradiction recall and
false alarms; and speed in texts per second on this CPU.

    python benchmarks/message_quality.py [--method auto|embedding|lexical|all] [--repeat N]
    python benchmarks/message_quality.py --calibrate   # similarity distributions for CALIBRATION
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from sklearn.metrics import roc_auc_score

from m3.message.consistency import Calibration, ConsistencyReport, texts_consistency
from m3.message.encoders import (
    EmbeddingEncoder,
    Method,
    TextEncoder,
    default_encoder,
    encoder_available,
)
from m3.message.text import CanonicalMessage, message_from_mapping

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "message" / "data" / "labelled.yaml"
ON_MESSAGE = ("faithful", "partial")
# Reference row only (not shipped): pure MiniLM embeddings, no TF-IDF blend, calibrated the same
# way (threshold maximising key-point accuracy, band from the medians).
EMBEDDING_ONLY = Calibration(covered=0.60, low=0.30, high=0.82, contradiction=0.45)


@dataclass(frozen=True)
class Labelled:
    """One labelled text: its message, label, and the key points it covers and contradicts."""

    id: str
    message: str
    label: str
    text: str
    covers: frozenset[int]
    contradicts: frozenset[int]


def labelled_load(path: Path = LABELLED) -> tuple[dict[str, CanonicalMessage], list[Labelled]]:
    """Load the labelled messages and texts (key points numbered from 1)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    messages = {
        name: message_from_mapping(body, f"{path.name}: {name}")
        for name, body in data["messages"].items()
    }
    texts = []
    for item in data["texts"]:
        n_points = len(messages[item["message"]].key_points)
        default = range(1, n_points + 1) if item["label"] == "faithful" else ()
        texts.append(Labelled(
            id=item["id"], message=item["message"], label=item["label"], text=item["text"],
            covers=frozenset(item.get("covers", default)),
            contradicts=frozenset(item.get("contradicts", ())),
        ))
    return messages, texts


def score_all(
    messages: dict[str, CanonicalMessage],
    texts: list[Labelled],
    encoder: TextEncoder,
    calibration: Calibration | None = None,
) -> list[ConsistencyReport]:
    """Score every labelled text against its own message."""
    reports: dict[str, ConsistencyReport] = {}
    for name, message in messages.items():
        mine = [t for t in texts if t.message == name]
        for item, report in zip(mine, texts_consistency(message, [t.text for t in mine], encoder,
                                                  calibration),
                                strict=True):
            reports[item.id] = report
    return [reports[t.id] for t in texts]


@dataclass(frozen=True)
class Quality:
    """The figures reported for one method."""

    method: str
    auc: float
    max_contradicting: float
    min_faithful: float
    contradicting_below_all_faithful: bool
    key_point_accuracy: float
    held_out_accuracy: float
    contradiction_recall: float
    false_contradictions: int
    texts_per_second: float
    first_pass_texts_per_second: float
    n_texts: int


def quality(texts: list[Labelled], reports: list[ConsistencyReport], seconds: float,
            first_seconds: float, method: str) -> Quality:
    """Compute AUC, contradiction rank, key-point accuracy and speed from scored texts."""
    y = [1 if t.label in ON_MESSAGE else 0 for t in texts]
    scores = [r.consistency for r in reports]
    contra = [r.consistency for t, r in zip(texts, reports, strict=True)
              if t.label == "contradicting"]
    faithful = [r.consistency for t, r in zip(texts, reports, strict=True)
                if t.label == "faithful"]
    right = total = found = expected = false_alarms = 0
    for t, r in zip(texts, reports, strict=True):
        for number, kp in enumerate(r.key_points, start=1):
            total += 1
            right += kp.covered == (number in t.covers)
            if number in t.contradicts:
                expected += 1
                found += kp.contradicted
            elif kp.contradicted:
                false_alarms += 1
    return Quality(
        method=method,
        auc=float(roc_auc_score(y, scores)),
        max_contradicting=max(contra),
        min_faithful=min(faithful),
        contradicting_below_all_faithful=max(contra) < min(faithful),
        key_point_accuracy=right / total,
        held_out_accuracy=held_out_accuracy(texts, reports),
        contradiction_recall=found / max(1, expected),
        false_contradictions=false_alarms,
        texts_per_second=len(texts) / seconds,
        first_pass_texts_per_second=len(texts) / first_seconds,
        n_texts=len(texts),
    )


def held_out_accuracy(texts: list[Labelled], reports: list[ConsistencyReport]) -> float:
    """Key-point accuracy when each message's coverage threshold is fit on the other messages.

    An estimate of how the calibrated threshold fares on a message it was not tuned on.
    """
    pairs = [
        (t.message, kp.similarity, kp.contradicted, number in t.covers)
        for t, r in zip(texts, reports, strict=True)
        for number, kp in enumerate(r.key_points, start=1)
    ]

    def right(rows: list[tuple[str, float, bool, bool]], threshold: float) -> int:
        return sum((sim >= threshold and not contra) == truth for _, sim, contra, truth in rows)

    correct = 0
    for name in {m for m, _, _, _ in pairs}:
        train = [p for p in pairs if p[0] != name]
        test = [p for p in pairs if p[0] == name]
        threshold = max(sorted({p[1] for p in train}), key=lambda th: right(train, th))
        correct += right(test, threshold)
    return correct / len(pairs)


def calibrate(texts: list[Labelled], reports: list[ConsistencyReport], method: str) -> None:
    """Print best-similarity distributions and the accuracy-maximising coverage threshold."""
    covered: list[float] = []
    uncovered: list[float] = []
    for t, r in zip(texts, reports, strict=True):
        for number, kp in enumerate(r.key_points, start=1):
            if number in t.contradicts:
                continue
            (covered if number in t.covers else uncovered).append(kp.similarity)
    best = max(
        (sum(s >= th for s in covered) + sum(s < th for s in uncovered), th)
        for th in sorted(set(covered + uncovered))
    )
    print(f"[{method}] covered: median {statistics.median(covered):.3f} "
          f"min {min(covered):.3f}; uncovered: median {statistics.median(uncovered):.3f} "
          f"max {max(uncovered):.3f}; best threshold {best[1]:.3f} "
          f"({best[0]}/{len(covered) + len(uncovered)} right)")


def encoder_for(method: str) -> TextEncoder:
    """Return a new encoder for a benchmark row name (embedding-only: no TF-IDF blend)."""
    if method == "embedding-only":
        return EmbeddingEncoder(lexical_weight=0.0)
    return default_encoder(Method(method))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one table row per method."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="all",
                        choices=["all", "auto", "embedding", "lexical", "embedding-only"])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best is kept")
    parser.add_argument("--calibrate", action="store_true", help="print similarity distributions")
    parser.add_argument("--details", action="store_true", help="print every text's score")
    args = parser.parse_args(argv)

    if args.method == "all":
        methods = ["lexical"] + (["embedding", "embedding-only"] if encoder_available() else [])
    elif args.method == "auto":
        methods = [str(default_encoder("auto").method)]
    else:
        methods = [args.method]
    messages, texts = labelled_load()
    rows = []
    for method in methods:
        calibration = EMBEDDING_ONLY if method == "embedding-only" else None
        encoder_for(method).encode(["warm-up: load the model before timing"])
        # The first pass is timed apart: torch builds its kernels for each new input shape then,
        # so it is slower than the steady state that a running server or a long import sees.
        start = time.perf_counter()
        score_all(messages, texts, encoder_for(method), calibration)
        first_seconds = time.perf_counter() - start
        best_seconds = float("inf")
        reports: list[ConsistencyReport] = []
        for _ in range(max(1, args.repeat)):
            # A fresh encoder per pass: its cache of sentence vectors starts empty, so every
            # pass pays for every text (key points are still cached after their first text).
            encoder = encoder_for(method)
            start = time.perf_counter()
            reports = score_all(messages, texts, encoder, calibration)
            best_seconds = min(best_seconds, time.perf_counter() - start)
        rows.append(quality(texts, reports, best_seconds, first_seconds, method))
        if args.calibrate:
            calibrate(texts, reports, method)
        if args.details:
            for t, r in zip(texts, reports, strict=True):
                marks = "".join(
                    ("X" if kp.contradicted else "+" if kp.covered else ".")
                    + ("!" if (n in t.covers) != kp.covered else " ")
                    for n, kp in enumerate(r.key_points, start=1)
                )
                print(f"  {method:9} {t.id:7} {t.label:13} {r.consistency:.3f}  {marks}")

    print(f"labelled set: {len(texts)} texts, {len(messages)} messages ({LABELLED.name})")
    header = ("method", "AUC", "max contra", "min faithful", "contra<faithful", "kp accuracy",
              "kp acc held-out", "contra recall", "false contra", "texts/s", "first pass")
    print(" | ".join(header))
    for q in rows:
        print(" | ".join((
            q.method, f"{q.auc:.3f}", f"{q.max_contradicting:.3f}", f"{q.min_faithful:.3f}",
            "yes" if q.contradicting_below_all_faithful else "no",
            f"{q.key_point_accuracy:.3f}", f"{q.held_out_accuracy:.3f}",
            f"{q.contradiction_recall:.2f}",
            str(q.false_contradictions), f"{q.texts_per_second:.1f}",
            f"{q.first_pass_texts_per_second:.1f}",
        )))
    return 0


if __name__ == "__main__":
    sys.exit(main())
