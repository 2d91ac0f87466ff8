"""The schema translator: pydantic's errors become M3's problem lines, worded next to each key."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import pytest
from pydantic import AfterValidator, TypeAdapter, ValidationError, field_validator

from m3.schema import Loc, Spec, close_match, fix, one_of, problems_raise, schema_problems


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def _positive(n: int) -> int:
    if n <= 0:
        raise ValueError("size must be more than 0.")
    return n


class Item(Spec):
    name: Annotated[str, fix("an item needs name: <text>.")]


class Paint(Spec):
    colour: Annotated[Colour, one_of("colour", Colour)]
    size: Annotated[int, AfterValidator(_positive), fix("size must be a whole number.")] = 1
    items: Annotated[list[Item], fix(lambda v: f"items must be a list, not {v!r}.")] = []
    label: Annotated[str, fix("label of {part} must be text.")] = ""
    pairs: dict[str, Any] = {}

    @field_validator("pairs")
    @classmethod
    def _pairs_even(cls, pairs: dict[str, Any]) -> dict[str, Any]:
        problems_raise("pairs", [((key,), f"{key} is odd; give an even number.")
                                 for key, value in pairs.items() if value % 2])
        return pairs


def problems(data: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Paint.model_validate(data)
    return schema_problems(caught.value, lambda loc: "paint.yaml" + "".join(
        f" {part}" for part in loc), **kwargs)


def test_a_missing_key_and_a_null_one_say_the_same_fix() -> None:
    assert problems({}) == problems({"colour": None}) == [
        "paint.yaml colour: colour is None; use one of red, blue."]


def test_a_value_outside_the_set_names_it_and_the_choices() -> None:
    assert problems({"colour": "green"}) == [
        "paint.yaml colour: colour is 'green'; use one of red, blue."]


def test_a_fix_words_the_value_but_keeps_a_validators_message_and_its_items_own() -> None:
    assert problems({"colour": "red", "size": "big"}) == [
        "paint.yaml size: size must be a whole number."]
    assert problems({"colour": "red", "size": -2}) == [
        "paint.yaml size: size must be more than 0."]
    assert problems({"colour": "red", "items": [{"name": "a"}, {"name": 3}]}) == [
        "paint.yaml items 1 name: an item needs name: <text>."]
    assert problems({"colour": "red", "items": "a"}) == [
        "paint.yaml items: items must be a list, not 'a'."]


def test_unknown_keys_are_named_together_before_the_other_problems_of_their_mapping() -> None:
    def unknown(loc: Loc, names: list[str]) -> list[str]:
        return [f"{', '.join(names)} unknown here"]

    assert problems({"colour": "green", "shade": 1, "gloss": 2, 3: 4}, unknown=unknown) == [
        "paint.yaml: shade, gloss, 3 unknown here",
        "paint.yaml colour: colour is 'green'; use one of red, blue.",
    ]
    assert problems({"colour": "red", "shade": 1}) == ["paint.yaml: unknown key(s) shade."]


def test_placeholders_are_filled_from_the_location() -> None:
    assert problems({"colour": "red", "label": 5}, keys=lambda loc: {"part": "the lid"}) == [
        "paint.yaml label: label of the lid must be text."]


def test_a_validator_can_report_several_problems_each_at_its_place() -> None:
    assert problems({"colour": "red", "pairs": {"a": 1, "b": 2, "c": 3}}) == [
        "paint.yaml pairs a: a is odd; give an even number.",
        "paint.yaml pairs c: c is odd; give an even number.",
    ]


class Brush(Spec):
    width: Annotated[int, fix("width must be a whole number.")] = 1
    bristles: Annotated[str, fix("bristles must be text.")] = ""
    handle: Annotated[str, fix("handle must be text.")] = ""

    @classmethod
    def key_problems(cls, given: dict[str, Any]) -> list[tuple[Loc, str]]:
        return [] if "bristles" in given or "handle" in given else [
            (("bristles",), "a brush needs bristles or a handle.")]


def test_a_rule_on_which_keys_are_given_is_reported_however_wrong_the_values_are() -> None:
    with pytest.raises(ValidationError) as caught:
        Brush.model_validate({"width": "wide", "size": 2})
    assert schema_problems(caught.value, lambda loc: "brush.yaml") == [
        "brush.yaml: unknown key(s) size.",
        "brush.yaml: width must be a whole number.",
        "brush.yaml: a brush needs bristles or a handle.",
    ]
    assert Brush.model_validate({"handle": "oak"}).handle == "oak"


def test_a_check_without_m3_words_still_names_the_value() -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(int).validate_python("x")
    assert schema_problems(caught.value, lambda loc: "f.yaml") == [
        "f.yaml: Input should be a valid integer, unable to parse string as an integer "
        "(not 'x')."]


def test_close_match_suggests_the_nearest_choice_or_none() -> None:
    assert close_match("whay", ["why", "how"]) == "why"
    assert close_match("zzz", ["why", "how"]) is None
