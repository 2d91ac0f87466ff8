"""Mappings: how the columns of a CRM export become M3 facts.

A mapping (YAML, documented in docs/import.md) names, for each M3 field, the source column or a
constant, optional value maps (exact `values:` or regular-expression `patterns:`), date formats,
and how owners are matched to people. The built-in profiles (m3, salesforce, hubspot) are
mappings too. The file's schema is a pydantic model (`MappingSpec`, a `FieldRule` per field
written as a mapping), whose problems `m3/schema.py` words; what a mapping does to the cells of a
batch is in `m3/ingest/crm/rules.py` (each rule, per cell) and `transform.py` (with Arrow).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
    Tag,
    ValidationError,
    ValidationInfo,
)

from m3.errors import InputError
from m3.facts.schema import TABLES
from m3.schema import Loc, Spec, fix, one_of, schema_problems

MAPPED_FIELDS = {
    table: tuple(c for c in schema.names if c not in ("source", "rep_id"))
    for table, schema in TABLES.items()
}
REQUIRED_FIELDS = {"activities": ("id", "type", "occurred_at"), "opportunities": ("id",)}


class OwnerMatch(enum.Enum):
    """How the owner cells of a file are matched to people."""

    EMAIL = "email"
    CRM_ID = "crm_id"
    NAME = "name"
    EMAIL_OR_CRM_ID = "email_or_crm_id"
    ANY = "any"  # email, then CRM id, then name


@dataclass(frozen=True)
class FieldSpec:
    """Where one M3 field comes from.

    Exactly one of `column` (a source column), `coalesce` (the first non-empty of several),
    `columns` (several joined with `|`, for `values` keyed on combinations) or `constant`.
    """

    column: str | None = None
    coalesce: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    constant: Any = None
    values: Mapping[str, Any] | None = None
    patterns: tuple[tuple[str, Any], ...] = ()
    default: Any = None
    has_default: bool = False
    formats: tuple[str, ...] = ()
    when: Mapping[str, str] = field(default_factory=dict)
    match: str | None = None
    scale: float = 1.0

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source column this field reads."""
        cols = (self.column,) if self.column else ()
        return (*cols, *self.coalesce, *self.columns, *self.when)


@dataclass(frozen=True)
class ImportMapping:
    """A complete mapping for one fact table."""

    kind: str
    source: str
    fields: Mapping[str, FieldSpec]
    owners: OwnerMatch = OwnerMatch.EMAIL_OR_CRM_ID
    null_values: tuple[str, ...] = ("",)
    skip_where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    name: str = "mapping"

    def required_columns(self) -> tuple[str, ...]:
        """The source columns the file must have."""
        cols: list[str] = []
        for spec in self.fields.values():
            cols.extend(c for c in spec.sources if c not in cols)
        cols.extend(c for c in self.skip_where if c not in cols)
        return tuple(cols)


# --- the schema of a mapping file (see m3/schema.py for how problems are worded) --------------
# `{field}` in a message is the name of the M3 field it is about.

def _listify(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, list | tuple):
        return tuple(str(x) for x in raw)
    return (str(raw),)


# One text or a list of them, each as written.
Texts = Annotated[tuple[str, ...], BeforeValidator(_listify)]
SOURCES = ("column", "coalesce", "columns", "constant")


def _regex_compiles(pattern: dict[Any, Any]) -> dict[Any, Any]:
    (regex, _), = pattern.items()
    try:
        re.compile(str(regex))
    except re.error as exc:
        raise ValueError(f"pattern {regex!r} of {{field}} is not a regular expression "
                         f"({exc}).") from None
    return pattern


_PATTERN_SHAPE = "each pattern of {field} is one `regex: value` pair."
Pattern = Annotated[dict[Any, Any], Field(min_length=1, max_length=1), fix(_PATTERN_SHAPE),
                    AfterValidator(_regex_compiles)]


def _or_empty(empty: Any) -> Callable[[Any], Any]:
    return lambda raw: raw or empty


class FieldRule(Spec):
    """An M3 field written as a mapping: exactly one source (`column`, `coalesce`, `columns` or
    `constant`), and what is done with its value."""

    column: Annotated[str | None, BeforeValidator(str)] = None  # `column: 2024` is "2024"
    coalesce: Texts = ()
    columns: Texts = ()
    constant: Any = None
    values: Annotated[dict[Any, Any] | None, fix(
        "values of {field} must map source values to M3 values.")] = None
    patterns: Annotated[tuple[Pattern, ...], fix(_PATTERN_SHAPE),
                        BeforeValidator(_or_empty([]))] = ()
    default: Any = None
    format: Texts = ()
    scale: Annotated[float, Strict(), fix("scale of {field} must be a number.")] = 1.0
    when: Annotated[dict[Any, Any], fix(
        "when of {field} must map a column to the value it must have."),
        BeforeValidator(_or_empty({}))] = Field(default_factory=dict)
    match: Annotated[str | None, BeforeValidator(lambda v: None if v is None else str(v))] = None

    @classmethod
    def key_problems(cls, given: dict[str, Any]) -> list[tuple[Loc, str]]:
        """A field has exactly one source."""
        if sum(key in given for key in SOURCES) == 1:
            return []
        return [((), "field {field} needs exactly one of column, coalesce, columns or constant.")]

    def field_spec(self) -> FieldSpec:
        """The field as the row rules read it."""
        return FieldSpec(
            column=self.column, coalesce=self.coalesce, columns=self.columns,
            constant=self.constant,
            # YAML reads `true:` as a boolean; the cells it matches are text.
            values={str(k).lower() if isinstance(k, bool) else str(k): v
                    for k, v in self.values.items()} if self.values else None,
            patterns=tuple((str(regex), value)
                           for pattern in self.patterns for regex, value in pattern.items()),
            default=self.default, has_default="default" in self.model_fields_set,
            formats=self.format, when={str(k): str(v) for k, v in self.when.items()},
            match=self.match, scale=self.scale,
        )


def _field_form(raw: Any) -> str | None:
    return "column" if isinstance(raw, str) else "rule" if isinstance(raw, dict) else None


FieldSource = Annotated[
    Annotated[str, Tag("column")] | Annotated[FieldRule, Tag("rule")],
    Discriminator(_field_form),
    fix("field {field} must be a column name or a mapping such as {column: X} or {constant: Y}."),
]


def _field_of_kind(name: str, info: ValidationInfo) -> str:
    kind = info.data.get("kind")
    if kind in MAPPED_FIELDS and name not in MAPPED_FIELDS[kind]:
        raise ValueError(f"{name!r} is not a field of {kind}; use "
                         f"{', '.join(MAPPED_FIELDS[kind])}.")
    return name


def _owners_match(raw: Any) -> Any:
    # `owners: {match: name}`, or the shorthand `owners: name`.
    raw = raw or {}
    return raw.get("match", OwnerMatch.EMAIL_OR_CRM_ID.value) if isinstance(raw, dict) else raw


class MappingSpec(Spec):
    """A mapping file: kind, source, owners, fields, null_values, skip_rows_where (docs/import.md);
    other keys are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: Annotated[str, one_of("kind", TABLES, use="activities or opportunities")]
    source: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]+$"), fix(
        "source must name where the rows come from in lower case (e.g. source: maven-crm); with "
        "the id it identifies a row on re-import.")]
    owners: Annotated[OwnerMatch, one_of("owners match", OwnerMatch),
                      BeforeValidator(_owners_match)] = OwnerMatch.EMAIL_OR_CRM_ID
    fields: Annotated[dict[Annotated[str, AfterValidator(_field_of_kind)], FieldSource], fix(
        "fields must map each M3 field to a source column.")]
    null_values: Texts = ()
    skip_rows_where: Annotated[dict[Any, Any], fix(
        "skip_rows_where maps a column to the value(s) to skip."),
        BeforeValidator(_or_empty({}))] = Field(default_factory=dict)

    @classmethod
    def key_problems(cls, given: dict[str, Any]) -> list[tuple[Loc, str]]:
        """The fields every row of the kind needs are mapped."""
        kind, fields = given.get("kind"), given.get("fields")
        if not isinstance(kind, str) or kind not in REQUIRED_FIELDS or not isinstance(fields, dict):
            return []
        return [(("fields",), f"fields must say where {name} comes from.")
                for name in REQUIRED_FIELDS[kind] if name not in fields]

    def import_mapping(self, name: str) -> ImportMapping:
        """The mapping, called `name` in messages."""
        return ImportMapping(
            kind=self.kind, source=self.source,
            fields={field: FieldSpec(column=rule) if isinstance(rule, str) else rule.field_spec()
                    for field, rule in self.fields.items()},
            owners=self.owners, null_values=tuple(dict.fromkeys((*self.null_values, ""))),
            skip_where={str(k): _listify(v) for k, v in self.skip_rows_where.items()}, name=name,
        )


def _unknown_rule_keys(loc: Loc, names: list[str]) -> list[str]:
    """The problem of keys a field rule does not take (`loc` is ("fields", name, "rule"))."""
    return [f"field {loc[1]} has unknown key(s) {', '.join(sorted(names))}; use "
            f"{', '.join(sorted(FieldRule.model_fields))}."]


def _field_named(loc: Loc) -> dict[str, str]:
    """`{field}` in a problem at ("fields", name, …) is that name."""
    return {"field": str(loc[1])} if loc[:1] == ("fields",) and len(loc) > 1 else {}


def mapping_from_dict(data: Any, where: str) -> ImportMapping:
    """Build and validate a mapping; raise InputError listing every problem with its fix."""
    if not isinstance(data, dict):  # not a mapping at all: one line, not a list of problems
        raise InputError(f"{where}: a mapping file is a YAML mapping with kind, source, fields.")
    try:
        spec = MappingSpec.model_validate(data)
    except ValidationError as exc:
        problems = schema_problems(exc, lambda loc: where, _unknown_rule_keys, _field_named)
        listed = "\n".join(f"  - {p}" for p in problems)
        raise InputError(f"The mapping has {len(problems)} problem(s):\n{listed}") from None
    return spec.import_mapping(where)


def mapping_load(path: Path) -> ImportMapping:
    """Read a mapping YAML file (see docs/import.md)."""
    if not path.is_file():
        raise InputError(f"{path}: no such mapping file; check the --mapping path.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path.name}: not valid YAML ({exc}).") from None
    return mapping_from_dict(data, path.name)
