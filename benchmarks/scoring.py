"""Speed of message consistency scoring, against the sentence model's own encode rate, and of the
touchpoint CSV import.

Scoring: N short texts (one or two sentences each, every text distinct, most sentences too:
a leader's paraphrase of a key point, a contradiction or a closer, with an account and a number
in it) scored against the demo's message with each method (`texts_consistency`, a fresh encoder
each pass so no vector is cached from the pass before). In the same passes, the raw encode rate:
all-MiniLM-L6-v2 embedding the same N texts, one vector each (`SentenceTransformer.encode`,
batch 64) — the engine's own limit; the ratio scoring / encode is the figure that matters on a
shared machine, because both are measured under the same load. Passes are interleaved
(encode, embedding, lexical, ...) and the best of `--repeat` is kept; the load average is
printed before and after.

Import: `touchpoints_import` of an R-row CSV (leaders, a team or one of its reps as audience,
channel, date, a talk track drawn like the demo's: an opener, two to four paraphrases of the key
points, a closer) into a fresh SQLite app database with 20 teams of 8 reps, scored with the
method the initiative gets (embeddings when the `semantic` extra is installed); then the same
file again (idempotent: everything unchanged).

    python benchmarks/scoring.py [--texts 2000] [--repeat 3] [--methods lexical embedding]
        [--import-rows 10000] [--seed 7] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from m3.demo.initiative import HOW, KEY_POINTS, WHAT, WHY
from m3.demo.touchpoints import CLOSERS, CONTRADICTIONS, ENERGY, OPENERS, PARAPHRASES
from m3.message.consistency import texts_consistency
from m3.message.encoders import (
    EMBEDDING_BATCH_SIZE,
    EmbeddingEncoder,
    LexicalEncoder,
    embedding_model,
    encoder_available,
)
from m3.message.text import CanonicalMessage

MESSAGE = CanonicalMessage(WHY, HOW, WHAT, KEY_POINTS)
ACCOUNTS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
            "Tyrell", "Cyberdyne", "Soylent", "Wonka", "Oscorp", "Aperture", "Monarch")
TEAMS, REPS_PER_TEAM = 20, 8
CHANNELS = ("meeting", "email", "one_to_one", "ride_along", "video", "chat")


def short_texts(n: int, seed: int) -> list[str]:
    """N distinct short texts: one or two sentences, each naming an account and a number."""
    rng = np.random.default_rng(seed)
    pool = [s for wordings in PARAPHRASES for s in wordings] + list(CONTRADICTIONS) + list(CLOSERS)
    texts: list[str] = []
    seen: set[str] = set()
    while len(texts) < n:
        parts = []
        for _ in range(int(rng.integers(1, 3))):
            sentence = str(rng.choice(pool)).rstrip(".")
            account = ACCOUNTS[int(rng.integers(len(ACCOUNTS)))]
            parts.append(f"{sentence} at {account} ({int(rng.integers(2, 500))} seats).")
        text = " ".join(parts)
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts


def talk_track(rng: np.random.Generator, channel: str) -> str:
    """A touchpoint's content as the demo writes it (fixed wordings, so sentences repeat)."""
    lines = [str(rng.choice(OPENERS[channel]))]
    if rng.random() < 0.1:
        lines += [str(c) for c in rng.choice(CONTRADICTIONS, size=2, replace=False)]
    else:
        points = sorted(rng.choice(len(PARAPHRASES), size=int(rng.integers(2, 5)),
                                   replace=False).tolist())
        lines += [str(rng.choice(PARAPHRASES[p])) for p in points]
    lines.append(str(rng.choice(CLOSERS)))
    if rng.random() < 0.3:
        lines.append(str(rng.choice(ENERGY)))
    return "\n".join(lines)


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(run: object) -> float:
    """Seconds one call of `run` takes."""
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - started


def scoring(n: int, repeat: int, methods: list[str], seed: int) -> None:
    """Print texts/s per method and the model's encode rate, best of `repeat` passes."""
    texts = short_texts(n, seed)
    words = np.mean([len(t.split()) for t in texts])
    embedding = "embedding" in methods and encoder_available()
    started = time.perf_counter()
    if embedding:
        embedding_model().encode(["warm-up"], show_progress_bar=False)
        print(f"model load (torch import included): {time.perf_counter() - started:.1f} s")
        # Warm every input shape once, so the first timed pass is not the one paying for it.
        texts_consistency(MESSAGE, short_texts(200, seed + 1), EmbeddingEncoder())
    print(f"{n:,} short texts, {words:.1f} words on average; load before: {load()}")
    best: dict[str, float] = {}
    for _ in range(max(1, repeat)):
        if embedding:
            seconds = timed(lambda: embedding_model().encode(
                texts, batch_size=EMBEDDING_BATCH_SIZE, normalize_embeddings=True,
                show_progress_bar=False, convert_to_numpy=True))
            best["model encode"] = min(best.get("model encode", np.inf), seconds)
            seconds = timed(lambda: texts_consistency(MESSAGE, texts, EmbeddingEncoder()))
            best["embedding"] = min(best.get("embedding", np.inf), seconds)
        if "lexical" in methods:
            seconds = timed(lambda: texts_consistency(MESSAGE, texts, LexicalEncoder()))
            best["lexical"] = min(best.get("lexical", np.inf), seconds)
    print(f"load after: {load()}")
    print("| what | seconds (best) | texts/s | vs model encode |")
    print("| --- | ---: | ---: | ---: |")
    encode = best.get("model encode")
    for what, seconds in best.items():
        ratio = f"{encode / seconds:.2f}×" if encode else ""
        print(f"| {what} | {seconds:.2f} | {n / seconds:,.0f} | {ratio} |")


def touchpoint_import(rows: int, seed: int, workdir: Path) -> None:
    """Print the seconds and rows/s of importing `rows` touchpoints, then re-importing them."""
    data_dir = workdir / "data"
    os.environ["M3_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("M3_DEBUG", "1")  # a local, throw-away data folder
    data_dir.mkdir(parents=True, exist_ok=True)
    from m3.runtime import database_migrate, django_setup

    django_setup(data_dir)
    database_migrate()
    from django.utils import timezone

    from m3.initiatives.services import CadenceInput, InitiativeInput, initiative_save
    from m3.message.importer import touchpoints_import
    from m3.org.models import Leadership, Membership, Person, Unit
    from m3.vocabulary import CadenceKind, LeadershipKind, Role

    today = timezone.localdate()
    start = today - dt.timedelta(days=180)
    company = Unit.objects.create(name="Bench company")
    teams = [Unit.objects.create(name=f"Team {t}", parent=company) for t in range(TEAMS)]
    owner = Person.objects.create(name="Owner", email="owner@bench.test", role=Role.EXECUTIVE)
    Leadership.objects.create(person=owner, unit=company, kind=LeadershipKind.DIRECTOR,
                              start=start)
    managers, reps = [], []
    for t, team in enumerate(teams):
        manager = Person.objects.create(name=f"Manager {t}", email=f"m{t}@bench.test",
                                        role=Role.LEADER)
        Leadership.objects.create(person=manager, unit=team, kind=LeadershipKind.MANAGER,
                                  start=start)
        managers.append(manager)
        team_reps = [Person.objects.create(name=f"Rep {t}.{r}", email=f"r{t}.{r}@bench.test",
                                           role=Role.REP) for r in range(REPS_PER_TEAM)]
        Membership.objects.bulk_create(Membership(person=p, unit=team, start=start)
                                       for p in team_reps)
        reps.append(team_reps)
    initiative = initiative_save(InitiativeInput(
        title="Bench", owner_id=owner.pk, unit_ids=(company.pk,), start=start,
        end=today + dt.timedelta(days=60), why=WHY, how=HOW, what=WHAT, key_points=KEY_POINTS,
        asks=(), output_metric="won_revenue",
        cadence=(CadenceInput(CadenceKind.DELIVER, ("manager",), due=start),),
    ))
    rng = np.random.default_rng(seed)
    path = workdir / "touchpoints.csv"
    keys: set[tuple[int, int, str, int]] = set()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("leader", "unit", "person", "channel", "date", "content"))
        while len(keys) < rows:
            t = int(rng.integers(TEAMS))
            audience = int(rng.integers(-1, REPS_PER_TEAM))  # -1: the whole team
            channel = CHANNELS[int(rng.integers(len(CHANNELS)))]
            day = int(rng.integers(0, 180))
            if (t, audience, channel, day) in keys:
                continue
            keys.add((t, audience, channel, day))
            writer.writerow((managers[t].email, teams[t].name if audience < 0 else "",
                             reps[t][audience].email if audience >= 0 else "", channel,
                             (start + dt.timedelta(days=day)).isoformat(),
                             talk_track(rng, channel)))
    print(f"| touchpoint import | rows | seconds | rows/s | added | unchanged |  (load {load()})")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for step in ("import", "re-import"):
        started = time.perf_counter()
        result = touchpoints_import(path, initiative, today)
        seconds = time.perf_counter() - started
        print(f"| {step} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {result.added} | "
              f"{result.unchanged} |", flush=True)
    from m3.message.models import TouchpointScore

    methods = sorted(set(TouchpointScore.objects.values_list("method", flat=True)))
    print(f"scored: {TouchpointScore.objects.count():,} touchpoints, method {', '.join(methods)}; "
          f"load after: {load()}")


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and run the scoring and the import benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000, help="short texts to score (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best is kept")
    parser.add_argument("--methods", nargs="+", choices=("lexical", "embedding"),
                        default=["lexical", "embedding"])
    parser.add_argument("--import-rows", type=int, default=10_000,
                        help="touchpoint rows to import (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep the import's files here")
    args = parser.parse_args(argv)
    print(f"# cores {os.cpu_count()}, seed {args.seed}")
    if args.texts:
        scoring(args.texts, args.repeat, args.methods, args.seed)
    if args.import_rows:
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="m3-scoring-"))
        touchpoint_import(args.import_rows, args.seed, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
