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
from audionews.jobs import briefing_job, render_job
from audionews.models import Article
from audionews.web import pages
from audionews.web.editor import dashboard
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


def static_assets(client: FlaskClient, page: bytes) -> dict[str, int]:
    """Return every stylesheet and script a page loads, with the modules they import."""
    todo = [a.decode() for a in re.findall(rb'(?:href|src)="(/static/[^"]+)"', page)]
    sizes: dict[str, int] = {}
    while todo:
        url = todo.pop()
        if url in sizes:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(response.data)
        if url.endswith(".js"):
            base = url.rsplit("/", 1)[0]
            for name in re.findall(r'(?:from|import) "\./([\w./-]+\.js)"', response.text):
                todo.append(f"{base}/{name}")
    return sizes


def test_article_page_with_its_css_and_js_weighs_at_most_60_kb(site: FlaskClient) -> None:
    page = site.get("/artikel/bahnverkehr-gdl-kuendigt-neuen-warnstreik-an").data
    assets = static_assets(site, page)
    assert "/static/player/article.js" in assets and "/static/site.css" in assets
    assert "/static/player/readalong.js" in assets  # imported modules count too
    assert "/static/player/queue.js" not in assets
    total = len(page) + sum(assets.values())
    assert total <= 60_000, assets


def test_home_page_with_its_css_and_js_weighs_at_most_60_kb(site: FlaskClient) -> None:
    page = site.get("/").data
    assets = static_assets(site, page)
    assert "/static/player/queue.js" in assets and "/static/player/article.js" not in assets
    assert len(page) + sum(assets.values()) <= 60_000, assets


def test_home_page_lists_the_queue_entries_and_one_button_per_article(
    site: FlaskClient, sqlite_app: Flask
) -> None:
    page = html(site, "/")
    with sqlite_app.app_context():
        listed = pages.home()
        rows = listed.today + listed.earlier
        expected = [(a.slug, r.files["summary"], r.files["episode"]) for a, r in rows]
    teasers = re.findall(
        r'<article class="teaser"[^>]*data-href="/artikel/([^"]+)"'
        r' data-summary-src="/media/([^"]+)" data-summary-duration="[\d.]+"'
        r' data-episode-src="/media/([^"]+)" data-episode-duration="[\d.]+">',
        page,
    )
    assert teasers == expected
    assert page.count("data-queue-start ") == len(expected)
    # Without a briefing the queue player waits for its script (no empty player without it).
    assert re.search(r'<section class="player queue" id="alle"[^>]* data-queue hidden>', page)
    assert "data-briefing" not in page


@pytest.mark.parametrize("is_today", [True, False])
def test_the_briefing_is_a_choice_of_the_queue_and_first_only_today(
    site: FlaskClient, monkeypatch: pytest.MonkeyPatch, is_today: bool
) -> None:
    briefing = {
        "day": "2025-03-02",
        "title": "Die Nachrichten vom Sonntag, 2. März",
        "is_today": is_today,
        "audio": "/media/briefing-2025-03-02.mp3",
        "size": 123_456,
        "duration": 61.7,
        "transcript": "/media/briefing-2025-03-02.vtt",
        "chapters_url": "/media/briefing-2025-03-02-chapters.json",
        "chapters": [
            {
                "slug": "kurzmeldung-testlauf",
                "title": "Kurzmeldung: Testlauf",
                "start": 4.5,
                "end": 9.0,
            }
        ],
    }
    monkeypatch.setattr(briefing_job, "home", lambda: briefing)
    page = html(site, "/")
    choice = re.search(r'<input type="radio" name="q-mode" id="q-mode-briefing"[^>]*>', page)
    assert choice is not None
    assert ("data-first" in choice[0]) is is_today
    label = "Die Nachrichten des Tages" if is_today else "Die neueste Ausgabe der Nachrichten"
    assert f'<label for="q-mode-briefing">{label} (1 Min. 1 Sek.)</label>' in page
    # The queue player reads the briefing's own section (_briefing.html).
    assert 'data-briefing-audio="/media/briefing-2025-03-02.mp3"' in page
    assert '<li data-slug="kurzmeldung-testlauf" data-start="4.5">' in page
    assert page.index('id="alle"') < page.index('id="nachrichten-des-tages"')


def test_article_page_has_the_transcript_as_track_and_download(
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
        files, chapters = rendition.files, rendition.chapters
    vtt = f"/media/{files['transcript_vtt']}"
    assert f'<track kind="captions" srclang="de" label="Deutsch" default src="{vtt}">' in page
    assert f'<a href="{vtt}" download>Text zum Mitlesen als WebVTT</a>' in page
    assert site.get(vtt).mimetype == "text/vtt"
    summary_vtt = f"/media/{files['summary_transcript_vtt']}"
    assert f'default src="{summary_vtt}">' in page
    # The chapter times in the transcript link to the time (the script seeks there).
    start = pages.fragment_seconds(chapters["body"])
    assert f'href="#t={start}" data-seek="{chapters["body"]:.3f}" data-label="Hauptartikel"' in page
    # Speeds from 0.5 to 2.5.
    assert re.findall(r'<option value="([\d.]+)"', page) == [
        "0.5",
        "0.75",
        "1",
        "1.25",
        "1.5",
        "1.75",
        "2",
        "2.25",
        "2.5",
    ]


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


def test_durations_are_rounded_down_like_a_player_s_clock() -> None:
    # 61.7 s: a browser's player ends at 1:01, so the text says 1 Min. 1 Sek., not 2.
    assert pages.minutes(61.7) == "1 Min. 1 Sek."
    assert pages.clock(61.7) == "1:01"
    assert pages.spoken_duration(61.7) == "1 Minute 1 Sekunde"
    assert pages.whole_seconds(59.999) == 59
    assert pages.whole_seconds(None) == 0 and pages.whole_seconds(float("nan")) == 0
    assert pages.whole_seconds(-3) == 0
    assert pages.fragment_seconds(12.5) == "12.5" and pages.fragment_seconds(30.0) == "30"
    # The back office's dashboard reads the same.
    assert dashboard.clock(61.7) == "1:01 Min."


def test_long_words_of_titles_get_german_soft_hyphens() -> None:
    shy = "\u00ad"
    assert str(pages.hyphenate("Lokführergewerkschaft ruft")) == (
        f"Lok{shy}füh{shy}rer{shy}ge{shy}werk{shy}schaft ruft"
    )
    assert str(pages.hyphenate("Kurzmeldung: Test")) == f"Kurz{shy}mel{shy}dung: Test"
    assert str(pages.hyphenate("Ein kurzer Titel")) == "Ein kurzer Titel"
    # Escaped first: markup stays text, entities are never split.
    assert str(pages.hyphenate("<b>Verkehrsministerium</b> & Co")).startswith("&lt;b&gt;Ver")
    assert "&amp; Co" in str(pages.hyphenate("<b>Verkehrsministerium</b> & Co"))
