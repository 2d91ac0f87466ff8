"""The tables of the facts store and their columns (DESIGN.md, "Facts")."""

from __future__ import annotations

import ibis
import ibis.expr.schema as sch

from m3.vocabulary import ACTIVITY_TYPES

KEY = ("source", "id")

ACTIVITIES = ibis.schema(
    {
        "source": "string",  # where the row came from (m3, salesforce, hubspot, demo …)
        "id": "string",  # the row's id in that source
        "rep_id": "int64",  # M3 person id; NULL while the owner is unknown
        "owner": "string",  # the owner as the source wrote it (email, CRM id or name)
        "type": "string",  # call, email, meeting, demo, proposal, other
        "occurred_at": "timestamp",
        "product": "string",
        "account": "string",
        "opportunity": "string",
        "amount": "float64",
        "currency": "string",
    }
)

OPPORTUNITIES = ibis.schema(
    {
        "source": "string",
        "id": "string",
        "rep_id": "int64",
        "owner": "string",
        "account": "string",
        "product": "string",
        "stage": "string",
        "amount": "float64",
        "currency": "string",
        "created_at": "timestamp",
        "closed_at": "timestamp",
        "won": "boolean",  # NULL while open
    }
)

TABLES: dict[str, sch.Schema] = {"activities": ACTIVITIES, "opportunities": OPPORTUNITIES}

__all__ = ["ACTIVITIES", "ACTIVITY_TYPES", "KEY", "OPPORTUNITIES", "TABLES"]
