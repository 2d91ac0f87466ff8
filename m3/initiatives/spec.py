"""The shape of an initiative file (YAML or JSON), and of its message part (pure; no ORM).

An initiative file is the message (why, how, what, key_points, asks) plus what rolls it out
(title, owner, scope, start, end, output_metric, cadence, forecast). The message part is read
here for both uses, so a draft message and an initiative file are one format:

- `message_spec_read` reads the message part of any such file, leniently about *missing* parts
  (a draft without a why still has a clarity to score) and ignoring the rollout keys, so
  `m3 message clarity` and `m3 message score --message` accept an initiative file as it is;
- `initiative_spec_read` reads the whole file strictly: every key's type, each problem at its
  key with the fix (the rules on the values themselves, such as 3–5 key points, are the
  initiative's own checks, `m3.initiatives.services.initiative_input_check`).

Problems are worded by `m3.schema`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticKnownError

from m3.errors import InputError
from m3.schema import Loc, Spec, close_match, fix, one_of, schema_problems
from m3.vocabulary import CadenceKind

# A canonical message is meant to be short; a field past this is a pasted document, not a message.
MAX_FIELD_CHARS = 4_000
MAX_KEY_POINTS = 20

MESSAGE_KEYS = ("why", "how", "what", "key_points", "asks")
ASK_KEYS = ("behaviour", "metric", "target", "per_rep_per_week")
# The keys of an initiative file that are not its message, in the order the docs list them.
ROLLOUT_KEYS = ("title", "owner", "scope", "start", "end", "output_metric", "cadence", "forecast")
INITIATIVE_KEYS = ("title", "owner", "scope", "start", "end", *MESSAGE_KEYS, "output_metric",
                   "cadence", "forecast")
INITIATIVE_ASK_KEYS = ("behaviour", "metric", "per_rep_per_week")
CADENCE_KEYS = ("kind", "due", "every_days", "leaders")
FORECAST_COLUMNS = ("week_start", "value", "unit")


def document_parse(text: str, source: str) -> Any:
    """The data in a YAML or JSON text (JSON when `source` ends in .json); InputError naming
    `source` and the line when it does not parse."""
    if source.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}: not valid JSON at line {exc.lineno} ({exc.msg}); check "
                             "commas, quotes and brackets.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{source}: not valid YAML{where}; check indentation and quotes.") from exc


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


# --- the message part ----------------------------------------------------------------------------

def _scalar_text(value: Any) -> Any:
    # An empty part is no text yet, and a number written as a part is its digits.
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _trimmed(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_FIELD_CHARS:
        raise ValueError(f"{len(text)} characters is too long for a message part "
                         f"(limit {MAX_FIELD_CHARS}); keep the message short and link the detail.")
    return text


MessageText = Annotated[str, fix(lambda v: f"expected text, got {_kind(v)}."),
                        BeforeValidator(_scalar_text), AfterValidator(_trimmed)]


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


def _key_points_wording(value: Any) -> str:
    if isinstance(value, str):
        return "key_points must be a list (one '- point' per line), not one text."
    if isinstance(value, list):
        return (f"{len(value)} key points; at most {MAX_KEY_POINTS} are accepted "
                "(and 3-5 are recommended).")
    return f"key_points must be a list of texts, got {_kind(value)}."


def _no_empty_point(points: list[str]) -> list[str]:
    for number, point in enumerate(points, start=1):
        if not point:
            raise ValueError(f"key_points item {number} is empty; write it or remove it.")
    return points


def _number(value: Any) -> Any:
    # YAML reads `yes` as True and a quoted "2" as text: neither is a number someone meant.
    # (A pydantic error, not a ValueError, so that the key's `fix` words it.)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticKnownError("float_type")
    return value


# A validator listed later wraps the earlier ones: `fix` last words what `_number` refuses.
PerRepPerWeek = Annotated[float, BeforeValidator(_number),
                          fix(lambda v: f"per_rep_per_week must be a number (the weekly target "
                                        f"of one rep, e.g. 2), not {v!r}.")]


class AskSpec(Spec):
    """An ask as written: a behaviour, the lever metric that measures it and its target (text,
    in a draft message) or its weekly target per rep (a number, in an initiative file)."""

    behaviour: MessageText
    metric: MessageText = ""
    target: MessageText = ""
    per_rep_per_week: PerRepPerWeek | None = None

    @model_validator(mode="after")
    def _behaviour_given(self) -> AskSpec:
        if not self.behaviour:
            raise ValueError("behaviour is missing; say what reps should do.")
        return self

    def target_text(self) -> str:
        """The target as the message tells it ("" when there is none)."""
        if self.target:
            return self.target
        if self.per_rep_per_week is None:
            return ""
        return f"{self.per_rep_per_week:g} per rep per week"


def _bare_behaviour(item: Any) -> Any:
    # A bare behaviour is allowed so clarity can point out the missing metric and target.
    return {"behaviour": item} if isinstance(item, str) else item


KeyPoints = Annotated[list[MessageText], Strict(), Field(max_length=MAX_KEY_POINTS),
                      fix(_key_points_wording), BeforeValidator(_none_as_empty),
                      AfterValidator(_no_empty_point)]


class MessageSpec(Spec):
    """A message: why, how, what, key_points (a list of texts) and asks, each optional, but not
    all of why, how, what and key_points."""

    why: MessageText = ""
    how: MessageText = ""
    what: MessageText = ""
    key_points: KeyPoints = Field(default_factory=list)
    asks: Annotated[
        list[Annotated[AskSpec, fix("expected a mapping with behaviour, metric, target."),
                       BeforeValidator(_bare_behaviour)]],
        Strict(),
        fix(lambda v: "asks must be a list of mappings with behaviour, metric, target; "
                      f"got {_kind(v)}."),
        BeforeValidator(_none_as_empty),
    ] = Field(default_factory=list)

    @classmethod
    def key_problems(cls, given: dict[str, Any]) -> list[tuple[Loc, str]]:
        """A message says at least one of why, how, what and key_points."""
        if any(key in given for key in MESSAGE_KEYS[:4]):
            return []
        return [((), "the message is empty; add why, how, what and key_points.")]


_MESSAGE = TypeAdapter(Annotated[MessageSpec, fix(
    lambda v: "expected a mapping with keys why, how, what, key_points (and optionally asks), "
              f"got {_kind(v)}.")])


def message_spec_read(data: Any, source: str = "message") -> MessageSpec:
    """The message part of a message or initiative file (its rollout keys are ignored), or
    InputError with the first problem: where it is and what to change."""
    if isinstance(data, Mapping):
        data = {k: v for k, v in data.items() if k not in ROLLOUT_KEYS}
    try:
        return _MESSAGE.validate_python(data)
    except ValidationError as exc:
        problems = schema_problems(exc, lambda loc: where(source, loc), _unknown_message_key)
        raise InputError(problems[0]) from None


# --- the whole initiative file -------------------------------------------------------------------

def _date_given(value: Any) -> Any:
    # YAML reads 2026-01-05 as a date, JSON leaves it text; a number is not a date (pydantic
    # would read it as seconds since 1970).
    if isinstance(value, dt.date | str) and not isinstance(value, dt.datetime):
        return value
    raise PydanticKnownError("date_type")


FileDate = Annotated[dt.date, BeforeValidator(_date_given),
                     fix(lambda v: "missing; write a date, YYYY-MM-DD." if v is None
                         else f"expected a date, YYYY-MM-DD (not {v!r}).")]
Names = Annotated[list[Annotated[str, fix(lambda v: f"expected a name, got {_kind(v)}.")]],
                  Strict(), fix(lambda v: f"expected a list of names, got {_kind(v)}."),
                  BeforeValidator(_none_as_empty)]


def _per_rep_per_week(value: Any) -> str:
    if value is None:
        return "per_rep_per_week is missing; give the weekly target of one rep, e.g. 2."
    return f"per_rep_per_week must be a number (the weekly target of one rep), not {value!r}."


class InitiativeAskSpec(AskSpec):
    """An ask of an initiative: behaviour, metric and per_rep_per_week (a number)."""

    per_rep_per_week: Annotated[float, BeforeValidator(_number), fix(_per_rep_per_week)]

    @classmethod
    def key_problems(cls, given: dict[str, Any]) -> list[tuple[Loc, str]]:
        """An initiative's target is a number per rep per week, not a text."""
        if "target" in given:
            return [(("target",), "an initiative file gives per_rep_per_week (the weekly target "
                                  "of one rep, a number) instead of target.")]
        return []


class CadenceSpec(Spec):
    """A step of the cadence plan: deliver by `due`, or redeliver / reinforce `every_days`, by
    the leaders of the kinds in `leaders`."""

    kind: Annotated[CadenceKind, one_of("kind", CadenceKind)]
    due: FileDate | None = None
    every_days: Annotated[int, Strict(), fix(lambda v: f"expected a whole number of days, e.g. "
                                              f"14 (not {v!r}).")] | None = None
    leaders: Names


def _number_text(value: Any) -> Any:
    # A CSV cell is text; a number written in it is read as one.
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return _number(value)


class ForecastRowSpec(Spec):
    """One week of the forecast: the Monday it starts, its value, and the unit it is for (empty:
    the whole scope)."""

    week_start: FileDate
    value: Annotated[float, BeforeValidator(_number_text),
                     fix(lambda v: "missing; write the forecast of that week." if v in (None, "")
                         else f"expected a number (not {v!r}).")]
    unit: Annotated[str, fix("expected a unit's name."),
                    BeforeValidator(lambda v: "" if v is None else v)] = ""


FORECAST_ROW = TypeAdapter(Annotated[ForecastRowSpec, fix(
    "expected a mapping with week_start, value and optionally unit.")])


def _forecast_given(value: Any) -> str | list[Any] | None:
    if value is None or isinstance(value, str | list):
        return value
    raise ValueError("forecast must be a CSV file's path or a list of rows (week_start, value, "
                     f"unit); got {_kind(value)}.")


class InitiativeFileSpec(MessageSpec):
    """An initiative file: the message (why, how, what, key_points, asks) and its rollout. A
    missing title, owner or output_metric reads as empty: the initiative's checks name it."""

    title: MessageText
    owner: MessageText
    scope: Names
    start: FileDate
    end: FileDate
    # A narrower list than the message's (lists are invariant to mypy, not to pydantic).
    asks: Annotated[
        list[Annotated[InitiativeAskSpec, fix("expected a mapping with behaviour, metric, "
                                              "per_rep_per_week.")]],
        Strict(),
        fix(lambda v: "asks must be a list of mappings with behaviour, metric, "
                      f"per_rep_per_week; got {_kind(v)}."),
        BeforeValidator(_none_as_empty),
    ] = Field(default_factory=list)  # type: ignore[assignment]
    output_metric: MessageText
    cadence: Annotated[
        list[Annotated[CadenceSpec, fix("expected a mapping with kind, due or every_days, and "
                                        "leaders.")]],
        Strict(),
        fix(lambda v: f"cadence must be a list of steps (kind, due or every_days, leaders); got "
                      f"{_kind(v)}."),
        BeforeValidator(_none_as_empty),
    ] = Field(default_factory=list)
    # A CSV file's path (relative to the initiative file) or the rows themselves, read and
    # checked row by row by the importer (`forecast_row_read`), so that each problem names its
    # row.
    forecast: Annotated[Any, AfterValidator(_forecast_given)] = None


_INITIATIVE = TypeAdapter(Annotated[InitiativeFileSpec, fix(
    lambda v: f"expected a mapping with keys {', '.join(INITIATIVE_KEYS)}, got {_kind(v)}.")])


def initiative_spec_read(data: Any) -> tuple[InitiativeFileSpec | None, list[str]]:
    """The initiative file's spec, or None and every problem found (`key: fix`, or just the fix
    for the file as a whole)."""
    try:
        return _INITIATIVE.validate_python(data), []
    except ValidationError as exc:
        lines = schema_problems(exc, lambda loc: where("", loc), _unknown_initiative_key)
        return None, [line.removeprefix(": ") for line in lines]


def forecast_row_read(data: Any) -> tuple[ForecastRowSpec | None, list[tuple[str, str]]]:
    """One forecast row (a CSV row's cells or an inline item), or None and its problems as
    (column, fix); the column is "" for the row as a whole."""
    try:
        return FORECAST_ROW.validate_python(data), []
    except ValidationError as exc:
        # A column's name has no ": ", so the first one ends it.
        lines = schema_problems(exc, lambda loc: str(loc[0]) if loc else "",
                                lambda loc, names: _unknown(names, FORECAST_COLUMNS))
        pairs = [line.partition(": ") for line in lines]
        return None, [(column, text) for column, _, text in pairs]


def where(source: str, loc: Loc) -> str:
    """`source`, then the key (`: why`), the item (` item 2`) and its key (`: metric`); a list's
    own problems name the list in their text."""
    if len(loc) == 1 and loc[0] in ("key_points", "asks", "cadence", "forecast"):
        return source
    text = source
    for part in loc:
        text += f" item {part + 1}" if isinstance(part, int) else f": {part}"
    return text


def _unknown(names: list[str], allowed: tuple[str, ...]) -> list[str]:
    close = close_match(names[0], allowed)
    hint = f" (did you mean {close!r}?)" if close else ""
    return [f"unknown key {names[0]!r}{hint}; allowed keys are {', '.join(allowed)}."]


def _unknown_message_key(loc: Loc, names: list[str]) -> list[str]:
    return _unknown(names, ASK_KEYS if loc else MESSAGE_KEYS)


def _unknown_initiative_key(loc: Loc, names: list[str]) -> list[str]:
    allowed = {"asks": INITIATIVE_ASK_KEYS, "cadence": CADENCE_KEYS}.get(
        str(loc[0]) if loc else "", INITIATIVE_KEYS)
    return [line for name in names for line in _unknown([name], allowed)]
