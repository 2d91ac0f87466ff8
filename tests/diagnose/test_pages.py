"""The diagnosis pages, their JSON twins and the leader's home, through the Django test client.

The small org of tests/momentum/test_selectors.py: "Lead with value" rolled out to North (Team A
records demos, Team B none), read at CUT. What the pages show is checked against
`initiative_diagnosis` computed here, not against causes written by hand.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from m3.diagnose.chain import Cause, Diagnosis
from m3.diagnose.cli import diagnose_command
from m3.diagnose.report import UnitDiagnosis, initiative_diagnosis, worst_first
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.momentum.cli import alerts_command, momentum_command
from m3.momentum.report import UnitMomentum
from m3.momentum.score import Momentum, MomentumParts, MomentumState
from m3.momentum.selectors import UnitSignals
from m3.momentum.warning import Projection, Status
from m3.org.models import Person
from tests.momentum.test_selectors import CUT, build

pytestmark = pytest.mark.django_db
ROW = re.compile(r'<tr data-unit="([^"]+)" data-unit-id="(\d+)" data-status="(\w+)" '
                 r'data-cause="(\w+)" data-level="(\d+)"')


def client_of(person: Person) -> Client:
    client = Client()
    user = Person.objects.select_related("user").get(pk=person.pk).user
    assert user is not None
    client.force_login(user)
    return client


def page_rows(client: Client, initiative: Initiative) -> list[tuple[str, int, str, str, int]]:
    answer = client.get(f"/initiatives/{initiative.pk}/diagnosis/?as_of={CUT}")
    assert answer.status_code == 200, answer.content.decode()[:500]
    return [(name, int(pk), status, cause, int(level))
            for name, pk, status, cause, level in ROW.findall(answer.content.decode())]


# --- worst first, on a tiny exact tree ------------------------------------------------------------

def unit(pk: int, path: tuple[str, ...], status: Status, projected: float | None) -> UnitDiagnosis:
    signals = UnitSignals(pk, path[-1], path, len(path) - 1, len(path) == 3, (), 0)
    momentum = Momentum(MomentumState.HOLDING, 0.0, MomentumParts(None, None, None, None, None),
                        ())
    return UnitDiagnosis(UnitMomentum(signals, momentum, Projection(status, 1.0, projected), ()),
                         Diagnosis(status, Cause.NONE, "", ()))


def test_worst_first_puts_each_unit_above_its_units_and_each_level_worst_first() -> None:
    rows = [
        unit(1, ("Co",), Status.ON_TRACK, 1.0),
        unit(2, ("Co", "East"), Status.ON_TRACK, 1.1),
        unit(3, ("Co", "East", "Ash"), Status.ON_TRACK, 1.2),
        unit(4, ("Co", "East", "Birch"), Status.AT_RISK, 0.9),
        unit(5, ("Co", "West"), Status.BEHIND, 0.8),
        unit(6, ("Co", "West", "Cedar"), Status.INSUFFICIENT, None),
        unit(7, ("Co", "West", "Dune"), Status.BEHIND, 0.7),
        unit(8, ("Co", "West", "Elm"), Status.BEHIND, 0.6),
    ]
    ordered = [(r.unit.signals.name, level) for r, level in worst_first(rows)]
    assert ordered == [("Co", 0), ("West", 1), ("Elm", 2), ("Dune", 2), ("Cedar", 2),
                       ("East", 1), ("Birch", 2), ("Ash", 2)]


def test_worst_first_hangs_a_unit_under_its_nearest_ancestor_shown() -> None:
    rows = [unit(3, ("Co", "East", "Ash"), Status.ON_TRACK, 1.0),
            unit(1, ("Co",), Status.ON_TRACK, 1.0),
            unit(4, ("Other", "Birch"), Status.BEHIND, 0.5)]
    assert [(r.unit.signals.name, level) for r, level in worst_first(rows)] == [
        ("Birch", 0), ("Co", 0), ("Ash", 1)]


# --- the pages ------------------------------------------------------------------------------------

def test_the_diagnosis_page_lists_every_unit_as_the_diagnosis_computes_it(
        facts: FactsStore) -> None:
    org, initiative = build(facts)
    expected = {r.unit.signals.name: (str(r.diagnosis.status), str(r.diagnosis.cause))
                for r in initiative_diagnosis(initiative, facts, CUT)}
    rows = page_rows(client_of(org.executive), initiative)
    assert {name: (status, cause) for name, _, status, cause, _ in rows} == expected
    assert [(name, level) for name, *_, level in rows][0] == ("North", 0)
    assert sorted(level for *_, level in rows) == [0, 1, 1]


def test_a_leader_sees_only_their_units_and_a_rep_no_diagnosis(facts: FactsStore) -> None:
    org, initiative = build(facts)
    assert {r[0] for r in page_rows(client_of(org.director_north), initiative)} == {
        "North", "Team A", "Team B"}
    manager = client_of(org.manager_a)
    assert [(r[0], r[4]) for r in page_rows(manager, initiative)] == [("Team A", 0)]
    other = f"/initiatives/{initiative.pk}/diagnosis/units/{org.team_b.pk}/?as_of={CUT}"
    assert manager.get(other).status_code == 403
    api = manager.get(f"/api/initiatives/{initiative.pk}/diagnosis/units/{org.team_b.pk}")
    assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
    rep = client_of(org.rep_a1)
    for path in (f"/initiatives/{initiative.pk}/diagnosis/",
                 f"/initiatives/{initiative.pk}/diagnosis/units/{org.team_a.pk}/",
                 f"/api/initiatives/{initiative.pk}/momentum",
                 f"/api/initiatives/{initiative.pk}/alerts"):
        assert rep.get(path).status_code == 403, path
    assert "read per team, for its leaders" in rep.get(
        f"/initiatives/{initiative.pk}/diagnosis/").content.decode()


def test_the_unit_page_walks_the_chain_and_every_evidence_link_opens(facts: FactsStore) -> None:
    org, initiative = build(facts)
    client = client_of(org.director_north)
    for team in (org.team_a, org.team_b):
        answer = client.get(f"/initiatives/{initiative.pk}/diagnosis/units/{team.pk}/"
                            f"?as_of={CUT}")
        assert answer.status_code == 200
        text = html.unescape(answer.content.decode())
        data = client.get(f"/api/initiatives/{initiative.pk}/diagnosis/units/{team.pk}"
                          f"?as_of={CUT}").json()
        steps = re.findall(r'<li data-step="(\w+)">', text)
        assert steps == [e["step"] for e in data["unit"]["evidence"]]
        for e in data["unit"]["evidence"]:
            assert e["finding"] in text and e["url"] in text
        links = {e["url"] for e in data["unit"]["evidence"]}
        links |= {link["url"] for f in data["figures"] for link in f["links"]}
        links |= {w["output_url"] for w in data["weeks"]}
        for url in links:
            assert client.get(url).status_code == 200, url
        assert data["momentum"]["reasons"] and data["momentum"]["reasons"][0] in text
        assert len(data["weeks"]) == 3  # the weeks ended by CUT, newest first
        assert data["weeks"][0]["week"] > data["weeks"][-1]["week"]


def test_a_date_that_is_not_one_is_refused_naming_the_parameter(facts: FactsStore) -> None:
    org, initiative = build(facts)
    client = client_of(org.executive)
    page = client.get(f"/initiatives/{initiative.pk}/diagnosis/?as_of=yesterday")
    assert page.status_code == 400
    assert "as_of='yesterday' is not a date" in html.unescape(page.content.decode())
    early = client.get(f"/api/initiatives/{initiative.pk}/diagnosis?as_of=2020-01-01")
    assert early.status_code == 400 and "choose a date from then on" in early.json()[
        "error"]["message"]


@pytest.mark.parametrize(("command", "route", "extra"), [
    (diagnose_command, "diagnosis", ["--format", "json"]),
    (momentum_command, "momentum", ["--format", "json"]),
    (alerts_command, "alerts", ["--format", "json"]),
])
def test_the_api_answers_what_the_cli_prints_as_json(facts: FactsStore, command: object,
                                                     route: str, extra: list[str]) -> None:
    org, initiative = build(facts)
    printed = CliRunner().invoke(command, ["Lead with value", "--as-of", str(CUT), *extra])
    assert printed.exit_code == 0, printed.output
    cli = json.loads(printed.output)
    api = client_of(org.executive).get(f"/api/initiatives/{initiative.pk}/{route}?as_of={CUT}")
    assert api.status_code == 200
    answer = api.json()
    key = "alerts" if route == "alerts" else "units"

    def by_unit(data: dict[str, object]) -> dict[str, object]:
        items = data[key]
        assert isinstance(items, list)
        return {**data, key: sorted(items, key=lambda i: (i["unit_id"], json.dumps(i)))}

    assert by_unit(answer) == by_unit(cli)


def test_a_leaders_home_shows_their_units_momentum_linking_to_the_diagnosis(
        facts: FactsStore) -> None:
    org, initiative = build(facts)
    Initiative.objects.filter(pk=initiative.pk).update(end=timezone.localdate()
                                                       + dt.timedelta(weeks=4))
    home = client_of(org.director_north).get("/").content.decode()
    card = home[home.index(f'id="momentum-{initiative.pk}"'):]
    card = card[:card.index("</table>")]
    shown = re.findall(r'<tr data-unit="([^"]+)" data-momentum="(\w+)"', card)
    today = {r.unit.signals.name: str(r.unit.momentum.state)
             for r in initiative_diagnosis(initiative, facts, timezone.localdate())}
    assert dict(shown) == today
    assert f"/initiatives/{initiative.pk}/diagnosis/units/{org.team_a.pk}/" in card
    rep_home = client_of(org.rep_a1).get("/").content.decode()
    assert "momentum-home" not in rep_home and "Lead with value" in rep_home


def test_a_manager_of_another_team_sees_no_momentum_of_the_team(facts: FactsStore) -> None:
    org, initiative = build(facts)
    Initiative.objects.filter(pk=initiative.pk).update(end=timezone.localdate()
                                                       + dt.timedelta(weeks=4))
    home = client_of(org.manager_b).get("/").content.decode()
    assert re.findall(r'<tr data-unit="([^"]+)" data-momentum', home) == ["Team B"]
    for name in (org.team_a.name, org.rep_a1.name, org.north.name):
        assert name not in home
