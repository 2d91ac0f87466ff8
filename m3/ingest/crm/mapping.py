"""Mappings: how the columns of a CRM export become M3 facts.

A mapping (YAML, documented in docs/import.md) names, for each M3 field, the source column or a
constant, optional value maps (exact `values:` or regular-expression `patterns:`), date formats,
and how owners are matched to people. The built-in profiles (m3, salesforce, hubspot) are
mappings too. What a mapping does to the cells of a batch is in `m3/ingest/crm/rules.py` (each
rule, per cell) and `transform.py` (with Arrow).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from m3.errors import InputError
from m3.facts.schema import TABLES

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


def _listify(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, list | tuple):
        return tuple(str(x) for x in raw)
    return (str(raw),)


def _field(name: str, raw: Any, where: str, problems: list[str]) -> FieldSpec | None:
    if isinstance(raw, str):
        return FieldSpec(column=raw)
    if not isinstance(raw, dict):
        problems.append(f"{where}: field {name} must be a column name or a mapping such as "
                        "{column: X} or {constant: Y}.")
        return None
    allowed = {"column", "coalesce", "columns", "constant", "values", "patterns", "default",
               "format", "when", "match", "scale"}
    unknown = set(raw) - allowed
    if unknown:
        problems.append(f"{where}: field {name} has unknown key(s) {', '.join(sorted(unknown))}; "
                        f"use {', '.join(sorted(allowed))}.")
    sources = [k for k in ("column", "coalesce", "columns", "constant") if k in raw]
    if len(sources) != 1:
        problems.append(f"{where}: field {name} needs exactly one of column, coalesce, columns "
                        "or constant.")
        return None
    values = raw.get("values")
    if values is not None and not isinstance(values, dict):
        problems.append(f"{where}: values of {name} must map source values to M3 values.")
        values = None
    patterns: list[tuple[str, Any]] = []
    for item in raw.get("patterns") or []:
        if not isinstance(item, dict) or len(item) != 1:
            problems.append(f"{where}: each pattern of {name} is one `regex: value` pair.")
            continue
        (regex, value), = item.items()
        try:
            re.compile(str(regex))
        except re.error as exc:
            problems.append(f"{where}: pattern {regex!r} of {name} is not a regular expression "
                            f"({exc}).")
            continue
        patterns.append((str(regex), value))
    scale = raw.get("scale", 1.0)
    if not isinstance(scale, int | float):
        problems.append(f"{where}: scale of {name} must be a number.")
        scale = 1.0
    when = raw.get("when") or {}
    if not isinstance(when, dict):
        problems.append(f"{where}: when of {name} must map a column to the value it must have.")
        when = {}
    return FieldSpec(
        column=str(raw["column"]) if "column" in raw else None,
        coalesce=_listify(raw.get("coalesce")),
        columns=_listify(raw.get("columns")),
        constant=raw.get("constant"),
        values={str(k) if not isinstance(k, bool) else str(k).lower(): v
                for k, v in values.items()} if values else None,
        patterns=tuple(patterns),
        default=raw.get("default"),
        has_default="default" in raw,
        formats=_listify(raw.get("format")),
        when={str(k): str(v) for k, v in when.items()},
        match=str(raw["match"]) if raw.get("match") is not None else None,
        scale=float(scale),
    )


def mapping_from_dict(data: Any, where: str) -> ImportMapping:
    """Build and validate a mapping; raise InputError listing every problem with its fix."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InputError(f"{where}: a mapping file is a YAML mapping with kind, source, fields.")
    kind = data.get("kind")
    if kind not in TABLES:
        problems.append(f"{where}: kind is {kind!r}; use activities or opportunities.")
    source = data.get("source")
    if not isinstance(source, str) or not re.fullmatch(r"[a-z0-9_.-]+", source or ""):
        problems.append(f"{where}: source must name where the rows come from in lower case "
                        "(e.g. source: maven-crm); with the id it identifies a row on re-import.")
    owners_raw = (data.get("owners") or {}).get("match", "email_or_crm_id") \
        if isinstance(data.get("owners") or {}, dict) else data.get("owners")
    try:
        owners = OwnerMatch(owners_raw)
    except ValueError:
        problems.append(f"{where}: owners match is {owners_raw!r}; use one of "
                        f"{', '.join(m.value for m in OwnerMatch)}.")
        owners = OwnerMatch.EMAIL_OR_CRM_ID
    raw_fields = data.get("fields")
    fields: dict[str, FieldSpec] = {}
    if not isinstance(raw_fields, dict):
        problems.append(f"{where}: fields must map each M3 field to a source column.")
    elif kind in TABLES:
        for name, raw in raw_fields.items():
            if name not in MAPPED_FIELDS[kind]:
                problems.append(f"{where}: {name!r} is not a field of {kind}; use "
                                f"{', '.join(MAPPED_FIELDS[kind])}.")
                continue
            spec = _field(name, raw, where, problems)
            if spec is not None:
                fields[name] = spec
        for name in REQUIRED_FIELDS[kind]:
            if name not in raw_fields:
                problems.append(f"{where}: fields must say where {name} comes from.")
    skip = data.get("skip_rows_where") or {}
    if not isinstance(skip, dict):
        problems.append(f"{where}: skip_rows_where maps a column to the value(s) to skip.")
        skip = {}
    nulls = _listify(data.get("null_values", [])) + ("",)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise InputError(f"The mapping has {len(problems)} problem(s):\n{listed}")
    return ImportMapping(
        kind=str(kind), source=str(source), fields=fields, owners=owners,
        null_values=tuple(dict.fromkeys(nulls)),
        skip_where={str(k): _listify(v) for k, v in skip.items()}, name=where,
    )


def mapping_load(path: Path) -> ImportMapping:
    """Read a mapping YAML file (see docs/import.md)."""
    if not path.is_file():
        raise InputError(f"{path}: no such mapping file; check the --mapping path.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path.name}: not valid YAML ({exc}).") from None
    return mapping_from_dict(data, path.name)

