"""The message health page in a real Chromium: the two voices and the silent team at a glance.

Builds a small demo (36 reps, 20 weeks) and opens the message page as the executive: Team Ember
(never reinforced) is the first row with its finding in red, Team Summit names the two leaders
who disagree, and the overlay's row in the leader x key-point matrix is red with their words.
Screenshots go to /tmp/m3-shots/ (message-health.png, message-ember.png).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from m3.demo.build import DemoResult, demo_build
from m3.facts.store import FactsStore
from tests.browser.test_pages import CHROMIUM, CHROMIUM_ARGS, SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Chromium at /usr/bin/chromium: `apt-get install chromium`"),
]

if CHROMIUM.exists():
    from playwright.sync_api import Page, expect, sync_playwright


@pytest.fixture
def demo(live_server: object, facts: FactsStore, monkeypatch: pytest.MonkeyPatch) -> DemoResult:
    monkeypatch.setattr("m3.message.services.encoder_available", lambda: False)
    return demo_build(reps=36, weeks=20, seed=7, today=timezone.localdate(), facts=facts)


@pytest.fixture
def page() -> Iterator[Page]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(15_000)
            yield page
            browser.close()


def shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_the_message_page_shows_ember_unreinforced_and_summits_two_voices(
    live_server: object, demo: DemoResult, page: Page, tmp_path: Path,
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    role, email, password = next(login for login in demo.logins if login[0] == "executive")
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.locator(".card a", has_text="Lead with value: ROI-led discovery").first.click()
    shot(page, tmp_path, "message-initiative")
    page.get_by_role("link", name="Message health").click()
    first = page.locator("#health-table tr[data-unit]").first
    expect(first).to_have_attribute("data-unit", "Team Ember")
    expect(first.locator(".finding")).to_contain_text("Not reinforced for")
    summit = page.locator("#health-table tr[data-unit='Team Summit'] .finding")
    expect(summit).to_contain_text("Two leaders disagree on point")
    overlay = page.locator("#leader-matrix tr[data-leader]").first
    expect(overlay.locator("td.contradiction").first).to_be_visible()
    assert "overlay" in overlay.inner_text()
    colour = overlay.locator("td.contradiction").first.evaluate(
        "el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(179, 38, 30)"
    shot(page, tmp_path, "message-health")
    first.locator("a").click()
    expect(page.locator("h1")).to_have_text("Team Ember: message evidence")
    shot(page, tmp_path, "message-ember")
