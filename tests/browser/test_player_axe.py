"""axe-core finds nothing on the list (with its queue player) and the player page, in light,
dark and forced colors."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import QueueSite, Site

pytestmark = pytest.mark.browser

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
MODES = {
    "hell": {"color_scheme": "light", "forced_colors": "none"},
    "dunkel": {"color_scheme": "dark", "forced_colors": "none"},
    "erzwungene Farben": {"color_scheme": "light", "forced_colors": "active"},
}


def violations(page: Any) -> list[str]:
    options = {"runOnly": {"type": "tag", "values": RULES}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"])
        for v in results.response["violations"]
    ]


def open_everything(page: Any) -> None:
    """Open the shortcut list, switch on the following transcript box and highlight a sentence."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    if not page.is_checked("#follow"):
        page.check("#follow")
    page.evaluate("document.getElementById('audio').currentTime = 20")
    page.wait_for_selector(".s[aria-current]")


@pytest.mark.parametrize("mode", MODES)
def test_article_page_has_no_violations(site: Site, page: Any, mode: str) -> None:
    page.emulate_media(**MODES[mode])
    page.goto(site.article_url())
    open_everything(page)
    assert violations(page) == []


@pytest.mark.parametrize("mode", MODES)
def test_list_page_has_no_violations(site: Site, page: Any, mode: str) -> None:
    page.emulate_media(**MODES[mode])
    page.goto(site.url + "/")
    assert violations(page) == []


def test_large_controls_and_missing_page_have_no_violations(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    page.check("#large")
    open_everything(page)
    assert violations(page) == []
    page.goto(site.url + "/artikel/gibt-es-nicht")
    assert violations(page) == []


def test_pages_without_the_script_have_no_violations(site: Site, page: Any) -> None:
    # axe itself needs JavaScript, so the page loses only our script: the no-JS page.
    page.route("**/static/player/**", lambda route: route.abort())
    for url in (site.url + "/", site.article_url()):
        page.goto(url)
        assert page.is_hidden("#controls")
        assert violations(page) == [], url


@pytest.mark.parametrize("mode", MODES)
def test_home_page_with_the_queue_playing_has_no_violations(
    queue_site: QueueSite, page: Any, mode: str
) -> None:
    page.emulate_media(**MODES[mode])
    page.goto(queue_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.check("#q-letters")
    page.evaluate("document.getElementById('q-audio').muted = true")
    page.click("#ab-2")  # the second article plays: the list marks it
    page.wait_for_selector(".teaser[aria-current]")
    assert violations(page) == []


def test_home_page_with_a_briefing_has_no_violations(briefing_site: QueueSite, page: Any) -> None:
    page.goto(briefing_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    assert page.is_checked("#q-mode-briefing")
    assert violations(page) == []
    # Without our script: the briefing's native player.
    page.route("**/static/player/**", lambda route: route.abort())
    page.goto(briefing_site.url + "/")
    assert page.locator("#nachrichten-des-tages audio[controls]").is_visible()
    assert violations(page) == []
