"""Schemas: the pydantic models that check the YAML files people write (the metric catalogue, an
import mapping, a canonical message), and the one translator of their errors into M3's problems.

A model says the shape of a file. Each key's wording sits next to it: `fix` words every error
pydantic finds in the value itself, `one_of` words a value outside a closed set, and a rule
pydantic cannot say (a column of the chosen fact, a formula that parses, metrics that refer to
each other) is a validator on the model that raises `ValueError` with its message, or
`problems_raise` for several at once. `schema_problems` turns a `ValidationError` into one line
per problem: where it is (the file and key), a colon, what to change. Unknown keys of one
mapping are named together, before the other problems inside it, in the file's own words.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

Loc = tuple[int | str, ...]
# A message, or a function of the value as written that returns it.
Wording = str | Callable[[Any], str]
# Errors that already carry M3's words (a validator's ValueError, `problems_raise`).
_WORDED = ("value_error", "m3_problem")


class Spec(BaseModel):
    """One part of a YAML file: unknown keys are refused (a key YAML reads as a number or a
    boolean is named as written), and a required key that is absent is read as null, so that
    "missing" and "empty" say the same fix (the key's own wording).

    `key_problems` states rules on which keys are given ("exactly one of", "at least one of");
    their problems are listed with pydantic's, however wrong the values are, after the
    problems of earlier keys.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def key_problems(cls, given: dict[str, Any]) -> list[tuple[Loc, str]]:
        """The problems of which keys `given` has, each at its location (none by default)."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _keys_read(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        given = {str(key): value for key, value in data.items()}
        found = cls.key_problems(given)
        given = {**{name: None for name, info in cls.model_fields.items()
                    if info.is_required() and name not in given}, **given}
        if not found:
            return handler(given)
        details: list[InitErrorDetails] = []
        try:
            handler(given)
        except ValidationError as exc:
            details = [_detail(e) for e in exc.errors()]
        order = {name: i for i, name in enumerate(cls.model_fields)}
        details.extend(_problem(loc, text) for loc, text in found)
        details.sort(key=lambda d: order.get(str(d["loc"][0]), len(order)) if d["loc"] else -1)
        raise ValidationError.from_exception_data(cls.__name__, details)


def fix(wording: Wording) -> WrapValidator:
    """Word pydantic's errors of the value itself (not of its items, and not a message a
    validator already worded) as `wording`."""

    def reworded(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if not any(not e["loc"] and e["type"] not in _WORDED for e in exc.errors()):
                raise
            raise ValueError(wording(value) if callable(wording) else wording) from None

    return WrapValidator(reworded)


def one_of(key: str, choices: Iterable[Any], use: str | None = None) -> WrapValidator:
    """Accept only a value in `choices` (an enum or a collection), worded
    "key is 'x'; use one of a, b." (or "use <use>.")."""
    allowed = list(choices)
    use = use or "one of " + ", ".join(str(c.value if isinstance(c, Enum) else c)
                                       for c in allowed)

    def chosen(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            result = handler(value)
        except ValidationError:
            result = None
        else:
            if result in allowed:
                return result
        raise ValueError(f"{key} is {value!r}; use {use}.")

    return WrapValidator(chosen)


def close_match(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to `word` (difflib's ratio ≥ 0.6), or None."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return close[0] if close else None


def close_matches(word: str, choices: Iterable[str], cutoff: float = 0.6) -> list[str]:
    """Up to three choices closest to `word`, case aside (difflib's ratio ≥ `cutoff`): the
    names an "unknown name" error suggests. Emails share their domain, so compare them with a
    higher cutoff (EMAIL_CUTOFF)."""
    named = {c.lower(): c for c in choices}
    return [named[c] for c in difflib.get_close_matches(word.strip().lower(), list(named), n=3,
                                                        cutoff=cutoff)]


EMAIL_CUTOFF = 0.8


def problems_raise(title: str, problems: Sequence[tuple[Loc, str]]) -> None:
    """Raise the problems a validator found, each at its location, as one ValidationError."""
    if problems:
        raise ValidationError.from_exception_data(title, [_problem(loc, t) for loc, t in problems])


def schema_problems(
    error: ValidationError,
    where: Callable[[Loc], str],
    unknown: Callable[[Loc, list[str]], Sequence[str]] | None = None,
    keys: Callable[[Loc], Mapping[str, str]] | None = None,
) -> list[str]:
    """M3's problem lines for a ValidationError, in pydantic's order: `where(loc)`: message.

    `unknown(loc, names)` words the unknown keys of the mapping at `loc` (they are named before
    its other problems); `keys(loc)` fills placeholders such as `{field}` in a message.
    """
    unknown = unknown or _unknown_keys
    errors = error.errors()
    extra: dict[Loc, list[str]] = {}
    for e in errors:
        if e["type"] == "extra_forbidden":
            extra.setdefault(tuple(e["loc"][:-1]), []).append(str(e["loc"][-1]))
    worded: list[tuple[Loc, str]] = []
    named: set[Loc] = set()
    for e in errors:
        loc = tuple(e["loc"])
        for parent, names in extra.items():
            if parent not in named and loc[:len(parent)] == parent:
                named.add(parent)
                worded.extend((parent, text) for text in unknown(parent, names))
        if e["type"] != "extra_forbidden":
            worded.append((loc, _message(e)))
    lines = []
    for loc, text in worded:
        for key, value in (keys(loc) if keys else {}).items():
            text = text.replace(f"{{{key}}}", value)
        lines.append(f"{where(loc)}: {text}")
    return lines


def _problem(loc: Loc, text: str) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("m3_problem", "{text}", {"text": text}),
                            loc=loc, input=None)


def _detail(error: ErrorDetails) -> InitErrorDetails:
    """A pydantic error as it can be raised again (with M3's words, if it has them)."""
    if error["type"] in _WORDED:
        return _problem(tuple(error["loc"]), _message(error))
    detail = InitErrorDetails(type=error["type"], loc=tuple(error["loc"]), input=error["input"])
    if "ctx" in error:
        detail["ctx"] = error["ctx"]
    return detail


def _unknown_keys(loc: Loc, names: list[str]) -> list[str]:
    return [f"unknown key(s) {', '.join(names)}."]


def _message(error: ErrorDetails) -> str:
    if error["type"] == "m3_problem":
        return str(error["ctx"]["text"])
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    # A check without M3's words (a model that lacks a `fix`): pydantic's, naming the value.
    return f"{error['msg']} (not {error['input']!r})."
