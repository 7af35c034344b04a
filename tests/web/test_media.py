"""Media delivery: Range, HEAD, ETag, content types, path traversal; and the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from audionews.render.storage import Storage


@pytest.fixture
def mp3(sqlite_app: Flask) -> tuple[FlaskClient, str, bytes]:
    storage: Storage = sqlite_app.extensions["storage"]
    data = bytes(range(256)) * 40
    temp = storage.temp_path(".mp3")
    temp.write_bytes(data)
    name = storage.publish(temp, "test", "episode.mp3")
    return sqlite_app.test_client(), f"/media/{name}", data


def test_full_get_head_and_etag(mp3: tuple[FlaskClient, str, bytes]) -> None:
    client, url, data = mp3
    res = client.get(url)
    assert res.status_code == 200 and res.data == data
    assert res.mimetype == "audio/mpeg"
    assert "immutable" in res.headers["Cache-Control"]
    assert res.headers["Accept-Ranges"] == "bytes"
    assert "Content-Encoding" not in res.headers
    head = client.head(url)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(data)
    again = client.get(url, headers={"If-None-Match": res.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, 10239), ("bytes=-50", 10190, 10239)],
)
def test_ranges(
    mp3: tuple[FlaskClient, str, bytes], range_header: str, start: int, end: int
) -> None:
    client, url, data = mp3
    res = client.get(url, headers={"Range": range_header})
    assert res.status_code == 206
    assert res.data == data[start : end + 1]
    assert res.headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"


def test_unsatisfiable_range(mp3: tuple[FlaskClient, str, bytes]) -> None:
    client, url, _ = mp3
    assert client.get(url, headers={"Range": "bytes=999999-"}).status_code == 416


@pytest.mark.parametrize(
    "range_header",
    ["bytes=0-99,200-299", "bytes=0-0, -1", "bytes=500-,0-10", "items=0-5", "bytes=x-y"],
)
def test_several_ranges_or_an_unknown_unit_get_the_whole_file(
    mp3: tuple[FlaskClient, str, bytes], range_header: str
) -> None:
    client, url, data = mp3
    res = client.get(url, headers={"Range": range_header})
    assert res.status_code == 200 and res.data == data
    assert int(res.headers["Content-Length"]) == len(data)
    assert "Content-Range" not in res.headers and res.headers["Accept-Ranges"] == "bytes"
    assert res.headers["Access-Control-Allow-Origin"] == "*"
    head = client.head(url, headers={"Range": range_header})
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(data)
    # Still conditional: a client that has the file gets a 304.
    cached = client.get(url, headers={"Range": range_header, "If-None-Match": res.headers["ETag"]})
    assert cached.status_code == 304


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fetc%2Fpasswd",
        "../test.db",
        ".tmp-x.mp3",
        "segments",
        "fehlt.mp3",
        "%2Fetc%2Fpasswd",
    ],
)
def test_refuses_traversal_and_unknown(sqlite_app: Flask, tmp_path: Path, name: str) -> None:
    (tmp_path / "geheim.txt").write_text("x")
    res = sqlite_app.test_client().get(f"/media/{name}")
    assert res.status_code == 404
    assert b"Traceback" not in res.data


def test_pages_answer_in_german(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    index = client.get("/")
    assert index.status_code == 200 and b'lang="de"' in index.data
    missing = client.get("/artikel/gibt-es-nicht")
    assert missing.status_code == 404 and b"Diese Seite gibt es nicht" in missing.data


@pytest.mark.parametrize(
    ("suffix", "mimetype"),
    [
        ("transcript.vtt", "text/vtt"),
        ("transcript.json", "application/json"),
        ("chapters.json", "application/json+chapters"),
        ("summary-chapters.json", "application/json+chapters"),
        ("png", "image/png"),
        ("jpg", "image/jpeg"),
        ("episode.mp3", "audio/mpeg"),
    ],
)
def test_types_cors_and_caching(sqlite_app: Flask, suffix: str, mimetype: str) -> None:
    storage: Storage = sqlite_app.extensions["storage"]
    name = storage.write_bytes(b"WEBVTT\n\n" * 50, "test", suffix)
    res = sqlite_app.test_client().get(f"/media/{name}")
    assert res.status_code == 200 and res.mimetype == mimetype
    assert res.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Range" in res.headers["Access-Control-Expose-Headers"]
    cache = res.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "no-transform" in cache


def test_unsatisfiable_range_names_the_length(mp3: tuple[FlaskClient, str, bytes]) -> None:
    client, url, data = mp3
    res = client.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert res.status_code == 416
    assert res.headers["Content-Range"] == f"bytes */{len(data)}"
    assert "außerhalb" in res.get_data(as_text=True)


def test_cors_preflight(mp3: tuple[FlaskClient, str, bytes]) -> None:
    client, url, _ = mp3
    res = client.options(
        url,
        headers={
            "Origin": "https://player.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range",
        },
    )
    assert res.status_code == 204
    assert res.headers["Access-Control-Allow-Origin"] == "*"
    assert res.headers["Access-Control-Allow-Headers"] == "range"
