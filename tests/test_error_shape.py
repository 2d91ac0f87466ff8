"""One JSON error shape for the API, one friendly page for the site (STYLE.md, datasette habit).

Every error the API answers is exactly {"error": {"code": …, "message": …}}, a 422 may add
"details"; a page whose view raises M3Error shows the error page, never a traceback.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from m3.facts.store import FactsStore
from m3.org.models import Person
from tests.factories import SmallOrg, small_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(facts: FactsStore) -> SmallOrg:
    return small_org()


def logged_in(person: Person) -> Client:
    client = Client()
    user = Person.objects.select_related("user").get(pk=person.pk).user
    assert user is not None
    client.force_login(user)
    return client


def error_of(answer: Any, status: int, code: str, *, details: bool = False) -> str:
    """Assert the one shape, status and code; return the message."""
    assert answer.status_code == status
    assert answer["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"}
    keys = {"code", "message", "details"} if details else {"code", "message"}
    assert set(body["error"]) == keys
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return str(body["error"]["message"])


def test_an_api_call_without_a_login_is_a_401_in_the_error_shape(org: SmallOrg) -> None:
    message = error_of(Client().get("/api/overview"), 401, "unauthenticated")
    assert "Log in" in message


def test_an_api_call_outside_the_scope_is_a_403_in_the_error_shape(org: SmallOrg) -> None:
    message = error_of(logged_in(org.rep_a1).get(f"/api/people/{org.rep_a2.pk}"), 403,
                       "forbidden")
    assert "outside your scope" in message
    assert org.rep_a2.name not in message


def test_an_api_call_for_a_missing_row_is_a_404_in_the_error_shape(org: SmallOrg) -> None:
    admin = logged_in(org.admin)
    assert error_of(admin.get("/api/units/999999"), 404, "not_found") == "No unit 999999."
    error_of(admin.get("/api/people/999999"), 404, "not_found")
    error_of(admin.get("/api/initiatives/999999"), 404, "not_found")


def test_an_api_call_with_an_invalid_parameter_is_a_422_with_details(org: SmallOrg) -> None:
    answer = logged_in(org.manager_a).get("/api/units/not-a-number")
    message = error_of(answer, 422, "invalid_input", details=True)
    assert message.startswith("path.unit_id: ")
    assert answer.json()["error"]["details"][0]["loc"] == ["path", "unit_id"]


@pytest.mark.parametrize(("method", "path", "status"), [("get", "/api/no-such-thing", 404),
                                                        ("post", "/api/me", 405)])
def test_an_api_path_or_method_that_does_not_exist_answers_in_the_error_shape(
    org: SmallOrg, method: str, path: str, status: int
) -> None:
    answer = getattr(logged_in(org.admin), method)(path)
    assert answer.status_code == status
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


@pytest.mark.parametrize(("viewer", "path", "status", "heading"), [
    ("rep_a1", "/people/{rep_a2}/", 403, "Outside your scope"),
    ("manager_c", "/units/{team_a}/", 403, "Outside your scope"),
    ("admin", "/units/999999/", 404, "Not found"),
    ("manager_a", "/initiatives/999999/", 404, "Not found"),
])
def test_a_page_that_raises_an_m3_error_shows_the_friendly_error_page(
    org: SmallOrg, viewer: str, path: str, status: int, heading: str
) -> None:
    url = path.format(rep_a2=org.rep_a2.pk, team_a=org.team_a.pk)
    answer = logged_in(getattr(org, viewer)).get(url)
    assert answer.status_code == status
    assert answer["Content-Type"].startswith("text/html")
    text = answer.content.decode()
    assert f"<h1>{heading}</h1>" in text
    assert "Back to your overview" in text
    assert "Traceback" not in text and 'File "' not in text
    assert [t.name for t in answer.templates][0] == "error.html"


@pytest.mark.parametrize(("body", "status", "code"), [
    ("{not json", 400, "bad_request"),
    ('{"initiative_id": "x"}', 422, "invalid_input"),
])
def test_a_malformed_api_body_answers_in_the_error_shape(
    org: SmallOrg, body: str, status: int, code: str
) -> None:
    answer = logged_in(org.manager_a).post("/api/touchpoints", body,
                                           content_type="application/json")
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["code"] == code and "body." not in error["message"]


def test_an_oversized_api_body_answers_in_the_error_shape(org: SmallOrg) -> None:
    huge = '{"initiative_id": 1, "scores": {}, "comments": {"clarity": "' + "x" * 3_000_000 + '"}}'
    answer = logged_in(org.rep_a1).post("/api/pulses", huge, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_request"
