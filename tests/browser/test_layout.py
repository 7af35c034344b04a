"""Text layout: German hyphenation of titles at 320 px, table headers never broken in a word,
and one duration everywhere (text, player clock, slider)."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from tests.browser.conftest import QueueSite, Site
from tests.browser.editor_fixtures import Office, editor_page, office  # noqa: F401
from tests.browser.listening import LINE_BREAKS, bad_breaks

pytestmark = pytest.mark.browser


def hyphenated_breaks(page: Any, selector: str) -> int:
    return sum(
        "\u00ad" in around[:-1]
        for handle in page.query_selector_all(selector)
        for around in page.evaluate(LINE_BREAKS, handle)["breaks"]
    )


def test_titles_are_hyphenated_not_cut_at_320_pixels(queue_site: QueueSite, page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(queue_site.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert bad_breaks(page, ".teaser h2, #q-now") == []
    assert hyphenated_breaks(page, ".teaser h2") >= 1  # „Bundesverkehrsminister-konferenz“
    page.goto(f"{queue_site.url}/artikel/{queue_site.slugs[0]}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert bad_breaks(page, "h1") == []
    assert hyphenated_breaks(page, "h1") >= 1
    # The hyphens are for the eye only: the title's text and the page title have none.
    assert "\u00ad" not in page.title()
    assert (
        page.evaluate("document.getElementById('titel-text').textContent")
        == (queue_site.titles()[0])
    )


@pytest.mark.parametrize("width", [1280, 320])
def test_back_office_table_headers_never_break_inside_a_word(
    office: Office,  # noqa: F811
    editor_page: Any,  # noqa: F811
    width: int,
) -> None:
    page = editor_page
    page.set_viewport_size({"width": width, "height": 800})
    found = {}
    for path in (
        "/redaktion/",
        "/redaktion/aussprache",
        "/redaktion/tokens",
        "/redaktion/protokoll",
    ):
        page.goto(office.url + path)
        if page.locator(".ed-table").count():
            found[path] = bad_breaks(page, ".ed-table thead th")
    assert "/redaktion/" in found
    assert {path: breaks for path, breaks in found.items() if breaks} == {}


def seconds_of(text: str) -> int:
    """Read "1 Min. 2 Sek.", "1:02" or "1 Minute 2 Sekunden" as seconds."""
    if m := re.search(r"(\d+):(\d\d)", text):
        return int(m[1]) * 60 + int(m[2])
    minutes = re.search(r"(\d+) Min", text)
    seconds = re.search(r"(\d+) Sek", text)
    return (int(minutes[1]) if minutes else 0) * 60 + (int(seconds[1]) if seconds else 0)


def test_one_duration_in_text_player_and_slider(
    site: Site, queue_site: QueueSite, page: Any
) -> None:
    fractions = []
    pages = [(site.article_url(), site.rendition()["durations"]["episode"])]
    pages += [
        (f"{queue_site.url}/artikel/{slug}", queue_site.files(slug)["durations"]["episode"])
        for slug in queue_site.slugs
    ]
    for url, duration in pages:
        fractions.append(duration % 1)
        page.goto(url)
        page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
        meta = page.text_content(".meta") or ""
        total = page.text_content(".seek .time") or ""
        valuetext = page.get_attribute("#seek", "aria-valuetext") or ""
        download = page.locator("a[download][href$='-episode.mp3']").locator("..").inner_text()
        # The player's clock at the very end of the file.
        page.evaluate("document.getElementById('audio').currentTime = 1e6")
        page.wait_for_function("() => document.getElementById('now').textContent !== '0:00'")
        at_end = page.text_content("#now") or ""
        readings = {
            "Text": seconds_of(meta.split("Ganzer Beitrag")[1]),
            "Player": seconds_of(total.split("/")[1]),
            "Regler": seconds_of(
                valuetext.split(" von ")[1].replace("Minute", "Min").replace("Sekunde", "Sek")
            ),
            "Download": seconds_of(download),
            "Uhr am Ende": seconds_of(at_end),
        }
        print(url.rsplit("/", 1)[-1], round(duration, 3), readings)
        assert set(readings.values()) == {math.floor(duration)}, (url, duration, readings)
    # At least one length that rounding to the nearest second would have shown differently.
    assert any(f >= 0.5 for f in fractions), fractions
