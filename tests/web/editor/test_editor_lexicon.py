"""The pronunciation lexicon: saving an entry re-renders exactly the articles with the term,
and in them only the sentences that contain it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from audionews import catalog
from audionews.articles import parse_json
from audionews.db import db
from audionews.models import Job, LexiconEntry
from tests.web.editor.helpers_editor import counting_synthesis, latest_rendition, run_queued

ARTICLES = [
    {
        "title": "Besuch in Paris",
        "summary": "Macron empfängt den Kanzler. Das Treffen dauert zwei Stunden.",
        "body": "Die Gespräche gelten als schwierig.",
        "links": [],
    },
    {
        "title": "Wetter am Wochenende",
        "summary": "Es wird sonnig. Am Sonntag regnet es.",
        "body": "Die Temperaturen steigen leicht.",
        "links": [],
    },
    {
        "title": "Gipfel in Brüssel",
        "summary": "Die EU berät über Geld. Auch MACRON reist an.",
        "body": "Ergebnisse werden am Abend erwartet.",
        "links": [],
    },
]
SLUGS = ["besuch-in-paris", "wetter-am-wochenende", "gipfel-in-bruessel"]


def _seed(app: Flask) -> None:
    with app.test_request_context():
        for item in ARTICLES:
            catalog.save(parse_json(item))
    assert run_queued(app) == ["ready"] * 3


def test_saving_an_entry_rerenders_exactly_the_articles_with_the_term(
    sqlite_app: Flask, editor_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(sqlite_app)
    before = {slug: latest_rendition(sqlite_app, slug).id for slug in SLUGS}
    response = editor_client.post(
        "/redaktion/aussprache",
        data={
            "written": "Macron",
            "spoken": "Makrong",
            "whole_word": "1",
            "note": "französisch",
            "csrf_token": editor_client.csrf,  # type: ignore[attr-defined]
        },
    )
    assert response.status_code == 302
    page = editor_client.get("/redaktion/aussprache").get_data(as_text=True)
    assert "kommt in 2 Artikel(n) vor" in page
    with sqlite_app.app_context():
        queued = db.session.scalars(select(Job).where(Job.status == "queued")).all()
        assert sorted(job.article.slug for job in queued) == sorted([SLUGS[0], SLUGS[2]])
    with counting_synthesis(monkeypatch) as spoken:
        assert run_queued(sqlite_app) == ["ready", "ready"]
    # Exactly the two sentences with the name were spoken again, with the new pronunciation.
    assert sorted(spoken) == ["Auch Makrong reist an.", "Makrong empfängt den Kanzler."]
    assert latest_rendition(sqlite_app, SLUGS[0]).synthesized == 1
    assert latest_rendition(sqlite_app, SLUGS[2]).synthesized == 1
    assert latest_rendition(sqlite_app, SLUGS[1]).id == before[SLUGS[1]]  # untouched
    # The API's spoken version uses the lexicon too.
    script = editor_client.get(f"/api/v1/articles/{SLUGS[0]}/script").get_json()
    assert any("Makrong" in seg["spoken"] for seg in script["segments"])


def test_bad_entries_name_the_field_and_store_nothing(
    sqlite_app: Flask, editor_client: FlaskClient
) -> None:
    token = editor_client.csrf  # type: ignore[attr-defined]
    response = editor_client.post(
        "/redaktion/aussprache", data={"written": "  ", "spoken": "x", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Bitte die geschriebene Form eingeben" in page
    assert 'aria-describedby="h-written e-written"' in page and 'value="x"' in page
    editor_client.post(
        "/redaktion/aussprache",
        data={"written": "EZB", "spoken": "E Zett Be", "whole_word": "1", "csrf_token": token},
    )
    twice = editor_client.post(
        "/redaktion/aussprache",
        data={"written": "ezb", "spoken": "anders", "whole_word": "1", "csrf_token": token},
    )
    assert twice.status_code == 400 and "gibt es schon einen Eintrag" in twice.get_data(
        as_text=True
    )
    with sqlite_app.app_context():
        assert [e.spoken for e in db.session.scalars(select(LexiconEntry))] == ["E Zett Be"]


def test_preview_speaks_the_entry_in_a_sentence(editor_client: FlaskClient) -> None:
    response = editor_client.get(
        "/redaktion/aussprache/vorhoeren.mp3",
        query_string={"written": "EZB", "spoken": "E Zett Be", "whole_word": "1"},
    )
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert len(response.data) > 1000
    missing = editor_client.get("/redaktion/aussprache/vorhoeren.mp3?written=EZB")
    assert missing.status_code == 400 and "fehlen" in missing.get_data(as_text=True)
