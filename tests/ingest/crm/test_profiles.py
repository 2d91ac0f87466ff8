"""The salesforce profile on files with the real export headers (cp1252, all quoted, 0/1
booleans, sentinel ids, won/lost from IsClosed/IsWon, kind from the subject)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from m3.errors import InputError
from m3.facts.store import FactsStore
from m3.ingest.crm.importer import crm_import
from tests.factories import small_org

pytestmark = pytest.mark.django_db
HEADERS = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / \
    "salesforce-export" / "headers"
NULL_ID = "000000000000000AAA"


def header(obj: str) -> list[str]:
    path = HEADERS / f"{obj}.header.csv"
    if not path.is_file():
        pytest.skip(f"the Salesforce reference headers are not at {HEADERS}")
    return next(csv.reader(path.read_text(encoding="utf-8").splitlines()))


def sf_file(path: Path, obj: str, rows: list[dict[str, str]]) -> Path:
    cols = header(obj)
    with path.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([row.get(c, "") for c in cols])
    return path


def test_salesforce_users_opportunities_and_tasks_import_together(
    facts: FactsStore, tmp_path: Path
) -> None:
    org = small_org()
    users = sf_file(tmp_path / "User.csv", "User", [
        {"Id": "0058a00000AAAAAAA1", "Username": "rae", "Email": org.rep_a1.email,
         "UserType": "Standard", "FirstName": "Rae", "LastName": "Rep"},
        {"Id": "0058a00000AAAAAAA2", "Username": "bot", "Email": "bot@x.test",
         "UserType": "AutomatedProcess"},
    ])
    base = {"IsDeleted": "0", "OwnerId": "0058a00000AAAAAAA1", "CampaignId": NULL_ID,
            "CreatedDate": "2023-03-01 10:00:00", "CurrencyIsoCode": "MXN"}
    opps = sf_file(tmp_path / "Opportunity.csv", "Opportunity", [
        {**base, "Id": "0068a00000OPP00001", "StageName": "Closed Won", "Amount": "9225.225",
         "CloseDate": "2023-04-01 00:00:00", "IsClosed": "1", "IsWon": "1"},
        {**base, "Id": "0068a00000OPP00002", "StageName": "Negociación", "Amount": "",
         "CloseDate": "2023-06-01 00:00:00", "IsClosed": "0", "IsWon": "0"},
        {**base, "Id": "0068a00000OPP00003", "StageName": "Closed Lost", "Amount": "10",
         "CloseDate": "2023-04-02 00:00:00", "IsClosed": "1", "IsWon": "0"},
        {**base, "Id": "0068a00000OPP00004", "IsDeleted": "1", "IsClosed": "0", "IsWon": "0"},
    ])
    tasks = sf_file(tmp_path / "Task.csv", "Task", [
        {"Id": "00T1", "OwnerId": "0058a00000AAAAAAA1", "Subject": "Email de lista: promo",
         "ActivityDate": "2023-03-02 00:00:00", "IsClosed": "1", "IsDeleted": "0",
         "WhatId": "0XB8a0000000001", "WhoId": NULL_ID},
        {"Id": "00T2", "OwnerId": "0058a00000AAAAAAA1", "Subject": "Llamada con cliente",
         "ActivityDate": "", "CompletedDateTime": "2023-03-03 15:00:00", "IsClosed": "1",
         "IsDeleted": "0", "WhatId": "0068a00000OPP00001"},
        {"Id": "00T3", "OwnerId": "0058a00000AAAAAAA1", "Subject": "Seguimiento",
         "ActivityDate": "2023-03-09 00:00:00", "IsClosed": "0", "IsDeleted": "0"},
    ])
    outcome = crm_import([opps, tasks, users], profile="salesforce", store=facts,
                         data_dir=tmp_path / "data")
    assert (outcome.users_linked, outcome.added, outcome.skipped) == (1, 5, 2)
    assert outcome.unknown_owners == ()
    with facts.connect() as con:
        o = con.table("opportunities").order_by("id").execute()
        t = con.table("activities").order_by("id").execute()
    assert o["won"].tolist() == [True, None, False]
    assert o["closed_at"].isna().tolist() == [False, True, False]  # an open deal's date is a plan
    assert o["stage"][1] == "Negociación" and o["currency"].tolist() == ["MXN"] * 3
    assert o["rep_id"].tolist() == [org.rep_a1.pk] * 3
    assert t["type"].tolist() == ["email", "call"]
    assert t["opportunity"].tolist() == [None, "0068a00000OPP00001"]
    assert str(t["occurred_at"][1]) == "2023-03-03 15:00:00"


def test_opportunity_history_is_refused_with_what_to_import_instead(
    facts: FactsStore, tmp_path: Path
) -> None:
    path = sf_file(tmp_path / "OpportunityHistory.csv", "OpportunityHistory", [{"Id": "x"}])
    with pytest.raises(InputError, match="import Opportunity.csv"):
        crm_import([path], profile="salesforce", store=facts, data_dir=tmp_path)


def test_a_hubspot_deals_export_is_read_with_owner_names(facts: FactsStore,
                                                          tmp_path: Path) -> None:
    org = small_org()
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,"
        "Is Deal Closed?,Is Closed Won,Currency\n"
        f"101,Big,Closed won,500,2024-02-01 10:00,2024-01-01 09:00,{org.rep_b1.name},true,true,"
        "EUR\n"
        f"102,Open,Contract sent,50,2024-05-01,2024-01-02,{org.rep_b1.name},false,false,EUR\n",
        encoding="utf-8")
    outcome = crm_import([path], profile="hubspot", store=facts, data_dir=tmp_path)
    assert outcome.added == 2 and outcome.unknown_owners == ()
    with facts.connect() as con:
        o = con.table("opportunities").order_by("id").execute()
    assert o["won"].tolist() == [True, None] and o["closed_at"].isna().tolist() == [False, True]
