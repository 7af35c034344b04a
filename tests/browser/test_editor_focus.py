"""Back office: after every form submission focus goes to what happened (the message, the
first error, the new token) and the page title says it; containers have a role for their
name; without script no dead button and no empty player."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.editor_fixtures import NAME, PASSWORD, Office, office  # noqa: F401
from tests.browser.test_player_axe import RULES, violations
from tests.helpers import sample_text

pytestmark = pytest.mark.browser

SLUG = "bahnverkehr-gdl-kuendigt-neuen-warnstreik-an"


def landed(page: Any) -> dict[str, str]:
    """Return what has focus after the page loaded, and the page title."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.activeElement !== document.body")
    active = page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {id: e.id || e.tagName, text: e.textContent.replace(/\\s+/g, ' ').trim()}; })()"
    )
    return {**active, "title": page.title()}


def test_every_submission_moves_focus_to_what_happened(office: Office, page: Any) -> None:  # noqa: F811
    seen: dict[str, dict[str, str]] = {}
    button = lambda name: page.get_by_role("button", name=name, exact=True)  # noqa: E731

    page.goto(office.url + "/redaktion/anmelden")
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Passwort").fill("falsch")
    button("Anmelden").click()
    seen["Anmelden (falsch)"] = landed(page)
    page.get_by_label("Passwort").fill(PASSWORD)
    button("Anmelden").click()
    seen["Anmelden"] = landed(page)

    page.goto(office.url + "/redaktion/neuer-artikel")
    button("Artikel anlegen").click()
    seen["Neuer Artikel (leer)"] = landed(page)
    page.get_by_label("Artikeltext im Artikelformat").fill(sample_text("bahnstreik.txt"))
    button("Eingefügten Artikel anlegen").click()
    seen["Artikel einfügen"] = landed(page)
    button("Speichern (neue Fassung)").click()
    seen["Speichern ohne Änderung"] = landed(page)
    button("Veröffentlichen").click()
    seen["Veröffentlichen"] = landed(page)

    page.goto(office.url + "/redaktion/aussprache")
    button("Speichern").click()
    seen["Aussprache (leer)"] = landed(page)
    page.get_by_label("Geschrieben").fill("GDL")
    page.get_by_label("Gesprochen").fill("Ge De El")
    button("Speichern").click()
    seen["Aussprache speichern"] = landed(page)

    page.goto(office.url + "/redaktion/tokens")
    page.get_by_label("Name (wofür ist das Token?)").fill("Redaktionssystem")
    button("Token anlegen").click()
    seen["Token anlegen"] = landed(page)
    page.get_by_role("button", name=re.compile("widerrufen$")).first.click()
    seen["Token widerrufen"] = landed(page)

    page.goto(office.url + "/redaktion/")
    page.get_by_label("Nach Status filtern").select_option("failed")
    button("Filtern").click()
    seen["Filtern"] = landed(page)
    page.goto(office.url + "/redaktion/")
    button("Auswahl neu vertonen").click()
    seen["Auswahl neu vertonen (nichts gewählt)"] = landed(page)
    button("Abmelden").click()
    seen["Abmelden"] = landed(page)

    for what, found in seen.items():
        print(f"{what:38} -> Fokus {found['id']}: {found['text'][:50]!r} | {found['title']}")
    expected = {
        "Anmelden (falsch)": ("fehler", "Fehler: Anmelden"),
        "Anmelden": ("meldung", f"Angemeldet als {NAME}. – Übersicht"),
        "Neuer Artikel (leer)": ("fehler", "Fehler: Neuer Artikel"),
        "Artikel einfügen": ("meldung", "„Bahnverkehr: GDL kündigt neuen Warnstreik an“ angelegt"),
        "Speichern ohne Änderung": ("meldung", "Keine Änderung: Es wurde nichts gespeichert."),
        "Veröffentlichen": ("meldung", "Veröffentlicht"),
        "Aussprache (leer)": ("fehler", "Fehler: Aussprache"),
        "Aussprache speichern": ("meldung", "Gespeichert."),
        "Token anlegen": ("neues-token", "Neues Token „Redaktionssystem“ angelegt – API-Tokens"),
        "Token widerrufen": ("meldung", "Token „Redaktionssystem“ ist widerrufen."),
        "Filtern": ("DIV", "Übersicht: 0 Artikel mit Status „Fehlgeschlagen“"),
        "Auswahl neu vertonen (nichts gewählt)": ("meldung", "Keine Artikel ausgewählt"),
        "Abmelden": ("meldung", "Sie sind abgemeldet. – Anmelden"),
    }
    problems = {}
    for what, (focus, title) in expected.items():
        found = seen[what]
        ok_focus = found["id"] == focus or (focus == "DIV" and found["id"] in ("DIV", "P"))
        if not ok_focus or not found["title"].startswith(title):
            problems[what] = found
    assert problems == {}
    # The focused message is the message the title starts with.
    assert seen["Anmelden"]["text"] == f"Angemeldet als {NAME}."


def incomplete(page: Any) -> list[str]:
    options = {"runOnly": {"type": "tag", "values": RULES}, "resultTypes": ["incomplete"]}
    results = Axe().run(page, options=options)
    return [
        f"{item['id']}: {node['target'][0]}"
        for item in results.response["incomplete"]
        for node in item["nodes"]
        if node["target"] and any(t in node["target"][0] for t in ("fehler", "neues-token"))
    ]


def test_named_boxes_have_a_role_axe_can_check(office: Office, page: Any) -> None:  # noqa: F811
    page.goto(office.url + "/redaktion/anmelden")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_selector("#fehler")
    assert page.get_by_role("region", name="Bitte korrigieren").is_visible()
    found = {"Anmeldefehler": incomplete(page)}
    office.login(page)
    page.goto(office.url + "/redaktion/neuer-artikel")
    page.get_by_role("button", name="Artikel anlegen", exact=True).click()
    page.wait_for_selector("#fehler")
    found["Formularfehler"] = incomplete(page)
    page.goto(office.url + "/redaktion/tokens")
    page.get_by_label("Name (wofür ist das Token?)").fill("Prüfung")
    page.get_by_role("button", name="Token anlegen").click()
    page.wait_for_selector("#neues-token")
    assert page.get_by_role("region", name="Neues Token „Prüfung“").is_visible()
    found["Neues Token"] = incomplete(page)
    assert {k: v for k, v in found.items() if v} == {}
    assert violations(page) == []  # the page with the new token, too


def test_without_script_no_dead_button_or_empty_player(office: Office, browser: Any) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    office.login(page)
    page.goto(office.url + "/redaktion/aussprache")
    assert page.get_by_role("button", name="Speichern").is_visible()
    assert page.locator("[data-lexicon-preview]").is_hidden()  # needs the script
    assert page.locator("#lexikon-vorhoeren").is_hidden()
    page.goto(f"{office.url}/redaktion/artikel/{office.hostile}")
    assert page.locator("#vorhoeren").is_hidden()  # the links open the MP3 by themselves
    link = page.get_by_role("link", name="Satz 1 anhören")
    assert link.is_visible() and link.get_attribute("href").endswith(".mp3")
    context.close()
