"""Access is scoped: every page and API route, asked by every role, answers as the table says.

The expected access is written out by hand below (who sees which unit, person and initiative in
the small org of tests/factories.py), not computed with m3/org/scope.py, so a change to the
scope rules that widens or narrows what anyone sees makes a test fail. The route table is
checked against the URL resolver and the OpenAPI document: a new route must be added to it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative, KeyPoint
from m3.initiatives.services import AskInput, InitiativeInput, initiative_save
from m3.org.models import Person, Unit
from tests.factories import PASSWORD, SmallOrg, small_org

pytestmark = pytest.mark.django_db

# --- the org, by the names of SmallOrg's fields --------------------------------------------------

ANON = "anonymous"
ROLES = ("anonymous", "admin", "executive", "director_north", "manager_a", "overlay_a",
         "manager_b", "manager_c", "rep_a1", "rep_a2", "rep_b1", "rep_c1")
PEOPLE = ROLES[1:]
UNITS = ("company", "north", "south", "team_a", "team_b", "team_c")
NAME = {
    "admin": "Ada Admin", "executive": "Eve Exec", "director_north": "Dan Director",
    "manager_a": "Mia Manager", "overlay_a": "Oli Overlay", "manager_b": "Max Manager",
    "manager_c": "Cleo Manager", "rep_a1": "Rae Rep", "rep_a2": "Ray Rep", "rep_b1": "Bea Rep",
    "rep_c1": "Cal Rep", "company": "Company", "north": "North", "south": "South",
    "team_a": "Team A", "team_b": "Team B", "team_c": "Team C",
    "alpha": "Alpha value selling", "coastal": "Coastal expansion",
}
REPS_OF_UNIT = {
    "company": ("rep_a1", "rep_a2", "rep_b1", "rep_c1"), "north": ("rep_a1", "rep_a2", "rep_b1"),
    "south": ("rep_c1",), "team_a": ("rep_a1", "rep_a2"), "team_b": ("rep_b1",),
    "team_c": ("rep_c1",),
}

# Activities in the last full week, a distinct type per rep so a leaked number shows by its type;
# rep_a1 also has one call 20 weeks ago, outside every 12-week window.
ACTIVITY = {
    "rep_a1": {"call": 3, "demo": 1},
    "rep_a2": {"email": 5},
    "rep_b1": {"meeting": 7},
    "rep_c1": {"proposal": 11},
}

# --- who may see what (DESIGN.md, "Who uses it"), written out by hand ----------------------------

UNITS_SEEN: dict[str, tuple[str, ...]] = {
    "anonymous": (), "admin": UNITS, "executive": UNITS,
    "director_north": ("north", "team_a", "team_b"),
    "manager_a": ("team_a",), "overlay_a": ("team_a",), "manager_b": ("team_b",),
    "manager_c": ("team_c",),
    "rep_a1": (), "rep_a2": (), "rep_b1": (), "rep_c1": (),
}
# Whose page and numbers each role may open: a leader's units' members and leaders, and themself.
PEOPLE_SEEN: dict[str, tuple[str, ...]] = {
    "anonymous": (),
    "admin": PEOPLE,
    "executive": tuple(p for p in PEOPLE if p != "admin"),  # the admin belongs to no unit
    "director_north": ("director_north", "manager_a", "overlay_a", "manager_b",
                       "rep_a1", "rep_a2", "rep_b1"),
    "manager_a": ("manager_a", "overlay_a", "rep_a1", "rep_a2"),
    "overlay_a": ("manager_a", "overlay_a", "rep_a1", "rep_a2"),
    "manager_b": ("manager_b", "rep_b1"),
    "manager_c": ("manager_c", "rep_c1"),
    "rep_a1": ("rep_a1",), "rep_a2": ("rep_a2",), "rep_b1": ("rep_b1",), "rep_c1": ("rep_c1",),
}
# Names that must never appear in a 200 answer to the role (pages and JSON alike). A viewer may
# see the names of the leaders above them (a rep's manager, a manager's director): not numbers.
NEVER_NAMED: dict[str, tuple[str, ...]] = {
    "anonymous": PEOPLE + UNITS,
    "admin": (),
    "executive": ("admin",),
    "director_north": ("admin", "manager_c", "rep_c1", "south", "team_c"),
    "manager_a": ("admin", "manager_b", "manager_c", "rep_b1", "rep_c1",
                  "south", "team_b", "team_c"),
    "overlay_a": ("admin", "manager_b", "manager_c", "rep_b1", "rep_c1",
                  "south", "team_b", "team_c"),
    "manager_b": ("admin", "manager_a", "overlay_a", "manager_c", "rep_a1", "rep_a2", "rep_c1",
                  "south", "team_a", "team_c"),
    "manager_c": ("admin", "director_north", "manager_a", "overlay_a", "manager_b",
                  "rep_a1", "rep_a2", "rep_b1", "north", "team_a", "team_b"),
    "rep_a1": ("admin", "manager_b", "manager_c", "rep_a2", "rep_b1", "rep_c1",
               "south", "team_b", "team_c"),
    "rep_a2": ("admin", "manager_b", "manager_c", "rep_a1", "rep_b1", "rep_c1",
               "south", "team_b", "team_c"),
    "rep_b1": ("admin", "manager_a", "overlay_a", "manager_c", "rep_a1", "rep_a2", "rep_c1",
               "south", "team_a", "team_c"),
    "rep_c1": ("admin", "director_north", "manager_a", "overlay_a", "manager_b",
               "rep_a1", "rep_a2", "rep_b1", "north", "team_a", "team_b"),
}
# Initiatives: "alpha" is rolled out to Team A (owner manager_a), "coastal" to South (owner
# manager_c). A rep sees those rolled out to their unit or above; a leader those touching a unit
# they lead; a leader edits only those wholly inside the units they lead.
INITIATIVES_SEEN: dict[str, tuple[str, ...]] = {
    "anonymous": (), "admin": ("alpha", "coastal"), "executive": ("alpha", "coastal"),
    "director_north": ("alpha",), "manager_a": ("alpha",), "overlay_a": ("alpha",),
    "manager_b": (), "manager_c": ("coastal",),
    "rep_a1": ("alpha",), "rep_a2": ("alpha",), "rep_b1": (), "rep_c1": ("coastal",),
}
INITIATIVES_EDITED: dict[str, tuple[str, ...]] = {
    "admin": ("alpha", "coastal"), "executive": ("alpha", "coastal"),
    "director_north": ("alpha",), "manager_a": ("alpha",), "overlay_a": ("alpha",),
}
INITIATIVE_CREATORS = ("admin", "executive", "director_north", "manager_a", "overlay_a",
                       "manager_b", "manager_c")
STAFF = ("admin",)  # the only role with a Django admin login

LOGIN = "302 → /login/"
ADMIN_LOGIN = "302 → /admin/login/"
MISSING = 999_999  # a primary key no row has


# --- the world each test runs in ----------------------------------------------------------------

@dataclass(frozen=True)
class World:
    """The small org, its two initiatives and the facts store the settings point at."""

    org: SmallOrg
    initiatives: dict[str, Initiative]

    def pk(self, key: str) -> int:
        """The primary key of a person, unit or initiative named by its key."""
        if key in self.initiatives:
            return self.initiatives[key].pk
        return int(getattr(self.org, key).pk)


def last_week_tuesday() -> dt.datetime:
    """Tuesday 10:00 of last week: inside every 12-week window, whatever today is."""
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(10))


def activities_frame(org: SmallOrg) -> pd.DataFrame:
    """The ACTIVITY rows, plus one old call of rep_a1 outside the window."""
    when = last_week_tuesday()
    rows = [(getattr(org, rep).pk, kind, when)
            for rep, kinds in ACTIVITY.items() for kind, n in kinds.items() for _ in range(n)]
    rows.append((org.rep_a1.pk, "call", when - dt.timedelta(weeks=20)))
    return pd.DataFrame({
        "source": "test",
        "id": [str(i) for i in range(len(rows))],
        "rep_id": [r[0] for r in rows],
        "owner": None,
        "type": [r[1] for r in rows],
        "occurred_at": pd.to_datetime([r[2] for r in rows]),
        "product": None, "account": "Acme", "opportunity": None, "amount": None,
        "currency": "USD",
    })


def initiative_input(title: str, owner: Person, units: Iterable[Unit],
                     key_points: tuple[str, ...] = ("Lead with value", "Show the ROI",
                                                    "Ask for the next step")) -> InitiativeInput:
    """A valid initiative input for the given owner and scope."""
    return InitiativeInput(
        title=title, owner_id=owner.pk, unit_ids=tuple(u.pk for u in units),
        start=dt.date(2026, 1, 5), end=dt.date(2026, 12, 28),
        why="Buyers compare on value.", how="Every first call opens with value.",
        what="Two value demos per rep per week.", key_points=key_points,
        asks=(AskInput("Run a value demo", "demos", 2),), output_metric="won_revenue",
    )


@pytest.fixture
def world(facts: FactsStore) -> World:
    """The small org with logins, last week's activities and the two initiatives."""
    org = small_org()
    facts.upsert("activities", activities_frame(org))
    alpha = initiative_save(initiative_input(NAME["alpha"], org.manager_a, [org.team_a]))
    coastal = initiative_save(initiative_input(NAME["coastal"], org.manager_c, [org.south]))
    return World(org, {"alpha": alpha, "coastal": coastal})


def client_for(world: World, role: str) -> Client:
    """A test client logged in as `role` (anonymous: not logged in)."""
    client = Client()
    if role != ANON:
        # small_org's Person objects predate their logins: read the user from the database.
        user = Person.objects.select_related("user").get(pk=world.pk(role)).user
        assert user is not None
        client.force_login(user)
    return client


# --- the route table -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One request and what must come back."""

    method: str
    path: str
    expect: int | str  # a status, or "302 → /path/" for a redirect
    chart: dict[str, int] | None = None  # activity totals by type in the page's chart
    activity: dict[str, int] | None = None  # activity totals by type in the JSON "activity"
    fields: dict[str, Any] = field(default_factory=dict)  # JSON fields that must be equal
    shown: tuple[str, ...] = ()  # text that must appear
    hidden: tuple[str, ...] = ()  # text that must not appear (beyond NEVER_NAMED)


def totals(reps: Iterable[str]) -> dict[str, int]:
    """Activity totals by type of `reps` in the 12-week window."""
    total: Counter[str] = Counter()
    for rep in reps:
        total.update(ACTIVITY.get(rep, {}))
    return dict(total)


def reps_seen(role: str) -> tuple[str, ...]:
    return tuple(p for p in PEOPLE_SEEN[role] if p in ACTIVITY)


def unseen_titles(role: str) -> tuple[str, ...]:
    return tuple(NAME[i] for i in ("alpha", "coastal") if i not in INITIATIVES_SEEN[role])


def seen_titles(role: str) -> tuple[str, ...]:
    return tuple(NAME[i] for i in INITIATIVES_SEEN[role])


def scoped(role: str, seen: bool, ok: Case, denied: int | str, anonymous: int | str) -> Case:
    """`ok` when the role may see the thing, else the same request expecting `denied`."""
    if role == ANON:
        return Case(ok.method, ok.path, anonymous)
    return ok if seen else Case(ok.method, ok.path, denied)


Routes = Callable[[World, str], list[Case]]


def home(w: World, role: str) -> list[Case]:
    shown = () if role == ANON else (NAME[role],)
    # A leader's home shows their units' momentum in each initiative they see; a rep's none.
    momentum = tuple(f'id="momentum-{w.pk(i)}"' for i in INITIATIVES_SEEN[role])
    leads = role not in REPS
    return [scoped(role, True, Case("GET", "/", 200, chart=totals(reps_seen(role)),
                                    shown=shown + seen_titles(role) + (momentum if leads else ()),
                                    hidden=unseen_titles(role) + (
                                        () if leads else ("momentum-home",))), 0, LOGIN)]


def unit_pages(w: World, role: str) -> list[Case]:
    cases = [scoped(role, u in UNITS_SEEN[role],
                    Case("GET", f"/units/{w.pk(u)}/", 200, chart=totals(REPS_OF_UNIT[u]),
                         shown=(NAME[u],)), 403, LOGIN) for u in UNITS]
    cases.append(scoped(role, False, Case("GET", f"/units/{MISSING}/", 404),
                        404 if role == "admin" else 403, LOGIN))
    return cases


def person_pages(w: World, role: str) -> list[Case]:
    cases = [scoped(role, p in PEOPLE_SEEN[role],
                    Case("GET", f"/people/{w.pk(p)}/", 200, chart=totals([p]), shown=(NAME[p],)),
                    403, LOGIN) for p in PEOPLE]
    cases.append(scoped(role, False, Case("GET", f"/people/{MISSING}/", 404),
                        404 if role == "admin" else 403, LOGIN))
    return cases


def initiative_list(w: World, role: str) -> list[Case]:
    return [scoped(role, True, Case("GET", "/initiatives/", 200, shown=seen_titles(role),
                                    hidden=unseen_titles(role)), 0, LOGIN)]


def initiative_new(w: World, role: str) -> list[Case]:
    return [scoped(role, role in INITIATIVE_CREATORS,
                   Case("GET", "/initiatives/new/", 200, hidden=unseen_titles(role)), 403, LOGIN)]


def initiative_pages(w: World, role: str) -> list[Case]:
    cases = [scoped(role, i in INITIATIVES_SEEN[role],
                    Case("GET", f"/initiatives/{w.pk(i)}/", 200, shown=(NAME[i],)), 404, LOGIN)
             for i in ("alpha", "coastal")]
    return [*cases, Case("GET", f"/initiatives/{MISSING}/", LOGIN if role == ANON else 404)]


def initiative_edit_pages(w: World, role: str) -> list[Case]:
    cases = []
    for i in ("alpha", "coastal"):
        seen = i in INITIATIVES_SEEN[role]
        edited = i in INITIATIVES_EDITED.get(role, ())
        denied = 403 if seen else 404
        cases.append(scoped(role, seen and edited,
                            Case("GET", f"/initiatives/{w.pk(i)}/edit/", 200, shown=(NAME[i],)),
                            denied, LOGIN))
    return [*cases, Case("GET", f"/initiatives/{MISSING}/edit/", LOGIN if role == ANON else 404)]


def login_page(w: World, role: str) -> list[Case]:
    return [Case("GET", "/login/", 200)]


def logout(w: World, role: str) -> list[Case]:
    # Logging out is a POST (Django 5); the runner logs the client in again afterwards.
    return [Case("GET", "/logout/", 405), Case("POST", "/logout/", LOGIN)]


def api(role: str, ok: Case, seen: bool = True, denied: int = 403) -> Case:
    """An API case: 401 for the anonymous, `denied` outside the scope, else `ok`."""
    return scoped(role, seen, ok, denied, 401)


def api_me(w: World, role: str) -> list[Case]:
    everything = role == "admin"
    expected = {
        "person_id": None if role == ANON else w.pk(role),
        "everything": everything,
        "unit_ids": [] if everything else sorted(w.pk(u) for u in UNITS_SEEN[role]),
        "person_ids": [] if everything else sorted(w.pk(p) for p in PEOPLE_SEEN[role]),
    }
    return [api(role, Case("GET", "/api/me", 200, fields=expected))]


def api_overview(w: World, role: str) -> list[Case]:
    return [api(role, Case("GET", "/api/overview", 200, activity=totals(reps_seen(role)),
                           fields={"people": len(PEOPLE_SEEN[role])}))]


def api_units(w: World, role: str) -> list[Case]:
    return [api(role, Case("GET", "/api/units", 200,
                           fields={"[id]": sorted(w.pk(u) for u in UNITS_SEEN[role])}))]


def api_unit(w: World, role: str) -> list[Case]:
    cases = [api(role, Case("GET", f"/api/units/{w.pk(u)}", 200, activity=totals(REPS_OF_UNIT[u]),
                            fields={"name": NAME[u]}), u in UNITS_SEEN[role]) for u in UNITS]
    return [*cases, api(role, Case("GET", f"/api/units/{MISSING}", 404), role == "admin")]


def api_person(w: World, role: str) -> list[Case]:
    cases = [api(role, Case("GET", f"/api/people/{w.pk(p)}", 200, activity=totals([p]),
                            fields={"name": NAME[p]}), p in PEOPLE_SEEN[role]) for p in PEOPLE]
    return [*cases, api(role, Case("GET", f"/api/people/{MISSING}", 404), role == "admin")]


def api_initiatives(w: World, role: str) -> list[Case]:
    ids = sorted(w.pk(i) for i in INITIATIVES_SEEN[role])
    return [api(role, Case("GET", "/api/initiatives", 200, fields={"[id]": ids}))]


def api_initiative(w: World, role: str) -> list[Case]:
    cases = [api(role, Case("GET", f"/api/initiatives/{w.pk(i)}", 200, fields={"title": NAME[i]}),
                 i in INITIATIVES_SEEN[role], denied=404) for i in ("alpha", "coastal")]
    return [*cases, api(role, Case("GET", f"/api/initiatives/{MISSING}", 404), False, 404)]


# --- the message pages (issue 4): leaders see health and evidence, reps restate ---------------

REPS = ("rep_a1", "rep_a2", "rep_b1", "rep_c1")
# Who may log touchpoints: everyone who leads a unit today (the admin leads none).
TOUCHPOINT_LOGGERS = ("executive", "director_north", "manager_a", "overlay_a", "manager_b",
                      "manager_c")
TEAM_OF_INITIATIVE = {"alpha": "team_a", "coastal": "team_c"}


def leader_answer(role: str, initiative: str) -> int:
    """200 for a leader who sees the initiative, 403 for a rep who does, else 404."""
    if initiative not in INITIATIVES_SEEN[role]:
        return 404
    return 403 if role in REPS else 200


def message_pages(w: World, role: str) -> list[Case]:
    cases = []
    for i in ("alpha", "coastal"):
        answer = leader_answer(role, i)
        ok = Case("GET", f"/initiatives/{w.pk(i)}/message/", 200,
                  shown=(NAME[i], NAME[TEAM_OF_INITIATIVE[i]]))
        cases.append(scoped(role, answer == 200, ok, answer, LOGIN))
    return [*cases, Case("GET", f"/initiatives/{MISSING}/message/",
                         LOGIN if role == ANON else 404)]


def message_unit_pages(w: World, role: str) -> list[Case]:
    cases = []
    for i, team in TEAM_OF_INITIATIVE.items():
        answer = leader_answer(role, i)
        ok = Case("GET", f"/initiatives/{w.pk(i)}/message/units/{w.pk(team)}/", 200,
                  shown=(NAME[team],))
        cases.append(scoped(role, answer == 200, ok, answer, LOGIN))
    # Team B is outside alpha: 404 for a leader who may see Team B, 403 for one who may not.
    answer = leader_answer(role, "alpha")
    if answer == 200:
        answer = 404 if "team_b" in UNITS_SEEN[role] else 403
    cases.append(scoped(role, False, Case("GET", f"/initiatives/{w.pk('alpha')}/message/units/"
                                                 f"{w.pk('team_b')}/", 404), answer, LOGIN))
    return cases


def rep_only_pages(suffix: str) -> Routes:
    """An initiative page only reps answer (restate, pulse): others 403, outside scope 404."""
    def cases(w: World, role: str) -> list[Case]:
        found = []
        for i in ("alpha", "coastal"):
            seen = i in INITIATIVES_SEEN[role]
            answer = (200 if role in REPS else 403) if seen else 404
            found.append(scoped(role, answer == 200,
                                Case("GET", f"/initiatives/{w.pk(i)}/{suffix}/", 200,
                                     shown=(NAME[i],)), answer, LOGIN))
        return found
    return cases


def touchpoint_new(w: World, role: str) -> list[Case]:
    return [scoped(role, role in TOUCHPOINT_LOGGERS,
                   Case("GET", "/touchpoints/new/", 200, shown=seen_titles(role),
                        hidden=unseen_titles(role)), 403, LOGIN)]


def message_due(w: World, role: str) -> list[Case]:
    return [scoped(role, True, Case("GET", "/message/due/", 200, shown=("Nothing overdue",)),
                   0, LOGIN)]


def api_message(w: World, role: str) -> list[Case]:
    cases = []
    for i in ("alpha", "coastal"):
        answer = leader_answer(role, i)
        ok = Case("GET", f"/api/initiatives/{w.pk(i)}/message", 200,
                  fields={"title": NAME[i]}, shown=(NAME[TEAM_OF_INITIATIVE[i]],))
        cases.append(api(role, ok, answer == 200, answer))
    return [*cases, api(role, Case("GET", f"/api/initiatives/{MISSING}/message", 404), False,
                        404)]


def api_message_unit(w: World, role: str) -> list[Case]:
    cases = []
    for i, team in TEAM_OF_INITIATIVE.items():
        answer = leader_answer(role, i)
        ok = Case("GET", f"/api/initiatives/{w.pk(i)}/message/units/{w.pk(team)}", 200,
                  fields={"initiative_id": w.pk(i)}, shown=(NAME[team],))
        cases.append(api(role, ok, answer == 200, answer))
    return cases


def api_touchpoints(w: World, role: str) -> list[Case]:
    return [api(role, Case("GET", f"/api/touchpoints?initiative={w.pk(i)}", 200,
                           fields={"[id]": []}), i in INITIATIVES_SEEN[role], 404)
            for i in ("alpha", "coastal")]


def api_touchpoint_create(w: World, role: str) -> list[Case]:
    # Without a body every logged-in role gets the validation error; scope is checked with a
    # body in tests/message/test_pages.py.
    return [api(role, Case("POST", "/api/touchpoints", 422))]


def api_pulse_post(w: World, role: str) -> list[Case]:
    # Without a body every logged-in role gets the validation error; scope is checked with a
    # body in tests/pulse/test_pulse.py.
    return [api(role, Case("POST", "/api/pulses", 422))]


def api_message_due(w: World, role: str) -> list[Case]:
    return [api(role, Case("GET", "/api/message/due", 200, fields={"[id]": []}))]


# --- momentum and the diagnosis (issue 9): per unit, for leaders and up; reps see none ----------

# The units each initiative covers: alpha is rolled out to Team A, coastal to South (and Team C).
DIAGNOSED = {"alpha": ("team_a",), "coastal": ("south", "team_c")}


def diagnosed_seen(role: str, initiative: str) -> tuple[str, ...]:
    """The units of the initiative whose diagnosis the role may read."""
    return tuple(u for u in DIAGNOSED[initiative] if u in UNITS_SEEN[role])


def diagnosed_hidden(role: str, initiative: str) -> tuple[str, ...]:
    """The rows of the initiative's units outside the role's scope, as the page marks them."""
    return tuple(f'data-unit="{NAME[u]}"' for u in DIAGNOSED[initiative]
                 if u not in UNITS_SEEN[role])


def diagnosis_pages(w: World, role: str) -> list[Case]:
    cases = []
    for i in ("alpha", "coastal"):
        answer = leader_answer(role, i)
        ok = Case("GET", f"/initiatives/{w.pk(i)}/diagnosis/", 200,
                  shown=(NAME[i], *(f'data-unit="{NAME[u]}"' for u in diagnosed_seen(role, i))),
                  hidden=diagnosed_hidden(role, i))
        cases.append(scoped(role, answer == 200, ok, answer, LOGIN))
    return [*cases, Case("GET", f"/initiatives/{MISSING}/diagnosis/",
                         LOGIN if role == ANON else 404)]


def unit_diagnosis_answer(role: str, initiative: str, unit: str | None) -> int:
    """200 for a leader who sees the unit of the initiative; 403 for a rep or a unit outside
    the scope; 404 for an initiative outside it, or a unit it does not cover (None: no unit)."""
    answer = leader_answer(role, initiative)
    if answer != 200:
        return answer
    if unit is None:
        return 404 if role == "admin" else 403
    if unit not in UNITS_SEEN[role]:
        return 403
    return 200 if unit in DIAGNOSED[initiative] else 404


def diagnosis_unit_cases(w: World, role: str, prefix: str, suffix: str,
                         anonymous: int | str) -> list[Case]:
    cases = []
    for i, unit in (("alpha", "team_a"), ("coastal", "south"), ("coastal", "team_c"),
                    ("alpha", "team_b"), ("alpha", None)):
        answer = unit_diagnosis_answer(role, i, unit)
        pk = MISSING if unit is None else w.pk(unit)
        ok = Case("GET", f"{prefix}/initiatives/{w.pk(i)}/diagnosis/units/{pk}{suffix}", 200,
                  shown=(NAME[unit],) if unit else ())
        cases.append(scoped(role, answer == 200, ok, answer, anonymous))
    return cases


def diagnosis_unit_pages(w: World, role: str) -> list[Case]:
    return diagnosis_unit_cases(w, role, "", "/", LOGIN)


def api_diagnosis(w: World, role: str) -> list[Case]:
    cases = []
    for i in ("alpha", "coastal"):
        answer = leader_answer(role, i)
        ok = Case("GET", f"/api/initiatives/{w.pk(i)}/diagnosis", 200, fields={
            "initiative": NAME[i],
            "units[unit_id]": sorted(w.pk(u) for u in diagnosed_seen(role, i))})
        cases.append(api(role, ok, answer == 200, answer))
    return [*cases, api(role, Case("GET", f"/api/initiatives/{MISSING}/diagnosis", 404), False,
                        404)]


def api_diagnosis_unit(w: World, role: str) -> list[Case]:
    return diagnosis_unit_cases(w, role, "/api", "", 401)


def api_momentum(w: World, role: str) -> list[Case]:
    cases = []
    for i in ("alpha", "coastal"):
        answer = leader_answer(role, i)
        ok = Case("GET", f"/api/initiatives/{w.pk(i)}/momentum", 200, fields={
            "initiative_id": w.pk(i),
            "units[unit_id]": sorted(w.pk(u) for u in diagnosed_seen(role, i))})
        cases.append(api(role, ok, answer == 200, answer))
    return cases


def api_alerts(w: World, role: str) -> list[Case]:
    cases = []
    for i in ("alpha", "coastal"):
        answer = leader_answer(role, i)
        ok = Case("GET", f"/api/initiatives/{w.pk(i)}/alerts", 200,
                  fields={"initiative_id": w.pk(i)})
        cases.append(api(role, ok, answer == 200, answer))
    return cases


def explain_query(node: str) -> str:
    """The explain query for all activities of `node` (unit=ID or person=ID) over 8 weeks."""
    monday = last_week_tuesday().date() - dt.timedelta(days=1)
    first = monday - dt.timedelta(weeks=7)
    return (f"metric=activities&{node}&grain=week&from={first.isoformat()}"
            f"&to={(monday + dt.timedelta(days=6)).isoformat()}&period={monday.isoformat()}")


def explain_pages(w: World, role: str) -> list[Case]:
    cases = [scoped(role, u in UNITS_SEEN[role],
                    Case("GET", f"/metrics/explain/?{explain_query(f'unit={w.pk(u)}')}", 200,
                         shown=(NAME[u],)), 403, LOGIN) for u in UNITS]
    cases += [scoped(role, p in PEOPLE_SEEN[role],
                     Case("GET", f"/metrics/explain/?{explain_query(f'person={w.pk(p)}')}", 200,
                          shown=(NAME[p],)), 403, LOGIN) for p in PEOPLE]
    return [*cases, scoped(role, True, Case("GET", "/metrics/explain/?metric=activities", 400),
                           400, LOGIN)]


def api_explain(w: World, role: str) -> list[Case]:
    cases = [api(role, Case("GET", f"/api/metrics/explain?{explain_query(f'unit={w.pk(u)}')}",
                            200, fields={"node": NAME[u], "rows_total": sum(
                                totals(REPS_OF_UNIT[u]).values())}), u in UNITS_SEEN[role])
             for u in UNITS]
    cases += [api(role, Case("GET", f"/api/metrics/explain?{explain_query(f'person={w.pk(p)}')}",
                             200, fields={"node": NAME[p],
                                          "rows_total": sum(totals([p]).values())}),
                  p in PEOPLE_SEEN[role]) for p in PEOPLE]
    return cases


def public(path: str, status: int = 200) -> Routes:
    """A route every role, the anonymous included, gets the same answer from."""
    return lambda w, role: [Case("GET", path, status)]


# Every route of m3/urls.py except the Django admin (see ADMIN_PREFIX), and every API operation
# as (method, route). A route missing here fails test_the_table_covers_every_route_of_the_site.
PAGE_ROUTES: dict[str, Routes] = {
    "": home,
    "login/": login_page,
    "logout/": logout,
    "units/<int:pk>/": unit_pages,
    "people/<int:pk>/": person_pages,
    "initiatives/": initiative_list,
    "initiatives/new/": initiative_new,
    "initiatives/<int:pk>/": initiative_pages,
    "initiatives/<int:pk>/edit/": initiative_edit_pages,
    "initiatives/<int:pk>/message/": message_pages,
    "initiatives/<int:pk>/message/units/<int:unit_id>/": message_unit_pages,
    "initiatives/<int:pk>/diagnosis/": diagnosis_pages,
    "initiatives/<int:pk>/diagnosis/units/<int:unit_id>/": diagnosis_unit_pages,
    "initiatives/<int:pk>/restate/": rep_only_pages("restate"),
    "initiatives/<int:pk>/pulse/": rep_only_pages("pulse"),
    "touchpoints/new/": touchpoint_new,
    "message/due/": message_due,
    "metrics/explain/": explain_pages,
    # The API's own pages: the schema and its viewer hold no data, so they are public; the
    # root has no operation.
    "api/openapi.json": public("/api/openapi.json"),
    "api/docs": public("/api/docs"),
    "api/": public("/api/", 404),
}
API_ROUTES: dict[tuple[str, str], Routes] = {
    ("GET", "api/me"): api_me,
    ("GET", "api/overview"): api_overview,
    ("GET", "api/units"): api_units,
    ("GET", "api/units/<unit_id>"): api_unit,
    ("GET", "api/people/<person_id>"): api_person,
    ("GET", "api/initiatives"): api_initiatives,
    ("GET", "api/initiatives/<initiative_id>"): api_initiative,
    ("GET", "api/initiatives/<initiative_id>/message"): api_message,
    ("GET", "api/initiatives/<initiative_id>/message/units/<unit_id>"): api_message_unit,
    ("GET", "api/touchpoints"): api_touchpoints,
    ("POST", "api/touchpoints"): api_touchpoint_create,
    ("GET", "api/message/due"): api_message_due,
    ("GET", "api/initiatives/<initiative_id>/momentum"): api_momentum,
    ("GET", "api/initiatives/<initiative_id>/alerts"): api_alerts,
    ("GET", "api/initiatives/<initiative_id>/diagnosis"): api_diagnosis,
    ("GET", "api/initiatives/<initiative_id>/diagnosis/units/<unit_id>"): api_diagnosis_unit,
    ("GET", "api/metrics/explain"): api_explain,
    ("POST", "api/pulses"): api_pulse_post,
}

# --- the Django admin: only the admin role gets in; everyone else is sent to its login -----------

ADMIN_PREFIX = "admin/"


def admin_routes() -> list[tuple[str, str | None]]:
    """(route, name) of every Django admin URL, as the resolver lists them."""
    return [(route, name) for route, name in site_routes() if route.startswith(ADMIN_PREFIX)]


def admin_case(route: str, name: str | None, role: str) -> Case:
    """A concrete request for an admin route, and the answer `role` must get."""
    staff = role in STAFF
    rest = route.removeprefix(ADMIN_PREFIX)
    if rest == "login/":
        return Case("GET", "/admin/login/", "302 → /admin/" if staff else 200)
    if rest == "logout/":
        return Case("POST", "/admin/logout/", LOGIN if staff else "302 → /admin/")
    if rest.startswith("^(?P<app_label>"):
        return Case("GET", "/admin/org/", 200 if staff else ADMIN_LOGIN)
    if rest == "(?P<url>.*)$":
        return Case("GET", "/admin/no-such-page/", 404 if staff else ADMIN_LOGIN)
    if rest.startswith("r/"):  # "view on site": units have no public URL of their own
        unit_type = ContentType.objects.get_for_model(Unit).pk
        first = Unit.objects.order_by("pk").first()
        assert first is not None
        return Case("GET", f"/admin/r/{unit_type}/{first.pk}/", 404 if staff else ADMIN_LOGIN)
    path = "/" + route
    expect: int | str = 200
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if match and "<" in route:
        model = apps.get_model(match[1], match[2])
        row = model._default_manager.order_by("pk").first()
        pk = row.pk if row is not None else MISSING
        path = re.sub(r"<[^>]+>", str(pk), path)
        if name is None:  # /admin/app/model/<pk>/ is an alias of .../<pk>/change/
            expect = f"302 → /admin/{match[1]}/{match[2]}/{pk}/change/"
        elif row is None:  # the admin sends you back to its index with a message
            expect = "302 → /admin/"
    elif rest == "autocomplete/":
        expect = 403  # without the field it completes, the admin refuses
    return Case("GET", path, expect if staff else ADMIN_LOGIN)


# --- running the cases --------------------------------------------------------------------------

def site_routes() -> list[tuple[str, str | None]]:
    """(route, name) for every URL pattern the resolver serves, includes flattened."""

    def walk(patterns: list[Any], prefix: str) -> Iterable[tuple[str, str | None]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                assert isinstance(p, URLPattern)
                yield prefix + str(p.pattern), p.name

    return list(walk(get_resolver().url_patterns, ""))


def openapi_operations(client: Client) -> set[tuple[str, str]]:
    """(METHOD, route) of every operation in /api/openapi.json, routes spelled as in Django."""
    document = client.get("/api/openapi.json").json()
    return {
        (method.upper(), re.sub(r"\{(\w+)\}", r"<\1>", path).removeprefix("/"))
        for path, operations in document["paths"].items()
        for method in operations
    }


def all_cases(w: World, role: str) -> list[Case]:
    cases = [c for routes in PAGE_ROUTES.values() for c in routes(w, role)]
    cases += [c for routes in API_ROUTES.values() for c in routes(w, role)]
    cases += [admin_case(route, name, role) for route, name in admin_routes()]
    return cases


def answer_of(response: Any) -> int | str:
    """The status, with a redirect spelled as "302 → /path/" (query string dropped)."""
    if response.status_code in (301, 302):
        return f"{response.status_code} → {response['Location'].split('?')[0]}"
    return int(response.status_code)


def numbers(values: Any) -> list[float]:
    """A Plotly array: a plain list, or the typed array {"dtype", "bdata"} of Plotly 6."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def chart_totals(html: str) -> dict[str, int] | None:
    """Totals by trace (activity type) of the page's #activity-chart figure, None if none."""
    marker = 'Plotly.newPlot("activity-chart", '
    start = html.find(marker)
    if start < 0:
        return None
    figure, _ = json.JSONDecoder().raw_decode(html, start + len(marker))
    return {trace["name"]: int(sum(numbers(trace["y"]))) for trace in figure["data"]}


def activity_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for row in rows:
        total[row["type"]] += row["activities"]
    return dict(total)


def json_field(data: Any, key: str) -> Any:
    """`data[key]`; for "[id]" the sorted ids of a list answer, for "name[field]" the sorted
    `field` of the items of `data[name]`."""
    if key == "[id]":
        return sorted(item["id"] for item in data)
    if key.endswith("]"):
        name, item_key = key[:-1].split("[")
        return sorted(item[item_key] for item in data[name])
    return data[key]


def problems_with(case: Case, response: Any, role: str) -> list[str]:
    """Everything wrong with one answer, each a line naming the request."""
    where = f"{role} {case.method} {case.path}"
    got = answer_of(response)
    if got != case.expect:
        return [f"{where}: expected {case.expect}, got {got}"]
    problems = []
    is_api = case.path.startswith("/api/") and case.path not in ("/api/docs", "/api/")
    if is_api and got in (401, 403, 404):
        body = response.json()
        code = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[got]
        if set(body) != {"error"} or set(body["error"]) != {"code", "message"} or (
                body["error"]["code"] != code):
            problems.append(f"{where}: error shape {body}")
    if got != 200:
        return problems
    text = response.content.decode()
    for key in NEVER_NAMED[role]:
        for word in (NAME[key], f"{NAME[key].lower().replace(' ', '.')}@"):
            if word in text:
                problems.append(f"{where}: shows {word!r}, outside the scope")
    problems += [f"{where}: shows {word!r}" for word in case.hidden if word in text]
    problems += [f"{where}: does not show {word!r}" for word in case.shown if word not in text]
    if case.chart is not None and chart_totals(text) != case.chart:
        problems.append(f"{where}: chart totals {chart_totals(text)} != {case.chart}")
    if case.activity is not None or case.fields:
        data = response.json()
        if case.activity is not None and activity_totals(data["activity"]) != case.activity:
            problems.append(f"{where}: activity {activity_totals(data['activity'])} != "
                            f"{case.activity}")
        for key, value in case.fields.items():
            if json_field(data, key) != value:
                problems.append(f"{where}: {key} = {json_field(data, key)!r}, not {value!r}")
    return problems


# --- the tests ----------------------------------------------------------------------------------

def test_the_table_covers_every_route_of_the_site() -> None:
    routes = {route for route, _ in site_routes() if not route.startswith(ADMIN_PREFIX)}
    api_routes = {route for _, route in API_ROUTES}
    assert routes - set(PAGE_ROUTES) - api_routes == set(), "add these routes to PAGE_ROUTES"
    assert set(PAGE_ROUTES) - routes == set(), "these PAGE_ROUTES are not served any more"
    assert admin_routes(), "the Django admin is mounted under /admin/"


def test_the_table_covers_every_operation_of_the_openapi_document() -> None:
    operations = openapi_operations(Client())
    assert operations - set(API_ROUTES) == set(), "add these operations to API_ROUTES"
    assert set(API_ROUTES) - operations == set(), "these API_ROUTES are not served any more"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_and_only_its_scope_on_every_route(
    world: World, role: str
) -> None:
    client = client_for(world, role)
    problems = []
    for case in all_cases(world, role):
        response = client.generic(case.method, case.path)
        problems += problems_with(case, response, role)
        if case.path.endswith("logout/") and case.method == "POST":
            client = client_for(world, role)
    assert problems == [], "\n".join(problems)


def test_a_rep_cannot_open_a_peers_page_or_api_answer(world: World) -> None:
    client = client_for(world, "rep_a1")
    peer = world.org.rep_a2.pk
    page = client.get(f"/people/{peer}/")
    assert page.status_code == 403
    assert "Outside your scope" in page.content.decode()
    assert "Ray Rep" not in page.content.decode()
    answer = client.get(f"/api/people/{peer}")
    assert answer.status_code == 403
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == "forbidden"
    assert "scope" in body["error"]["message"]


def test_a_reps_overview_shows_exactly_their_own_activity_counts(world: World) -> None:
    client = client_for(world, "rep_a1")
    page = client.get("/").content.decode()
    assert chart_totals(page) == {"call": 3, "demo": 1}  # the call of 20 weeks ago is outside
    assert "You see your own numbers." in page
    overview = client.get("/api/overview").json()
    assert overview["people"] == 1
    assert [(r["type"], r["activities"]) for r in overview["activity"]] == [("call", 3),
                                                                            ("demo", 1)]
    assert {r["week"] for r in overview["activity"]} == {
        (last_week_tuesday().date() - dt.timedelta(days=1)).isoformat()
    }


def test_a_manager_never_sees_another_teams_units_people_or_initiative(world: World) -> None:
    client = client_for(world, "manager_c")
    assert client.get(f"/units/{world.pk('team_a')}/").status_code == 403
    assert client.get(f"/units/{world.pk('north')}/").status_code == 403
    assert client.get(f"/people/{world.pk('rep_a1')}/").status_code == 403
    assert client.get(f"/initiatives/{world.pk('alpha')}/").status_code == 404
    assert client.get(f"/api/units/{world.pk('team_a')}").status_code == 403
    assert [u["name"] for u in client.get("/api/units").json()] == ["Team C"]
    assert [i["title"] for i in client.get("/api/initiatives").json()] == [NAME["coastal"]]
    for path in ("/", "/initiatives/", "/initiatives/new/", f"/units/{world.pk('team_c')}/"):
        text = client.get(path).content.decode()
        for word in ("Team A", "Team B", "Rae Rep", "Ray Rep", "Mia Manager", NAME["alpha"]):
            assert word not in text, f"{path} shows {word}"


def test_a_director_sees_both_teams_of_their_region_but_not_the_other_region(
    world: World,
) -> None:
    client = client_for(world, "director_north")
    for unit in ("north", "team_a", "team_b"):
        assert client.get(f"/units/{world.pk(unit)}/").status_code == 200
    for unit in ("company", "south", "team_c"):
        assert client.get(f"/units/{world.pk(unit)}/").status_code == 403
    assert chart_totals(client.get(f"/units/{world.pk('north')}/").content.decode()) == {
        "call": 3, "demo": 1, "email": 5, "meeting": 7}
    assert client.get(f"/people/{world.pk('rep_b1')}/").status_code == 200
    assert client.get(f"/people/{world.pk('rep_c1')}/").status_code == 403
    overview = client.get("/api/overview").json()
    assert activity_totals(overview["activity"]) == {"call": 3, "demo": 1, "email": 5, "meeting": 7}


def test_unauthenticated_api_calls_get_401_with_the_json_error_shape(world: World) -> None:
    client = Client()
    for path in ("/api/me", "/api/overview", "/api/units", f"/api/people/{world.pk('rep_a1')}"):
        answer = client.get(path)
        assert answer.status_code == 401, path
        assert answer.json() == {"error": {"code": "unauthenticated",
                                           "message": "Log in first (POST /login/)."}}


# --- the initiative form ------------------------------------------------------------------------

def form_data(w: World, title: str, units: Iterable[str], owner: str,
              key_points: int = 3) -> dict[str, Any]:
    """POST data of the initiative form."""
    return {
        "title": title, "owner": w.pk(owner), "units": [w.pk(u) for u in units],
        "start": "2026-02-02", "end": "2026-06-29",
        "why": "Renewals slip when value is not shown.", "how": "Open every QBR with value.",
        "what": "One value review per account per quarter.",
        "key_points": "\n".join(f"Point {i}" for i in range(1, key_points + 1)),
        "asks": "Run a value review | meetings | 1", "output_metric": "won_revenue",
        "forecast": "2026-02-02, 1000\n2026-02-09, 1200",
    }


def test_a_rep_gets_403_on_the_new_initiative_form(world: World) -> None:
    client = client_for(world, "rep_a1")
    assert client.get("/initiatives/new/").status_code == 403
    posted = client.post("/initiatives/new/", form_data(world, "Rep plan", ["team_a"], "manager_a"))
    assert posted.status_code == 403
    assert not Initiative.objects.filter(title="Rep plan").exists()


def test_a_leader_cannot_create_an_initiative_for_a_unit_they_do_not_lead(world: World) -> None:
    client = client_for(world, "manager_c")
    answer = client.post("/initiatives/new/",
                         form_data(world, "Take over A", ["team_a"], "manager_c"))
    assert answer.status_code == 200
    assert "units" in answer.context["form"].errors
    assert not Initiative.objects.filter(title="Take over A").exists()


def test_a_manager_creates_an_initiative_for_their_team_and_then_sees_it(world: World) -> None:
    client = client_for(world, "manager_a")
    answer = client.post("/initiatives/new/",
                         form_data(world, "Value reviews", ["team_a"], "manager_a"))
    created = Initiative.objects.get(title="Value reviews")
    assert answer.status_code == 302
    assert answer["Location"] == f"/initiatives/{created.pk}/"
    assert "Value reviews" in client.get(f"/initiatives/{created.pk}/").content.decode()
    assert "Value reviews" in client.get("/initiatives/").content.decode()
    assert "Value reviews" in client_for(world, "rep_a1").get("/").content.decode()
    assert client_for(world, "manager_c").get(f"/initiatives/{created.pk}/").status_code == 404
    assert [kp.text for kp in created.key_points.all()] == ["Point 1", "Point 2", "Point 3"]


def test_an_initiative_with_seven_key_points_shows_the_error_and_writes_nothing(
    world: World,
) -> None:
    client = client_for(world, "manager_a")
    before = (Initiative.objects.count(), KeyPoint.objects.count())
    answer = client.post("/initiatives/new/",
                         form_data(world, "Too much", ["team_a"], "manager_a", key_points=7))
    assert answer.status_code == 200
    assert "Give 3–5 key points (you gave 7)" in answer.content.decode()
    assert (Initiative.objects.count(), KeyPoint.objects.count()) == before


def test_logging_in_through_the_form_uses_the_email_and_the_password(world: World) -> None:
    client = Client()
    answer = client.post("/login/", {"username": world.org.rep_a1.email, "password": PASSWORD})
    assert answer_of(answer) == "302 → /"
    assert client.get("/api/me").json()["person_id"] == world.pk("rep_a1")
