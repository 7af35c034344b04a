"""One announcement per action: what a screen reader hears for each control, recorded from the
live regions and from the focused control's name, state and value."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import QueueSite, Site
from tests.browser.listening import LIVE_RECORDER, announcements

pytestmark = pytest.mark.browser


def test_each_action_on_the_article_player_is_announced_once(site: Site, page: Any) -> None:
    page.add_init_script(LIVE_RECORDER)
    page.goto(site.article_url())
    page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
    press = page.keyboard.press
    audio = "document.getElementById('audio')"
    # (control, action, key): focus first (not counted), then the key is the action.
    actions = [
        ("#play", "Abspielen (Eingabe)", "Enter"),
        ("#play", "Pause (Leertaste)", "Space"),
        ("#back", "15 Sek. zurück", "Enter"),
        ("#fwd", "15 Sek. vor", "Enter"),
        ("#seek", "Positionsregler Pfeil rechts", "ArrowRight"),
        ("#seek", "Positionsregler Leertaste (Wiedergabe)", "Space"),
        ("#seek", "Positionsregler Leertaste (Pause)", "Space"),
        ("#rate", "Tempo Pfeil runter", "ArrowDown"),
        ("#mute", "Stumm", "Enter"),
        ("#mute", "Ton an", "Enter"),
        ("#volume", "Lautstärke Pfeil runter", "ArrowDown"),
        ("#next-chapter", "Nächstes Kapitel", "Enter"),
        ("#prev-chapter", "Vorheriges Kapitel", "Enter"),
        (".chapter[data-label='Hauptartikel']", "Kapitel Hauptartikel", "Enter"),
        ("#large", "Große Bedienelemente", "Space"),
        ("a[data-seek]", "Kapitelzeit im Text", "Enter"),
        (".s[tabindex='0']", "Satz im Text (Eingabe)", "Enter"),
    ]
    heard = {}
    for selector, name, key in actions:
        page.focus(selector)
        page.wait_for_timeout(100)
        heard[name] = announcements(page, lambda key=key: press(key))
        print(f"{name:40} -> {heard[name]}")
        if name.endswith("(Wiedergabe)") or name.startswith("Abspielen"):
            page.wait_for_function(f"() => !{audio}.paused")
    too_many = {name: said for name, said in heard.items() if len(said) != 1}
    assert too_many == {}
    assert heard["Abspielen (Eingabe)"] == ["[Fokus] Pause"]
    assert heard["Pause (Leertaste)"] == ["[Fokus] Abspielen"]
    assert heard["15 Sek. zurück"] == ["15 Sekunden zurück"]
    assert heard["Positionsregler Leertaste (Wiedergabe)"] == ["Wiedergabe"]
    assert heard["Positionsregler Leertaste (Pause)"] == ["Pause"]
    assert heard["Stumm"] == ["[Fokus] Stumm (gedrückt)"]
    assert heard["Ton an"] == ["[Fokus] Stumm (nicht gedrückt)"]
    assert heard["Tempo Pfeil runter"] == ["[Fokus] Tempo: 1.25"]
    assert heard["Kapitel Hauptartikel"] == ["Kapitel Hauptartikel"]
    assert heard["Kapitelzeit im Text"] == ["Kapitel In Kürze"]


def test_resume_is_announced_by_the_focus_it_moves(site: Site, page: Any) -> None:
    page.add_init_script(LIVE_RECORDER)
    page.goto(site.article_url())
    page.locator("#seek").fill("41")
    page.reload()
    page.wait_for_function("() => document.getElementById('audio').readyState >= 1")
    page.evaluate("document.getElementById('audio').muted = true")
    assert page.evaluate("window.__live") == []  # nothing said while the page loads
    page.focus("#resume")
    assert page.text_content("#resume") == "Weiterhören ab 0:41"
    heard = announcements(page, lambda: page.keyboard.press("Enter"))
    assert heard == ["[Fokus] Pause"]


def test_each_action_on_the_queue_is_announced_once(queue_site: QueueSite, page: Any) -> None:
    page.add_init_script(LIVE_RECORDER)
    page.goto(queue_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    page.evaluate("document.getElementById('q-audio').muted = true")
    titles = queue_site.titles()
    press = page.keyboard.press
    heard = {}
    for selector, name, key in [
        ("#q-next", "Nächster Beitrag", "Enter"),
        ("#q-prev", "Vorheriger Beitrag", "Enter"),
        ("#q-mode-summary", "Was hören: Pfeil runter", "ArrowDown"),
        ("#q-mode-whole", "Was hören: Pfeil hoch", "ArrowUp"),
        ("#q-auto", "Automatisch weiter", "Space"),
        ("#q-auto", "Automatisch weiter (wieder an)", "Space"),
        ("#q-rate", "Tempo Pfeil runter", "ArrowDown"),
        ("#ab-2", "Ab hier hören (2. Beitrag)", "Enter"),
        ("#q-play", "Pause", "Enter"),
    ]:
        page.focus(selector)
        page.wait_for_timeout(100)
        heard[name] = announcements(page, lambda key=key: press(key))
        print(f"{name:40} -> {heard[name]}")
    assert {name: said for name, said in heard.items() if len(said) != 1} == {}
    assert heard["Nächster Beitrag"] == [titles[1]]
    assert heard["Vorheriger Beitrag"] == [titles[0]]
    assert heard["Ab hier hören (2. Beitrag)"] == [titles[1]]
    assert heard["Pause"] == ["[Fokus] Abspielen"]
    assert heard["Was hören: Pfeil runter"] == ["[Fokus] Ganze Beiträge (ausgewählt)"]
    # Play on a fresh queue: the button's new name, and the title of the article that starts
    # (the title is how a listener learns what plays; announced once, as each article starts).
    page.reload()
    page.wait_for_selector("#q-play", state="visible")
    page.evaluate("document.getElementById('q-audio').muted = true")
    page.focus("#q-play")
    assert announcements(page, lambda: press("Enter")) == ["[Fokus] Pause", titles[0]]
