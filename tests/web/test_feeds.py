"""Podcast feeds as podcast apps see them: feedparser, podcastparser, every tag checked with lxml.

The module's `site` renders real articles with espeak once and builds their day's briefing;
the tests read its three feeds and their files.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import podcastparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree, html
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image
from sqlalchemy import select

from audionews import catalog, config, create_app
from audionews.articles import parse_json
from audionews.audio.tags import read_chapters
from audionews.days import news_day
from audionews.db import db
from audionews.jobs import day_job, render_job
from audionews.models import Article, Briefing, Rendition
from audionews.render.briefing_text import briefing_title
from audionews.tts.breaker import breaker_for
from audionews.web import briefing_feed, feeds
from tests.conftest import base_settings
from tests.helpers import SHORT_ARTICLE
from tests.render.test_transcripts import parse_vtt

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
FEEDS = {"/feed.xml": "episode", "/feed/kurz.xml": "summary", "/feed/briefing.xml": "briefing"}
ARTICLE_FEEDS = {path: kind for path, kind in FEEDS.items() if kind != "briefing"}
LONG_SENTENCE = (
    "Die Tarifparteien verhandeln seit Wochen über Löhne, Arbeitszeiten und Zulagen, und ein "
    "Ende ist nach Angaben beider Seiten nicht in Sicht."
)


@pytest.fixture(autouse=True)
def _closed_breakers() -> None:
    for name in ("gtts", "espeak"):
        breaker_for(name).reset()


def publish(data: dict[str, Any]) -> Article:
    """Save the article and render it for real (inside a request context)."""
    result = catalog.save(parse_json(data))
    assert result.job is not None
    status = render_job.run_render(result.article.id, result.article.revision, result.job.id)
    assert status == "ready"
    return result.article


def fetch(client: FlaskClient, path: str) -> etree._Element:
    res = client.get(path)
    assert res.status_code == 200, res.data[:300]
    assert res.mimetype == "application/rss+xml"
    # lxml's parser is strict: any well-formedness error raises.
    return etree.fromstring(res.data)


def local(url: str) -> str:
    """Return the path of an absolute URL of the test server."""
    assert url.startswith("http://localhost/"), url
    return url.removeprefix("http://localhost")


def one(element: etree._Element, path: str) -> etree._Element:
    found = element.findall(path, NS)
    assert len(found) == 1, (path, found)
    return found[0]


@dataclass
class Site:
    app: Flask
    client: FlaskClient
    media: Path
    articles: dict[str, dict[str, Any]]  # slug -> guid, files, durations, chapters
    briefing: dict[str, Any]  # day, files, size, duration, chapters

    def episodes(self, kind: str) -> dict[str, dict[str, Any]]:
        """Return what each item of the feed of `kind` should be: guid -> files and more."""
        if kind == "briefing":
            entry = self.briefing
            return {briefing_feed.guid(entry["day"]): entry | {"kind": "audio"}}
        suffix = "" if kind == "episode" else ":kurz"
        return {
            a["guid"] + suffix: a | {"kind": kind, "size": None}
            for a in self.articles.values()
            if a["published"]
        }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("feeds")
    app = create_app(base_settings(tmp))
    app.config["TESTING"] = True
    articles: dict[str, dict[str, Any]] = {}
    breaker_for("espeak").reset()
    with app.test_request_context():
        for data in (
            SHORT_ARTICLE | {"title": "Erste Meldung"},
            {
                "title": "Zweite Meldung: Bahn & Bus",
                "summary": "Der Streik geht weiter. " + LONG_SENTENCE,
                "body": "Pendler müssen umplanen.\n\nDer Fernverkehr fällt aus.",
                "links": [
                    {"title": "Fahrplan & Auskunft", "url": "https://example.org/?a=1&b=2"},
                    {"title": "Mehr", "url": "https://de.wikipedia.org/wiki/Streik"},
                ],
            },
            SHORT_ARTICLE | {"title": "Geheime Meldung", "published": False},
        ):
            article = publish(data)
            rendition = article.current_rendition()
            assert rendition is not None
            articles[article.slug] = {
                "guid": article.guid,
                "published": article.published,
                "files": dict(rendition.files),
                "durations": dict(rendition.durations),
                "chapters": dict(rendition.chapters),
                "published_at": article.published_at,
            }
        day = news_day(article.published_at or article.created_at, app.config["AUDIONEWS"])
        assert day_job.build_day(day) == day_job.BUILT
        row = db.session.scalar(select(Briefing))
        assert row is not None
        briefing = {
            "day": row.day,
            "files": dict(row.files),
            "size": row.size,
            "durations": {"audio": row.duration},
            "chapters": list(row.chapters),
        }
    yield Site(app, app.test_client(), tmp / "media", articles, briefing)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def items_of(site: Site, path: str) -> list[etree._Element]:
    return fetch(site.client, path).findall("channel/item")


def test_both_podcast_parsers_see_the_same_episodes(site: Site) -> None:
    published = [slug for slug, a in site.articles.items() if a["published"]]
    for path, kind in FEEDS.items():
        data = site.client.get(path).data
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        gpodder = podcastparser.parse("http://localhost" + path, io.BytesIO(data))
        expected = site.episodes(kind)
        assert len(parsed.entries) == len(gpodder["episodes"]) == len(expected)
        if kind != "briefing":
            # Newest first: the second article was published last.
            assert len(expected) == 2
            assert [e.link.rsplit("/", 1)[1] for e in parsed.entries] == published[::-1]
        for entry, episode in zip(parsed.entries, gpodder["episodes"], strict=True):
            assert entry.id == episode["guid"]
            wanted = expected[entry.id]
            assert entry.guidislink is False
            (enclosure,) = entry.enclosures
            (gp_enclosure,) = episode["enclosures"]
            assert enclosure.href == gp_enclosure["url"]
            name = wanted["files"][wanted["kind"]]
            assert local(enclosure.href) == f"/media/{name}"
            size = (site.media / name).stat().st_size
            assert int(enclosure.length) == gp_enclosure["file_size"] == size
            assert enclosure.type == gp_enclosure["mime_type"] == "audio/mpeg"
            assert episode["total_time"] == round(wanted["durations"][wanted["kind"]])
            assert episode["title"] == entry.title
        assert parsed.feed.language == "de"
        assert gpodder["cover_url"] == parsed.feed.image.href
        assert "geheime-meldung" not in data.decode()


def test_channel_has_every_tag_apple_and_podcast_index_want(site: Site) -> None:
    for path in FEEDS:
        rss = fetch(site.client, path)
        assert rss.tag == "rss" and rss.get("version") == "2.0"
        assert {k: rss.nsmap[k] for k in NS} == NS
        channel = one(rss, "channel")
        self_link = one(channel, "atom:link")
        assert self_link.attrib == {
            "href": f"http://localhost{path}",
            "rel": "self",
            "type": "application/rss+xml",
        }
        title = one(channel, "title").text or ""
        assert title.startswith("audionews") and ("Kürze" in title) == ("kurz" in path)
        assert one(channel, "link").text == "http://localhost/"
        assert one(channel, "description").text
        assert one(channel, "language").text == "de"
        assert one(channel, "copyright").text == "© audionews"
        image = one(channel, "itunes:image").get("href")
        assert image and local(image).startswith("/media/cover-")
        assert one(channel, "image/url").text == image
        category = one(channel, "itunes:category")
        assert category.get("text") == "News"
        assert one(category, "itunes:category").get("text") == "Daily News"
        assert one(channel, "itunes:explicit").text == "false"
        assert one(channel, "itunes:author").text == "audionews"
        assert one(channel, "itunes:owner/itunes:email").text == "podcast@example.org"
        assert one(channel, "itunes:owner/itunes:name").text == "audionews"
        assert one(channel, "itunes:type").text == "episodic"
        expected = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "localhost" + path)
        assert one(channel, "podcast:guid").text == str(expected)
        locked = one(channel, "podcast:locked")
        assert locked.text == "yes" and locked.get("owner") == "podcast@example.org"
        parsedate_to_datetime(one(channel, "lastBuildDate").text or "")
        frequency = one(channel, "podcast:updateFrequency")
        assert frequency.get("rrule") == "FREQ=DAILY" and frequency.text
        # The podroll points at the other two feeds, by their podcast:guid and URL.
        remote = one(channel, "podcast:podroll").findall("podcast:remoteItem", NS)
        others = [other for other in FEEDS if other != path]
        assert [item.get("feedUrl") for item in remote] == [f"http://localhost{o}" for o in others]
        for item, other in zip(remote, others, strict=True):
            other_channel = one(fetch(site.client, other), "channel")
            assert item.get("feedGuid") == one(other_channel, "podcast:guid").text
            assert item.get("title") == one(other_channel, "title").text


def test_feeds_can_be_read_by_web_players_on_other_sites(site: Site) -> None:
    for path in FEEDS:
        res = site.client.get(path, headers={"Origin": "https://player.example"})
        assert res.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in res.headers["Access-Control-Expose-Headers"]
        again = site.client.get(path, headers={"If-None-Match": res.headers["ETag"]})
        assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"


def test_items_carry_every_tag_with_exact_values(site: Site) -> None:
    for path, kind in FEEDS.items():
        expected = site.episodes(kind)
        for item in items_of(site, path):
            guid = one(item, "guid")
            assert guid.get("isPermaLink") == "false"
            wanted = expected[guid.text or ""]
            assert one(item, "title").text
            published = parsedate_to_datetime(one(item, "pubDate").text or "")
            assert published.tzinfo is not None
            assert abs(datetime.now(UTC) - published) < timedelta(days=1, hours=2)

            enclosure = one(item, "enclosure")
            assert enclosure.get("type") == "audio/mpeg"
            name = wanted["files"][wanted["kind"]]
            assert local(enclosure.get("url", "")) == f"/media/{name}"
            size = (site.media / name).stat().st_size
            head = site.client.head(f"/media/{name}")
            assert int(enclosure.get("length", "")) == size == int(head.headers["Content-Length"])
            duration = MP3(site.media / name).info.length  # type: ignore[union-attr]
            assert abs(int(one(item, "itunes:duration").text or "") - duration) <= 1
            assert one(item, "itunes:episodeType").text == "full"

            description = one(item, "description").text or ""
            assert description and "<" not in description and "**" not in description
            notes = html.fragment_fromstring(one(item, "content:encoded").text, create_parent="div")
            transcripts = item.findall("podcast:transcript", NS)
            assert [(t.get("type"), t.get("language")) for t in transcripts] == [
                ("text/vtt", "de"),
                ("application/json", "de"),
            ]
            chapters = one(item, "podcast:chapters")
            assert chapters.get("type") == "application/json+chapters"
            if kind == "briefing":
                _briefing_item(site, item, notes, published)
            else:
                _article_item(site, item, kind, notes)


def _article_item(site: Site, item: etree._Element, kind: str, notes: Any) -> None:
    link = one(item, "link").text or ""
    slug = local(link).removeprefix("/artikel/")
    assert local(link) == f"/artikel/{slug}"
    assert site.client.get(local(link)).status_code == 200
    article = site.articles[slug]
    headings = notes.xpath("//h3/text()")
    assert headings[0] == "In Kürze"
    hrefs = notes.xpath("//a/@href")
    assert hrefs[-1] == link
    if slug.startswith("zweite"):
        assert "https://example.org/?a=1&b=2" in hrefs
        assert "Fahrplan & Auskunft" in notes.xpath("//li/a/text()")
        assert "Mehr Wissen" in headings
    soundbites = item.findall("podcast:soundbite", NS)
    if kind == "episode":
        # The whole text: the body too, paragraph by paragraph.
        assert "Hauptartikel" in headings
        if slug.startswith("zweite"):
            assert "Der Fernverkehr fällt aus." in notes.xpath("//p/text()")
        (soundbite,) = soundbites
        chapters = article["chapters"]
        assert soundbite.text == "In Kürze"
        assert float(soundbite.get("startTime", "")) == chapters["summary"]
        assert float(soundbite.get("duration", "")) == pytest.approx(
            chapters["body"] - chapters["summary"], abs=0.001
        )
    else:
        assert "Hauptartikel" not in headings and soundbites == []


def _briefing_item(site: Site, item: etree._Element, notes: Any, published: datetime) -> None:
    assert local(one(item, "link").text or "") == "/"
    day = site.briefing["day"]
    assert one(item, "title").text == briefing_title(day)
    # The start of the news day (midnight in Berlin): distinct per day, the same every build.
    local_start = published.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local_start.date(), local_start.hour, local_start.minute) == (day, 0, 0)
    stories = [c for c in site.briefing["chapters"] if c["slug"]]
    assert notes.xpath("//ol/li/a/text()") == [c["title"] for c in stories]
    hrefs = notes.xpath("//ol/li/a/@href")
    assert [local(h) for h in hrefs] == [f"/artikel/{c['slug']}" for c in stories]
    for href in hrefs:
        assert site.client.get(local(href)).status_code == 200
    for story in stories:
        assert story["title"] in (one(item, "description").text or "")


def test_transcripts_and_chapters_match_the_audio(site: Site) -> None:
    for path, kind in FEEDS.items():
        for item in items_of(site, path):
            mp3 = site.media / local(one(item, "enclosure").get("url", "")).removeprefix("/media/")
            duration = MP3(mp3).info.length  # type: ignore[union-attr]
            for transcript in item.findall("podcast:transcript", NS):
                res = site.client.get(local(transcript.get("url", "")))
                assert res.status_code == 200
                assert res.mimetype == transcript.get("type")
                assert res.headers["Access-Control-Allow-Origin"] == "*"
                if res.mimetype == "text/vtt":
                    spans = [(s, e) for s, e, _ in parse_vtt(res.get_data(as_text=True))]
                    texts = [" ".join(lines) for _, _, lines in parse_vtt(res.get_data(True))]
                    assert all(
                        len(line) <= 65
                        for _, _, lines in parse_vtt(res.get_data(True))
                        for line in lines
                    )
                else:
                    segments = json.loads(res.data)["segments"]
                    spans = [(s["startTime"], s["endTime"]) for s in segments]
                    texts = [s["body"] for s in segments]
                starts = [s for s, _ in spans]
                assert starts == sorted(starts) and starts[0] < 0.5
                assert all(s < e <= duration + 0.01 for s, e in spans)
                # One cue per sentence, also for the long sentence spoken in pieces.
                if kind == "summary" and "Bahn" in (one(item, "title").text or ""):
                    assert texts == ["Der Streik geht weiter.", LONG_SENTENCE]
                if kind == "episode":
                    assert texts[0] == one(item, "title").text
                if kind == "briefing":
                    assert texts[0].startswith("Die Nachrichten vom ")
                    assert texts[-1].startswith("Das waren die Nachrichten vom ")
                    assert LONG_SENTENCE in texts

            res = site.client.get(local(one(item, "podcast:chapters").get("url", "")))
            assert res.status_code == 200 and res.mimetype == "application/json+chapters"
            assert res.headers["Access-Control-Allow-Origin"] == "*"
            document = json.loads(res.data)
            assert document["version"] == "1.2.0"
            chapters = document["chapters"]
            titles = [c["title"] for c in chapters]
            expected = {
                "episode": ["Titel", "In Kürze", "Hauptartikel"],
                "summary": ["In Kürze"],
                "briefing": [c["title"] for c in site.briefing["chapters"]],
            }[kind]
            assert titles == expected
            starts = [c["startTime"] for c in chapters]
            assert starts == sorted(starts) and starts[0] == 0
            assert all(c["startTime"] < c["endTime"] <= duration + 0.01 for c in chapters)
            frames = read_chapters(mp3)
            assert [f.title for f in frames] == titles
            for frame, chapter in zip(frames, chapters, strict=True):
                assert abs(frame.start - chapter["startTime"]) <= 0.001
                assert abs(frame.end - chapter["endTime"]) <= 0.001


def test_cover_image_is_what_apple_accepts(site: Site) -> None:
    rss = fetch(site.client, "/feed.xml")
    res = site.client.get(local(one(rss, "channel/itunes:image").get("href", "")))
    assert res.status_code == 200 and res.mimetype in {"image/png", "image/jpeg"}
    image = Image.open(io.BytesIO(res.data))
    assert image.format in {"PNG", "JPEG"} and image.mode == "RGB"
    assert image.width == image.height and 1400 <= image.width <= 3000
    assert "immutable" in res.headers["Cache-Control"]


def test_api_audio_lists_only_the_mp3s(site: Site) -> None:
    body = site.client.get("/api/v1/articles/erste-meldung").get_json()
    assert set(body["audio"]) == {"summary", "body", "episode"}


def test_feed_is_built_once_and_answers_conditional_requests(
    sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_build = feeds.build

    def counting(feed: feeds.Feed, *args: Any) -> bytes:
        calls.append(feed.name)
        return real_build(feed, *args)

    monkeypatch.setattr(feeds, "build", counting)
    states: list[int] = []
    real_state = feeds._state

    def counting_state(feed: feeds.Feed) -> tuple[Any, ...]:
        states.append(1)
        return real_state(feed)

    monkeypatch.setattr(feeds, "_state", counting_state)
    client = sqlite_app.test_client()
    with sqlite_app.test_request_context():
        article_id = publish(SHORT_ARTICLE).id
    # Within FEED_RECHECK_SECONDS the built feed is served without asking the database.
    sqlite_app.config["AUDIONEWS"]["FEED_RECHECK_SECONDS"] = 60.0
    for _ in range(5):
        client.get("/feed.xml")
    assert len(states) == 1 and calls == ["full"]
    calls.clear()
    sqlite_app.config["AUDIONEWS"]["FEED_RECHECK_SECONDS"] = 0.0
    first = client.get("/feed.xml")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"].startswith("public")
    for _ in range(3):
        assert client.get("/feed.xml").headers["ETag"] == etag
    assert calls == ["full"]
    assert client.get("/feed.xml", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feed.xml", headers={"If-Modified-Since": modified}).status_code == 304
    head = client.head("/feed.xml")
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(first.data)
    assert calls == ["full"]

    # A new rendition is published: the next request builds the feed again.
    with sqlite_app.test_request_context():
        article = db.session.get(Article, article_id)
        assert article is not None
        (job,) = catalog.request_render([article])
        assert render_job.run_render(article_id, 1, job.id) == "ready"
    assert client.get("/feed.xml", headers={"If-None-Match": etag}).status_code in {200, 304}
    assert calls == ["full", "full"]
    client.get("/feed/kurz.xml")
    assert calls == ["full", "full", "kurz"]


def test_rerender_keeps_the_guid_and_a_failed_one_keeps_the_audio(app: Flask) -> None:
    app.config["AUDIONEWS"]["FEED_RECHECK_SECONDS"] = 0.0
    client = app.test_client()
    with app.test_request_context():
        publish(SHORT_ARTICLE)

    def episode() -> dict[str, str]:
        (item,) = items_of_client(client, "/feed.xml")
        return {
            "guid": one(item, "guid").text or "",
            "url": one(item, "enclosure").get("url", ""),
            "length": one(item, "enclosure").get("length", ""),
            "vtt": item.findall("podcast:transcript", NS)[0].get("url", ""),
        }

    before = episode()
    with app.test_request_context():
        publish(SHORT_ARTICLE | {"body": "Ein ganz neuer Hauptartikel. Mit zwei Sätzen."})
    after = episode()
    assert after["guid"] == before["guid"]
    assert after["url"] != before["url"] and after["vtt"] != before["vtt"]
    name = local(after["url"]).removeprefix("/media/")
    assert (
        int(after["length"]) == (Path(app.config["AUDIONEWS"]["MEDIA_DIR"]) / name).stat().st_size
    )

    with app.test_request_context():
        changed = catalog.save(parse_json(SHORT_ARTICLE | {"body": "Noch einmal anders."}))
        assert changed.job is not None
        app.config["AUDIONEWS"].update(TTS_ENGINE="gtts", TTS_FALLBACK="", TTS_RETRIES=1)
        assert render_job.run_render(changed.article.id, 3, changed.job.id) == "failed"
    assert episode() == after

    # Unpublishing takes the episode out of the feed.
    with app.test_request_context():
        catalog.save(
            parse_json(SHORT_ARTICLE | {"body": "Noch einmal anders.", "published": False})
        )
    assert items_of_client(client, "/feed.xml") == []


def items_of_client(client: FlaskClient, path: str) -> list[etree._Element]:
    return fetch(client, path).findall("channel/item")


def add_fake(
    title: str,
    summary: str = "Kurz.",
    *,
    kinds: tuple[str, ...] = ("episode", "summary"),
    created: datetime | None = None,
    published: datetime | None = None,
    links: list[dict[str, str]] | None = None,
) -> Article:
    """Insert an article with a ready rendition row whose files are made up (no render)."""
    article = Article(
        slug=f"fake-{uuid.uuid4().hex[:8]}",
        title=title,
        summary=summary,
        body="Text.",
        links=links or [],
        content_hash="0" * 64,
        **({"created_at": created} if created else {}),
        **({"published_at": published} if published else {}),
    )
    db.session.add(article)
    db.session.flush()
    db.session.add(
        Rendition(
            article_id=article.id,
            revision=1,
            engine="espeak",
            files={kind: f"{article.slug}-000000000000-{kind}.mp3" for kind in kinds},
            sizes=dict.fromkeys(kinds, 1234),
            durations=dict.fromkeys(kinds, 61.6),
            chapters={"title": 0.0, "summary": 1.0},
        )
    )
    db.session.commit()
    return article


def add_fake_briefing(article: Article, title: str, day: Any = None) -> Briefing:
    """Insert a briefing row whose files are made up (no build)."""
    day = day or dt.date(2025, 12, 1)
    row = Briefing(
        day=day,
        key="0" * 64,
        title=f"Die Nachrichten vom {day.isoformat()}",
        files={
            kind: f"nachrichten-{day.isoformat()}-000000000000-{kind}.x"
            for kind in ("audio", "transcript_vtt", "transcript_json", "chapters")
        },
        size=1234,
        duration=61.6,
        chapters=[
            {"article": None, "slug": None, "title": "Einleitung", "start": 0.0, "end": 3.0},
            {"article": article.id, "slug": article.slug, "title": title, "start": 3.0, "end": 60},
            {"article": None, "slug": None, "title": "Zum Schluss", "start": 60, "end": 61.6},
        ],
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_hostile_article_gives_well_formed_xml(app: Flask) -> None:
    hostile = "Tom & Jerry ]]> <script>alert(1)</script> \x01\x08\x0b\x1b\x7f \ufffe Ende"
    with app.app_context():
        add_fake(
            hostile,
            summary=hostile + "\n\n<b>fett</b> ]]>",
            links=[
                {"title": "<i>x</i> ]]>", "url": "https://example.org/?q=<a>&b=]]>"},
                {"title": "böse", "url": "javascript:alert(1)"},
            ],
        )
        article = db.session.scalar(select(Article))
        assert article is not None
        add_fake_briefing(article, hostile)
    client = app.test_client()
    for path in FEEDS:
        data = client.get(path).data
        root = etree.fromstring(data)  # strict: raises on any error
        assert not feedparser.parse(data).bozo
        (item,) = root.findall("channel/item")
        if path == "/feed/briefing.xml":
            notes = html.fragment_fromstring(one(item, "content:encoded").text, create_parent="div")
            assert not notes.xpath("//script")
            assert notes.xpath("//li/a/text()") == [
                "Tom & Jerry ]]> <script>alert(1)</script> Ende"
            ]
            continue
        title = one(item, "title").text or ""
        assert title == "Tom & Jerry ]]> <script>alert(1)</script> Ende"
        assert root.find(".//script") is None
        notes = html.fragment_fromstring(one(item, "content:encoded").text, create_parent="div")
        assert not notes.xpath("//script") and not notes.xpath("//b")
        assert "<script>" in notes.text_content()
        assert "javascript:" not in " ".join(notes.xpath("//a/@href"))
        assert "https://example.org/?q=<a>&b=]]>" in notes.xpath("//a/@href")


def test_item_count_order_and_summaries(sqlite_app: Flask) -> None:
    now = datetime(2025, 6, 1, 12, 0)
    with sqlite_app.app_context():
        old = add_fake("Alt", created=now - timedelta(days=2))
        add_fake("Ohne Kurzfassung", kinds=("episode",), created=now)
        new = add_fake("Neu", created=now - timedelta(days=1))
        hidden = add_fake("Versteckt", created=now + timedelta(days=1))
        hidden.published = False
        db.session.commit()
        guids = {old.guid + ":kurz", new.guid + ":kurz"}
    sqlite_app.config["AUDIONEWS"]["FEED_ITEMS"] = 2
    client = sqlite_app.test_client()
    titles = [one(i, "title").text for i in items_of_client(client, "/feed.xml")]
    assert titles == ["Ohne Kurzfassung", "Neu"]
    short = items_of_client(client, "/feed/kurz.xml")
    assert [one(i, "title").text for i in short] == ["Neu", "Alt"]
    assert one(short[0], "itunes:duration").text == "62"
    assert one(short[0], "pubDate").text == "Sat, 31 May 2025 12:00:00 GMT"
    assert guids == {one(i, "guid").text for i in short}


def test_settings_shape_the_channel(tmp_path: Path) -> None:
    app = create_app(
        base_settings(
            tmp_path,
            BASE_URL="https://hoeren.example.org/",
            PODCAST_TITLE="Hörnachrichten",
            PODCAST_AUTHOR="Redaktion",
            PODCAST_EMAIL="redaktion@example.org",
            PODCAST_CATEGORY="Technology",
            PODCAST_IMAGE="https://cdn.example.org/cover.jpg",
            PODCAST_EXPLICIT=True,
            PODCAST_LOCKED=False,
            PODCAST_COPYRIGHT="© 2025 Beispiel",
        )
    )
    with app.app_context():
        add_fake("Eine Meldung")
    channel = one(fetch(app.test_client(), "/feed.xml"), "channel")
    assert one(channel, "atom:link").get("href") == "https://hoeren.example.org/feed.xml"
    assert one(channel, "podcast:guid").text == feeds.podcast_guid(
        "https://hoeren.example.org/feed.xml"
    )
    assert one(channel, "title").text == "Hörnachrichten"
    assert one(channel, "itunes:image").get("href") == "https://cdn.example.org/cover.jpg"
    category = one(channel, "itunes:category")
    assert category.get("text") == "Technology" and len(category) == 0
    assert one(channel, "itunes:explicit").text == "true"
    assert one(channel, "podcast:locked").text == "no"
    assert one(channel, "copyright").text == "© 2025 Beispiel"
    assert one(channel, "itunes:owner/itunes:email").text == "redaktion@example.org"
    url = one(channel, "item/enclosure").get("url", "")
    assert url.startswith("https://hoeren.example.org/media/")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_podcast_guid_follows_the_namespace_spec() -> None:
    # The example of the podcast namespace's documentation.
    expected = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feeds.podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == expected
    assert feeds.podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("News › Daily News", "News > Daily News"), ("Technology", "Technology")],
)
def test_category_setting_is_normalized(value: str, expected: str) -> None:
    assert config.load({"AUDIONEWS_PODCAST_CATEGORY": value})["PODCAST_CATEGORY"] == expected


@pytest.mark.parametrize("value", ["News > Wetter", "Nachrichten", "News > Politics > Mehr"])
def test_unknown_category_names_the_setting(value: str) -> None:
    with pytest.raises(config.SettingsError, match="AUDIONEWS_PODCAST_CATEGORY"):
        config.load({"AUDIONEWS_PODCAST_CATEGORY": value})


def test_made_up_hosts_cannot_grow_the_feed_cache(sqlite_app: Flask) -> None:
    from audionews.web.feeds import MAX_CACHED

    client = sqlite_app.test_client()
    for n in range(3 * MAX_CACHED):
        assert client.get("/feed.xml", headers={"Host": f"h{n}.example"}).status_code == 200
    assert len(sqlite_app.extensions["audionews.feeds"]) <= MAX_CACHED


@pytest.mark.parametrize("restart", [False, True])
def test_deleting_the_newest_article_moves_last_modified_forward(
    sqlite_app: Flask, restart: bool
) -> None:
    from audionews.web.editor.articles import delete
    from audionews.web.editor.audit import record

    sqlite_app.config["AUDIONEWS"]["FEED_RECHECK_SECONDS"] = 0.0
    client = sqlite_app.test_client()
    with sqlite_app.test_request_context():
        publish(SHORT_ARTICLE)
        newest = publish(SHORT_ARTICLE | {"title": "Eine zweite Meldung"}).id
    before = client.get("/feed.xml")
    modified = before.headers["Last-Modified"]
    with sqlite_app.test_request_context():
        article = db.session.get(Article, newest)
        assert article is not None
        time.sleep(1)  # HTTP dates have whole seconds
        delete(article)
        record("delete", article.slug, article.title, actor="test")  # as the back office does
    if restart:  # another web process, or this one started again: nothing in memory
        sqlite_app.extensions["audionews.feeds"].clear()
    after = client.get("/feed.xml", headers={"If-Modified-Since": modified})
    assert after.status_code == 200, "the feed changed: no 304"
    assert b"Eine zweite Meldung" not in after.data
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(modified)


def test_articles_imported_together_keep_their_order_in_every_app(sqlite_app: Flask) -> None:
    moment = datetime(2025, 6, 1, 12, 0, 0, 500_000)
    with sqlite_app.app_context():
        # Four imported within one second, one a second earlier, one published later.
        for number in range(4):
            add_fake(f"Import {number}", published=moment + timedelta(microseconds=number))
        add_fake("Davor", published=moment - timedelta(seconds=1))
        # Created long ago, published now: the feed has it as new.
        add_fake("Spät", created=moment - timedelta(days=3), published=moment + timedelta(hours=1))
    client = sqlite_app.test_client()

    def entries(path: str) -> list[tuple[str, str]]:
        parsed = feedparser.parse(client.get(path).data)
        return [(entry.title, entry.published) for entry in parsed.entries]

    for path in ARTICLE_FEEDS:
        items = entries(path)
        assert [title for title, _ in items] == [
            "Spät",
            "Import 3",
            "Import 2",
            "Import 1",
            "Import 0",
            "Davor",
        ]
        dates = [parsedate_to_datetime(date) for _, date in items]
        assert len(set(dates)) == len(dates) and dates == sorted(dates, reverse=True)
        assert dates[1] == moment.replace(microsecond=0, tzinfo=UTC)
        assert dates[-1] == dates[-2] - timedelta(seconds=1)
        # An app that sorts by date sees the feed's order.
        assert sorted(items, key=lambda i: parsedate_to_datetime(i[1]), reverse=True) == items
    before = entries("/feed.xml")
    with sqlite_app.app_context():
        add_fake("Neu", published=moment + timedelta(hours=2))
    sqlite_app.extensions["audionews.feeds"].clear()
    assert entries("/feed.xml")[1:] == before  # the others keep their dates


def test_briefing_items_keep_their_guid_and_follow_the_newest_build(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        article = add_fake("Eine Meldung")
        old = add_fake_briefing(article, "Alt", dt.date(2025, 12, 1))
        old.superseded_at = datetime(2025, 12, 1, 18)
        new = add_fake_briefing(article, "Neu", dt.date(2025, 12, 1))
        new.files = {**new.files, "audio": "nachrichten-2025-12-01-111111111111-briefing.mp3"}
        add_fake_briefing(article, "Gestern", dt.date(2025, 11, 30))
        gone = add_fake_briefing(article, "Zurückgezogen", dt.date(2025, 11, 29))
        gone.superseded_at = datetime(2025, 11, 29, 20)  # every article of it withdrawn
        db.session.commit()
    items = items_of_client(sqlite_app.test_client(), "/feed/briefing.xml")
    assert [one(i, "guid").text for i in items] == [
        briefing_feed.guid(dt.date(2025, 12, 1)),
        briefing_feed.guid(dt.date(2025, 11, 30)),
    ]
    assert one(items[0], "enclosure").get("url", "").endswith("-111111111111-briefing.mp3")
    assert [
        a.text
        for a in html.fragment_fromstring(
            one(items[0], "content:encoded").text, create_parent="div"
        ).xpath("//li/a")
    ] == ["Neu"]
    assert [one(i, "pubDate").text for i in items] == [
        "Sun, 30 Nov 2025 23:00:00 GMT",  # 1 December, midnight in Berlin
        "Sat, 29 Nov 2025 23:00:00 GMT",
    ]


def test_every_mp3_carries_the_cover(site: Site) -> None:
    names = [
        a["files"][kind] for a in site.articles.values() for kind in ("summary", "body", "episode")
    ]
    names.append(site.briefing["files"]["audio"])
    covers = set()
    for name in names:
        (apic,) = ID3(site.media / name).getall("APIC")
        assert apic.type == 3 and apic.mime == "image/png"
        image = Image.open(io.BytesIO(apic.data))
        assert image.format == "PNG" and image.width == image.height == 600
        covers.add(apic.data)
    assert len(covers) == 1  # the feed's cover, drawn smaller
