"""Feeds and media over real HTTP: gunicorn (two workers) serving a rendered article.

Range (206, suffix, open, 416), HEAD lengths, ETag/Last-Modified 304s, content types, CORS and
path traversal, exactly as a podcast app or browser sends them.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from audionews import catalog, create_app
from audionews.articles import parse_json
from audionews.days import news_day
from audionews.db import db
from audionews.jobs import day_job, render_job
from audionews.tts.breaker import breaker_for
from tests.conftest import base_settings, worker_env
from tests.helpers import SHORT_ARTICLE
from tests.services import free_port, wait_http

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


@dataclass
class Server:
    port: int
    media: Path

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            res = conn.getresponse()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("http")
    settings = base_settings(tmp)
    app = create_app(settings)
    breaker_for("espeak").reset()
    with app.test_request_context():
        result = catalog.save(parse_json(SHORT_ARTICLE))
        assert result.job is not None
        assert render_job.run_render(result.article.id, 1, result.job.id) == "ready"
        day = news_day(result.article.published_at, app.config["AUDIONEWS"])  # type: ignore[arg-type]
        assert day_job.build_day(day) == day_job.BUILT
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    log = (tmp / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "audionews:create_app()",
        ],
        env=worker_env(settings),
        cwd=str(tmp),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # The first answer, not an open port: gunicorn binds before its workers can serve.
        wait_http(port, proc, "/feed.xml", timeout=60)
    except RuntimeError as exc:
        proc.kill()
        log.close()
        pytest.fail(f"gunicorn did not start: {exc}\n" + (tmp / "gunicorn.log").read_text())
    yield Server(port, tmp / "media")
    proc.terminate()
    proc.wait(15)
    log.close()


def feed_item(server: Server) -> etree._Element:
    status, headers, body = server.request("GET", "/feed.xml")
    assert status == 200 and headers["content-type"].startswith("application/rss+xml")
    assert not feedparser.parse(body).bozo
    (item,) = etree.fromstring(body).findall("channel/item")
    return item


def path_of(url: str, server: Server) -> str:
    prefix = f"http://127.0.0.1:{server.port}"
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)


def test_feed_conditional_requests_across_workers(server: Server) -> None:
    answers = [server.request("GET", "/feed.xml") for _ in range(6)]
    etags = {headers["etag"] for _, headers, _ in answers}
    modified = {headers["last-modified"] for _, headers, _ in answers}
    assert len(etags) == 1 and len(modified) == 1  # both workers build the same bytes
    (etag,), (last_modified,) = etags, modified
    status, headers, body = server.request("GET", "/feed.xml", {"If-None-Match": etag})
    assert status == 304 and body == b"" and headers["etag"] == etag
    status, _, body = server.request("GET", "/feed.xml", {"If-Modified-Since": last_modified})
    assert status == 304 and body == b""
    status, _, _ = server.request("GET", "/feed.xml", {"If-None-Match": '"anders"'})
    assert status == 200
    status, headers, body = server.request("HEAD", "/feed/kurz.xml")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_every_feed_over_http_with_cors(server: Server) -> None:
    for path in ("/feed.xml", "/feed/kurz.xml", "/feed/briefing.xml"):
        status, headers, body = server.request("GET", path, {"Origin": "https://player.example"})
        assert status == 200 and headers["access-control-allow-origin"] == "*"
        (item,) = etree.fromstring(body).findall("channel/item")
        enclosure = item.find("enclosure")
        assert enclosure is not None
        media = path_of(enclosure.get("url", ""), server)
        status, headers, _ = server.request("HEAD", media)
        assert status == 200 and headers["content-length"] == enclosure.get("length")


def test_enclosure_head_range_and_etag(server: Server) -> None:
    enclosure = feed_item(server).find("enclosure")
    assert enclosure is not None
    path = path_of(enclosure.get("url", ""), server)
    length = int(enclosure.get("length", ""))
    data = (server.media / path.removeprefix("/media/")).read_bytes()
    assert len(data) == length

    status, headers, body = server.request("HEAD", path)
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == length
    assert headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "bytes"
    assert "immutable" in headers["cache-control"]

    cases = {
        "bytes=0-99": (0, 99),
        "bytes=1000-": (1000, length - 1),
        "bytes=-500": (length - 500, length - 1),
    }
    for header, (start, end) in cases.items():
        status, headers, body = server.request("GET", path, {"Range": header})
        assert status == 206, header
        assert headers["content-range"] == f"bytes {start}-{end}/{length}"
        assert body == data[start : end + 1]
        assert int(headers["content-length"]) == end - start + 1
    status, headers, _ = server.request("GET", path, {"Range": f"bytes={length}-"})
    assert status == 416 and headers["content-range"] == f"bytes */{length}"
    # Several ranges at once: the whole file, which every player can use (not a 416).
    status, headers, body = server.request("GET", path, {"Range": "bytes=0-99,200-299"})
    assert status == 200 and body == data and "content-range" not in headers

    status, headers, body = server.request("GET", path, {"Accept-Encoding": "gzip, br"})
    assert status == 200 and "content-encoding" not in headers and body == data
    status, _, body = server.request("GET", path, {"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""
    # A player resuming with If-Range and the current ETag gets the part it asked for.
    status, _, body = server.request(
        "GET", path, {"Range": "bytes=10-19", "If-Range": headers["etag"]}
    )
    assert status == 206 and body == data[10:20]


def test_transcripts_and_chapters_over_http(server: Server) -> None:
    item = feed_item(server)
    links = [
        (el.get("url", ""), el.get("type", ""))
        for el in [*item.findall("podcast:transcript", NS), *item.findall("podcast:chapters", NS)]
    ]
    assert [kind for _, kind in links] == [
        "text/vtt",
        "application/json",
        "application/json+chapters",
    ]
    for url, declared in links:
        status, headers, body = server.request(
            "GET", path_of(url, server), {"Origin": "https://player.example"}
        )
        assert status == 200 and body
        assert headers["content-type"].split(";")[0] == declared
        assert headers["access-control-allow-origin"] == "*"
    status, headers, _ = server.request(
        "OPTIONS",
        path_of(links[0][0], server),
        {
            "Origin": "https://player.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range",
        },
    )
    assert status == 204 and headers["access-control-allow-origin"] == "*"
    assert "GET" in headers["access-control-allow-methods"]
    assert "range" in headers["access-control-allow-headers"].lower()


@pytest.mark.parametrize(
    "path",
    [
        "/media/../test.db",
        "/media/..%2Ftest.db",
        "/media/%2E%2E%2Ftest.db",
        "/media/..%5Ctest.db",
        "/media/segments",
        "/media/.tmp-x.mp3",
        "/media/%00.mp3",
    ],
)
def test_path_traversal_is_refused(server: Server, path: str) -> None:
    status, _, body = server.request("GET", path)
    assert status in {400, 404}
    assert b"SQLite" not in body and b"Traceback" not in body
