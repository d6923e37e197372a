"""The edition in a real browser: a reader's path through the pages, the query workbench, the
pictures, the keyboard, a phone's width, and an axe-core scan of every kind of page."""

from __future__ import annotations

import re

import pytest

# Every kind of page the server has for people, with a name for its screenshot.
PAGE_TYPES = {
    "home": "/",
    "entry": "/entry/1944-11-05",
    "note": "/note/biography",
    "person": "/person/max-jacob",
    "death": "/death/max-jacob",
    "report": "/report/1944-11-05/max-jacob",
    "people": "/person/?sort=mentions",
    "deaths": "/death/",
    "entries": "/entry/",
    "ontology": "/ontology",
    "concept": "/ontology/manner/murdered",
    "scheme": "/ontology/certainty/",
    "dataset": "/dataset",
    "downloads": "/download/",
    "pictures": "/pictures/",
    "workbench": "/sparql",
    "not-found": "/person/nobody",
}


def test_a_reader_goes_from_the_home_page_to_a_passage_and_back(page, screenshots):
    page.goto("/")
    assert "Notebooks (1944 excerpt)" in page.locator("h1").inner_text()
    page.screenshot(path=screenshots / "home.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    assert page.url.endswith("/person/")
    page.get_by_role("link", name="Max Jacob", exact=True).click()
    assert page.url.endswith("/person/max-jacob")
    assert page.locator("h1").inner_text() == "Max Jacob"
    page.screenshot(path=screenshots / "person.png", full_page=True)

    # From a passage on his page to the same words, highlighted, in the entry.
    page.locator("a.passage[href^='/entry/1944-08-10#']").first.click()
    assert re.search(r"/entry/1944-08-10#m\d+-\d+$", page.url)
    fragment = page.url.rsplit("#", 1)[1]
    mention = page.locator(f"a.mention[id='{fragment}']")
    assert mention.inner_text() == "Max Jacob"
    assert "k-Person" in (mention.get_attribute("class") or "")
    assert page.evaluate("document.querySelector(':target').id") == fragment
    mention.hover()
    tip = page.locator(f"#{mention.get_attribute('aria-describedby')}")
    assert tip.is_visible() and "person: Max Jacob" in tip.inner_text()
    page.screenshot(path=screenshots / "entry-tooltip.png")

    # And back to the person the words refer to.
    mention.click()
    assert page.url.endswith("/person/max-jacob")


def test_an_entry_marks_serge_s_reports_and_lists_its_mentions(page, screenshots):
    page.goto("/entry/1944-11-05")
    marks = page.locator("a.report-mark")
    assert marks.count() >= 8
    assert marks.first.get_attribute("href").startswith("/report/1944-11-05/")
    listed = page.locator("ol.mentions li")
    assert listed.count() == page.locator(".entry-text [id^='at-']").count()
    assert page.get_by_role("link", name=re.compile("Previous entry")).first.is_visible()
    page.screenshot(path=screenshots / "entry.png", full_page=True)


def test_the_keyboard_reaches_the_content_and_the_mentions(page):
    page.goto("/entry/1944-08-10")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.locator(".entry-text a.mention").first.focus()
    focused = page.evaluate("document.activeElement.getAttribute('aria-describedby')")
    assert page.locator(f"#{focused}").is_visible()  # the tooltip shows on focus too


def test_a_phone_reads_an_entry_without_scrolling_sideways(browser, site, screenshots):
    context = browser.new_context(base_url=site, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    for path in ("/entry/1944-11-05", "/person/", "/"):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    phone.goto("/entry/1944-11-05")
    phone.screenshot(path=screenshots / "entry-phone.png")
    context.close()


def test_french_readers_get_french_labels(page):
    page.goto("/person/?lang=fr")
    assert page.locator("h1").inner_text() == "Personnes"
    page.goto("/place/")  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Londres").is_visible()


@pytest.mark.usefixtures("workbench_assets")
def test_the_workbench_runs_a_cookbook_query_and_shows_a_table(page, screenshots):
    page.goto("/sparql")
    page.locator("button[data-recipe='entries-per-person']").click()
    panel = page.locator(".tabPanel.active")
    assert "cn:Person" in panel.locator(".CodeMirror").inner_text()
    panel.locator(".yasqe_queryButton").click()
    rows = panel.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    assert rows.count() > 10
    assert "Saint-Exupéry" in rows.first.inner_text()
    link = rows.first.locator("a").first
    assert link.get_attribute("href").startswith("/person/")  # resources stay on this server
    downloads = page.locator("#downloads a")
    assert downloads.count() == 4 and "format=csv" in downloads.nth(2).get_attribute("href")
    page.screenshot(path=screenshots / "workbench.png", full_page=True)
    panel.get_by_role("button", name=re.compile("Chart")).click()
    assert panel.locator("svg.carnets-chart rect").count() > 10
    assert page.script_errors == []


@pytest.mark.usefixtures("workbench_assets")
def test_the_workbench_shows_the_parser_s_message(page, screenshots):
    page.goto("/sparql#name=Broken&query=" + "SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%7D")
    panel = page.locator(".tabPanel.active")
    panel.locator(".yasqe_queryButton").click()
    message = panel.locator(".yasr .errorResult pre")
    message.wait_for()
    assert re.search(r"error at \d+:\d+", message.inner_text())
    page.screenshot(path=screenshots / "workbench-error.png")


def test_the_pictures_link_to_what_they_draw(page, screenshots):
    page.goto("/pictures/")
    assert page.locator("#timeline svg").is_visible() and page.locator("#network svg").is_visible()
    page.screenshot(path=screenshots / "pictures.png", full_page=True)
    query = page.locator("#timeline a.open-query").get_attribute("href")
    assert query.startswith("/sparql#") and "query=" in query
    page.locator("#network svg a[href='/entry/1944-08-10']").click()
    assert page.url.endswith("/entry/1944-08-10")


def test_a_missing_page_is_a_page(page, screenshots):
    response = page.goto("/person/nobody")
    assert response.status == 404
    assert "Page not found" in page.locator("h1").inner_text()
    page.screenshot(path=screenshots / "not-found.png")


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_serious_accessibility_violation(page, axe_source, screenshots, name, request):
    if name == "workbench":
        request.getfixturevalue("workbench_assets")
    page.goto(PAGE_TYPES[name])
    if name == "workbench":
        page.locator(".tabPanel.active .CodeMirror").wait_for()
    page.add_script_tag(content=axe_source)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)
    if name in ("ontology", "concept", "dataset", "deaths", "people", "scheme"):
        page.screenshot(path=screenshots / f"{name}.png")
