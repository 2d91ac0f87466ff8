"""Speed of `m3 demo`: the pure story generation and the full build, per size.

For each size, a fresh process times `story_generate` alone, then `demo_build` into a new temporary
data folder (SQLite app DB + DuckDB facts store, both on local disk) with its phases read from the
progress callback. Prints one table; the figures in docs/performance.md come from it.

    python benchmarks/demo_generation.py [--reps 120 2000] [--weeks 26] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The build's progress steps, grouped into the phases reported.
PHASES = {
    "simulating the organisation": "generate",
    "writing the organisation": "app DB",
    "writing the initiative and touchpoints": "app DB",
    "writing pulse answers": "app DB",
    "creating the demo logins": "logins",
    "clearing earlier demo facts": "facts",
    "writing": "facts",
}
TODAY = dt.date(2026, 3, 4)


def measure(reps: int, weeks: int, seed: int) -> dict[str, float]:
    """Time generation and build for one size in this (fresh) process."""
    from m3.demo.story import story_generate

    started = time.perf_counter()
    story = story_generate(reps=reps, weeks=weeks, seed=seed, today=TODAY)
    generate = time.perf_counter() - started
    figures: dict[str, float] = {
        "reps": reps,
        "activities": len(story.activities),
        "opportunities": len(story.opportunities),
        "pulses": len(story.pulses),
        "touchpoints": len(story.touchpoints),
        "generate_s": generate,
    }
    del story

    with tempfile.TemporaryDirectory(prefix="m3-bench-") as data_dir:
        os.environ["M3_DATA_DIR"] = data_dir
        os.environ["M3_DEBUG"] = "1"
        from m3.runtime import database_migrate, django_setup

        django_setup(Path(data_dir))
        database_migrate()
        from m3.demo.build import demo_build
        from m3.facts.store import facts_store_from_settings

        facts = facts_store_from_settings()
        facts.schema_create()
        phases: dict[str, float] = {}
        last = [time.perf_counter(), "setup"]

        def progress(step: str, fraction: float) -> None:
            now = time.perf_counter()
            phase = str(last[1])
            phases[phase] = phases.get(phase, 0.0) + now - float(last[0])
            last[:] = [now, next((v for k, v in PHASES.items() if step.startswith(k)), phase)]

        started = time.perf_counter()
        demo_build(reps=reps, weeks=weeks, seed=seed, today=TODAY, facts=facts,
                   progress=progress)
        figures["build_s"] = time.perf_counter() - started
        for phase in ("generate", "app DB", "logins", "facts"):
            figures[f"{phase}_s"] = phases.get(phase, 0.0)
        figures["duckdb_mb"] = (Path(data_dir) / "facts.duckdb").stat().st_size / 2**20
    # ru_maxrss is in KiB on Linux.
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, nargs="+", default=[120, 2000])
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.reps[0], args.weeks, args.seed)))
        return
    from m3.demo.timeline import PRE_WEEKS

    print(f"demo generation, {args.weeks} weeks since the rollout (+{PRE_WEEKS} weeks of history), "
          f"seed {args.seed}, {os.cpu_count()} CPUs")
    header = ("reps", "activities", "opps", "pulses", "generate s", "act rows/s", "build s",
              "app DB s", "logins s", "facts s", "facts rows/s", "peak RSS MB")
    print(" | ".join(header))
    for reps in args.reps:
        # A fresh process per size: Django settings, the data folder and peak memory are per run.
        out = subprocess.run(
            [sys.executable, __file__, "--one", "--reps", str(reps), "--weeks", str(args.weeks),
             "--seed", str(args.seed)],
            check=True, capture_output=True, text=True,
        ).stdout
        f = json.loads(out.strip().splitlines()[-1])
        facts_rows = f["activities"] + f["opportunities"]
        print(" | ".join([
            f"{reps:,}", f"{f['activities']:,.0f}", f"{f['opportunities']:,.0f}",
            f"{f['pulses']:,.0f}", f"{f['generate_s']:.1f}",
            f"{f['activities'] / f['generate_s']:,.0f}", f"{f['build_s']:.1f}",
            f"{f['app DB_s']:.1f}", f"{f['logins_s']:.1f}", f"{f['facts_s']:.1f}",
            f"{facts_rows / f['facts_s']:,.0f}", f"{f['peak_rss_mb']:,.0f}",
        ]))


if __name__ == "__main__":
    main()
