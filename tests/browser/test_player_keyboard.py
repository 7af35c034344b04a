"""A keyboard-only walk: every control in order, visible focus, no trap, every action works."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser

DESCRIBE = """(() => {
  const e = document.activeElement;
  const cs = getComputedStyle(e);
  let bg = 'rgba(0, 0, 0, 0)';
  for (let n = e.parentElement; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
  }
  const r = e.getBoundingClientRect();
  return {tag: e.tagName, id: e.id, cls: e.className,
          name: (e.textContent || '').trim().slice(0, 40),
          visible: e.matches(':focus-visible'), style: cs.outlineStyle,
          width: parseFloat(cs.outlineWidth), color: cs.outlineColor, bg,
          inView: r.bottom > 0 && r.top < innerHeight && r.width > 0};
})()"""


def luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def audio(page: Any, prop: str) -> Any:
    return page.evaluate(f"document.getElementById('audio').{prop}")


def wait_audio(page: Any, condition: str) -> None:
    page.wait_for_function(f"(a => {condition})(document.getElementById('audio'))")


def wait_text(page: Any, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => document.querySelector(s).textContent.trim() === t", arg=[selector, text]
    )


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def walk(page: Any) -> list[dict[str, Any]]:
    stops: list[dict[str, Any]] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stop = page.evaluate(DESCRIBE)
        if stop["tag"] == "BODY":
            return stops
        stops.append(stop)
    raise AssertionError("focus never left the page: a keyboard trap")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_walk_reaches_every_control_in_order_with_visible_focus(
    site: Site, page: Any, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(site.article_url())
    stops = walk(page)
    keys = [s["id"] or s["cls"] or s["tag"] for s in stops]
    expected = [
        "skip",
        "brand",
        "suche-q",
        "suche-los",
        "archiv-link",
        "play",
        "back",
        "fwd",
        "seek",
        "rate",
        "mute",
        "volume",
    ]
    expected += ["prev-chapter", "next-chapter"]
    assert keys[: len(expected)] == expected
    chapters = [s["name"].split()[0] for s in stops if s["cls"] == "btn chapter"]
    assert chapters == ["Titel", "In", "Hauptartikel"]
    # A native <audio>'s own buttons are several tab stops of one element: count it once.
    rest = [k for i, k in enumerate(keys) if i == 0 or k != "AUDIO" or keys[i - 1] != "AUDIO"]
    rest = rest[len(expected) + len(chapters) :]
    # After the player: the native player of „In Kürze“, then the transcript with its chapter
    # times as links.
    assert rest[:6] == ["large", "SUMMARY", "AUDIO", "follow", "at js-only", "satz-1"]
    # The transcript is one tab stop; then the links and the downloads.
    assert sum(k.startswith("satz-") for k in keys) == 1
    assert [s["name"] for s in stops[-5:]] == [
        "Ganzer Beitrag als MP3",
        "Nur „In Kürze“ als MP3",
        "Nur Hauptartikel als MP3",
        "Text zum Mitlesen als WebVTT",
        "Ganzer Beitrag als DAISY-Hörbuch",  # (#13)
    ]
    for stop in stops:
        if stop["tag"] == "AUDIO":
            continue  # the browser draws the focus of a native player's own buttons
        assert stop["visible"] and stop["style"] == "solid" and stop["width"] >= 2, stop
        assert contrast(stop["color"], stop["bg"]) >= 3, stop
        assert stop["inView"], stop
    # Shift+Tab walks back out of the page again: no trap either way.
    for _ in range(len(stops)):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "skip"


def test_keyboard_operates_play_skip_speed_chapters_and_transcript(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    page.evaluate("document.getElementById('audio').muted = true")
    rendition = site.rendition()

    tab_to(page, "#play")
    page.keyboard.press("Enter")
    wait_audio(page, "!a.paused")
    wait_text(page, "#play", "Pause")  # the label follows the media events
    page.keyboard.press("Space")
    wait_audio(page, "a.paused")
    wait_text(page, "#play", "Abspielen")
    # The focused button's new name is the one announcement: the status region stays quiet.
    assert page.text_content("#status").strip() == ""

    page.evaluate("document.getElementById('audio').currentTime = 40")
    wait_audio(page, "Math.abs(a.currentTime - 40) < 0.01")
    page.keyboard.press("Tab")  # back 15 s
    page.keyboard.press("Enter")
    wait_audio(page, "Math.abs(a.currentTime - 25) < 0.01")
    assert page.text_content("#status").strip() == "15 Sekunden zurück"
    page.keyboard.press("Tab")  # forward 15 s
    page.keyboard.press("Space")
    wait_audio(page, "Math.abs(a.currentTime - 40) < 0.01")
    assert page.text_content("#status").strip() == "15 Sekunden vor"

    page.keyboard.press("Tab")  # the seek slider: arrows step 5 s, Home goes to the start
    page.keyboard.press("ArrowRight")
    wait_audio(page, "Math.abs(a.currentTime - 45) < 0.01")
    page.keyboard.press("Home")
    wait_audio(page, "a.currentTime === 0")
    page.keyboard.press("PageUp")
    wait_audio(page, "Math.abs(a.currentTime - 60) < 0.01")
    page.keyboard.press("l")  # letter shortcuts are off until the listener turns them on
    page.wait_for_timeout(100)
    assert audio(page, "currentTime") == pytest.approx(60, abs=0.01)

    page.keyboard.press("Tab")  # speed
    assert page.evaluate("document.activeElement.id") == "rate"
    page.keyboard.press("ArrowDown")
    wait_audio(page, "a.playbackRate === 1.25")
    # The menu speaks its new value; the status region does not repeat it.
    assert page.text_content("#status").strip() == "15 Sekunden vor"

    tab_to(page, ".chapter[data-label='Hauptartikel']")
    page.keyboard.press("Enter")
    body = rendition["chapters"]["body"]
    wait_audio(page, f"Math.abs(a.currentTime - {body}) < 0.01")
    assert page.text_content("#status").strip() == "Kapitel Hauptartikel"
    assert page.get_attribute(".chapter[data-label='Hauptartikel']", "aria-current") == "true"

    # Tab into the transcript lands on the current sentence; arrows move, Enter jumps.
    tab_to(page, ".s[data-start]")
    first_body = next(c for c in rendition["cues"] if c["section"] == "body")
    assert page.evaluate("document.activeElement.id") == f"satz-{first_body['sentence']}"
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.id")
    start = float(page.get_attribute(f"#{focused}", "data-start"))
    page.keyboard.press("Enter")
    wait_audio(page, f"Math.abs(a.currentTime - {start}) < 0.01")
    assert page.get_attribute(f"#{focused}", "aria-current") == "true"
    assert audio(page, "paused")

    # Outside the player the letters are just letters.
    page.keyboard.press("k")
    page.keyboard.press("l")
    page.wait_for_timeout(200)
    assert audio(page, "paused")
    assert audio(page, "currentTime") == pytest.approx(start, abs=0.01)


def test_large_controls_mode_grows_the_targets(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    small = page.eval_on_selector("#back", "e => e.getBoundingClientRect().height")
    tab_to(page, "#large")
    page.keyboard.press("Space")
    large = page.eval_on_selector("#back", "e => e.getBoundingClientRect().height")
    assert large > small * 1.2
    page.reload()
    assert page.is_checked("#large")
