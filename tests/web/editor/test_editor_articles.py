"""Articles in the back office: create three ways, bad input, edits, conflicts, publish, delete."""

from __future__ import annotations

import io
import time
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from audionews.db import db
from audionews.models import Article, AuditEvent
from tests.helpers import SHORT_ARTICLE, sample_text
from tests.web.editor.conftest import login, make_editor
from tests.web.editor.helpers_editor import (
    article,
    counting_synthesis,
    latest_rendition,
    run_queued,
)

SLUG = "kurzmeldung-testlauf"
FORM = {**SHORT_ARTICLE, "links": "Beispiel | https://example.org/"}


def _count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Article)) or 0)


def _create(client: FlaskClient) -> None:
    response = client.post("/redaktion/neuer-artikel", data={**FORM, "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert response.status_code == 302, response.get_data(as_text=True)


def test_form_errors_name_the_field_keep_the_input_and_store_nothing(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    bad = {**FORM, "title": "", "links": "Quelle | javascript:alert(1)"}
    response = editor_client.post(
        "/redaktion/neuer-artikel",
        data={**bad, "csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Der Titel fehlt." in page and 'id="e-title"' in page
    assert 'aria-describedby="e-title"' in page
    assert "Das ist ein kurzer Test." in page  # the summary the editor typed
    assert _count(sqlite_app) == 0
    bad = {**FORM, "links": "Quelle | javascript:alert(1)"}
    page = editor_client.post(
        "/redaktion/neuer-artikel",
        data={**bad, "csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
    ).get_data(as_text=True)
    assert "keine http(s)-Adresse" in page and 'aria-describedby="h-links e-links"' in page
    assert _count(sqlite_app) == 0


def test_paste_and_upload_create_unpublished_articles(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    token = editor_client.csrf  # type: ignore[attr-defined]
    response = editor_client.post(
        "/redaktion/neuer-artikel/einfuegen", data={"text": sample_text(), "csrf_token": token}
    )
    assert response.status_code == 302
    again = editor_client.post(
        "/redaktion/neuer-artikel/einfuegen", data={"text": sample_text(), "csrf_token": token}
    )
    assert again.status_code == 400 and "schon einen Artikel" in again.get_data(as_text=True)
    # Several files at once; one bad file stores nothing.
    files = [
        (io.BytesIO(sample_text("energiepreise.txt").encode()), "energie.txt"),
        (io.BytesIO(b"\xff\xfe kaputt"), "kaputt.txt"),
    ]
    bad = editor_client.post(
        "/redaktion/neuer-artikel/hochladen",
        data={"files": files, "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "kaputt.txt: Die Datei ist kein UTF-8-Text." in bad.get_data(as_text=True)
    assert _count(sqlite_app) == 1
    files = [
        (io.BytesIO(sample_text("energiepreise.txt").encode()), "energie.txt"),
        (io.BytesIO(sample_text("000_a20df5a97d7413b8.txt").encode()), "zwei.txt"),
    ]
    good = editor_client.post(
        "/redaktion/neuer-artikel/hochladen",
        data={"files": files, "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    assert _count(sqlite_app) == 3
    with sqlite_app.app_context():
        assert not any(a.published for a in db.session.scalars(select(Article)))
        assert {a.updated_by for a in db.session.scalars(select(Article))} == {"anna"}


def test_edit_resynthesizes_only_the_changed_sentence(
    sqlite_app: Flask, editor_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _create(editor_client)
    assert run_queued(sqlite_app) == ["ready"]
    first = latest_rendition(sqlite_app, SLUG)
    edited = {**FORM, "body": FORM["body"].replace("kühl", "kalt"), "revision": "1"}
    with counting_synthesis(monkeypatch) as spoken:
        response = editor_client.post(
            f"/redaktion/artikel/{SLUG}",
            data={**edited, "csrf_token": editor_client.csrf},  # type: ignore[attr-defined]
        )
        assert response.status_code == 302
        assert run_queued(sqlite_app) == ["ready"]
    assert spoken == ["Im Herbst ist es kalt."]
    second = latest_rendition(sqlite_app, SLUG)
    assert second.revision == 2 and second.synthesized == 1 and second.files != first.files
    assert article(sqlite_app, SLUG).updated_by == "anna"


def test_second_editor_is_told_the_article_changed(app: Flask) -> None:
    make_editor(app, "anna")
    make_editor(app, "bert")
    anna, bert = app.test_client(), app.test_client()
    token_a, token_b = login(anna, "anna"), login(bert, "bert")
    anna.post("/redaktion/neuer-artikel", data={**FORM, "csrf_token": token_a})
    # Both open revision 1; Anna saves first.
    anna_form = {
        **FORM,
        "title": "Kurzmeldung: Testlauf",
        "summary": "Annas Fassung.",
        "revision": "1",
    }
    bert_form = {**FORM, "summary": "Berts Fassung.", "revision": "1"}
    assert (
        anna.post(
            f"/redaktion/artikel/{SLUG}", data={**anna_form, "csrf_token": token_a}
        ).status_code
        == 302
    )
    response = bert.post(f"/redaktion/artikel/{SLUG}", data={**bert_form, "csrf_token": token_b})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Der Artikel wurde inzwischen geändert (jetzt Fassung 2)" in page
    assert "Berts Fassung." in page  # his text is kept in the form
    assert "Inzwischen gespeichert: Fassung 2 von anna" in page
    stored = article(app, SLUG)
    assert stored.revision == 2 and stored.summary == "Annas Fassung."
    # Having seen it, Bert can save on top of revision 2 on purpose.
    bert_form["revision"] = "2"
    assert (
        bert.post(
            f"/redaktion/artikel/{SLUG}", data={**bert_form, "csrf_token": token_b}
        ).status_code
        == 302
    )
    assert article(app, SLUG).summary == "Berts Fassung."


def _published_at(app: Flask) -> datetime | None:
    with app.app_context():
        return db.session.scalar(select(Article.published_at).where(Article.slug == SLUG))


def test_preview_publish_unpublish_and_delete(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    token = editor_client.csrf  # type: ignore[attr-defined]
    _create(editor_client)
    # Hear one sentence before anything is rendered or published.
    audio = editor_client.get(f"/redaktion/artikel/{SLUG}/satz/1.mp3")
    assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
    assert audio.data[:3] == b"ID3" or audio.data[0] == 0xFF
    assert editor_client.get(f"/redaktion/artikel/{SLUG}/satz/999.mp3").status_code == 404
    assert run_queued(sqlite_app) == ["ready"]
    public = sqlite_app.test_client()
    assert public.get(f"/artikel/{SLUG}").status_code == 404  # not yet published
    assert _published_at(sqlite_app) is None
    editor_client.post(
        f"/redaktion/artikel/{SLUG}/veroeffentlichen", data={"published": "1", "csrf_token": token}
    )
    assert public.get(f"/artikel/{SLUG}").status_code == 200
    assert _published_at(sqlite_app) is not None  # this fixes its news day
    assert SLUG in public.get("/feed.xml").get_data(as_text=True) or "Testlauf" in public.get(
        "/feed.xml"
    ).get_data(as_text=True)
    editor_client.post(
        f"/redaktion/artikel/{SLUG}/veroeffentlichen", data={"published": "0", "csrf_token": token}
    )
    assert public.get(f"/artikel/{SLUG}").status_code == 404
    time.sleep(1.1)  # a built feed is reused for FEED_RECHECK_SECONDS
    assert "Testlauf" not in public.get("/feed.xml").get_data(as_text=True)
    # Delete: the row and its files go.
    files = latest_rendition(sqlite_app, SLUG).files.values()
    media = Path(sqlite_app.config["AUDIONEWS"]["MEDIA_DIR"])
    assert all((media / name).exists() for name in files)
    response = editor_client.post(f"/redaktion/artikel/{SLUG}/loeschen", data={"csrf_token": token})
    assert response.status_code == 302
    assert _count(sqlite_app) == 0
    assert not any((media / name).exists() for name in files)
    with sqlite_app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["login", "create", "publish", "unpublish", "delete"]
    log = editor_client.get("/redaktion/protokoll").get_data(as_text=True)
    assert "veröffentlicht" in log and "gelöscht" in log and "anna" in log


def test_dashboard_shows_status_filters_and_rerenders(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    token = editor_client.csrf  # type: ignore[attr-defined]
    _create(editor_client)
    page = editor_client.get("/redaktion/").get_data(as_text=True)
    assert "In der Warteschlange" in page and "von anna" in page
    run_queued(sqlite_app)
    page = editor_client.get("/redaktion/?status=ready").get_data(as_text=True)
    assert "Fertig (espeak, gesamt" in page
    assert "Keine Artikel mit diesem Status" in editor_client.get(
        "/redaktion/?status=failed"
    ).get_data(as_text=True)
    status = editor_client.get("/redaktion/status.json").get_json()
    assert status["articles"][0]["status"] == "ready"
    response = editor_client.post(
        "/redaktion/vertonen", data={"umfang": "auswahl", "csrf_token": token}
    )
    assert "Keine Artikel ausgewählt" in editor_client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    editor_client.post(
        "/redaktion/vertonen", data={"umfang": "auswahl", "slug": SLUG, "csrf_token": token}
    )
    assert (
        editor_client.get("/redaktion/status.json").get_json()["articles"][0]["status"] == "queued"
    )
    assert run_queued(sqlite_app) == ["ready"]
    assert latest_rendition(sqlite_app, SLUG).synthesized == 0  # everything came from the cache


def test_edit_page_shows_what_will_be_said_and_what_to_check(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    token = editor_client.csrf  # type: ignore[attr-defined]
    form = {
        **FORM,
        "body": "Am 3. Oktober kostete es 1.850 €. Die XYZQ prüft das.",
        "csrf_token": token,
    }
    assert editor_client.post("/redaktion/neuer-artikel", data=form).status_code == 302
    page = editor_client.get(f"/redaktion/artikel/{SLUG}").get_data(as_text=True)
    assert "Gesprochen:" in page
    assert "Am dritten Oktober" in page and "eintausendachthundertfünfzig Euro" in page
    assert "Bitte prüfen:</strong> XYZQ" in page


@pytest.mark.parametrize("title", ["Neu", "Einfügen", "Hochladen"])
def test_articles_named_like_actions_can_be_edited(editor_client: FlaskClient, title: str) -> None:
    token = editor_client.csrf  # type: ignore[attr-defined]
    created = editor_client.post(
        "/redaktion/neuer-artikel", data={**FORM, "title": title, "csrf_token": token}
    )
    assert created.status_code == 302
    page = editor_client.get(created.headers["Location"]).get_data(as_text=True)
    assert f'value="{title}"' in page  # the article's own edit form, not the empty one


def test_publishing_moves_the_feeds_last_modified(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    token = editor_client.csrf  # type: ignore[attr-defined]
    _create(editor_client)
    assert run_queued(sqlite_app) == ["ready"]
    public = sqlite_app.test_client()
    before = public.get("/feed.xml")
    time.sleep(1.1)  # HTTP dates have whole seconds
    editor_client.post(
        f"/redaktion/artikel/{SLUG}/veroeffentlichen", data={"published": "1", "csrf_token": token}
    )
    sqlite_app.config["AUDIONEWS"]["FEED_RECHECK_SECONDS"] = 0.0
    after = public.get("/feed.xml", headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200 and "Testlauf" in after.get_data(as_text=True)


def test_the_dashboard_names_the_render_phase_in_german() -> None:
    """Issue 10, item 3: a long render shows what it does after synthesis, too."""
    from audionews.web.editor.dashboard import describe

    def label(phase: str | None, done: int = 3, total: int = 12) -> str:
        progress = {"done": done, "total": total, "phase": phase}
        return describe({"status": "rendering", "progress": progress})

    assert label(None) == "Wird vertont – Sprechen: 3 von 12 Sätzen"
    assert label("synthesis") == "Wird vertont – Sprechen: 3 von 12 Sätzen"
    assert label("encoding") == "Wird vertont – MP3 kodieren: 3 von 12 Abschnitten"
    assert label("joining") == "Wird vertont – Zusammenfügen: 3 von 12 Abschnitten"
    assert label("publishing", 1, 4) == "Wird vertont – Veröffentlichen: 1 von 4 Schritten"
    assert "Lautheit" in label("planning")
