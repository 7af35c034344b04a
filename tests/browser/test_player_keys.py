"""Keys (WCAG 2.1.4): arrows act only in the sliders, letters only when the listener turns
them on, and the list of keys says what each one really does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import QueueSite, Site
from tests.browser.listening import focused

pytestmark = pytest.mark.browser

LETTERS = ["k", "j", "l", "m", "n", "v", "Space"]
ARROWS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"]
STATE = """(id) => { const a = document.getElementById(id);
  return {paused: a.paused, t: Math.round(a.currentTime * 100) / 100, muted: a.muted,
          volume: a.volume, src: a.getAttribute('src')}; }"""
STOP = """(() => { const e = document.activeElement;
  return {tag: e.tagName, type: e.type || '', id: e.id, cls: e.className}; })()"""


def press_everywhere(page: Any, audio: str) -> list[str]:
    """Tab through the page pressing letters (and arrows outside sliders and menus) at every
    stop; return the stops where that changed the audio."""
    before = page.evaluate(STATE, audio)
    changed = []
    for _ in range(80):
        page.keyboard.press("Tab")
        stop = page.evaluate(STOP)
        if stop["tag"] == "BODY":
            break
        if stop["tag"] == "AUDIO":
            continue  # a native player's own keys are the browser's
        keys = [k for k in LETTERS if k != "Space" or stop["tag"] not in ("BUTTON", "A", "SUMMARY")]
        # Space is the activation key of checkboxes, radios and the transcript's sentences.
        keys = [k for k in keys if k != "Space" or stop["type"] not in ("checkbox", "radio")]
        keys = [k for k in keys if k != "Space" or stop["cls"] != "s"]
        if stop["type"] not in ("range", "radio") and stop["tag"] != "SELECT":
            keys += ARROWS
        for key in keys:
            if key == "Space" and stop["type"] == "range":
                continue  # Space in the position slider is play/pause: a slider's own key
            page.keyboard.press(key)
        page.wait_for_timeout(50)
        if page.evaluate(STATE, audio) != before:
            changed.append(f"{stop} -> {page.evaluate(STATE, audio)}")
            page.evaluate(
                "([id, s]) => { const a = document.getElementById(id); a.pause();"
                " a.currentTime = s.t; a.muted = s.muted; a.volume = s.volume; }",
                [audio, before],
            )
    else:
        raise AssertionError("focus never left the page")
    return changed


def test_without_turning_them_on_no_key_acts_outside_a_slider(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    page.evaluate("document.getElementById('audio').currentTime = 30")
    page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert not page.is_checked("#letters")
    assert press_everywhere(page, "audio") == []


def test_without_turning_them_on_no_key_acts_in_the_queue(queue_site: QueueSite, page: Any) -> None:
    page.goto(queue_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert press_everywhere(page, "q-audio") == []
    assert page.get_attribute("#q-audio", "src") is None  # nothing was even put in place


def test_arrows_on_play_do_not_seek(site: Site, page: Any) -> None:
    # The audit: ArrowLeft on Play jumped back 5 s.
    page.goto(site.article_url())
    page.evaluate("document.getElementById('audio').currentTime = 30")
    page.focus("#play")
    for key in ARROWS:
        page.keyboard.press(key)
    page.wait_for_timeout(100)
    state = page.evaluate(STATE, "audio")
    assert state["t"] == 30 and state["volume"] == 1


def seek_to(page: Any, seconds: float) -> None:
    page.evaluate("(t) => { document.getElementById('audio').currentTime = t; }", seconds)
    page.wait_for_function(
        "(t) => Math.abs(document.getElementById('audio').currentTime - t) < 0.01", arg=seconds
    )


def test_the_list_says_what_the_keys_do(site: Site, page: Any) -> None:
    page.goto(site.article_url())
    page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
    page.evaluate("document.getElementById('audio').muted = true")
    page.click("summary")
    listed = " ".join(page.text_content("details.keys").split())
    rows = page.eval_on_selector_all(
        "details.keys dl div",
        "els => els.map((d) => ['dt', 'dd'].map((t) => d.querySelector(t).textContent))",
    )

    def says(key: str, effect: str) -> bool:
        return any(
            key in " ".join(dt.split()) and " ".join(dd.split()) == effect for dt, dd in rows
        )

    end = page.evaluate("document.getElementById('audio').duration")
    # (the key as listed, what the list says, key pressed in the position slider, from, to)
    in_slider = [
        ("Pfeil links", "5 Sekunden zurück", "ArrowLeft", 40, 35),
        ("Pfeil runter", "5 Sekunden zurück", "ArrowDown", 40, 35),
        ("Pfeil rechts", "5 Sekunden vor", "ArrowRight", 40, 45),
        ("Pfeil hoch", "5 Sekunden vor", "ArrowUp", 40, 45),
        ("Bild ↓ / Bild ↑", "1 Minute zurück / vor", "PageDown", 70, 10),
        ("Bild ↓ / Bild ↑", "1 Minute zurück / vor", "PageUp", 10, 70),
        ("Pos1 / Ende", "zum Anfang / zum Ende", "Home", 40, 0),
        ("Pos1 / Ende", "zum Anfang / zum Ende", "End", 40, end),
    ]
    assert end > 70
    assert listed.startswith("Tastenkürzel Im Positionsregler:")
    for name, effect, key, start, expected in in_slider:
        assert says(name, effect), (name, effect)
        seek_to(page, start)
        page.focus("#seek")
        page.keyboard.press(key)
        page.wait_for_function(
            "(t) => Math.abs(document.getElementById('audio').currentTime - t) < 0.01",
            arg=expected,
        )
    assert says("Leertaste", "Abspielen oder Pause")
    seek_to(page, 10)
    page.focus("#seek")
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.getElementById('audio').paused")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('audio').paused")
    assert "Im Lautstärkeregler: die Pfeiltasten machen lauter oder leiser." in listed
    page.focus("#volume")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.getElementById('audio').volume") == pytest.approx(0.95)
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.getElementById('audio').volume") == pytest.approx(1)

    # The letters, once turned on (and remembered).
    assert says("K", "Abspielen oder Pause")
    assert says("J / L", "15 Sekunden zurück / vor")
    assert says("V / N", "vorheriges / nächstes Kapitel")
    assert says("M", "Stumm schalten oder Ton an")
    page.check("#letters")
    page.reload()
    assert page.is_checked("#letters")
    chapters = site.rendition()["chapters"]
    seek_to(page, 30)
    page.focus("#play")
    page.keyboard.press("j")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('audio').currentTime - 15) < 0.01"
    )
    page.keyboard.press("l")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('audio').currentTime - 30) < 0.01"
    )
    seek_to(page, chapters["summary"] + 1)
    page.focus("#play")
    page.keyboard.press("n")
    page.wait_for_function(
        "(t) => Math.abs(document.getElementById('audio').currentTime - t) < 0.01",
        arg=chapters["body"],
    )
    page.keyboard.press("v")  # just after a chapter's start: the one before
    page.wait_for_function(
        "(t) => Math.abs(document.getElementById('audio').currentTime - t) < 0.01",
        arg=chapters["summary"],
    )
    page.keyboard.press("m")
    assert page.evaluate("document.getElementById('audio').muted")
    page.keyboard.press("k")
    page.wait_for_function("() => !document.getElementById('audio').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => document.getElementById('audio').paused")
    # Still only inside the player: not in the speed menu, not in the transcript.
    t = page.evaluate("document.getElementById('audio').currentTime")
    page.focus("#rate")
    page.keyboard.press("l")
    page.focus(".s[tabindex='0']")
    page.keyboard.press("l")
    page.keyboard.press("k")
    page.wait_for_timeout(100)
    assert page.evaluate("document.getElementById('audio').currentTime") == pytest.approx(t)
    assert page.evaluate("document.getElementById('audio').paused")


def test_letters_turned_on_work_in_the_queue_too(queue_site: QueueSite, page: Any) -> None:
    page.goto(queue_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    page.click("#q-controls summary")
    page.check("#q-letters")
    page.focus("#q-play")
    page.keyboard.press("n")
    page.wait_for_function(
        "(t) => document.getElementById('q-status').textContent.trim() === t",
        arg=queue_site.titles()[1],
    )
    page.keyboard.press("v")
    page.wait_for_function(
        "(t) => document.getElementById('q-status').textContent.trim() === t",
        arg=queue_site.titles()[0],
    )
    assert focused(page)["id"] == "q-play"
