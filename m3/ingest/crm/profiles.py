"""The built-in import profiles (m3, salesforce, hubspot) as mappings, and recognising which
kind of export a file is from its header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from m3.errors import InputError
from m3.ingest.crm.mapping import REQUIRED_FIELDS, ImportMapping, mapping_from_dict

PROFILES = ("m3", "salesforce", "hubspot", "generic")
SALESFORCE_NULL_ID = "000000000000000AAA"

# Activity type from a subject or type text, first match wins (English and Spanish CRMs).
TYPE_PATTERNS: list[dict[str, str]] = [
    {r"^\s*(?:demo|demostraci)": "demo"},
    {r"^\s*(?:proposal|propuesta|quote|cotizaci|presupuesto)": "proposal"},
    {r"^\s*(?:call|llamada|phone|tel[eé]fono)": "call"},
    {r"^\s*(?:e-?mail|correo|list email|email de lista|mail)": "email"},
    {r"^\s*(?:meeting|reuni[oó]n|cita|visita)": "meeting"},
    {r"^\s*(?:note|task|todo|tarea)": "other"},
]

M3_PROFILE: dict[str, dict[str, Any]] = {
    "activities": {
        "kind": "activities", "source": "m3", "owners": {"match": "email_or_crm_id"},
        "fields": {"id": "id", "owner": "rep", "type": "type", "occurred_at": "occurred_at",
                   "product": "product", "account": "account", "opportunity": "opportunity",
                   "amount": "amount", "currency": "currency"},
    },
    "opportunities": {
        "kind": "opportunities", "source": "m3", "owners": {"match": "email_or_crm_id"},
        "fields": {"id": "id", "owner": "rep", "account": "account", "product": "product",
                   "stage": "stage", "amount": "amount", "currency": "currency",
                   "created_at": "created_at", "closed_at": "closed_at", "won": "won"},
    },
}

_SF_COMMON = {"source": "salesforce", "owners": {"match": "crm_id"},
              "null_values": [SALESFORCE_NULL_ID]}
SALESFORCE_PROFILE: dict[str, dict[str, Any]] = {
    "Opportunity": {
        **_SF_COMMON, "kind": "opportunities", "skip_rows_where": {"IsDeleted": "1"},
        "fields": {
            "id": "Id", "owner": "OwnerId", "account": "AccountId", "stage": "StageName",
            "amount": "Amount", "currency": "CurrencyIsoCode", "created_at": "CreatedDate",
            # CloseDate of an open deal is the expected date, not a close.
            "closed_at": {"column": "CloseDate", "when": {"IsClosed": "1"}},
            "won": {"columns": ["IsClosed", "IsWon"],
                    "values": {"1|1": True, "1|0": False, "0|0": None, "0|1": None}},
        },
    },
    "Task": {
        **_SF_COMMON, "kind": "activities",
        "skip_rows_where": {"IsDeleted": "1", "IsClosed": "0"},
        "fields": {
            "id": "Id", "owner": "OwnerId", "account": "AccountId",
            "type": {"coalesce": ["Type", "Subject"], "patterns": TYPE_PATTERNS,
                     "default": "other"},
            "occurred_at": {"coalesce": ["ActivityDate", "CompletedDateTime", "CreatedDate"]},
            "opportunity": {"column": "WhatId", "match": "^006"},
            "currency": "CurrencyIsoCode",
        },
    },
    "Event": {
        **_SF_COMMON, "kind": "activities", "skip_rows_where": {"IsDeleted": "1"},
        "fields": {
            "id": "Id", "owner": "OwnerId", "account": "AccountId",
            "type": {"coalesce": ["Type", "Subject"], "patterns": TYPE_PATTERNS,
                     "default": "meeting"},
            "occurred_at": {"coalesce": ["ActivityDateTime", "ActivityDate", "CreatedDate"]},
            "opportunity": {"column": "WhatId", "match": "^006"},
            "currency": "CurrencyIsoCode",
        },
    },
}
SALESFORCE_SIGNATURES = {
    "Opportunity": {"Id", "StageName", "IsWon", "IsClosed", "OwnerId"},
    "Task": {"Id", "Subject", "ActivityDate", "OwnerId", "TaskSubtype"} - {"TaskSubtype"},
    "Event": {"Id", "Subject", "ActivityDateTime", "DurationInMinutes", "OwnerId"},
    "User": {"Id", "Username", "Email", "UserType"},
    "OpportunityHistory": {"OpportunityId", "StageName", "PrevAmount"},
}

# Column labels of HubSpot's CRM exports (Deals and Activities views, "Export" button).
HUBSPOT_PROFILE: dict[str, dict[str, Any]] = {
    "deals": {
        "kind": "opportunities", "source": "hubspot", "owners": {"match": "any"},
        "fields": {
            "id": "Record ID", "owner": "Deal owner", "account": "Associated Company",
            "stage": "Deal Stage", "amount": "Amount", "currency": "Currency",
            "created_at": "Create Date",
            "closed_at": {"column": "Close Date", "when": {"Is Deal Closed?": "true"}},
            "won": {"columns": ["Is Deal Closed?", "Is Closed Won"],
                    "values": {"true|true": True, "true|false": False, "false|false": None,
                               "false|true": None, "|": None}},
        },
    },
    "activities": {
        "kind": "activities", "source": "hubspot", "owners": {"match": "any"},
        "fields": {
            "id": "Record ID", "owner": "Activity assigned to",
            "type": {"column": "Activity type", "patterns": TYPE_PATTERNS, "default": "other"},
            "occurred_at": "Activity date", "account": "Associated Company",
            "opportunity": "Associated Deal",
        },
    },
}


@dataclass(frozen=True)
class FileKind:
    """What a file is: its mapping, or a Salesforce object M3 handles specially (User)."""

    label: str
    mapping: ImportMapping | None
    special: str | None = None


def _fit(raw: dict[str, Any], header: Sequence[str], label: str) -> ImportMapping:
    """The profile mapping without the optional fields whose columns the file lacks."""
    present = {h.lower() for h in header}
    fields: dict[str, Any] = {}
    for name, spec in raw["fields"].items():
        cols = [spec] if isinstance(spec, str) else (
            ([spec["column"]] if "column" in spec else [])
            + list(spec.get("coalesce", [])) + list(spec.get("columns", [])))
        if isinstance(spec, dict) and "coalesce" in spec:
            kept = [c for c in spec["coalesce"] if c.lower() in present]
            if kept:
                fields[name] = {**spec, "coalesce": kept}
                continue
        if all(c.lower() in present for c in cols) or name in REQUIRED_FIELDS[raw["kind"]] \
                or name == "owner":
            fields[name] = spec
    skip = {k: v for k, v in raw.get("skip_rows_where", {}).items() if k.lower() in present}
    return mapping_from_dict({**raw, "fields": fields, "skip_rows_where": skip},
                             f"the {label} profile")


def _missing(mapping: ImportMapping, header: Sequence[str]) -> list[str]:
    present = {h.lower() for h in header}
    return [c for c in mapping.required_columns() if c.lower() not in present]


def file_kind(profile: str, header: Sequence[str], file: str, kind: str | None,
              mapping: ImportMapping | None = None) -> FileKind:
    """Recognise what `file` holds under `profile` from its header; InputError if it does not
    fit, naming the columns expected and the profile it looks like, if any."""
    if not header:
        raise InputError(f"{file}: no header line; the first line must name the columns.")
    columns = set(header)
    if profile == "generic":
        if mapping is None:
            raise InputError("--profile generic needs --mapping FILE.yaml (see docs/import.md).")
        missing = _missing(mapping, header)
        if missing:
            raise InputError(
                f"{file}, row 1: the mapping {mapping.name} reads column(s) "
                f"{', '.join(missing)}, which the file lacks (it has: {', '.join(header)}); "
                "fix the mapping's column names or export those columns." + _looks_like(header)
            )
        return FileKind(mapping.kind, mapping)
    if profile == "m3":
        def m3_signature(k: str) -> set[str]:
            return {"rep", "id", "won" if k == "opportunities" else "occurred_at"}

        if kind and not m3_signature(kind) <= columns:
            raise InputError(
                f"{file}, row 1: --kind {kind} needs the column(s) "
                f"{', '.join(sorted(m3_signature(kind) - columns))}, which the file lacks (it "
                f"has: {', '.join(header)}); check --kind or the file." + _looks_like(header))
        kinds = [kind] if kind else [
            k for k in ("opportunities", "activities") if m3_signature(k) <= columns]
        if not kinds:
            raise InputError(
                f"{file}, row 1: not an M3 file; activities need the columns id, rep, type, "
                "occurred_at (and product, account, opportunity, amount); opportunities id, rep, "
                "account, product, stage, amount, currency, created_at, closed_at, won."
                + _looks_like(header))
        found = _fit(M3_PROFILE[kinds[0]], header, "m3")
        _require(found, header, file, f"m3 {kinds[0]}")
        return FileKind(kinds[0], found)
    if profile == "salesforce":
        for obj, signature in SALESFORCE_SIGNATURES.items():
            if signature <= columns:
                if obj == "User":
                    return FileKind("User", None, special="salesforce_user")
                if obj == "OpportunityHistory":
                    raise InputError(
                        f"{file}: OpportunityHistory holds stage changes, which M3 does not "
                        "import; import Opportunity.csv (won, lost and dates come from it).")
                found = _fit(SALESFORCE_PROFILE[obj], header, f"salesforce {obj}")
                _require(found, header, file, f"salesforce {obj}")
                return FileKind(obj, found)
        raise InputError(
            f"{file}, row 1: not a Salesforce Opportunity, Task, Event or User export (an "
            "Opportunity export has Id, StageName, IsClosed, IsWon, OwnerId …)."
            + _looks_like(header))
    if profile == "hubspot":
        for obj, raw in HUBSPOT_PROFILE.items():
            if {raw["fields"]["id"], raw["fields"]["owner"]} <= columns:
                found = _fit(raw, header, f"hubspot {obj}")
                _require(found, header, file, f"hubspot {obj}")
                return FileKind(obj, found)
        raise InputError(
            f"{file}, row 1: not a HubSpot deals or activities export (deals have Record ID, "
            "Deal owner, Deal Stage …; activities Record ID, Activity assigned to, Activity "
            "type, Activity date)." + _looks_like(header))
    raise InputError(f"Unknown profile {profile!r}; use one of {', '.join(PROFILES)}.")


def _require(mapping: ImportMapping, header: Sequence[str], file: str, label: str) -> None:
    missing = _missing(mapping, header)
    if missing:
        raise InputError(f"{file}, row 1: a {label} file needs the column(s) "
                         f"{', '.join(missing)}; export them too.")


def _looks_like(header: Sequence[str]) -> str:
    columns = set(header)
    if any(sig <= columns for sig in SALESFORCE_SIGNATURES.values()):
        return " It looks like a Salesforce export: use --profile salesforce."
    if "Record ID" in columns:
        return " It looks like a HubSpot export: use --profile hubspot."
    if {"id", "rep"} <= columns:
        return " It looks like an M3 file: use --profile m3."
    return " For any other CSV write a mapping and use --profile generic --mapping FILE.yaml."
