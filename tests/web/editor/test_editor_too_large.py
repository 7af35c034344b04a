"""Too-long texts in the back office keep the editor's input and name the limit (#10, item 11).

The forms used to die at MAX_CONTENT_LENGTH with a bare 413 page: the pasted text was gone and
the page did not say how much is allowed.
"""

from __future__ import annotations

import html
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from audionews.db import db
from audionews.models import Article
from tests.helpers import SHORT_ARTICLE, sample_text

LIMIT_KB = 200  # AUDIONEWS_MAX_ARTICLE_BYTES' default, 200000


def long_text(size: int) -> str:
    """Return an article in the text format of about `size` bytes."""
    sentence = "Der Satz wiederholt sich, damit der Text lang wird. "
    body = "\n\n".join(sentence * 20 for _ in range(size // (len(sentence) * 20) + 1))
    return f"Sehr lange Meldung\n**In Kürze:**\nKurz.\n**Hauptartikel:**\n{body}\n"


def count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Article)) or 0)


def test_a_too_long_paste_keeps_the_text_and_names_the_limit(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    text = long_text(300_000)
    response = editor_client.post(
        "/redaktion/neuer-artikel/einfuegen",
        data={"text": text, "csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"höchstens {LIMIT_KB} kB" in page
    assert f"{-(-len(text.encode()) // 1000)} kB groß" in page
    assert html.escape(text, quote=False).strip() in page  # the whole text is still there
    assert count(sqlite_app) == 0


def test_a_too_long_form_and_edit_keep_the_input(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    csrf = editor_client.csrf  # type: ignore[attr-defined]
    body = "Ein Satz im Hauptartikel. " * 10_000  # 260 kB
    values = {"title": "Lang", "summary": "Kurz.", "body": body, "links": "", "csrf_token": csrf}
    response = editor_client.post("/redaktion/neuer-artikel", data=values)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"höchstens {LIMIT_KB} kB" in page and body.strip() in page
    assert count(sqlite_app) == 0

    created = editor_client.post(
        "/redaktion/neuer-artikel", data=values | {"body": SHORT_ARTICLE["body"]}
    )
    assert created.status_code == 302
    slug = created.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    response = editor_client.post(f"/redaktion/artikel/{slug}", data=values | {"revision": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"höchstens {LIMIT_KB} kB" in page and body.strip() in page
    with sqlite_app.app_context():
        assert db.session.scalar(select(Article.revision).where(Article.slug == slug)) == 1


def test_far_too_much_gets_a_413_that_names_the_limit(editor_client: FlaskClient) -> None:
    response = editor_client.post(
        "/redaktion/neuer-artikel/einfuegen",
        data={"text": "x" * 2_000_000, "csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'lang="de"' in page and f"ein Artikel darf höchstens {LIMIT_KB} kB haben" in page


def test_several_files_may_together_exceed_one_articles_limit(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    files = [
        (io.BytesIO(long_text(150_000).replace("Sehr lange", f"Lange {n}").encode()), f"{n}.txt")
        for n in range(3)
    ]
    response = editor_client.post(
        "/redaktion/neuer-artikel/hochladen",
        data={"files": files, "csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert count(sqlite_app) == 3


def test_the_api_names_the_limit(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/articles", data=long_text(250_000), content_type="text/plain", headers=auth
    )
    assert response.status_code == 413
    assert f"{LIMIT_KB} kB" in response.get_json()["message"]
    response = client.post(
        "/api/v1/articles", data=long_text(600_000), content_type="text/plain", headers=auth
    )
    assert response.status_code == 413
    assert f"ein Artikel darf höchstens {LIMIT_KB} kB haben" in response.get_json()["message"]


def test_a_normal_paste_still_works(sqlite_app: Flask, editor_client: FlaskClient) -> None:
    response = editor_client.post(
        "/redaktion/neuer-artikel/einfuegen",
        data={"text": sample_text(), "csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    )
    assert response.status_code == 302
    assert count(sqlite_app) == 1
