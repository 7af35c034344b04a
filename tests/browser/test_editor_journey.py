"""A new editor's first article, in a real browser: log in, paste, watch it render, correct a
sentence, hear the preview, publish."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.editor_fixtures import Office, editor_page, office  # noqa: F401
from tests.helpers import sample_text

pytestmark = pytest.mark.browser

SLUG = "bahnverkehr-gdl-kuendigt-neuen-warnstreik-an"


def test_editor_journey(office: Office, editor_page: Any) -> None:  # noqa: F811
    page = editor_page
    page.get_by_role("link", name="Neuer Artikel").click()
    page.get_by_label("Artikeltext im Artikelformat").fill(sample_text("bahnstreik.txt"))
    page.get_by_role("button", name="Eingefügten Artikel anlegen").click()
    page.wait_for_url(re.compile(f"/redaktion/artikel/{SLUG}$"))
    assert page.get_by_role("status").inner_text().startswith("„Bahnverkehr")

    # The status updates by itself (no reload), while focus stays where it was.
    page.get_by_label("Titel").focus()
    status = page.locator(f"[data-status-for='{SLUG}']")
    status.filter(has_text=re.compile("^Fertig")).wait_for(timeout=60_000)
    assert page.evaluate("document.activeElement.id") == "f-title"

    # Correct one sentence of the body.
    body = page.get_by_label("Hauptartikel")
    text = body.input_value()
    first_sentence = text.split(". ", 1)[0]
    body.fill(text.replace(first_sentence, first_sentence + " am Montag", 1))
    page.get_by_role("button", name="Speichern (neue Fassung)").click()
    assert "Fassung 2 gespeichert" in page.get_by_role("status").inner_text()
    status.filter(has_text=re.compile("^Fertig")).wait_for(timeout=60_000)

    # Hear the preview of one sentence: the audio element plays the MP3.
    with page.expect_response(re.compile(r"/satz/\d+\.mp3")) as info:
        page.get_by_role("link", name="Satz 2 anhören").click()
    assert info.value.status == 200
    assert info.value.headers["content-type"] == "audio/mpeg"
    page.wait_for_function(
        "() => { const a = document.getElementById('vorhoeren'); return a.duration > 0; }"
    )

    # Publish: now the public page exists.
    page.get_by_role("button", name="Veröffentlichen").click()
    assert "Veröffentlicht" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Öffentliche Seite").click()
    page.wait_for_url(re.compile(f"/artikel/{SLUG}$"))
    assert "am Montag" in page.locator("main").inner_text()

    # The dashboard says it all, and the audit log knows who did it.
    page.goto(office.url + "/redaktion/")
    row = page.get_by_role("row").filter(has_text="Bahnverkehr")
    assert "Fertig (espeak" in row.inner_text() and "redakteurin" in row.inner_text()
    page.get_by_role("link", name="Protokoll").click()
    log = page.locator("main").inner_text()
    assert "angelegt" in log and "bearbeitet" in log and "veröffentlicht" in log


def test_keyboard_only_login_and_error_focus(office: Office, page: Any) -> None:  # noqa: F811
    page.goto(office.url + "/redaktion/anmelden", wait_until="load")
    page.wait_for_selector("#f-name", state="visible")
    # Focus starts at the document (on a loaded machine a Tab pressed before the page is
    # ready may land elsewhere): wait until nothing inside the page has focus.
    page.wait_for_function("() => document.activeElement === document.body")
    stops = []
    for _ in range(3):  # the skip link, the header's home link, then the first field
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
    assert stops[-1] == "f-name", stops
    page.keyboard.type("redakteurin")
    page.keyboard.press("Tab")
    page.keyboard.type("falsch")
    page.keyboard.press("Enter")
    page.wait_for_selector("#fehler")
    # The error summary takes focus (as the page's script starts); its link leads to the field.
    page.wait_for_function("() => document.activeElement.id === 'fehler'", timeout=10_000)
    assert page.get_by_label("Passwort").get_attribute("aria-describedby") == "e-password"
