"""axe-core finds nothing on any back-office page, in light and dark mode, with errors shown."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.editor_fixtures import Office, editor_page, office  # noqa: F401
from tests.browser.test_player_axe import violations

pytestmark = pytest.mark.browser

PAGES = [
    "/redaktion/",
    "/redaktion/neuer-artikel",
    "/redaktion/aussprache",
    "/redaktion/tokens",
    "/redaktion/protokoll",
    "/redaktion/nachrichten-des-tages",
    "/redaktion/nachrichten-des-tages?tag=gestern",  # with an error
]


def test_login_page_and_its_errors(office: Office, page: Any) -> None:  # noqa: F811
    page.goto(office.url + "/redaktion/anmelden")
    assert violations(page) == []
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_selector("#fehler")
    assert violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_back_office_pages(office: Office, editor_page: Any, scheme: str) -> None:  # noqa: F811
    page = editor_page
    page.emulate_media(color_scheme=scheme)
    found = {}
    for path in [*PAGES, f"/redaktion/artikel/{office.hostile}"]:
        page.goto(office.url + path)
        found[path] = violations(page)
    # Forms with errors shown.
    page.goto(office.url + "/redaktion/neuer-artikel")
    page.get_by_role("button", name="Artikel anlegen", exact=True).click()
    page.wait_for_selector("#fehler")
    found["neu mit Fehlern"] = violations(page)
    page.goto(office.url + "/redaktion/aussprache")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_selector("#fehler")
    found["aussprache mit Fehlern"] = violations(page)
    page.goto(office.url + f"/redaktion/artikel/{office.hostile}/loeschen")
    found["loeschen"] = violations(page)
    assert {k: v for k, v in found.items() if v} == {}
