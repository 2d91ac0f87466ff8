"""Backtest of the early warning and the diagnosis on simulated organisations with known causes.

Week by week, each unit is judged only on what was known by the end of that week (its signals
cut at that week, the organisation's lever model fitted on the same cut). Reported per seed set:

- recall: of the units whose engagement fails (message or momentum) and whose output falls
  short, the share first flagged (`at_risk` or `behind` in two consecutive weeks) at least
  LEAD_GOAL weeks before the week the shortfall sets in;
- lead time: the median weeks between that first flag and the shortfall;
- precision: of the units flagged in two consecutive weeks, the share that truly miss
  (a lasting shortfall, or output over the initiative below 95 % of forecast);
- cause accuracy: the share of units whose cause in the last week is the true one
  (healthy: none).

The model was tuned on the TUNE seeds (default configuration) and the TUNE_UNLIKE seeds
(organisations of another shape and noise, `simulator.UNLIKE`) together; the HELD_OUT seeds
(default) and HELD_OUT_UNLIKE seeds (unlike) were never looked at while tuning.

    python benchmarks/backtest.py                 # the four seed sets, 26 weeks
    python benchmarks/backtest.py --tuning        # the two tuning sets only
    python benchmarks/backtest.py --seeds 0-4 --weeks 20 [--unlike]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.simulator import (  # noqa: E402
    DEFAULT,
    UNLIKE,
    Kind,
    SimConfig,
    SimTeam,
    organisation_simulate,
)
from m3.diagnose.chain import unit_diagnosis  # noqa: E402
from m3.momentum.score import unit_momentum  # noqa: E402
from m3.momentum.warning import Status, lever_model_fit, output_projection  # noqa: E402

TUNE = range(0, 30)
TUNE_UNLIKE = range(300, 330)
HELD_OUT = range(100, 110)
HELD_OUT_UNLIKE = range(200, 210)
LEAD_GOAL = 4
FLAGGED = (Status.AT_RISK, Status.BEHIND)


@dataclass(frozen=True)
class UnitRun:
    """One unit's weekly statuses and its last week's cause."""

    team: SimTeam
    statuses: tuple[Status, ...]
    cause: str

    @property
    def first_flag(self) -> int | None:
        """The first week of the first two consecutive flagged weeks."""
        for w in range(len(self.statuses) - 1):
            if self.statuses[w] in FLAGGED and self.statuses[w + 1] in FLAGGED:
                return w
        return None


def organisation_run(seed: int, weeks: int, config: SimConfig = DEFAULT) -> list[UnitRun]:
    """Every unit of one simulated organisation judged week by week, point in time."""
    teams = organisation_simulate(seed, weeks, config)
    pre_weeks = config.pre_weeks
    statuses: dict[str, list[Status]] = {t.name: [] for t in teams}
    causes: dict[str, str] = {}
    for week in range(weeks):
        cut = pre_weeks + week + 1
        histories = {t.name: t.history[:cut] for t in teams}
        model = lever_model_fit(list(histories.values()))
        for team in teams:
            history = histories[team.name]
            future = [s.forecast or 0.0 for s in team.history[cut:]]
            post = history[pre_weeks:]
            projection = output_projection(history, model, future) if post else None
            if projection is None:
                statuses[team.name].append(Status.INSUFFICIENT)
                continue
            # momentum and diagnosis read the initiative's weeks; the projection's model the
            # whole history
            momentum = unit_momentum(post)
            diagnosis = unit_diagnosis(post, projection, momentum)
            statuses[team.name].append(projection.status)
            causes[team.name] = str(diagnosis.cause)
    return [UnitRun(t, tuple(statuses[t.name]), causes.get(t.name, "insufficient"))
            for t in teams]


@dataclass(frozen=True)
class Figures:
    """The backtest's figures over a set of seeds."""

    units: int
    failing: int
    recall: float | None
    lead_median: float | None
    precision: float | None
    cause_accuracy: float
    confusions: dict[tuple[str, str], int]


def figures(runs: list[UnitRun]) -> Figures:
    """Recall, lead time, precision and cause accuracy of the module docstring."""
    failing = [r for r in runs if r.team.kind in (Kind.FADING, Kind.CONTRADICTING, Kind.SLIDING)
               and r.team.shortfall_week is not None]
    leads = [r.team.shortfall_week - r.first_flag for r in failing
             if r.first_flag is not None and r.team.shortfall_week is not None]
    caught = sum(1 for lead in leads if lead >= LEAD_GOAL)
    flagged = [r for r in runs if r.first_flag is not None]
    truly = sum(1 for r in flagged if r.team.misses or r.team.shortfall_week is not None)
    right = sum(1 for r in runs if r.cause == r.team.cause)
    confusions: dict[tuple[str, str], int] = {}
    for r in runs:
        if r.cause != r.team.cause:
            key = (r.team.cause, r.cause)
            confusions[key] = confusions.get(key, 0) + 1
    return Figures(
        units=len(runs), failing=len(failing),
        recall=caught / len(failing) if failing else None,
        lead_median=float(statistics.median(leads)) if leads else None,
        precision=truly / len(flagged) if flagged else None,
        cause_accuracy=right / len(runs) if runs else 0.0, confusions=confusions,
    )


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", help="e.g. 0-9 (default: the tuned and held-out sets)")
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--unlike", action="store_true",
                        help="simulate --seeds with the UNLIKE configuration")
    parser.add_argument("--tuning", action="store_true",
                        help="run the two tuning sets only (never the held-out ones)")
    args = parser.parse_args()
    tuning: dict[str, tuple[list[int], SimConfig]] = {
        "tuned (seeds 0-29)": (list(TUNE), DEFAULT),
        "tuned, unlike (seeds 300-329)": (list(TUNE_UNLIKE), UNLIKE)}
    sets = ({"custom": (_seeds(args.seeds), UNLIKE if args.unlike else DEFAULT)} if args.seeds
            else tuning if args.tuning else {
                **tuning,
                "held out (seeds 100-109)": (list(HELD_OUT), DEFAULT),
                "held out, unlike (seeds 200-209)": (list(HELD_OUT_UNLIKE), UNLIKE)})
    print(f"| seed set | units | failing | recall (≥{LEAD_GOAL} wk lead) | median lead "
          "(weeks) | precision | cause accuracy | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for label, (seeds, config) in sets.items():
        started = time.perf_counter()
        runs = [run for seed in seeds for run in organisation_run(seed, args.weeks, config)]
        f = figures(runs)
        fmt = lambda v: "n/a" if v is None else f"{v:.2f}"  # noqa: E731
        print(f"| {label} | {f.units} | {f.failing} | {fmt(f.recall)} | {fmt(f.lead_median)} | "
              f"{fmt(f.precision)} | {f.cause_accuracy:.2f} | "
              f"{time.perf_counter() - started:.1f} |")
        if f.confusions:
            worst = sorted(f.confusions.items(), key=lambda kv: -kv[1])[:6]
            print("|  | wrong causes (true → named): " + ", ".join(
                f"{a} → {b}: {n}" for (a, b), n in worst) + " |||||||")


if __name__ == "__main__":
    main()
