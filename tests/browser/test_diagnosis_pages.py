"""The diagnosis pages and the leader's home in a real Chromium, at a laptop's and a phone's width.

Builds a small demo (36 reps, 20 weeks). The executive's diagnosis page lists every unit with
the status and cause `initiative_diagnosis` gives it (computed here: the demo's causes are not
written into the test), a unit's page shows its chain, a leader's home shows their units'
momentum, and a leader cannot open the diagnosis of a unit they do not lead. No page is wider
than the window at 1366 px or 390 px. Screenshots go to /tmp/m3-shots/ (diagnosis-*.png).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from m3.demo.build import DemoResult, demo_build
from m3.diagnose.report import initiative_diagnosis
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.org.models import Person
from m3.org.scope import scope_for_person
from tests.browser.test_pages import CHROMIUM, CHROMIUM_ARGS, SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Chromium at /usr/bin/chromium: `apt-get install chromium`"),
]

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, expect, sync_playwright

WIDTHS = (1366, 390)


@pytest.fixture
def demo(live_server: object, facts: FactsStore, monkeypatch: pytest.MonkeyPatch) -> DemoResult:
    monkeypatch.setattr("m3.message.services.encoder_available", lambda: False)
    return demo_build(reps=36, weeks=20, seed=7, today=timezone.localdate(), facts=facts)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


def logged_in(browser: Browser, base: str, email: str, password: str, width: int) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def checked_shot(page: Page, tmp_path: Path, name: str, width: int) -> None:
    """A full-page screenshot; the page must not be wider than the window."""
    path = tmp_path / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} at {width}"


def login(demo: DemoResult, role: str) -> tuple[str, str]:
    _, email, password = next(item for item in demo.logins if item[0] == role)
    return email, password


def test_the_executive_sees_every_unit_and_a_units_chain(
        live_server: object, demo: DemoResult, facts: FactsStore, browser: Browser,
        tmp_path: Path) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    initiative = Initiative.objects.get()
    expected = {r.unit.signals.name: (str(r.diagnosis.status), str(r.diagnosis.cause),
                                      len(r.diagnosis.evidence))
                for r in initiative_diagnosis(initiative, facts, timezone.localdate())}
    for width in WIDTHS:
        page = logged_in(browser, base, *login(demo, "executive"), width)
        page.goto(f"{base}/initiatives/{initiative.pk}/")
        page.get_by_role("link", name="Diagnosis").click()
        rows = page.locator("#diagnosis-table tr[data-unit]")
        expect(rows).to_have_count(len(expected))
        shown = {r.get_attribute("data-unit"): (r.get_attribute("data-status"),
                                                r.get_attribute("data-cause"))
                 for r in rows.all()}
        assert shown == {name: (status, cause) for name, (status, cause, _) in expected.items()}
        assert rows.first.get_attribute("data-level") == "0"
        checked_shot(page, tmp_path, "diagnosis-initiative", width)
        team = page.locator("#diagnosis-table tr[data-level='2']").first
        name = team.get_attribute("data-unit")
        team.locator("td.unit a").click()
        expect(page.locator("h1")).to_have_text(f"{name}: diagnosis")
        expect(page.locator("#chain li[data-step]")).to_have_count(expected[str(name)][2])
        expect(page.locator("#chain li[data-step] a.evidence").first).to_be_visible()
        expect(page.locator("#momentum ul.reasons li").first).to_be_visible()
        checked_shot(page, tmp_path, "diagnosis-unit", width)
        page.context.close()


def test_a_leader_sees_their_momentum_at_home_and_not_another_units_diagnosis(
        live_server: object, demo: DemoResult, facts: FactsStore, browser: Browser,
        tmp_path: Path) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    initiative = Initiative.objects.get()
    email, password = login(demo, "leader")
    scope = scope_for_person(Person.objects.get(email=email))
    rows = initiative_diagnosis(initiative, facts, timezone.localdate())
    mine = {r.unit.signals.name for r in rows if scope.can_see_unit(r.unit.signals.unit_id)}
    other = next(r.unit.signals.unit_id for r in rows
                 if not scope.can_see_unit(r.unit.signals.unit_id))
    for width in WIDTHS:
        page = logged_in(browser, base, email, password, width)
        card = page.locator(f"#momentum-{initiative.pk}")
        expect(card).to_be_visible()
        shown = {r.get_attribute("data-unit") for r in card.locator("tr[data-unit]").all()}
        assert shown and shown <= mine
        checked_shot(page, tmp_path, "diagnosis-home", width)
        card.locator("tr[data-unit] td.unit a").first.click()
        expect(page.locator("#chain")).to_be_visible()
        answer = page.goto(f"{base}/initiatives/{initiative.pk}/diagnosis/units/{other}/")
        assert answer is not None and answer.status == 403
        expect(page.locator("main")).to_contain_text("outside your scope")
        page.context.close()
