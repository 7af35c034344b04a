"""The public pages: list, player page, transcript grouping, escaping, errors, weight."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from audionews import catalog
from audionews.articles import parse_json, parse_text
from audionews.db import db
from audionews.jobs import render_job
from audionews.models import Article
from audionews.web import pages
from tests.helpers import SHORT_ARTICLE, sample_text


def render(data: Mapping[str, Any] | str, created: datetime | None = None) -> Article:
    parsed = parse_text(data) if isinstance(data, str) else parse_json(data)
    result = catalog.save(parsed)
    assert result.job is not None
    assert (
        render_job.run_render(result.article.id, result.article.revision, result.job.id) == "ready"
    )
    if created is not None:
        result.article.created_at = created
        db.session.commit()
    return result.article


@pytest.fixture
def site(sqlite_app: Flask) -> Iterator[FlaskClient]:
    with sqlite_app.test_request_context():
        render(SHORT_ARTICLE, datetime(2025, 3, 1, 8, 0))
        render(sample_text("bahnstreik.txt"), datetime(2025, 3, 2, 8, 0))
        hidden = render(SHORT_ARTICLE | {"title": "Noch nicht veröffentlicht"})
        hidden.published = False
        # An article whose audio is not ready yet is not listed either.
        catalog.save(parse_json(SHORT_ARTICLE | {"title": "Wartet auf Vertonung"}))
        db.session.commit()
    yield sqlite_app.test_client()


def html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_index_lists_published_audio_newest_first(site: FlaskClient) -> None:
    page = html(site, "/")
    titles = re.findall(r'<h2 id="t-\d+"><a href="/artikel/([^"]+)">', page)
    assert titles == ["bahnverkehr-gdl-kuendigt-neuen-warnstreik-an", "kurzmeldung-testlauf"]
    assert "2. März 2025" in page and "1. März 2025" in page
    assert "Das ist ein kurzer Test. Er prüft die Vertonung." in page
    assert page.count('<audio controls preload="metadata"') == 4  # summary and body, twice
    assert 'href="/feed.xml">Alle Beiträge</a>' in page
    assert 'href="/feed/kurz.xml">Nur Kurzfassungen</a>' in page
    assert "<title>Nachrichten zum Hören – audionews</title>" in page


def test_article_page_has_player_transcript_links_and_downloads(
    site: FlaskClient, sqlite_app: Flask
) -> None:
    page = html(site, "/artikel/kurzmeldung-testlauf")
    with sqlite_app.app_context():
        article = db.session.scalar(
            db.select(Article).where(Article.slug == "kurzmeldung-testlauf")
        )
        assert article is not None
        rendition = article.current_rendition()
        assert rendition is not None
        guid, files, cues = article.guid, rendition.files, rendition.cues
    assert '<html lang="de">' in page
    assert page.count("<h1") == 1
    assert "<title>Kurzmeldung: Testlauf – audionews</title>" in page
    assert f'data-guid="{guid}"' in page
    assert f'<audio id="audio" controls preload="metadata" src="/media/{files["episode"]}"' in page
    for kind in ("episode", "summary", "body"):
        assert f'href="/media/{files[kind]}" download' in page
    # Every summary and body sentence is one element, timed from its first cue.
    for cue in cues:
        if cue["section"] != "title" and cue["index"] == min(
            c["index"] for c in cues if c["sentence"] == cue["sentence"]
        ):
            assert f'id="satz-{cue["sentence"]}" data-start="{cue["start"]:.3f}"' in page
    # Paragraphs as in the article: the body's second paragraph is a paragraph of its own.
    assert re.search(
        r'<p><span class="s" id="satz-\d+"[^>]*>Ein zweiter Absatz folgt\.</span></p>', page
    )
    assert '<a href="https://example.org/">Beispiel</a>' in page
    assert 'data-label="In Kürze"' in page and 'data-label="Hauptartikel"' in page
    assert 'class="skip" href="#inhalt"' in page and '<main id="inhalt"' in page


def test_transcript_groups_sentences_by_section_and_paragraph(
    site: FlaskClient, sqlite_app: Flask
) -> None:
    with sqlite_app.app_context():
        article = db.session.scalar(
            db.select(Article).where(Article.slug == "bahnverkehr-gdl-kuendigt-neuen-warnstreik-an")
        )
        assert article is not None
        rendition = article.current_rendition()
        assert rendition is not None
        sections = pages.transcript(article, rendition)
        assert [s.key for s in sections] == ["summary", "body"]
        assert [s.label for s in sections] == ["In Kürze", "Hauptartikel"]
        assert len(sections[1].paragraphs) == len(article.body.split("\n\n"))
        numbers = [s.number for sec in sections for p in sec.paragraphs for s in p]
        assert numbers == sorted(set(numbers))
        # Without cues (an old render) the text is still all there, untimed.
        rendition.cues = []
        untimed = pages.transcript(article, rendition)
        assert all(s.start is None for sec in untimed for p in sec.paragraphs for s in p)
        assert len(untimed[1].paragraphs) == len(article.body.split("\n\n"))
        db.session.rollback()


def test_unknown_unpublished_and_unrendered_articles_are_404(site: FlaskClient) -> None:
    for slug in ("gibt-es-nicht", "noch-nicht-veroeffentlicht", "wartet-auf-vertonung"):
        page = html(site, f"/artikel/{slug}", 404)
        assert "<title>Diese Seite gibt es nicht. (Fehler 404) – audionews</title>" in page
        assert page.count("<h1") == 1


@pytest.mark.parametrize("url", ["/", "/artikel/kurzmeldung-testlauf", "/artikel/nichts"])
def test_pages_need_no_inline_script_or_style(site: FlaskClient, url: str) -> None:
    page = site.get(url).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page)
    assert not re.search(r"<[^>]+\sstyle\s*=", page)
    assert "javascript:" not in page


def test_markup_in_articles_is_escaped(sqlite_app: Flask) -> None:
    hostile = {
        "title": "Achtung <script>alert(1)</script> & <b>fett</b>",
        "summary": 'Ein <img src=x onerror="alert(2)"> Bild.',
        "body": "Ein Text.",
        "links": [{"title": "<i>Quelle</i>", "url": "https://example.org/?a=1&b=2"}],
    }
    with sqlite_app.test_request_context():
        slug = render(hostile).slug
    client = sqlite_app.test_client()
    for url in ("/", f"/artikel/{slug}"):
        page = html(client, url)
        assert "<script>alert" not in page and "<img" not in page and "<i>" not in page
        assert "Achtung &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;fett&lt;/b&gt;" in page
    page = html(client, f"/artikel/{slug}")
    assert '<a href="https://example.org/?a=1&amp;b=2">&lt;i&gt;Quelle&lt;/i&gt;</a>' in page


def test_article_page_with_its_css_and_js_weighs_at_most_60_kb(site: FlaskClient) -> None:
    page = site.get("/artikel/bahnverkehr-gdl-kuendigt-neuen-warnstreik-an").data
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', page)
    assert sorted(assets) == [b"/static/player.js", b"/static/site.css"]
    total = len(page) + sum(len(site.get(a.decode()).data) for a in assets)
    assert total <= 60_000


def test_filters_speak_german() -> None:
    assert pages.spoken_duration(65.4) == "1 Minute 5 Sekunden"
    assert pages.spoken_duration(180) == "3 Minuten"
    assert pages.spoken_duration(1) == "1 Sekunde"
    assert pages.spoken_duration(0) == "0 Sekunden"
    assert pages.clock(65.4) == "1:05"
    assert pages.german_date(datetime(2025, 12, 3)) == "3. Dezember 2025"
    assert pages.kilobytes(612_345) == "612 kB"
    assert pages.kilobytes(1_234_567) == "1,2 MB"
    assert pages.minutes(76.3) == "1 Min. 16 Sek."
