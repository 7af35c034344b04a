"""The back office follows the API's identity rules and refuses files that are no articles.

Issue 10, items 1 and 11: two different titles whose slugs agree are two articles; a text
without „In Kürze“ and „Hauptartikel“ (a CSV, say) is refused with a sentence, nothing stored.
"""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import select

from audionews.db import db
from audionews.models import Article
from tests.web.editor.conftest import login, make_editor
from tests.web.test_api_identity import TITLE_A, TITLE_B

CSV = b"title,summary,body\nBahnstreik,Die GDL streikt.,Ab Montag fahren weniger Zuege.\n"


def _titles(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(select(Article.slug, Article.title))]  # type: ignore[misc]


def _text(title: str) -> str:
    return f"{title}\n**In Kürze:**\nKurz. Knapp.\n**Hauptartikel:**\nLang. Länger.\n"


def test_alike_titles_become_two_articles_by_form_paste_and_upload(app: Flask) -> None:
    make_editor(app)
    client = app.test_client()
    token = login(client)
    form = {"summary": "Kurz. Knapp.", "body": "Lang.", "links": "", "csrf_token": token}
    assert (
        client.post("/redaktion/neuer-artikel", data={**form, "title": TITLE_A}).status_code == 302
    )
    paste = client.post(
        "/redaktion/neuer-artikel/einfuegen", data={"text": _text(TITLE_B), "csrf_token": token}
    )
    # Before: „Es gibt schon einen Artikel mit diesem Titel“ for a title no article had.
    assert paste.status_code == 302, paste.get_data(as_text=True)
    files = [
        (io.BytesIO(_text(f"{TITLE_A[:-6]}Haubitzen").encode()), "c.txt"),
        (io.BytesIO(_text(f"{TITLE_A[:-6]}Munition").encode()), "d.txt"),
    ]
    upload = client.post(
        "/redaktion/neuer-artikel/hochladen",
        data={"files": files, "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302, upload.get_data(as_text=True)
    stored = _titles(app)
    assert len(stored) == 4 and len({slug for slug, _ in stored}) == 4
    assert {title for _, title in stored} >= {TITLE_A, TITLE_B}
    # The identical title is still refused: that article exists, edit it instead.
    again = client.post("/redaktion/neuer-artikel", data={**form, "title": TITLE_B})
    assert again.status_code == 400 and "schon einen Artikel" in again.get_data(as_text=True)
    assert len(_titles(app)) == 4


def test_a_csv_is_refused_by_paste_and_upload(app: Flask) -> None:
    make_editor(app)
    client = app.test_client()
    token = login(client)
    paste = client.post(
        "/redaktion/neuer-artikel/einfuegen", data={"text": CSV.decode(), "csrf_token": token}
    )
    page = paste.get_data(as_text=True)
    assert paste.status_code == 400
    assert "„In Kürze“" in page and "„Hauptartikel“" in page and "fehlen" in page
    assert "Bahnstreik,Die GDL streikt." in page, "the pasted text is kept"
    upload = client.post(
        "/redaktion/neuer-artikel/hochladen",
        data={"files": [(io.BytesIO(CSV), "artikel.csv")], "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 400
    assert "artikel.csv: Dem Text fehlen" in upload.get_data(as_text=True)
    assert _titles(app) == []
