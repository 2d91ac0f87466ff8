"""Matching the owners a CRM writes (email, CRM id or name) to M3 people, and mapping unknown
owners to people later without re-reading any file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from m3.errors import InputError, NotFound
from m3.facts.store import FactsStore
from m3.ingest.crm.mapping import OwnerMatch
from m3.jobs.services import state_refresh_enqueue
from m3.org.models import CrmIdentity, Person
from m3.vocabulary import Engine


@dataclass(frozen=True)
class OwnerIndex:
    """Lookups from owner text to person id; names that two people share are left out."""

    by_email: Mapping[str, int]
    by_crm_id: Mapping[str, int]
    by_name: Mapping[str, int]

    def resolve(self, owners: pd.Series, match: OwnerMatch) -> pd.Series:
        """Person id per owner cell (NA where unknown)."""
        lower = owners.str.lower()
        email = lower.map(self.by_email)
        crm = owners.map(self.by_crm_id)
        name = lower.str.split().str.join(" ").map(self.by_name)
        if match is OwnerMatch.EMAIL:
            out = email
        elif match is OwnerMatch.CRM_ID:
            out = crm
        elif match is OwnerMatch.NAME:
            out = name
        elif match is OwnerMatch.EMAIL_OR_CRM_ID:
            out = email.fillna(crm)
        elif match is OwnerMatch.ANY:
            out = email.fillna(crm).fillna(name)
        else:
            raise AssertionError(match)
        return out.astype("Int64")


def owner_index() -> OwnerIndex:
    """The owner lookups of every person in the app database."""
    by_email = {e.lower(): pk for pk, e in Person.objects.values_list("pk", "email")}
    by_crm = dict(CrmIdentity.objects.values_list("crm_id", "person_id"))
    by_name: dict[str, int] = {}
    shared: set[str] = set()
    for pk, name in Person.objects.values_list("pk", "name"):
        key = " ".join(name.lower().split())
        if key in by_name:
            shared.add(key)
        by_name[key] = pk
    for key in shared:
        del by_name[key]
    return OwnerIndex(by_email, by_crm, by_name)


@dataclass(frozen=True)
class UnknownOwner:
    """An owner written in the facts that matches no person, with how many rows carry it."""

    owner: str
    activities: int
    opportunities: int


def unknown_owners(store: FactsStore) -> list[UnknownOwner]:
    """Owners of fact rows with no person (rep_id NULL), most rows first."""
    counts: dict[str, dict[str, int]] = {}
    with store.connect() as con:
        for table in ("activities", "opportunities"):
            t = con.table(table)
            f = t.filter(t.rep_id.isnull(), t.owner.notnull())
            q = f.group_by("owner").aggregate(n=f.count())
            for owner, n in q.execute().itertuples(index=False):
                counts.setdefault(str(owner), {})[table] = int(n)
    rows = [UnknownOwner(o, c.get("activities", 0), c.get("opportunities", 0))
            for o, c in counts.items()]
    return sorted(rows, key=lambda u: (-(u.activities + u.opportunities), u.owner))


def owner_map(store: FactsStore, owner: str, person_key: str) -> tuple[Person, int]:
    """Record that OWNER is the person with email (or CRM id) PERSON_KEY and set rep_id on the
    fact rows that carry OWNER; return the person and the number of rows updated."""
    from m3.org.selectors import person_by_email_or_crm_id

    owner = owner.strip()
    if not owner:
        raise InputError("The owner is empty; give it as the CRM wrote it (see `m3 owners list`).")
    person = person_by_email_or_crm_id(person_key)
    if person is None:
        raise NotFound(f"No person with email or CRM id {person_key!r}: add them to the org "
                       "first (m3 org import), then map the owner.")
    existing = CrmIdentity.objects.filter(crm_id=owner).first()
    if existing is not None and existing.person_id != person.pk:
        raise InputError(f"{owner!r} is already mapped to {existing.person}; remove that CRM "
                         "identity in the admin first.")
    CrmIdentity.objects.get_or_create(crm_id=owner, defaults={"person": person})
    updated = 0
    with store.connect(write=True) as con:
        for table in ("activities", "opportunities"):
            t = con.table(table)
            updated += int(t.filter(t.owner == owner, t.rep_id.isnull()).count().execute())
        # One UPDATE per table, with bound parameters, on the engine's own connection.
        statements = [f"UPDATE {table} SET rep_id = %s WHERE rep_id IS NULL AND owner = %s"
                      for table in ("activities", "opportunities")]
        native = con.con
        if store.engine is Engine.DUCKDB:
            native.execute("BEGIN TRANSACTION")
            for sql in statements:
                native.execute(sql.replace("%s", "?"), [person.pk, owner])
            native.execute("COMMIT")
        else:
            with native.transaction(), native.cursor() as cur:
                for sql in statements:
                    cur.execute(sql, (person.pk, owner))
    if updated:
        state_refresh_enqueue(f"owner {owner!r} mapped to {person.email}")
    return person, updated
