"""The pages in a real browser: `evgraph serve` on the bundled data, driven by Playwright through Debian's Chromium.

The server is started once for the module, on a free loopback port, and stopped by its PID. Chromium is
Debian's (``apt-get install chromium``, which ``.ci/run`` does), never a browser Playwright downloads. Without
it the test fails, saying how to install it; ``EVGRAPH_SKIP_BROWSER=1`` skips it instead, for a machine
that cannot have a browser. Screenshots are written to ``tests/artifacts/`` (not kept in git) for a person
to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from server import EvgraphServer

from evgraph.paths import Layout

CHROMIUM = Path(os.environ.get("EVGRAPH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
REC = "M&B: skills groups plus one-to-one mentoring for mental health (ages 9-11)"
PILOT = "Fostering Healthy Futures pilot RCT (Colorado, children aged 9-11 in foster care)"

if os.environ.get("EVGRAPH_SKIP_BROWSER") == "1":
    pytest.skip("EVGRAPH_SKIP_BROWSER=1: the browser test is skipped", allow_module_level=True)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """``evgraph serve`` on the bundled data on a free loopback port: its URL; stopped (by PID) at the end."""
    server = EvgraphServer(tmp_path_factory.mktemp("serve"), "--data", str(Layout.default().data))
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright; a clear failure when it is not installed."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: install Debian's package (apt-get install -y chromium,"
                    " as .ci/run does), point EVGRAPH_CHROMIUM at another Chromium, or set EVGRAPH_SKIP_BROWSER=1"
                    " to skip the browser test.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh tab, 1280×900, that fails the test on any request leaving the loopback server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside: list[str] = []
    tab.on("request", lambda request: None if request.url.startswith("http://127.0.0.1:") else outside.append(request.url))
    yield tab
    context.close()
    assert outside == [], f"pages fetched from elsewhere: {outside}"


def shot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_the_index_shows_the_audit_and_runs_a_catalogue_query_from_its_form(base_url, page):
    page.goto(f"{base_url}/")
    assert page.title() == "Evidence provenance for children's social care · evgraph"
    assert "cannot-verify" in page.locator("table.counts").inner_text()
    shot(page, "index")
    form = page.locator("article#query-study-dependents form")
    form.locator("input[name=study]").fill("study:fhf-pilot")
    with page.expect_navigation():
        form.locator("button").click()
    assert page.url == f"{base_url}/query/study-dependents?study=study%3Afhf-pilot"
    table = page.locator("table.results").inner_text()
    assert "finding:fhf-pilot--dissociation\tev:Finding\tev:ofStudy\tFHF pilot: less dissociation at 6 months" in table
    assert "candidate:mb-mental-health-skills-and-mentoring--fhf-pilot\tev:CandidateEvidence\tev:proposedStudy" in table
    shot(page, "query")


def test_a_recommendation_page_explains_it_and_links_to_its_studies(base_url, page):
    page.goto(f"{base_url}/id/recommendation/mb-mental-health-skills-and-mentoring")
    assert page.locator("h1").inner_text() == REC
    assert page.locator("dl.why .verdict").inner_text() == "cannot-verify"
    studies = page.locator("ul.studies").inner_text()
    assert PILOT in studies and "randomised controlled trial · United States · 79/77 per arm" in studies
    assert page.locator("section.provenance svg.diagram, section.provenance pre").count() == 1
    shot(page, "recommendation")
    shot(page, "recommendation-full", full_page=True)
    with page.expect_navigation():
        page.locator("a.study-link", has_text=PILOT).click()
    assert page.url == f"{base_url}/id/study/fhf-pilot"
    assert page.locator("h1").inner_text() == PILOT
    assert "79" in page.locator("table.facts").first.inner_text()
    shot(page, "study")


def test_search_from_the_header_finds_a_study(base_url, page):
    page.goto(f"{base_url}/")
    page.locator("header form.search input[name=q]").fill("fostering healthy futures pilot")
    with page.expect_navigation():
        page.locator("header form.search button").click()
    assert page.locator("table.matches").inner_text().count("Fostering Healthy Futures pilot RCT") == 1
    with page.expect_navigation():
        page.locator("table.matches a", has_text=PILOT).click()
    assert page.url == f"{base_url}/id/study/fhf-pilot"
    shot(page, "search-result")
