"""Mapping files: what they read as, and every problem named with the key and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from m3.errors import InputError
from m3.ingest.crm.mapping import FieldSpec, OwnerMatch, mapping_from_dict, mapping_load

DOCS = Path(__file__).resolve().parents[3] / "docs" / "mappings"


def activities(**changes: Any) -> dict[str, Any]:
    return {"kind": "activities", "source": "my-crm",
            "fields": {"id": "Id", "type": "Type", "occurred_at": "Date"}, **changes}


def with_field(name: str, rule: Any) -> dict[str, Any]:
    data = activities()
    data["fields"] = {**data["fields"], name: rule}
    return data


def problems_of(data: Any) -> list[str]:
    with pytest.raises(InputError) as caught:
        mapping_from_dict(data, "m.yaml")
    head, *lines = caught.value.message.split("\n")
    assert head == f"The mapping has {len(lines)} problem(s):"
    return [line.removeprefix("  - m.yaml: ") for line in lines]


def test_the_documented_example_reads_as_it_says() -> None:
    mapping = mapping_load(DOCS / "maven-crm.yaml")
    assert (mapping.kind, mapping.source, mapping.owners) == ("opportunities", "maven-crm",
                                                              OwnerMatch.NAME)
    assert mapping.fields["currency"] == FieldSpec(constant="USD")
    assert mapping.fields["closed_at"].formats == ("%Y-%m-%d", "%m/%d/%Y")
    assert mapping.fields["won"].values == {"Won": True, "Lost": False, "Engaging": None,
                                            "Prospecting": None}
    assert mapping.required_columns()[:2] == ("opportunity_id", "sales_agent")


def test_a_field_rule_reads_every_key() -> None:
    mapping = mapping_from_dict(activities(
        owners="crm_id", null_values="N/A", skip_rows_where={"Deleted": "yes"},
        fields={"id": "Id", "occurred_at": {"column": "D", "format": "%d/%m/%Y"},
                "type": {"coalesce": ["T", "S"], "patterns": [{"^call": "call"}],
                         "default": "other"},
                "product": {"columns": ["A", "B"], "values": {True: "P", "x": None}},
                "amount": {"column": "V", "scale": 1000, "when": {"Status": 1}},
                "opportunity": {"column": "W", "match": "^006"}}), "m.yaml")
    fields = mapping.fields
    assert mapping.owners is OwnerMatch.CRM_ID
    assert (mapping.null_values, mapping.skip_where) == (("N/A", ""), {"Deleted": ("yes",)})
    assert fields["type"] == FieldSpec(coalesce=("T", "S"), patterns=(("^call", "call"),),
                                       default="other", has_default=True)
    assert fields["product"].values == {"true": "P", "x": None}
    assert (fields["amount"].scale, fields["amount"].when) == (1000.0, {"Status": "1"})
    assert fields["opportunity"].match == "^006"


@pytest.mark.parametrize(("changes", "says"), [
    ({"kind": "deals"}, "kind is 'deals'; use activities or opportunities."),
    ({"source": "My CRM"}, "source must name where the rows come from in lower case (e.g. "
     "source: maven-crm); with the id it identifies a row on re-import."),
    ({"owners": {"match": "emial"}}, "owners match is 'emial'; use one of email, crm_id, name, "
     "email_or_crm_id, any."),
    ({"fields": ["Id"]}, "fields must map each M3 field to a source column."),
    ({"skip_rows_where": ["Deleted"]}, "skip_rows_where maps a column to the value(s) to skip."),
])
def test_a_wrong_key_says_what_to_write(changes: dict[str, Any], says: str) -> None:
    assert problems_of(activities(**changes)) == [says]


@pytest.mark.parametrize(("name", "rule", "says"), [
    ("nope", "X", ["'nope' is not a field of activities; use id, owner, type, occurred_at, "
                   "product, account, opportunity, amount, currency."]),
    ("product", 3, ["field product must be a column name or a mapping such as {column: X} or "
                    "{constant: Y}."]),
    ("product", {"colum": "P"}, [
        "field product has unknown key(s) colum; use coalesce, column, columns, constant, "
        "default, format, match, patterns, scale, values, when.",
        "field product needs exactly one of column, coalesce, columns or constant."]),
    ("product", {"column": "P", "constant": "Q"},
     ["field product needs exactly one of column, coalesce, columns or constant."]),
    ("product", {"column": "P", "values": ["a"]},
     ["values of product must map source values to M3 values."]),
    ("type", {"column": "T", "patterns": [{"^(call": "call"}, {"a": 1, "b": 2}]}, [
        "pattern '^(call' of type is not a regular expression (missing ), unterminated "
        "subpattern at position 1).", "each pattern of type is one `regex: value` pair."]),
    ("amount", {"column": "A", "scale": "thousands"}, ["scale of amount must be a number."]),
    ("product", {"column": "P", "when": ["Status"]},
     ["when of product must map a column to the value it must have."]),
])
def test_a_wrong_field_names_it_and_the_fix(name: str, rule: Any, says: list[str]) -> None:
    assert problems_of(with_field(name, rule)) == says


def test_every_problem_is_listed_at_once_with_the_missing_fields_last() -> None:
    assert problems_of({"kind": "activities", "source": "X", "fields": {"product": "P"},
                        "skip_rows_where": 1}) == [
        "source must name where the rows come from in lower case (e.g. source: maven-crm); "
        "with the id it identifies a row on re-import.",
        "fields must say where id comes from.", "fields must say where type comes from.",
        "fields must say where occurred_at comes from.",
        "skip_rows_where maps a column to the value(s) to skip.",
    ]


def test_a_file_that_is_not_a_mapping_or_not_yaml_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^m.yaml: a mapping file is a YAML mapping with kind"):
        mapping_from_dict(["kind"], "m.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^broken.yaml: not valid YAML \(while parsing"):
        mapping_load(broken)
    with pytest.raises(InputError, match="no such mapping file; check the --mapping path"):
        mapping_load(tmp_path / "none.yaml")
