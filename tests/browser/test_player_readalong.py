"""Read-along with real rendered audio: highlighting, seeking by sentence, resume, deep links."""

from __future__ import annotations

from typing import Any

import pytest

from audionews.web.pages import spoken_duration
from tests.browser.conftest import Site

pytestmark = pytest.mark.browser


def sentence_starts(site: Site) -> dict[int, float]:
    """Return each summary and body sentence's first start time, from the rendition's cues."""
    starts: dict[int, float] = {}
    for cue in site.cues():
        if cue["section"] in ("summary", "body"):
            starts.setdefault(cue["sentence"], cue["start"])
    return starts


def seek(page: Any, seconds: float) -> None:
    page.evaluate("(t) => { document.getElementById('audio').currentTime = t; }", seconds)
    page.wait_for_function(
        "(t) => Math.abs(document.getElementById('audio').currentTime - t) < 0.01", arg=seconds
    )


def current_sentence(page: Any) -> str | None:
    return page.evaluate("document.querySelector('.s[aria-current]')?.id ?? null")


def test_sentences_come_from_the_cues(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    starts = sentence_starts(site)
    shown = page.eval_on_selector_all(
        ".s[data-start]", "els => els.map((e) => [e.id, +e.dataset.start, e.textContent])"
    )
    assert [row[0] for row in shown] == [f"satz-{n}" for n in starts]
    assert [row[1] for row in shown] == pytest.approx(list(starts.values()), abs=0.001)
    # Sentences split into several cues are one element, spanning all their pieces.
    cues = site.cues()
    long = next(
        c["sentence"] for c in cues if sum(d["sentence"] == c["sentence"] for d in cues) > 1
    )
    last_end = max(c["end"] for c in cues if c["sentence"] == long)
    assert float(page.get_attribute(f"#satz-{long}", "data-end")) == pytest.approx(last_end)


def test_current_time_highlights_the_right_sentence(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    starts = sentence_starts(site)
    numbers = list(starts)
    for n in (numbers[0], numbers[3], numbers[-1]):
        seek(page, starts[n] + 0.2)
        page.wait_for_function(
            "(id) => document.querySelector('.s[aria-current]')?.id === id", arg=f"satz-{n}"
        )
        assert page.locator(".s[aria-current]").count() == 1
    # A moment inside the pause after a sentence still shows that sentence.
    index = numbers.index(numbers[3])
    gap = starts[numbers[index + 1]] - 0.1
    seek(page, gap)
    page.wait_for_function(
        "(id) => document.querySelector('.s[aria-current]')?.id === id", arg=f"satz-{numbers[3]}"
    )
    # During the title nothing of the transcript is current, and the chapter says "Titel".
    seek(page, 0.5)
    page.wait_for_function("() => !document.querySelector('.s[aria-current]')")
    assert page.get_attribute(".chapter[aria-current]", "data-label") == "Titel"


def test_clicking_a_sentence_seeks_to_its_start(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    starts = sentence_starts(site)
    n = list(starts)[5]
    page.click(f"#satz-{n}")
    page.wait_for_function(
        "(t) => Math.abs(document.getElementById('audio').currentTime - t) < 0.01", arg=starts[n]
    )
    assert current_sentence(page) == f"satz-{n}"
    assert page.evaluate("document.getElementById('audio').paused")
    assert "Position" in page.text_content("#status")


def test_speed_survives_a_reload_and_resuming_is_offered(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    page.select_option("#rate", "1.5")
    assert page.evaluate("document.getElementById('audio').playbackRate") == 1.5
    page.locator("#seek").fill("42")  # the listener moves the position slider
    page.wait_for_function(
        "() => Math.abs(document.getElementById('audio').currentTime - 42) < 0.01"
    )
    page.reload()
    page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
    state = page.evaluate(
        "(() => { const a = document.getElementById('audio');"
        " return {t: a.currentTime, rate: a.playbackRate, paused: a.paused}; })()"
    )
    # The speed is back; the place is offered, not taken, and nothing is said during load.
    assert state == {"t": 0, "rate": 1.5, "paused": True}
    assert page.input_value("#rate") == "1.5"
    assert page.text_content("#status").strip() == ""
    resume = page.get_by_role("button", name="Weiterhören ab 0:42")
    assert resume.is_visible()
    page.evaluate("document.getElementById('audio').muted = true")
    resume.click()
    page.wait_for_function("() => !document.getElementById('audio').paused")
    assert page.evaluate("document.getElementById('audio').currentTime") == pytest.approx(
        42.0, abs=0.5
    )
    assert page.evaluate("document.activeElement.id") == "play"  # focus is not lost
    assert page.text_content("#play").strip() == "Pause"
    assert resume.is_hidden()
    # A visit without listening keeps the place; another article keeps its own.
    page.goto(site.article_url(site.hostile))
    assert page.evaluate("document.getElementById('audio').currentTime") == 0
    assert page.locator("#resume").is_hidden()


def test_deep_link_starts_at_the_given_second(site: Site, page: Any) -> None:
    total = spoken_duration(site.rendition()["durations"]["episode"])
    assert total.startswith("1 Minute ")  # the sample runs a little over a minute
    page.goto(site.article_url() + "#t=30")
    page.wait_for_function(
        "(t) => Math.abs(document.getElementById('audio').currentTime - t) < 0.2", arg=30
    )
    assert page.get_attribute("#seek", "aria-valuetext") == f"30 Sekunden von {total}"
    page.evaluate("location.hash = '#t=1:05'")
    page.wait_for_function(
        "(t) => Math.abs(document.getElementById('audio').currentTime - t) < 0.2", arg=65
    )
    assert page.get_attribute("#seek", "aria-valuetext") == f"1 Minute 5 Sekunden von {total}"
    assert page.evaluate("document.getElementById('audio').paused"), "no autoplay"


def test_slider_and_status_stay_quiet_while_playing(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    page.evaluate("document.getElementById('audio').muted = true")
    page.focus("#seek")
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.getElementById('audio').paused")
    page.wait_for_function(
        "(t) => document.getElementById('status').textContent.trim() === t", arg="Wiedergabe"
    )
    before = page.get_attribute("#seek", "aria-valuetext")
    page.wait_for_function("() => document.getElementById('audio').currentTime > 1.5")
    assert page.get_attribute("#seek", "aria-valuetext") == before
    assert page.text_content("#status").strip() == "Wiedergabe"
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('status').textContent.trim() === 'Pause'")
    # „Pause“ is the one announcement: the focused slider keeps still until it is moved or left.
    assert page.get_attribute("#seek", "aria-valuetext") == before
    page.keyboard.press("Tab")
    assert page.get_attribute("#seek", "aria-valuetext") != before


def test_media_session_knows_the_article(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    page.wait_for_function("() => navigator.mediaSession.metadata")
    title = page.evaluate("navigator.mediaSession.metadata.title")
    # The heading carries soft hyphens for narrow screens; the lock screen gets none.
    assert title == page.text_content("h1").replace("\u00ad", "").strip()
    assert "\u00ad" not in title


def test_transcript_follows_playback_unless_switched_off(site: Site, page: Any) -> None:
    page.set_viewport_size({"width": 900, "height": 700})
    page.goto(site.article_url())
    assert page.is_checked("#follow")
    last = list(sentence_starts(site).values())[-1]
    window_before = page.evaluate("scrollY")
    seek(page, last + 0.1)
    page.wait_for_function("() => document.getElementById('transcript').scrollTop > 0")
    assert page.evaluate("scrollY") == window_before, "only the transcript box scrolls"

    page.uncheck("#follow")
    assert page.evaluate("document.getElementById('transcript').scrollHeight") == page.evaluate(
        "document.getElementById('transcript').clientHeight"
    ), "switched off, the text is in the page's flow again"
    window_before = page.evaluate("scrollY")  # unchecking scrolled the box into view
    seek(page, 5)
    page.wait_for_timeout(300)
    assert page.evaluate("scrollY") == window_before
    page.reload()
    assert not page.is_checked("#follow")


def test_reduced_motion_starts_without_following(site: Site, page: Any) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.goto(site.article_url())
    assert not page.is_checked("#follow")
    assert "follow" not in (page.get_attribute("#transcript", "class") or "")


def test_the_browser_reads_the_joined_mp3s_like_the_feed_does(site: Site, page: Any) -> None:
    # The MP3s are MP3 chunks joined under one Info/LAME header: Chromium's own decoder must
    # see the exact length the feed and the player announce, and play every chunk.
    page.goto(site.article_url())
    page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
    duration = page.evaluate("document.getElementById('audio').duration")
    assert duration == pytest.approx(site.rendition()["durations"]["episode"], abs=0.03)
    page.evaluate("document.getElementById('audio').muted = true")
    seek(page, duration - 1.0)  # the last chunk
    page.evaluate("document.getElementById('audio').play()")
    page.wait_for_function("() => document.getElementById('audio').ended", timeout=10_000)
