"""The metric catalogue: built-ins load, user files are validated with actionable messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from m3.errors import NotFound
from m3.measure.catalogue import catalogue_load, catalogue_problems
from m3.measure.metric import CatalogueInvalid, MetricKind, MetricType

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
REQUIRED = ["activities", "calls", "emails", "meetings", "demos", "proposals",
            "opportunities_created", "pipeline_created", "deals_won", "deals_lost", "win_rate",
            "won_revenue", "avg_deal_size", "sales_cycle_days"]


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return catalogue_problems(path)[1]


def test_the_built_in_catalogue_has_every_required_metric() -> None:
    catalogue = catalogue_load()
    assert set(REQUIRED) <= set(catalogue.metrics)
    assert catalogue.get("win_rate").type is MetricType.RATIO
    assert catalogue.get("calls").kind is MetricKind.LEVER


def test_every_built_in_metric_is_documented_with_a_formula() -> None:
    text = DOCS.read_text(encoding="utf-8")
    headings = set(re.findall(r"^### `([a-z_]+)`", text, flags=re.M))
    missing = [m.name for m in catalogue_load() if m.name not in headings]
    assert not missing, f"docs/metrics.md lacks a `### `name`` section for {missing}"


def test_a_user_metric_can_count_demos_of_one_product(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("metrics:\n  demos_x:\n    kind: lever\n    type: simple\n"
                    "    fact: activities\n    agg: count\n    time: occurred_at\n"
                    "    filter: {type: demo, product: X}\n", encoding="utf-8")
    metric = catalogue_load(path).get("demos_x")
    assert [(f.column, f.value) for f in metric.filters] == [("type", "demo"), ("product", "X")]


@pytest.mark.parametrize(
    ("definition", "says"),
    [
        ("kind: lever\n    type: simpel", "type is 'simpel'; use one of simple"),
        ("kind: lever\n    type: simple\n    fact: deals\n    agg: count\n    time: x",
         "fact is 'deals'; use one of activities, opportunities"),
        ("kind: lever\n    type: simple\n    fact: activities\n    agg: count\n"
         "    time: occurred_at\n    filter: {kind: call}", "filter column 'kind' is not a column"),
        ("kind: lever\n    type: simple\n    fact: activities\n    agg: count\n"
         "    time: occurred_at\n    filter: {type: phone}",
         "activity type 'phone' does not exist"),
        ("kind: lever\n    type: simple\n    fact: activities\n    agg: sum\n"
         "    time: occurred_at", "agg sum needs a column"),
        ("kind: lever\n    type: simple\n    fact: activities\n    agg: count\n"
         "    time: amount", "time must be a date column of activities: occurred_at"),
        ("kind: output\n    type: ratio\n    numerator: deals_won\n    denominator: deals_clsd",
         "did you mean deals_closed"),
        ("kind: output\n    type: derived\n    expr: __import__('os')", "only metric names"),
        ("kind: output\n    type: ratio\n    numerator: won_revenue\n    denominator: deals_won\n"
         "    target: {per_rep: 3}", "per_rep targets add up over reps"),
        ("kind: output\n    type: cumulative\n    of: win_rate", "not a count or sum"),
    ],
)
def test_invalid_definitions_say_what_to_change(tmp_path: Path, definition: str,
                                                says: str) -> None:
    problems = problems_of(tmp_path, f"metrics:\n  mine:\n    {definition}\n")
    assert any(says in p for p in problems), problems


def test_a_cycle_between_metrics_is_reported(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "metrics:\n"
                           "  a:\n    kind: output\n    type: derived\n    expr: b + 1\n"
                           "  b:\n    kind: output\n    type: derived\n    expr: a * 2\n")
    assert any("cycle (a → b → a)" in p for p in problems), problems


def test_a_user_metric_may_not_replace_a_built_in_one(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "metrics:\n  calls:\n    kind: lever\n    type: simple\n"
                           "    fact: activities\n    agg: count\n    time: occurred_at\n")
    assert any("already defined in built-in" in p for p in problems)


def test_loading_an_invalid_catalogue_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("metrics:\n  x:\n    type: nope\n  y: [1]\n", encoding="utf-8")
    with pytest.raises(CatalogueInvalid) as info:
        catalogue_load(path)
    assert len(info.value.problems) >= 2


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    assert any("line" in p for p in problems_of(tmp_path, "metrics:\n  a: [\n"))


def test_an_unknown_metric_name_suggests_close_ones() -> None:
    with pytest.raises(NotFound, match="deals_won"):
        catalogue_load().get("deals_wno")


def test_every_problem_of_a_file_is_one_line_naming_the_file_the_metric_and_the_fix(
    tmp_path: Path,
) -> None:
    problems = problems_of(tmp_path, "metrics:\n"
                           "  Demo-Count:\n    kind: lever\n    type: simple\n"
                           "    fact: activities\n    agg: count\n    time: occurred_at\n"
                           "    filter: {type: [demo, webinar], stage: x}\n"
                           "  rate:\n    kind: outpt\n    type: ratio\n    numerator: calls\n"
                           "    denominator: deals_wn\n    direction: upward\n"
                           "  total:\n    kind: output\n    type: cumulative\n    of: calls\n"
                           "    expr: calls\n    target: {per_rep: -1}\n")
    assert problems == [
        "mine.yaml: metric 'Demo-Count': names are lower_case_with_underscores "
        "(e.g. demos_product_x).",
        "mine.yaml: metric 'Demo-Count': activity type 'webinar' does not exist; use one of "
        "call, email, meeting, demo, proposal, other.",
        "mine.yaml: metric 'Demo-Count': filter column 'stage' is not a column of activities; "
        "use one of source, id, rep_id, owner, type, occurred_at, product, account, "
        "opportunity, amount, currency.",
        "mine.yaml: metric 'rate': kind is 'outpt'; use one of output, lever.",
        "mine.yaml: metric 'rate': direction is 'upward'; use one of up, down.",
        "mine.yaml: metric 'total': expr do not apply to a cumulative metric; it takes "
        "description, direction, kind, label, of, target, type, unit.",
        "mine.yaml: metric 'total': the target must be a number ≥ 0, not -1.",
    ]
