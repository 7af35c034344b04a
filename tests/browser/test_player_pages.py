"""Pages without JavaScript, at 320 px, at 200 % text, with hostile text; and their weight."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import HOSTILE, Site

pytestmark = pytest.mark.browser

CONTROLS = "button, input, select, summary, audio, .links a, .brand, .skip:focus"

SIZES = """(sel) => [...document.querySelectorAll(sel)]
  .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => { const r = e.getBoundingClientRect();
    return {what: e.id || e.textContent.trim().slice(0, 30) || e.tagName,
            w: r.width, h: r.height}; })"""


@pytest.fixture
def no_js_page(browser: Any) -> Any:
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    yield context.new_page()
    context.close()


def test_without_javascript_audio_downloads_and_text_are_there(site: Site, no_js_page: Any) -> None:
    page = no_js_page
    page.goto(site.article_url())
    assert page.locator("audio").count() == 2  # the whole article and „In Kürze“
    for audio, kind in (
        (page.locator("#audio"), "episode"),
        (page.locator(".quick audio"), "summary"),
    ):
        assert audio.get_attribute("controls") is not None
        assert audio.get_attribute("preload") == "metadata"
        assert audio.get_attribute("src").endswith(f"-{kind}.mp3")
        assert audio.is_visible()
    assert page.locator("#controls").is_hidden()
    downloads = page.locator("a[download][href$='.mp3']")
    assert downloads.count() == 3
    for i in range(3):
        href = downloads.nth(i).get_attribute("href")
        response = page.request.get(site.url + href, headers={"Range": "bytes=0-3"})
        assert response.status == 206 and response.body()[:3] in (b"ID3", b"\xff\xfb\xff")
    # The transcript with its times: a visible link beside the downloads.
    vtt = page.get_by_role("link", name="Text zum Mitlesen als WebVTT")
    response = page.request.get(site.url + vtt.get_attribute("href"))
    assert response.status == 200 and response.text().startswith("WEBVTT")
    text = page.text_content("#transcript")
    for cue in site.cues():
        if cue["section"] != "title":
            assert cue["display"] in text
    assert page.locator("#transcript").is_visible()
    assert page.locator("h2", has_text="Mehr Wissen").is_visible()

    page.goto(site.url + "/")
    players = page.locator("audio[controls][preload=metadata]")
    assert players.count() == 4  # „In Kürze“ and „Hauptartikel“ of both articles
    assert all(players.nth(i).is_visible() for i in range(4))
    assert page.locator("a[href$='/feed.xml']").text_content() == "Alle Beiträge"
    assert page.locator("a[href$='/feed/kurz.xml']").text_content() == "Nur Kurzfassungen"


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("path", ["/", "/artikel/"])
def test_320_pixels_reflow_and_targets_of_24_pixels(
    site: Site, page: Any, path: str, large: bool
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site.article_url() if path == "/artikel/" else site.url + "/")
    if large and path == "/artikel/":
        page.check("#large")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    sizes = page.evaluate(SIZES, CONTROLS)
    assert sizes
    small = [s for s in sizes if s["w"] < 24 or s["h"] < 24]
    assert small == []
    # Nothing reaches past the right edge (overflow that is clipped would not scroll).
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('main *')]"
        ".map((e) => e.getBoundingClientRect().right))"
    )
    assert widest <= 320


def test_text_at_200_percent_reflows_without_loss(site: Site, page: Any) -> None:
    # 200 % text in a 640 px window: the 1280 px desktop zoomed by the browser to 200 %.
    page.set_viewport_size({"width": 640, "height": 720})
    page.goto(site.article_url())
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    for selector in ("#play", "#back", "#fwd", "#seek", "#rate", "#mute", "#volume", "h1"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 640, selector


def test_hostile_markup_renders_as_inert_text(site: Site, page: Any) -> None:
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    for url in (site.article_url(site.hostile), site.url + "/"):
        page.goto(url)
        page.wait_for_load_state("load")
        page.hover("main")
        assert page.evaluate("window.pwned") is None, url
        # Only the page's own elements: no script, image, frame or svg made from the text.
        assert page.locator("main script, main img, main iframe, main b").count() == 0
        assert page.locator("main svg").count() == page.locator("main .btn svg").count()
    page.goto(site.article_url(site.hostile))
    assert page.text_content("h1") == HOSTILE["title"]
    assert page.title().startswith(HOSTILE["title"])
    assert '<img src=x onerror="window.pwned=7">Quelle' in page.text_content(".links")
    hrefs = page.eval_on_selector_all("main a", "els => els.map((a) => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.lower().startswith("javascript")]


def test_article_page_weighs_at_most_60_kilobytes(site: Site, page: Any) -> None:
    sizes: dict[str, int] = {}

    def record(response: Any) -> None:
        if "/media/" not in response.url:
            sizes[response.url] = len(response.body())

    page.on("response", record)
    page.goto(site.article_url())
    page.wait_for_load_state("networkidle")
    kinds = sorted(url.split("/static/", 1)[-1] for url in sizes if "/static/" in url)
    assert "player/article.js" in kinds and "site.css" in kinds
    assert "player/queue.js" not in kinds  # the home page's player is not loaded here
    total = sum(sizes.values())
    print(f"article page: {total} bytes: {sizes}")
    assert total <= 60_000
    # Everything comes from the site itself: no CDN, no fonts, no trackers.
    assert all(url.startswith(site.url) for url in sizes)
