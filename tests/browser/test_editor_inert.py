"""Script, event handlers and javascript: URLs in an article stay inert everywhere it appears."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.editor_fixtures import Office, editor_page, office  # noqa: F401

pytestmark = pytest.mark.browser


def test_hostile_article_is_inert_in_back_office_pages_and_feeds(
    office: Office,  # noqa: F811
    editor_page: Any,  # noqa: F811
) -> None:
    page = editor_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    slug = office.hostile
    paths = [
        "/redaktion/",
        f"/redaktion/artikel/{slug}",
        f"/redaktion/artikel/{slug}/loeschen",
        "/redaktion/protokoll",
        "/",
        f"/artikel/{slug}",
        "/feed.xml",
        "/feed/kurz.xml",
        f"/api/v1/articles/{slug}",
    ]
    # Let the render finish so the public page and feeds show the article too.
    page.goto(office.url + "/redaktion/")
    page.locator(f"[data-status-for='{slug}']").filter(has_text="Fertig").wait_for(timeout=60_000)
    for path in paths:
        page.goto(office.url + path)
        page.mouse.move(10, 10)
        page.mouse.move(200, 200)
        assert page.evaluate("typeof window.pwned") == "undefined", path
        # No element from the article's text became markup.
        for selector in (
            "main script:not([src]):not([type='application/json'])",
            "main iframe",
            "main svg[onload]",
            "[onerror]",
            "[onmouseover]",
        ):
            assert page.locator(selector).count() == 0, (path, selector)
        assert page.locator("a[href^='javascript:']").count() == 0, path
    assert dialogs == []
    # The text is still shown, as text.
    page.goto(office.url + f"/redaktion/artikel/{slug}")
    assert "<script>window.pwned=1</script>" in page.locator("h1").inner_text()
