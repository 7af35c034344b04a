"""The archive and search pages in a real browser (#15): axe-core finds nothing in light, dark
and forced colors, and a search works by keyboard alone, from any page's search field."""

from __future__ import annotations

from typing import Any

import pytest

from audionews.days import today
from tests.browser.conftest import Site
from tests.browser.test_player_axe import MODES, violations

pytestmark = pytest.mark.browser


def _paths(site: Site) -> list[str]:
    day = today(site.app.config["AUDIONEWS"]).isoformat()
    return [
        "/archiv/",
        f"/archiv/{day}",
        "/suche?q=Streiks",
        "/suche",
        "/suche?q=Wortgibtesnicht",
        "/archiv/2000-01-01",
    ]


@pytest.mark.parametrize("mode", MODES)
def test_archive_and_search_pages_have_no_violations(site: Site, page: Any, mode: str) -> None:
    page.emulate_media(**MODES[mode])
    for path in _paths(site):
        page.goto(site.url + path)
        assert violations(page) == [], path


def test_the_archive_day_shows_the_briefing_and_the_articles(site: Site, page: Any) -> None:
    day = today(site.app.config["AUDIONEWS"]).isoformat()
    page.goto(site.url + f"/archiv/{day}")
    assert page.locator("#h-briefing").is_visible()
    assert page.locator("article.teaser h2 a").count() == 2
    page.goto(site.url + "/archiv/")
    page.get_by_role("link", name=page.locator(".archive-days a").first.inner_text()).click()
    assert page.url.endswith(f"/archiv/{day}")


def test_a_search_by_keyboard_alone(site: Site, page: Any) -> None:
    page.goto(site.url + "/")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "suche-q":
            break
    assert page.evaluate("document.activeElement.id") == "suche-q"
    assert page.get_by_role("search").count() == 1
    page.keyboard.type("Warnstreiks")
    page.keyboard.press("Enter")
    page.wait_for_url("**/suche?q=Warnstreiks")
    assert page.locator("h1").inner_text() == "Suche nach „Warnstreiks“"
    hit = page.locator("li.hit h2 a").first
    assert hit.get_attribute("href") == f"/artikel/{site.sample}"
    assert "Warnstreik" in page.locator("li.hit mark").first.inner_text()
    # The field keeps the query, so it can be corrected at once.
    assert page.input_value("#suche-q") == "Warnstreiks"
