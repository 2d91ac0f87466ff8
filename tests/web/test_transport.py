"""Answers are compressed for clients that accept it; JSON is revalidated with ETags."""

from __future__ import annotations

import gzip
import json
import re
from unittest import mock

import pytest
from django.test import Client

from m3.facts.store import FactsStore
from tests.factories import PASSWORD, small_org
from tests.measure.test_asks import TODAY, setup

pytestmark = pytest.mark.django_db
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(facts: object) -> None:
    org = small_org()
    client = Client()
    assert client.login(username=org.executive.email, password=PASSWORD)
    plain = client.get("/")
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    packed = client.get("/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip"
    # The same page but for its CSRF token, which Django masks afresh in every answer.
    assert TOKEN.sub(b"", gzip.decompress(packed.content)) == TOKEN.sub(b"", plain.content)


def test_json_is_gzipped_and_an_unchanged_answer_is_a_304(facts: FactsStore) -> None:
    org = setup(facts)  # a few weeks of activity: an answer worth compressing
    client = Client()
    assert client.login(username=org.executive.email, password=PASSWORD)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        plain = client.get("/api/overview")
        packed = client.get("/api/overview", HTTP_ACCEPT_ENCODING="gzip")
        again = client.get("/api/overview", HTTP_IF_NONE_MATCH=plain["ETag"])
    assert len(plain.content) > 500
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert again.status_code == 304 and again.content == b""
