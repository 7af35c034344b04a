"""The home page's queue player („Alle Nachrichten hören“) with real espeak articles."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import QueueSite
from tests.browser.listening import LIVE_RECORDER, focused, live

pytestmark = pytest.mark.browser

# Which files the page's audio elements start and finish, in order.
PLAYS = """(() => {
  window.__plays = [];
  for (const kind of ['play', 'ended']) {
    document.addEventListener(kind, (e) => window.__plays.push(
      kind + ' ' + (e.target.currentSrc || '').split('/').pop()), true);
  }
})()"""


@pytest.fixture
def home(queue_site: QueueSite, page: Any) -> Any:
    page.add_init_script(LIVE_RECORDER)
    page.add_init_script(PLAYS)
    page.goto(queue_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    return page


def fast(page: Any) -> None:
    """Choose the fastest speed in the menu (the queue's articles are a few seconds each)."""
    page.select_option("#q-rate", "2.5")
    page.evaluate("document.getElementById('q-audio').muted = true")


# The header's stops, on every public page: the skip link, the home link, the search, the archive.
HEADER_STOPS = ["Zum Inhalt springen", "audionews", "Beiträge durchsuchen", "Suchen", "Archiv"]


def tab_to(page: Any, selector: str, limit: int = 40) -> list[str]:
    """Press Tab until `selector` has focus; return the names of the stops on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focused(page)["name"])
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"Tab never reached {selector}")


def wait_said(page: Any, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "(t) => window.__live.some((e) => e.text === t)", arg=text, timeout=timeout
    )


def file_of(queue_site: QueueSite, n: int, kind: str = "summary") -> str:
    return str(queue_site.files(queue_site.slugs[n])["files"][kind])


def test_nothing_plays_on_load(home: Any) -> None:
    home.wait_for_timeout(1500)
    assert home.evaluate("window.__plays") == []
    assert home.evaluate("[...document.querySelectorAll('audio')].every((a) => a.paused)")
    assert home.get_attribute("#q-audio", "src") is None  # not even loaded
    assert live(home) == []
    assert home.text_content("#q-play").strip() == "Abspielen"


def test_queue_plays_every_article_in_turn_and_names_each_once(
    queue_site: QueueSite, home: Any
) -> None:
    fast(home)
    home.reload()  # the speed is remembered; Tab counts from a fresh page
    stops = tab_to(home, "#q-play")
    print(f"Tab stops from load to the queue's Play: {len(stops)}: {stops}")
    # Nothing of the page's content comes before the queue: only the skip link and the header.
    assert stops[:-1] == HEADER_STOPS
    home.keyboard.press("Enter")
    wait_said(home, "Ende der Liste")
    titles = queue_site.titles()
    assert live(home) == [*titles, "Ende der Liste"]
    summaries = [file_of(queue_site, n) for n in range(3)]
    assert home.evaluate("window.__plays") == [
        f"{event} {name}" for name in summaries for event in ("play", "ended")
    ]
    assert home.text_content("#q-play").strip() == "Abspielen"
    assert home.input_value("#q-rate") == "2.5"


def test_previous_and_next_by_keyboard(queue_site: QueueSite, home: Any) -> None:
    fast(home)
    titles = queue_site.titles()
    tab_to(home, "#q-next")
    home.keyboard.press("Enter")  # nothing played yet: the second article is put in place
    home.keyboard.press("Enter")
    home.keyboard.press("Enter")  # there is no fourth
    wait_said(home, "Das ist der letzte Beitrag.")
    assert home.evaluate("document.getElementById('q-audio').paused")
    home.keyboard.press("Shift+Tab")
    assert focused(home)["name"] == "Vorheriger Beitrag"
    home.keyboard.press("Enter")
    home.wait_for_function("() => window.__live.length === 4")
    assert live(home) == [titles[1], titles[2], "Das ist der letzte Beitrag.", titles[1]]
    assert home.get_attribute("#q-audio", "src").endswith(file_of(queue_site, 1))
    now = (home.text_content("#q-now") or "").replace("\u00ad", "")
    assert now.split(":", 1)[1].strip().startswith(titles[1])
    home.keyboard.press("Shift+Tab")
    home.keyboard.press("Enter")  # Play: the second article, then on to the third
    wait_said(home, "Ende der Liste")
    assert live(home)[4:] == [titles[2], "Ende der Liste"]
    assert [p for p in home.evaluate("window.__plays") if p.startswith("play")] == [
        f"play {file_of(queue_site, 1)}",
        f"play {file_of(queue_site, 2)}",
    ]


def test_going_on_can_be_switched_off_and_stays_off(queue_site: QueueSite, home: Any) -> None:
    fast(home)
    titles = queue_site.titles()
    home.focus("#q-auto")
    home.keyboard.press("Space")
    assert not home.is_checked("#q-auto")
    home.focus("#q-play")
    home.keyboard.press("Enter")
    wait_said(home, f"Ende des Beitrags. Als Nächstes: {titles[1]}")
    home.wait_for_timeout(500)
    assert home.evaluate("document.getElementById('q-audio').paused")
    assert home.evaluate("window.__plays") == [
        f"play {file_of(queue_site, 0)}",
        f"ended {file_of(queue_site, 0)}",
    ]
    assert home.text_content("#q-now-label") == "Als Nächstes"
    home.keyboard.press("Enter")  # Play goes on with the next one
    wait_said(home, titles[1])
    home.reload()
    assert not home.is_checked("#q-auto")


def test_whole_articles_are_a_choice_that_is_remembered(queue_site: QueueSite, home: Any) -> None:
    assert home.is_checked("#q-mode-summary")
    home.focus("#q-mode-summary")
    home.keyboard.press("ArrowDown")  # a radio group: arrows choose
    assert home.is_checked("#q-mode-whole")
    home.reload()
    home.wait_for_selector("#q-play", state="visible")
    assert home.is_checked("#q-mode-whole")
    home.evaluate("document.getElementById('q-audio').muted = true")
    home.click("#q-play")
    home.wait_for_function("() => !document.getElementById('q-audio').paused")
    assert home.get_attribute("#q-audio", "src").endswith(file_of(queue_site, 0, "episode"))
    # Switching while playing keeps the article and plays its other file from the start.
    home.check("#q-mode-summary")
    home.wait_for_function("() => !document.getElementById('q-audio').paused")
    assert home.get_attribute("#q-audio", "src").endswith(file_of(queue_site, 0))
    assert live(home) == [queue_site.titles()[0]]  # the choice itself is not announced again


def test_each_article_has_one_button_that_starts_the_queue_there(
    queue_site: QueueSite, home: Any
) -> None:
    fast(home)
    titles = queue_site.titles()
    assert home.locator("[data-native]").first.is_hidden()  # no two native players each
    assert home.locator(".teaser audio:visible").count() == 0
    button = home.get_by_role("button", name=f"Ab hier hören: {titles[1]}")
    button.focus()
    home.keyboard.press("Enter")
    wait_said(home, titles[1])
    assert home.get_attribute(".teaser:nth-of-type(1)", "aria-current") is None
    current = home.locator(".teaser[aria-current='true'] h2").text_content() or ""
    assert current.replace("\u00ad", "").strip() == titles[1]
    wait_said(home, "Ende der Liste")
    assert live(home) == [titles[1], titles[2], "Ende der Liste"]


def test_resuming_is_offered_not_done(queue_site: QueueSite, home: Any) -> None:
    titles = queue_site.titles()
    home.evaluate("document.getElementById('q-audio').muted = true")
    home.focus("#q-play")
    home.keyboard.press("Enter")
    home.wait_for_function("() => document.getElementById('q-audio').currentTime > 1.2")
    home.keyboard.press("Enter")  # pause
    home.wait_for_function("() => document.getElementById('q-audio').paused")
    at = home.evaluate("document.getElementById('q-audio').currentTime")
    home.reload()
    home.wait_for_selector("#q-play", state="visible")
    home.wait_for_timeout(500)
    assert home.evaluate("window.__plays") == []
    assert live(home) == []
    offer = home.get_by_role("button", name=f"Weiterhören: „{titles[0]}“ ab 0:01")
    offer.focus()
    home.keyboard.press("Enter")
    home.wait_for_function("() => !document.getElementById('q-audio').paused")
    t = home.evaluate("document.getElementById('q-audio').currentTime")
    assert at - 0.2 <= t <= at + 1.0
    assert focused(home)["id"] == "q-play" and focused(home)["name"] == "Pause"
    assert offer.is_hidden()


def test_media_session_previous_and_next_track(queue_site: QueueSite, home: Any) -> None:
    titles = queue_site.titles()
    assert home.evaluate("navigator.mediaSession.metadata.title") == titles[0]
    home.evaluate("window.__media.nexttrack()")
    wait_said(home, titles[1])
    assert home.evaluate("navigator.mediaSession.metadata.title") == titles[1]
    home.evaluate("window.__media.nexttrack()")
    home.evaluate("window.__media.previoustrack()")
    home.wait_for_function("() => window.__live.length === 3")
    assert live(home) == [titles[1], titles[2], titles[1]]
    assert home.evaluate("document.getElementById('q-audio').paused")  # a track key moves only


def test_the_briefing_comes_first_and_its_articles_are_the_entries(
    briefing_site: QueueSite, page: Any
) -> None:
    briefing = briefing_site.briefing()
    assert briefing["is_today"] and len(briefing["chapters"]) == 3
    starts = [c["start"] for c in briefing["chapters"]]
    assert starts[0] > 0.5  # the spoken opening comes first
    page.add_init_script(LIVE_RECORDER)
    page.goto(briefing_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    assert page.is_checked("#q-mode-briefing")
    assert page.locator("#nachrichten-des-tages audio").is_hidden()  # this player plays it
    assert page.locator("#nachrichten-des-tages li").count() == 3  # the list stays
    fast(page)
    # Next moves to the first article in the one file.
    page.focus("#q-next")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__live.length === 1")
    assert page.evaluate("document.getElementById('q-audio').currentTime") == pytest.approx(
        starts[0], abs=0.05
    )
    page.focus("#q-prev")
    page.keyboard.press("Enter")  # back to the opening
    page.focus("#q-play")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => window.__live.some((e) => e.text === 'Ende der Liste')", timeout=60_000
    )
    titles = [c["title"] for c in briefing["chapters"]]
    # Each part is named once as playing reaches it (the first two by the buttons).
    assert live(page) == [titles[0], briefing["title"], *titles, "Ende der Liste"]
    # An article of the briefing starts at its chapter.
    page.get_by_role("button", name=f"Ab hier hören: {titles[1]}").click()
    page.wait_for_function("() => !document.getElementById('q-audio').paused")
    at = page.evaluate("document.getElementById('q-audio').currentTime")
    assert starts[1] - 0.05 <= at <= starts[1] + 2.5  # it plays on at 2,5-fach
    assert live(page)[-1] == titles[1]
    # Choosing the articles is remembered, and then the briefing is no longer first.
    page.check("#q-mode-summary")
    page.reload()
    page.wait_for_selector("#q-play", state="visible")
    assert page.is_checked("#q-mode-summary")


def test_without_script_the_briefing_has_its_native_player(
    briefing_site: QueueSite, browser: Any
) -> None:
    briefing = briefing_site.briefing()
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto(briefing_site.url + "/")
    native = page.locator("#nachrichten-des-tages audio[controls]")
    assert native.is_visible() and native.get_attribute("src") == briefing["audio"]
    assert page.locator("#alle").is_hidden()  # no player that cannot play
    assert page.locator(".teaser audio[controls]").count() == 6  # summary and body, three times
    assert page.locator("[data-queue-start]").first.is_hidden()
    context.close()


def test_the_skip_link_then_tab_and_enter_play_the_briefing(
    briefing_site: QueueSite, page: Any
) -> None:
    page.add_init_script(LIVE_RECORDER)
    page.goto(briefing_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    stops = tab_to(page, "#q-play")
    print(f"Tab stops from load to playing the briefing: {len(stops)}: {stops}")
    assert stops == [*HEADER_STOPS, "Abspielen"]  # the header (with the search), then Play
    # The way a keyboard listener takes: the skip link jumps past the header to the player.
    page.reload()
    page.wait_for_selector("#q-play", state="visible")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Abspielen"
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.getElementById('q-audio').paused")
    briefing = briefing_site.briefing()
    assert page.get_attribute("#q-audio", "src") == briefing["audio"]
    assert live(page) == [briefing["title"]]  # the opening is named by the briefing's title
