"""The pages in a real Chromium: login form, overview with its Plotly chart, scope, error page.

Needs Chromium at /usr/bin/chromium (`apt-get install chromium`) and Python Playwright; the
browser Playwright would download is not used. Screenshots go to the test's tmp dir and, for a
person to look at, to /tmp/m3-shots/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from m3.facts.store import FactsStore
from m3.initiatives.services import initiative_save
from m3.org.models import Person
from tests.factories import PASSWORD, SmallOrg, small_org
from tests.test_access import NAME, NEVER_NAMED, activities_frame, initiative_input

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SHOTS = Path("/tmp/m3-shots")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Chromium at /usr/bin/chromium: `apt-get install chromium`"),
]

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, expect, sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module.

    Playwright's sync API keeps an asyncio loop running in the main thread, and Django refuses
    ORM calls from a thread with a running loop (SynchronousOnlyOperation), even though our
    calls never interleave with the loop. DJANGO_ALLOW_ASYNC_UNSAFE lifts that check while the
    browser is up, and only then.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def org(live_server: object, facts: FactsStore) -> SmallOrg:
    """The small org with last week's activities and an initiative for Team A and South.

    `facts` points settings.M3 at a fresh store before the first request, and the live server
    runs in a thread of this process, so it reads the same settings and store.
    """
    org = small_org()
    facts.upsert("activities", activities_frame(org))
    initiative_save(initiative_input(NAME["alpha"], org.manager_a, [org.team_a]))
    initiative_save(initiative_input(NAME["coastal"], org.manager_c, [org.south]))
    return org


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page: Page, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot in the tmp dir, copied to /tmp/m3-shots/ to be looked at."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)
    return path


def log_in(page: Page, base_url: str, person: Person) -> None:
    """Log in through the real form, as a person would."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", person.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def visible_text(page: Page) -> str:
    return page.inner_text("body")


@pytest.mark.parametrize(("role", "people", "traces"), [
    ("executive", ["Bea Rep", "Cal Rep", "Rae Rep", "Ray Rep"],
     ["call", "demo", "email", "meeting", "proposal"]),
    ("manager_a", ["Rae Rep", "Ray Rep"], ["call", "demo", "email"]),
    ("rep_a1", ["Rae Rep"], ["call", "demo"]),
])
def test_each_role_logs_in_and_sees_their_overview_with_its_chart_and_only_their_scope(
    live_server: object, org: SmallOrg, page: Page, tmp_path: Path,
    role: str, people: list[str], traces: list[str],
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    log_in(page, base, getattr(org, role))
    expect(page.locator("h1")).to_have_text(f"Hello, {NAME[role]}")
    for link in ("Overview", "Initiatives", "API"):
        expect(page.locator("header nav").get_by_role("link", name=link)).to_be_visible()
    # Plotly drew the chart: plotly.min.js came from the package via /static/plotly/.
    expect(page.locator("#activity-chart .main-svg").first).to_be_visible()
    assert sorted(page.locator("#activity-chart .legendtext").all_text_contents()) == traces
    assert page.locator("#activity-chart .bars path").count() >= len(traces)
    listed = page.locator(".card li a[href^='/people/']").all_inner_texts()
    assert sorted(n for n in listed if n.endswith(" Rep")) == people
    text = visible_text(page)
    for key in NEVER_NAMED[role]:
        assert NAME[key] not in text, f"{role} sees {NAME[key]}"
    shot(page, tmp_path, f"overview-{role}")


def test_a_manager_opens_their_team_page_from_the_overview(
    live_server: object, org: SmallOrg, page: Page, tmp_path: Path
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    log_in(page, base, org.manager_a)
    # The unit's own page, from "Your units" (the momentum card links to its diagnosis).
    page.locator(f"a[href='/units/{org.team_a.pk}/']").click()
    page.wait_for_url(f"{base}/units/{org.team_a.pk}/")
    expect(page.locator("h1")).to_have_text("Team A")
    expect(page.locator("#activity-chart .main-svg").first).to_be_visible()
    members = page.locator("table tr td:first-child a").all_inner_texts()
    assert members == ["Rae Rep", "Ray Rep"]
    assert "Team B" not in visible_text(page)
    shot(page, tmp_path, "unit-team-a-manager_a")


def test_a_rep_who_opens_a_peers_page_sees_the_outside_your_scope_page(
    live_server: object, org: SmallOrg, page: Page, tmp_path: Path
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    log_in(page, base, org.rep_a1)
    response = page.goto(f"{base}/people/{org.rep_a2.pk}/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Outside your scope")
    text = visible_text(page)
    assert "Ray Rep" not in text and "Traceback" not in text
    expect(page.get_by_role("link", name="Back to your overview")).to_be_visible()
    shot(page, tmp_path, "outside-scope-rep_a1")


def test_plotly_is_served_from_the_installed_package(
    live_server: object, org: SmallOrg, page: Page
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    response = page.goto(f"{base}/static/plotly/plotly.min.js")
    assert response is not None and response.status == 200
    import plotly

    installed = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert response.body() == installed.read_bytes()



def test_the_stylesheet_is_served_and_styles_the_page(
    live_server: object, org: SmallOrg, page: Page
) -> None:
    base = str(live_server.url)  # type: ignore[attr-defined]
    assert page.request.get(f"{base}/static/m3/m3.css").status == 200
    log_in(page, base, org.rep_a1)
    width = page.eval_on_selector("main", "m => getComputedStyle(m).maxWidth")
    assert width == "1180px"
